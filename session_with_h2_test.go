package aiohttp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// withH2Server serves /small, /large (no Content-Length) and /slow (a
// head, then a body the handler sends after a pause) over HTTP/2 with TLS
// and returns its URL and a session that trusts it.
func withH2Server(t *testing.T) (string, *Session) {
	t.Helper()
	large := strings.Repeat("0123456789abcdef", 8<<10)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			io.WriteString(w, "small "+r.URL.RawQuery)
		case "/large":
			io.WriteString(w, large)
		case "/slow":
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			time.Sleep(200 * time.Millisecond)
			io.WriteString(w, "late")
		}
	}))
	ts.EnableHTTP2 = true
	// Concurrent first requests may each dial, and the client closes the
	// connections it does not keep, some in their handshake: not worth a
	// log line.
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	roots := x509.NewCertPool()
	roots.AddCert(ts.Certificate())
	s, err := NewSession(SessionOptions{Connector: NewTCPConnector(TCPConnectorOptions{
		TLS: TLSOptions{Config: &tls.Config{RootCAs: roots}},
	})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return ts.URL, s
}

// withOnce makes one request the way Session.With does and reports
// whether its state could be recycled.
func withOnce(t *testing.T, s *Session, ctx context.Context, url string, read func(*Response)) bool {
	t.Helper()
	st := getRequestState()
	st.with = true
	resp, err := s.request(ctx, st, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Version.Major != 2 {
		t.Fatalf("%s: %v, not HTTP/2", url, resp.Version)
	}
	read(resp)
	resp.Close()
	return st.reusable(resp)
}

// Session.With recycles the state of a request it made over HTTP/2 once
// net/http is done with it, and only then.
func TestSessionWithH2Recycles(t *testing.T) {
	url, s := withH2Server(t)
	readAll := func(resp *Response) {
		if _, err := resp.Bytes(); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/small", "/large"} {
		if !withOnce(t, s, context.Background(), url+path, readAll) {
			t.Errorf("%s read whole: state not recycled", path)
		}
	}
	// A body left unread: Close ends the stream, and waits for it.
	if !withOnce(t, s, context.Background(), url+"/slow", func(*Response) {}) {
		t.Error("/slow left unread: state not recycled")
	}
	// A stream whose context ended: Close does not wait for net/http.
	ctx, cancel := context.WithCancel(context.Background())
	if withOnce(t, s, ctx, url+"/slow", func(*Response) { cancel() }) {
		t.Error("/slow cancelled: state recycled while net/http may hold the request")
	}
}

// Responses recycled by With over HTTP/2, many at once on one connection,
// never show another request's data, while other requests on the
// connection time out in the middle of their bodies (and leave their
// state alone).
func TestSessionWithH2Concurrent(t *testing.T) {
	url, s := withH2Server(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
				err := s.With(ctx, "GET", url+"/slow", func(resp *Response) error {
					_, err := resp.Bytes()
					return err
				})
				cancel()
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("GET /slow with a 20 ms timeout: %v", err)
				}
			}
		})
	}
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				q := strings.Repeat("x", g) + strings.Repeat("y", i)
				err := s.With(context.Background(), "GET", url+"/small?"+q, func(resp *Response) error {
					body, err := resp.Bytes()
					if err == nil && string(body) != "small "+q {
						t.Errorf("GET /small?%s: %q", q, body)
					}
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
