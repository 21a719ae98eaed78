package aiohttp

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// newUnixTestServer serves serve (or a reader to EOF) on a Unix socket in
// a temporary directory and returns its path.
func newUnixTestServer(t *testing.T, serve func(net.Conn)) (*connTestServer, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Skip("no Unix sockets:", err)
	}
	return startConnTestServer(t, ln, serve), path
}

func TestUnixConnector(t *testing.T) {
	srv, path := newUnixTestServer(t, serveTLSTest)
	c := NewUnixConnector(path, TCPConnectorOptions{LimitPerHost: 1})
	defer c.Close()
	if c.Path() != path || c.LimitPerHost() != 1 {
		t.Errorf("path %q, limit per host %d", c.Path(), c.LimitPerHost())
	}
	var _ Connector = c
	// Any host goes to the socket.
	tgt := &dialTarget{scheme: "http", host: "docker", port: "80"}
	cc, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTripHTTP1(t, cc, "docker", "/"); got != "200 OK tls" {
		t.Errorf("response %q", got)
	}
	// The limit per host applies.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = c.acquire(ctx, tgt)
	wantKind(t, err, ErrConnectionTimeout)
	c.release(cc, true)
	cc2, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if cc2 != cc || !cc2.reused {
		t.Error("the idle Unix connection was not reused")
	}
	c.release(cc2, true)
	if got := srv.acceptedBefore(t); got != 1 {
		t.Errorf("accepted %d", got)
	}
}

func TestUnixConnectorTLS(t *testing.T) {
	pki := newConnTestPKI(t, "localhost")
	_, path := newUnixTestServer(t, func(c net.Conn) {
		serveTLSTest(tls.Server(c, &tls.Config{Certificates: []tls.Certificate{pki.cert}}))
	})
	c := NewUnixConnector(path, TCPConnectorOptions{TLS: TLSOptions{Config: &tls.Config{RootCAs: pki.pool}}})
	defer c.Close()
	cc, err := c.acquire(context.Background(), &dialTarget{scheme: "https", host: "localhost", port: "443"})
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTripHTTP1(t, cc, "localhost", "/"); got != "200 OK tls " {
		t.Errorf("response %q", got)
	}
	c.release(cc, true)
}

func TestUnixConnectorFailure(t *testing.T) {
	c := NewUnixConnector(filepath.Join(t.TempDir(), "missing.sock"), TCPConnectorOptions{})
	defer c.Close()
	_, err := c.acquire(context.Background(), &dialTarget{scheme: "http", host: "localhost", port: "80"})
	wantKind(t, err, ErrUnixClientConnector)
	if !errors.Is(err, syscall.ENOENT) || !errors.Is(err, ErrClientConnector) {
		t.Errorf("error %v", err)
	}
	if c.Stats() != (ConnectorStats{}) {
		t.Errorf("stats %+v", c.Stats())
	}
}
