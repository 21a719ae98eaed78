//go:build unix

package web_test

import (
	"io"
	"net"
	"testing"

	"github.com/aiohttp-go/aiohttp/web"
)

// benchKeepAlive times keep-alive requests over a loopback socket, one at
// a time, so that the server's connection goes idle between them; the
// allocation counts include the client's, which allocates nothing.
func benchKeepAlive(b *testing.B, opts web.ServerOptions) {
	app := newApp()
	app.Router.Get("/", func(r *web.Request) (web.Response, error) { return r.Respond().SetText("Hello, World!"), nil })
	s := startApp(b, app, opts)
	nc, err := net.Dial("tcp", s.addr)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	req := []byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
	// The first response gives the length of every other.
	if _, err := nc.Write(req); err != nil {
		b.Fatal(err)
	}
	resp := make([]byte, 4096)
	n, err := nc.Read(resp)
	if err != nil {
		b.Fatal(err)
	}
	resp = resp[:n]
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := nc.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(nc, resp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKeepAliveIdle is a request on a connection that went idle
// after the previous one: the hot keep-alive path.
func BenchmarkKeepAliveIdle(b *testing.B) { benchKeepAlive(b, web.ServerOptions{}) }

// BenchmarkKeepAliveParked is a request on a connection that parked after
// the previous one, as on a server holding many connections, after a
// silence.
func BenchmarkKeepAliveParked(b *testing.B) {
	web.ParkAfterEveryRequest(b)
	benchKeepAlive(b, web.ServerOptions{ParkIdleAt: 1})
}

// BenchmarkKeepAliveManyConnections is a request on a busy connection of a
// server holding many connections: it parks after its first request only.
func BenchmarkKeepAliveManyConnections(b *testing.B) {
	benchKeepAlive(b, web.ServerOptions{ParkIdleAt: 1})
}
