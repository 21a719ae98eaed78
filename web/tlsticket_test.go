package web_test

import (
	"context"
	"crypto/tls"
	"io"
	"testing"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/aiohttp-go/aiohttp/web"
)

// The server issues session tickets, TLS 1.3 and 1.2; the sites of one
// runner given one Config share the ticket keys, so that a session begun
// on one resumes on another; a Config's own keys (SetSessionTicketKeys)
// are kept, so that instances sharing them resume each other's sessions.
func TestTLSSessionTickets(t *testing.T) {
	cert, pool := testcert.New(t)
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: version}
		a, b := startTLSSites(t, cfg), startTLSSites(t, cfg)
		// One client cache keyed by server name: the ticket of a is
		// offered to a's sibling site and to the other runner.
		client := &tls.Config{RootCAs: pool, ClientSessionCache: tls.NewLRUClientSessionCache(4), ServerName: "127.0.0.1"}
		for i, c := range []struct {
			addr string
			want bool
		}{{a[0], false}, {a[0], true}, {a[1], true}, {b[0], false}} {
			if got := tlsResumed(t, c.addr, client); got != c.want {
				t.Errorf("TLS %x, connection %d: resumed %v, want %v", version, i+1, got, c.want)
			}
		}
	}

	// Two runners with the same keys resume each other's sessions.
	var key [32]byte
	keyed := func() *tls.Config {
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
		cfg.SetSessionTicketKeys([][32]byte{key})
		return cfg
	}
	a, b := startTLSSites(t, keyed()), startTLSSites(t, keyed())
	client := &tls.Config{RootCAs: pool, ClientSessionCache: tls.NewLRUClientSessionCache(4), ServerName: "127.0.0.1"}
	tlsResumed(t, a[0], client)
	if !tlsResumed(t, b[0], client) {
		t.Error("a runner with the same ticket keys did not resume the other's session")
	}
}

// startTLSSites starts a runner with two TLS sites given cfg and returns
// their addresses.
func startTLSSites(t *testing.T, cfg *tls.Config) []string {
	t.Helper()
	runner := web.NewAppRunner(newApp(), web.ServerOptions{})
	ctx := context.Background()
	if err := runner.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { runner.Cleanup(context.Background()) })
	var addrs []string
	for range 2 {
		site := web.NewTCPSite(runner, "127.0.0.1", aiotest.UnusedPort(t), web.SiteOptions{TLSConfig: cfg})
		if err := site.Start(ctx); err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, site.Addr().String())
	}
	return addrs
}

// tlsResumed connects to addr, reads the answer to a request (in TLS 1.3
// the ticket comes after the handshake) and reports whether the
// handshake resumed a session.
func tlsResumed(t *testing.T, addr string, cfg *tls.Config) bool {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatal(err)
	}
	return conn.ConnectionState().DidResume
}
