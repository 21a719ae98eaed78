package aiohttp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aiohttp-go/aiohttp"
)

// startH2Server serves h over HTTP/2 with TLS (net/http's server) until
// the test ends and returns its URL and the pool that trusts it.
func startH2Server(t testing.TB, h http.Handler) (string, *x509.CertPool) {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	roots := x509.NewCertPool()
	roots.AddCert(ts.Certificate())
	return ts.URL, roots
}

// newH2Session returns a session that trusts roots and counts the
// connections it opens in dials.
func newH2Session(t testing.TB, roots *x509.CertPool, dials *atomic.Int64) *aiohttp.Session {
	var d net.Dialer
	return newSession(t, aiohttp.SessionOptions{Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
		TLS: aiohttp.TLSOptions{Config: &tls.Config{RootCAs: roots}},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return d.DialContext(ctx, network, addr)
		},
	})})
}

// getH2 GETs url over HTTP/2 and returns the body.
func getH2(s *aiohttp.Session, url string) (string, error) {
	resp, err := s.Get(context.Background(), url)
	if err != nil {
		return "", err
	}
	defer resp.Close()
	body, err := resp.Bytes()
	if err == nil && resp.Version.Major != 2 {
		return "", fmt.Errorf("not HTTP/2: %v", resp.Version)
	}
	return string(body), err
}

// getAllH2 makes n concurrent GETs of url and fails t unless each answers
// want.
func getAllH2(t *testing.T, s *aiohttp.Session, url string, n int, want string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			body, err := getH2(s, url)
			if err == nil && body != want {
				err = fmt.Errorf("body %q, want %q", body, want)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A response body the caller has not read yet (its stream's window runs
// out) does not stall the other streams of the same HTTP/2 connection.
func TestSessionH2SlowReaderDoesNotStallOthers(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 8<<20/16) // twice the client's stream window
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) { w.Write(big) })
	mux.HandleFunc("/small", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "small") })
	url, roots := startH2Server(t, mux)
	var dials atomic.Int64
	s := newH2Session(t, roots, &dials)
	ctx := testCtx(t)

	stalled, err := s.Get(ctx, url+"/big")
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	if stalled.Version.Major != 2 {
		t.Fatalf("not HTTP/2: %v", stalled.Version)
	}
	getAllH2(t, s, url+"/small", 50, "small")
	if got, err := stalled.Bytes(); err != nil || !bytes.Equal(got, big) {
		t.Errorf("stalled response: %d bytes, %v", len(got), err)
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d connections, want every stream on one", n)
	}
}

// Concurrent requests are streams of one connection, in flight at once:
// each of n handlers waits until all n have arrived.
func TestSessionH2Multiplexes(t *testing.T) {
	const n = 32
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	url, roots := startH2Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			return // the first request, which opens the connection
		}
		arrived.Done()
		select {
		case <-all:
			io.WriteString(w, "together")
		case <-r.Context().Done():
		}
	}))
	var dials atomic.Int64
	s := newH2Session(t, roots, &dials)
	if _, err := getH2(s, url+"/"); err != nil {
		t.Fatal(err)
	}
	getAllH2(t, s, url+"/wait", n, "together")
	if got := dials.Load(); got != 1 {
		t.Errorf("%d connections, want 1", got)
	}
}

// BenchmarkSessionGetH2 measures a small GET over HTTP/2 with TLS to
// net/http's server through our session (Get, and With, which recycles
// the request's state) and, for reference, through
// net/http's client (the same HTTP/2 code underneath): one request at a
// time, and many multiplexed on one connection (parallel).
func BenchmarkSessionGetH2(b *testing.B) {
	url, roots := startH2Server(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "Hello, World!")
	}))
	var dials atomic.Int64
	s := newH2Session(b, roots, &dials)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}
	b.Cleanup(tr.CloseIdleConnections)
	std := &http.Client{Transport: tr}
	clients := []struct {
		name string
		get  func() (string, error)
	}{
		{"aiohttp", func() (string, error) { return getH2(s, url+"/") }},
		{"aiohttp-with", func() (body string, err error) {
			err = s.With(context.Background(), "GET", url+"/", func(resp *aiohttp.Response) error {
				b, err := resp.Bytes()
				body = string(b)
				return err
			})
			return body, err
		}},
		{"nethttp", func() (string, error) {
			resp, err := std.Get(url + "/")
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			return string(body), err
		}},
	}
	for _, c := range clients {
		if _, err := c.get(); err != nil { // opens the connection
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if body, err := c.get(); err != nil || body != "Hello, World!" {
					b.Fatal(body, err)
				}
			}
		})
		b.Run(c.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if body, err := c.get(); err != nil || body != "Hello, World!" {
						b.Error(body, err)
						return
					}
				}
			})
		})
	}
}
