package web

import (
	"io"
	"net"
	"testing"
	"time"
)

// memConn is an in-memory connection that serves the same request n times
// and discards what is written: the engine's cost without the network.
type memConn struct {
	req     []byte
	n       int
	written int64
}

func (m *memConn) Read(p []byte) (int, error) {
	if m.n == 0 {
		return 0, io.EOF
	}
	m.n--
	return copy(p, m.req), nil
}

func (m *memConn) Write(p []byte) (int, error) {
	m.written += int64(len(p))
	return len(p), nil
}

func (m *memConn) Close() error                     { return nil }
func (m *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }
func (m *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (m *memConn) SetDeadline(time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(time.Time) error { return nil }

// benchServe serves b.N copies of raw on one in-memory connection.
func benchServe(b *testing.B, app *Application, raw string) {
	b.Helper()
	srv := NewServer(app, ServerOptions{})
	mc := &memConn{req: []byte(raw), n: b.N}
	c := newServerConn(srv, mc)
	srv.conns[c.connRecord] = struct{}{}
	srv.active.Add(1)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	c.serve()
	if mc.written == 0 {
		b.Fatal("nothing written")
	}
}

func BenchmarkServeHelloWorld(b *testing.B) {
	app := NewApplication()
	app.Router.Get("/", func(*Request) (Response, error) { return Text("Hello, World!"), nil })
	benchServe(b, app, "GET / HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
}

func BenchmarkServeHelloWorldRespond(b *testing.B) {
	app := NewApplication()
	app.Router.Get("/", func(r *Request) (Response, error) { return r.Respond().SetText("Hello, World!"), nil })
	benchServe(b, app, "GET / HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
}

func BenchmarkServeParam(b *testing.B) {
	app := NewApplication()
	app.Router.Get("/user/{id}", func(r *Request) (Response, error) { return Text(r.MatchInfo().Get("id")), nil })
	benchServe(b, app, "GET /user/42 HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
}

func BenchmarkServeJSON(b *testing.B) {
	type message struct {
		Message string `json:"message"`
	}
	app := NewApplication()
	app.Router.Get("/json", func(*Request) (Response, error) { return JSON(message{"Hello, World!"}) })
	benchServe(b, app, "GET /json HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
}

func BenchmarkServeJSONRespond(b *testing.B) {
	type message struct {
		Message string `json:"message"`
	}
	app := NewApplication()
	app.Router.Get("/json", func(r *Request) (Response, error) { return r.Respond().SetJSON(message{"Hello, World!"}) })
	benchServe(b, app, "GET /json HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
}

func BenchmarkServePostBody(b *testing.B) {
	app := NewApplication()
	app.Router.Post("/echo", func(r *Request) (Response, error) {
		body, err := r.Bytes()
		if err != nil {
			return nil, err
		}
		return Bytes(body), nil
	})
	benchServe(b, app, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n\r\nhello world")
}

// BenchmarkServeRequestKey has a middleware store a pointer under a
// RequestKey and the handler read it: per-request state that allocates
// nothing once the connection's storage has grown.
func BenchmarkServeRequestKey(b *testing.B) {
	type user struct{ name string }
	key := NewRequestKey[*user]("user")
	u := &user{"ann"}
	app := NewApplication(WithMiddlewares(func(r *Request, next Handler) (Response, error) {
		key.Set(r, u)
		return next(r)
	}))
	app.Router.Get("/", func(r *Request) (Response, error) { return r.Respond().SetText(key.Get(r).name), nil })
	benchServe(b, app, "GET / HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
}
