package aiohttp

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// newTLSTestServer starts a TLS server with cert that answers each
// HTTP/1.1 request line with "HTTP/1.1 200 OK" and the negotiated
// protocol as body, and returns its address.
func newTLSTestServer(t testing.TB, cert tls.Certificate) *connTestServer {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	return startConnTestServer(t, ln, serveTLSTest)
}

// serveTLSTest answers requests on c as newTLSTestServer describes.
func serveTLSTest(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.Copy(io.Discard, req.Body)
		body := "tls"
		if tc, ok := c.(*tls.Conn); ok {
			body = "tls " + tc.ConnectionState().NegotiatedProtocol
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
	}
}

// roundTripHTTP1 sends a GET for path on cc and returns the response
// body.
func roundTripHTTP1(t testing.TB, cc *clientConn, host, target string) string {
	t.Helper()
	if _, err := io.WriteString(cc.nc, "GET "+target+" HTTP/1.1\r\nHost: "+host+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(cc.r), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Status + " " + string(b)
}

func TestTLSVerification(t *testing.T) {
	pki := newConnTestPKI(t, "localhost", "127.0.0.1")
	srv := newTLSTestServer(t, pki.cert)
	leaf := sha256.Sum256(pki.cert.Certificate[0])
	other := sha256.Sum256([]byte("another certificate"))
	verified := &tls.Config{RootCAs: pki.pool}

	for _, tc := range []struct {
		name string
		opts *TLSOptions
		kind error // nil: success
	}{
		{"unknown CA", &TLSOptions{}, ErrClientConnectorCertificate},
		{"test CA", &TLSOptions{Config: verified}, nil},
		{"insecure", &TLSOptions{InsecureSkipVerify: true}, nil},
		{"pin", &TLSOptions{Fingerprint: leaf[:]}, nil},
		{"pin with CA", &TLSOptions{Config: verified, Fingerprint: leaf[:]}, nil},
		{"wrong pin", &TLSOptions{Fingerprint: other[:]}, ErrServerFingerprintMismatch},
		{"short pin", &TLSOptions{Fingerprint: leaf[:20]}, ErrClientConnectorSSL},
		{"wrong name", &TLSOptions{Config: verified, ServerName: "example.test"}, ErrClientConnectorCertificate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewTCPConnector(TCPConnectorOptions{})
			defer c.Close()
			tgt := srv.target("https")
			tgt.tls = tc.opts
			cc, err := c.acquire(context.Background(), tgt)
			if tc.kind == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got := roundTripHTTP1(t, cc, "localhost", "/"); got != "200 OK tls http/1.1" {
					t.Errorf("response %q", got)
				}
				c.release(cc, true)
				return
			}
			wantKind(t, err, tc.kind)
			if c.Stats() != (ConnectorStats{}) {
				t.Errorf("stats after a failed handshake: %+v", c.Stats())
			}
			switch tc.kind {
			case ErrClientConnectorCertificate:
				var verr *tls.CertificateVerificationError
				var ua x509.UnknownAuthorityError
				var he x509.HostnameError
				if !errors.As(err, &verr) || !(errors.As(err, &ua) || errors.As(err, &he)) {
					t.Errorf("the x509 error is not reachable in %v", err)
				}
			case ErrServerFingerprintMismatch:
				var m *ServerFingerprintMismatch
				if !errors.As(err, &m) || string(m.Got) != string(leaf[:]) || string(m.Expected) != string(other[:]) || m.Host != srv.host || m.Port != srv.port {
					t.Errorf("mismatch %+v", m)
				}
				if !errors.Is(err, ErrServerConnection) {
					t.Error("a fingerprint mismatch is not a server connection error")
				}
			}
		})
	}
}

func TestTLSServerNameOverride(t *testing.T) {
	pki := newConnTestPKI(t, "example.test")
	var sni string
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{pki.cert},
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			sni = h.ServerName
			return nil, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := startConnTestServer(t, ln, serveTLSTest)
	c := NewTCPConnector(TCPConnectorOptions{TLS: TLSOptions{Config: &tls.Config{RootCAs: pki.pool}}})
	defer c.Close()

	// The connector's default TLS settings apply; the certificate does
	// not name 127.0.0.1.
	_, err = c.acquire(context.Background(), srv.target("https"))
	wantKind(t, err, ErrClientConnectorCertificate)

	tgt := srv.target("https")
	tgt.tls = &TLSOptions{Config: &tls.Config{RootCAs: pki.pool}, ServerName: "example.test"}
	cc, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	defer c.release(cc, true)
	if sni != "example.test" {
		t.Errorf("SNI %q", sni)
	}
	if got := cc.nc.(*tls.Conn).ConnectionState().ServerName; got != "example.test" {
		t.Errorf("server name %q", got)
	}
}

func TestTLSHandshakeFailure(t *testing.T) {
	// A server that does not speak TLS.
	srv := newConnTestServer(t, func(c net.Conn) { io.WriteString(c, "HTTP/1.1 400 Bad Request\r\n\r\n") })
	c := NewTCPConnector(TCPConnectorOptions{})
	defer c.Close()
	_, err := c.acquire(context.Background(), srv.target("https"))
	wantKind(t, err, ErrClientConnectorSSL)
	if errors.Is(err, ErrClientConnectorCertificate) {
		t.Error("a protocol failure reported as a certificate error")
	}

	// A server that never answers: the context bounds the handshake.
	mute := newConnTestServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.acquire(ctx, mute.target("https"))
	wantKind(t, err, ErrConnectionTimeout)
}

