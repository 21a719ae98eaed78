// Package inmem compares the servers' cost per request without the
// network: each serves b.N pipelined copies of one small GET on an
// in-memory connection, through its ordinary Serve(listener) entry point.
// Unlike ../run it is insensitive to loopback and scheduler noise, and it
// reports allocations.
package inmem

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
	"github.com/valyala/fasthttp"
)

type message struct {
	Message string `json:"message"`
}

// memConn replays one request n times, counts what is written and reports
// when it is closed.
type memConn struct {
	req    []byte
	n      int
	closed chan struct{}
	once   sync.Once
}

func (m *memConn) Read(p []byte) (int, error) {
	if m.n == 0 {
		return 0, io.EOF
	}
	// Hand out as many whole requests as fit: pipelining, as a busy
	// keep-alive client does.
	k := 0
	for m.n > 0 && k+len(m.req) <= len(p) {
		k += copy(p[k:], m.req)
		m.n--
	}
	if k == 0 {
		m.n--
		return copy(p, m.req), nil
	}
	return k, nil
}

func (m *memConn) Write(p []byte) (int, error) { return len(p), nil }
func (m *memConn) Close() error {
	m.once.Do(func() { close(m.closed) })
	return nil
}
func (m *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }
func (m *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (m *memConn) SetDeadline(time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(time.Time) error { return nil }

// oneConnListener accepts one connection, then blocks until closed.
type oneConnListener struct {
	conn chan net.Conn
	done chan struct{}
	once sync.Once
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conn:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}
func (l *oneConnListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}
func (l *oneConnListener) Addr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
}

// run serves b.N requests through serve and waits for the connection to be
// closed at the end of the input.
func run(b *testing.B, path string, serve func(net.Listener)) {
	raw := []byte("GET " + path + " HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
	mc := &memConn{req: raw, n: b.N, closed: make(chan struct{})}
	l := &oneConnListener{conn: make(chan net.Conn, 1), done: make(chan struct{})}
	l.conn <- mc
	b.ReportAllocs()
	b.ResetTimer()
	go serve(l)
	<-mc.closed
	b.StopTimer()
	l.Close()
}

var paths = []struct{ name, path string }{{"text", "/"}, {"json", "/json"}, {"param", "/user/42"}}

func BenchmarkAiohttpGo(b *testing.B) {
	app := web.NewApplication()
	app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("Hello, World!"), nil })
	app.Router.Get("/json", func(*web.Request) (web.Response, error) { return web.JSON(message{"Hello, World!"}) })
	app.Router.Get("/user/{id}", func(r *web.Request) (web.Response, error) { return web.Text(r.MatchInfo().Get("id")), nil })
	benchApp(b, app)
}

// BenchmarkAiohttpGoRespond answers through Request.Respond, the
// zero-allocation path.
func BenchmarkAiohttpGoRespond(b *testing.B) {
	app := web.NewApplication()
	app.Router.Get("/", func(r *web.Request) (web.Response, error) { return r.Respond().SetText("Hello, World!"), nil })
	app.Router.Get("/json", func(r *web.Request) (web.Response, error) { return r.Respond().SetJSON(message{"Hello, World!"}) })
	app.Router.Get("/user/{id}", func(r *web.Request) (web.Response, error) {
		return r.Respond().SetText(r.MatchInfo().Get("id")), nil
	})
	benchApp(b, app)
}

func benchApp(b *testing.B, app *web.Application) {
	for _, p := range paths {
		b.Run(p.name, func(b *testing.B) {
			srv := web.NewServer(app, web.ServerOptions{})
			run(b, p.path, func(l net.Listener) { _ = srv.Serve(l) })
		})
	}
}

func BenchmarkFasthttp(b *testing.B) {
	h := func(ctx *fasthttp.RequestCtx) {
		switch path := string(ctx.Path()); {
		case path == "/":
			ctx.SetContentType("text/plain; charset=utf-8")
			ctx.WriteString("Hello, World!")
		case path == "/json":
			ctx.SetContentType("application/json")
			json.NewEncoder(ctx).Encode(message{"Hello, World!"})
		default:
			ctx.SetContentType("text/plain; charset=utf-8")
			ctx.WriteString(path[len("/user/"):])
		}
	}
	for _, p := range paths {
		b.Run(p.name, func(b *testing.B) {
			srv := &fasthttp.Server{Handler: h}
			run(b, p.path, func(l net.Listener) { _ = srv.Serve(l) })
		})
	}
}

func BenchmarkNetHTTP(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "Hello, World!")
	})
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(message{"Hello, World!"})
	})
	mux.HandleFunc("GET /user/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, r.PathValue("id"))
	})
	for _, p := range paths {
		b.Run(p.name, func(b *testing.B) {
			srv := &http.Server{Handler: mux}
			run(b, p.path, func(l net.Listener) { _ = srv.Serve(l) })
		})
	}
}
