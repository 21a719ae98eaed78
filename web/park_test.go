//go:build unix

package web_test

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/park"
	"github.com/aiohttp-go/aiohttp/web"
)

// helloApp answers GET / with "hello" and echoes POST /echo.
func helloApp() *web.Application {
	app := newApp()
	app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("hello"), nil })
	app.Router.Post("/echo", func(r *web.Request) (web.Response, error) {
		b, err := r.Bytes()
		return web.Bytes(b), err
	})
	return app
}

// parkAll parks the idle connections of s and waits until want of them
// are parked.
func parkAll(t *testing.T, s *testServer, want int) {
	t.Helper()
	srv := s.runner.Server()
	waitFor(t, "connections to park", func() bool {
		web.ParkIdle(srv) // again, for connections that were still finishing a request
		return web.ParkedConns(srv) == want
	})
}

func expectHello(t *testing.T, c *rawConn) {
	t.Helper()
	if r := c.get("/"); r.status != 200 || string(r.body) != "hello" {
		t.Fatalf("GET /: %d %q", r.status, r.body)
	}
}

// expectPipelined sends two requests in one write, the second with a body,
// and checks both answers.
func expectPipelined(t *testing.T, c *rawConn) {
	t.Helper()
	c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
	for range 2 {
		if r := c.readResponse("GET"); r.status != 200 || string(r.body) != "hello" {
			t.Fatalf("pipelined request: %d %q", r.status, r.body)
		}
	}
}

// expectHTTP2 sends the HTTP/2 connection preface and checks that the
// server's SETTINGS come back.
func expectHTTP2(t *testing.T, c *rawConn) {
	t.Helper()
	c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + "\x00\x00\x00\x04\x00\x00\x00\x00\x00") // preface and empty SETTINGS
	if frame := c.readFull(9); frame[3] != 0x4 {
		t.Fatalf("after the HTTP/2 preface: frame %x, want SETTINGS", frame)
	}
}

func TestParkedConnectionServesItsNextRequests(t *testing.T) {
	s := startApp(t, helloApp(), web.ServerOptions{})
	c := s.dial(t)
	expectHello(t, c)
	for range 3 {
		parkAll(t, s, 1)
		expectHello(t, c)
		if n := web.ParkedConns(s.runner.Server()); n != 0 {
			t.Fatalf("%d connections parked while one is served", n)
		}
	}
	// Two pipelined requests wake a parked connection as one.
	parkAll(t, s, 1)
	expectPipelined(t, c)
}

// parkedConn starts a server and returns it with a connection that served
// a request and parked.
func parkedConn(t *testing.T) (*testServer, *rawConn) {
	s := startApp(t, helloApp(), web.ServerOptions{})
	c := s.dial(t)
	expectHello(t, c)
	parkAll(t, s, 1)
	return s, c
}

func TestParkedConnectionTakesHTTP2Preface(t *testing.T) {
	_, c := parkedConn(t)
	expectHTTP2(t, c)
}

func TestParkedConnectionClosesAtKeepAliveTimeout(t *testing.T) {
	s, c := parkedConn(t)
	web.ExpireIdle(s.runner.Server())
	c.expectClosed()
}

func TestShutdownClosesParkedConnections(t *testing.T) {
	s := startApp(t, helloApp(), web.ServerOptions{})
	conns := make([]*rawConn, 5)
	for i := range conns {
		conns[i] = s.dial(t)
		expectHello(t, conns[i])
	}
	parkAll(t, s, len(conns))
	start := time.Now()
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("shutdown with parked connections took %v", d)
	}
	for _, c := range conns {
		c.expectClosed()
	}
}

func TestParkedConnectionHoldsItsSlot(t *testing.T) {
	s := startApp(t, helloApp(), web.ServerOptions{MaxConnections: 1})
	a := s.dial(t)
	expectHello(t, a)
	parkAll(t, s, 1)
	b := s.dial(t)
	b.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	b.expectSilence(100 * time.Millisecond) // waits in the backlog
	a.nc.Close()
	if r := b.readResponse("GET"); r.status != 200 {
		t.Fatalf("GET / once the parked connection left: %d", r.status)
	}
}

// TestConnectionsParkAtOnceWhenMany serves a connection that parks after
// every request that follows a silence, as on a server with many
// connections: requests, pipelined ones, bodies, an upgrade to HTTP/2 and
// a shutdown all work as usual.
func TestConnectionsParkAtOnceWhenMany(t *testing.T) {
	s := startApp(t, helloApp(), web.ServerOptions{ParkIdleAt: 1})
	srv := s.runner.Server()
	c := s.dial(t)
	for range 10 {
		expectHello(t, c)
		waitFor(t, "the connection to park", func() bool { return web.ParkedConns(srv) == 1 })
		time.Sleep(20 * time.Millisecond) // a silence longer than parkQuiet
	}
	expectPipelined(t, c)
	expectHTTP2(t, c)
	idle := s.dial(t)
	expectHello(t, idle)
	waitFor(t, "the connection to park", func() bool { return web.ParkedConns(srv) == 1 })
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	idle.expectClosed()
}

func TestParkIdleAtCountsConnections(t *testing.T) {
	s := startApp(t, helloApp(), web.ServerOptions{ParkIdleAt: 2})
	srv := s.runner.Server()
	a := s.dial(t)
	expectHello(t, a)
	time.Sleep(50 * time.Millisecond)
	if n := web.ParkedConns(srv); n != 0 {
		t.Fatalf("%d connections parked at once below ParkIdleAt", n)
	}
	b := s.dial(t)
	expectHello(t, b)
	waitFor(t, "the second connection to park", func() bool { return web.ParkedConns(srv) >= 1 })
}

// TestRequestRacingParkIsServed sends requests just as the server asks the
// connection to park: every one is answered, on the same connection.
func TestRequestRacingParkIsServed(t *testing.T) {
	s := startApp(t, helloApp(), web.ServerOptions{})
	srv := s.runner.Server()
	c := s.dial(t)
	for i := range 300 {
		var wg sync.WaitGroup
		wg.Go(func() {
			time.Sleep(time.Duration(i%7) * 20 * time.Microsecond)
			web.ParkIdle(srv)
		})
		expectHello(t, c)
		wg.Wait()
	}
}

// TestParkedConnectionsLeaveNoGoroutine parks connections and checks that
// each is left with one goroutine (the waiting one) or, in the epoll set,
// none, and none once the clients leave.
func TestParkedConnectionsLeaveNoGoroutine(t *testing.T) {
	s := startApp(t, helloApp(), web.ServerOptions{})
	const n = 20
	conns := make([]*rawConn, n)
	conns[0] = s.dial(t)
	expectHello(t, conns[0])
	parkAll(t, s, 1)
	perConn := 1
	if park.Epoll() {
		perConn = 0
	}
	base := runtime.NumGoroutine() - perConn // the server's own, the test's
	for i := 1; i < n; i++ {
		conns[i] = s.dial(t)
		expectHello(t, conns[i])
	}
	parkAll(t, s, n)
	waitFor(t, "at most one goroutine per parked connection", func() bool { return runtime.NumGoroutine()-base <= n*perConn })
	for _, c := range conns {
		c.nc.Close()
	}
	waitFor(t, "parked connections to end", func() bool { return runtime.NumGoroutine() <= base })
}