// newH2TestServer starts an httptest TLS server with HTTP/2 that answers
// with the request's protocol, after waiting for release when a request
// asks for /wait.
func newH2TestServer(t testing.TB, release <-chan struct{}) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/wait" {
			<-release
		}
		io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	// Connections the client closes early (ForceClose) may still be in
	// their handshake when the server closes: not worth a log line.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// h2Get sends a GET for path through cc's HTTP/2 connection.
func h2Get(t testing.TB, cc *clientConn, addr, path string) string {
	t.Helper()
	req, err := http.NewRequest("GET", "https://"+addr+path, nil)
	if err != nil {
		t.Error(err)
		return ""
	}
	resp, err := cc.h2.RoundTrip(req)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestTLSALPNHTTP2(t *testing.T) {
	release := make(chan struct{})
	srv := newH2TestServer(t, release)
	addr := strings.TrimPrefix(srv.URL, "https://")
	host, port, _ := net.SplitHostPort(addr)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c := NewTCPConnector(TCPConnectorOptions{TLS: TLSOptions{Config: &tls.Config{RootCAs: pool}}})
	defer c.Close()
	var tr connTestTrace
	tgt := &dialTarget{scheme: "https", host: host, port: port, trace: tr.tracer()}

	// The acquisition's context ends with acquire; the connection lives on.
	ctx, cancel := context.WithCancel(context.Background())
	c1, err := c.acquire(ctx, tgt)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if c1.h2 == nil || c1.r != nil {
		t.Fatal("the server chose h2 but the connection is not HTTP/2")
	}
	if got := h2Get(t, c1, addr, "/"); got != "HTTP/2.0" {
		t.Errorf("protocol %q", got)
	}

	// Concurrent acquisitions share the connection.
	c2, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if c2.h2 != c1.h2 || !c2.reused || c2 == c1 {
		t.Errorf("second acquisition: same connection %v, reused %v", c2.h2 == c1.h2, c2.reused)
	}
	done := make(chan string)
	go func() { done <- h2Get(t, c1, addr, "/wait") }()
	if got := h2Get(t, c2, addr, "/"); got != "HTTP/2.0" {
		t.Errorf("protocol %q", got)
	}
	close(release)
	<-done
	if s := c.Stats(); s.Open != 1 || s.InUse != 2 || s.Idle != 0 {
		t.Errorf("stats with two requests on one connection: %+v", s)
	}
	c.release(c1, true)
	c.release(c2, true)
	if s := c.Stats(); s.Open != 1 || s.InUse != 0 || s.Idle != 1 {
		t.Errorf("stats after release: %+v", s)
	}
	if tr.createEnd.Load() != 1 || tr.reuse.Load() != 1 {
		t.Errorf("create %d, reuse %d", tr.createEnd.Load(), tr.reuse.Load())
	}

	// Released again and reused after being idle.
	c3, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if c3.h2 != c1.h2 {
		t.Error("the idle HTTP/2 connection was not reused")
	}
	// A failed connection (reuse=false) is not handed out again.
	c.release(c3, false)
	if s := c.Stats(); s.Open != 0 {
		t.Errorf("stats after releasing a broken HTTP/2 connection: %+v", s)
	}
	if c1.h2.Err() == nil && c1.h2.Available() > 0 {
		t.Error("the broken HTTP/2 connection is still open")
	}

	// forceHTTP1 offers http/1.1 only.
	h1 := &dialTarget{scheme: "https", host: host, port: port, forceHTTP1: true}
	c4, err := c.acquire(context.Background(), h1)
	if err != nil {
		t.Fatal(err)
	}
	if c4.h2 != nil || c4.nc.(*tls.Conn).ConnectionState().NegotiatedProtocol == "h2" {
		t.Error("forceHTTP1 did not keep HTTP/1.1")
	}
	if got := roundTripHTTP1(t, c4, addr, "/"); got != "200 OK HTTP/1.1" {
		t.Errorf("response %q", got)
	}
	c.release(c4, true)
}

func TestTLSHTTP2KeepAliveAndForceClose(t *testing.T) {
	srv := newH2TestServer(t, nil)
	addr := strings.TrimPrefix(srv.URL, "https://")
	host, port, _ := net.SplitHostPort(addr)
	tgt := &dialTarget{scheme: "https", host: host, port: port, tls: &TLSOptions{InsecureSkipVerify: true}}

	c := NewTCPConnector(TCPConnectorOptions{KeepAliveTimeout: 30 * time.Millisecond})
	defer c.Close()
	cc, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	c.release(cc, true)
	waitStats(t, c.pool, func(s ConnectorStats) bool { return s.Open == 0 })

	f := NewTCPConnector(TCPConnectorOptions{ForceClose: true})
	defer f.Close()
	a, err := f.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if a.h2 == nil || a.h2 == b.h2 {
		t.Error("ForceClose shared an HTTP/2 connection")
	}
	if got := h2Get(t, a, addr, "/"); got != "HTTP/2.0" {
		t.Errorf("protocol %q", got)
	}
	f.release(a, true)
	f.release(b, true)
	if s := f.Stats(); s.Open != 0 {
		t.Errorf("stats: %+v", s)
	}
}
