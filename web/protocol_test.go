package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// protoApp has the routes the protocol tests use.
func protoApp() *web.Application {
	app := newApp()
	app.Router.Get("/", text("root"))
	app.Router.Get("/n/{n}", func(req *web.Request) (web.Response, error) {
		return web.Text(req.MatchInfo().Get("n")), nil
	})
	app.Router.Get("/sleep/{ms}", func(req *web.Request) (web.Response, error) {
		ms, _ := strconv.Atoi(req.MatchInfo().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return web.Text(req.MatchInfo().Get("ms")), nil
	})
	app.Router.Get("/status/{code}", func(req *web.Request) (web.Response, error) {
		code, _ := strconv.Atoi(req.MatchInfo().Get("code"))
		return web.Text("a body that must not be sent").SetStatus(code), nil
	})
	app.Router.Get("/stream-status/{code}", func(req *web.Request) (web.Response, error) {
		code, _ := strconv.Atoi(req.MatchInfo().Get("code"))
		resp := web.NewStreamResponse()
		resp.Header().Set("Transfer-Encoding", "chunked")
		resp.Header().Set("Content-Type", "text/plain")
		if err := resp.SetStatus(code); err != nil {
			return nil, err
		}
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		resp.WriteString("a body that must not be sent")
		return resp, nil
	})
	app.Router.Get("/close", func(*web.Request) (web.Response, error) {
		return web.Text("bye").ForceClose(), nil
	})
	app.Router.Post("/echo", func(req *web.Request) (web.Response, error) {
		b, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		return web.Bytes(b), nil
	})
	return app
}

func TestReference25_KeepAliveDefaults(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{})

	t.Run("HTTP/1.1 keeps the connection", func(t *testing.T) {
		c := s.dial(t)
		for i := range 3 {
			r := c.get("/n/" + strconv.Itoa(i))
			if string(r.body) != strconv.Itoa(i) {
				t.Fatalf("request %d: %q", i, r.body)
			}
			if _, ok := r.lookup("Connection"); ok {
				t.Errorf("Connection field on a kept 1.1 connection: %q", r.head)
			}
		}
	})
	t.Run("HTTP/1.1 with Connection: close", func(t *testing.T) {
		c := s.dial(t)
		r := c.get("/", "Connection: close")
		if r.get("Connection") != "close" || string(r.body) != "root" {
			t.Errorf("got %q", r.head)
		}
		c.expectClosed()
	})
	t.Run("HTTP/1.0 closes by default", func(t *testing.T) {
		c := s.dial(t)
		c.send("GET / HTTP/1.0\r\n\r\n")
		r := c.readResponse("GET")
		if string(r.body) != "root" || strings.EqualFold(r.get("Connection"), "keep-alive") {
			t.Errorf("got %q %q", r.head, r.body)
		}
		c.expectClosed()
	})
	t.Run("HTTP/1.0 with Connection: keep-alive", func(t *testing.T) {
		c := s.dial(t)
		for i := range 3 {
			c.send("GET /n/" + strconv.Itoa(i) + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
			r := c.readResponse("GET")
			if r.proto != "HTTP/1.0" || !strings.EqualFold(r.get("Connection"), "keep-alive") || string(r.body) != strconv.Itoa(i) {
				t.Fatalf("request %d: %q %q", i, r.head, r.body)
			}
		}
		c.send("GET / HTTP/1.0\r\n\r\n")
		c.readResponse("GET")
		c.expectClosed()
	})
}

func TestReference01_KeepAliveAfterHeadNoContentNotModified(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{})
	c := s.dial(t)
	c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
	if r := c.readResponse("HEAD"); r.status != 200 || r.get("Content-Length") != "4" {
		t.Fatalf("HEAD: %q", r.head)
	}
	for _, code := range []string{"204", "304"} {
		if r := c.get("/status/" + code); strconv.Itoa(r.status) != code {
			t.Fatalf("%s: %q", code, r.head)
		}
		if r := c.get("/stream-status/" + code); strconv.Itoa(r.status) != code {
			t.Fatalf("stream %s: %q", code, r.head)
		}
	}
	if r := c.get("/"); string(r.body) != "root" {
		t.Fatalf("the last request on the connection: %q %q", r.head, r.body)
	}

	// net/http's client reuses its one connection all along.
	var conns int
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		if !info.Reused {
			conns++
		}
	}}
	for _, req := range []struct{ method, path string }{
		{"HEAD", "/"}, {"GET", "/status/204"}, {"GET", "/status/304"}, {"GET", "/stream-status/304"}, {"GET", "/"},
	} {
		hr, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), req.method, s.url+req.path, nil)
		resp, err := s.client.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if conns != 1 {
		t.Errorf("net/http opened %d connections, want 1", conns)
	}
}

func TestReference02_ConnectionCloseNotReused(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{})
	c := s.dial(t)
	r := c.get("/close")
	if r.get("Connection") != "close" || string(r.body) != "bye" {
		t.Errorf("got %q %q", r.head, r.body)
	}
	c.expectClosed()

	var conns int
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		if !info.Reused {
			conns++
		}
	}}
	for range 3 {
		hr, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", s.url+"/close", nil)
		resp, err := s.client.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if conns != 3 {
		t.Errorf("net/http reused a closed connection: %d connections for 3 requests", conns)
	}
}

func TestKeepAliveDisabled(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{KeepAliveTimeout: -1})
	c := s.dial(t)
	if r := c.get("/"); r.get("Connection") != "close" {
		t.Errorf("got %q", r.head)
	}
	c.expectClosed()
}

func TestKeepAliveTimeout(t *testing.T) {
	t.Parallel()
	s := startApp(t, protoApp(), web.ServerOptions{KeepAliveTimeout: time.Second})
	c := s.dial(t)
	c.get("/")
	c.expectClosed() // within the I/O timeout, far below the 75 s default
}

// The keep-alive timeout counts from the end of the last request, not from
// its start: a slow request does not eat into the idle time that follows.
func TestKeepAliveTimeoutCountsFromIdle(t *testing.T) {
	t.Parallel()
	s := startApp(t, protoApp(), web.ServerOptions{KeepAliveTimeout: 4 * time.Second})
	c := s.dial(t)
	c.get("/sleep/4100")
	// The sweeper's clock is coarse (1 s), so the connection has at least
	// 3 s of the 4 s left; counted from the start of the request, it would
	// be closed at the sweeper's next tick.
	time.Sleep(1200 * time.Millisecond)
	if r := c.get("/"); string(r.body) != "root" {
		t.Fatalf("got %q", r.body)
	}
}

func TestHeaderTimeout(t *testing.T) {
	t.Parallel()
	s := startApp(t, protoApp(), web.ServerOptions{HeaderTimeout: time.Second})

	slow := s.dial(t)
	slow.send("GET / HTTP/1.1\r\nHo")
	silent := s.dial(t)
	slow.expectClosed() // within the I/O timeout, far below the 60 s default
	silent.expectClosed()

	// A client that sends its head in time is served. (The sweeper's clock
	// is coarse, so a 1 s timeout may strike at once: take 3 s.)
	s = startApp(t, protoApp(), web.ServerOptions{HeaderTimeout: 3 * time.Second})
	c := s.dial(t)
	c.send("GET / HTTP/1.1\r\n")
	time.Sleep(100 * time.Millisecond)
	c.send("Host: x\r\n\r\n")
	if r := c.readResponse("GET"); string(r.body) != "root" {
		t.Errorf("got %q", r.body)
	}
}

func TestReference31_PipelinedRequestsInOrder(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{})
	c := s.dial(t)
	c.send("GET /sleep/60 HTTP/1.1\r\nHost: x\r\n\r\n" +
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\necho" +
		"GET /sleep/0 HTTP/1.1\r\nHost: x\r\n\r\n" +
		"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" +
		"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n" +
		"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
		"GET /n/last HTTP/1.1\r\nHost: x\r\n\r\n")
	want := []struct {
		method string
		status int
		body   string
	}{
		{"GET", 200, "60"}, {"POST", 200, "echo"}, {"GET", 200, "0"}, {"HEAD", 200, ""},
		{"GET", 404, "404: Not Found"}, {"POST", 200, "abc"}, {"GET", 200, "last"},
	}
	for i, w := range want {
		r := c.readResponse(w.method)
		if r.status != w.status || string(r.body) != w.body {
			t.Fatalf("response %d: %d %q, want %d %q", i, r.status, r.body, w.status, w.body)
		}
	}
}

// Responses to requests that arrived together leave in one write.
func TestPipelinedResponsesInOneWrite(t *testing.T) {
	ln := &countingListener{Listener: mustListen(t)}
	s := startAppOn(t, protoApp(), web.ServerOptions{}, ln)
	c := s.dial(t)
	var reqs strings.Builder
	for i := range 10 {
		reqs.WriteString("GET /n/" + strconv.Itoa(i) + " HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	c.send(reqs.String())
	for i := range 10 {
		if r := c.readResponse("GET"); string(r.body) != strconv.Itoa(i) {
			t.Fatalf("response %d: %q", i, r.body)
		}
	}
	if n := ln.writes.Load(); n != 1 {
		t.Errorf("%d writes for 10 pipelined responses, want 1", n)
	}
	// A single request is one write too: head and body together.
	c.get("/")
	if n := ln.writes.Load(); n != 2 {
		t.Errorf("%d writes after one more request, want 2", n)
	}
}

func TestReference24_Expect100Continue(t *testing.T) {
	app := protoApp()
	app.Router.Post("/guarded", text("never"), web.ExpectHandler(func(req *web.Request) (web.Response, error) {
		if req.Header().Get("X-Token") != "secret" {
			return nil, web.HTTPForbidden()
		}
		return nil, nil
	}))
	app.Router.Post("/guarded-echo", func(req *web.Request) (web.Response, error) {
		b, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		return web.Bytes(b), nil
	}, web.ExpectHandler(func(*web.Request) (web.Response, error) { return nil, nil }))
	s := startApp(t, app, web.ServerOptions{})

	t.Run("100 after routing, then the response", func(t *testing.T) {
		c := s.dial(t)
		c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
		r := c.readHead()
		if r.head != "HTTP/1.1 100 Continue\r\n\r\n" {
			t.Fatalf("interim response %q", r.head)
		}
		c.send("hello")
		r = c.readResponse("POST")
		if r.status != 200 || string(r.body) != "hello" {
			t.Fatalf("final response %q %q", r.head, r.body)
		}
		if r := c.get("/"); string(r.body) != "root" {
			t.Errorf("next request: %q", r.body)
		}
	})
	t.Run("case-insensitive", func(t *testing.T) {
		c := s.dial(t)
		c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n")
		if r := c.readHead(); r.status != 100 {
			t.Fatalf("interim response %q", r.head)
		}
		c.send("ok")
		if r := c.readResponse("POST"); string(r.body) != "ok" {
			t.Fatalf("final response %q", r.body)
		}
	})
	for _, tt := range []struct {
		name, req string
		status    int
	}{
		{"404 without 100", "POST /nowhere HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", 404},
		{"405 without 100", "PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", 405},
		{"unknown Expect is 417", "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 5\r\n\r\n", 417},
		{"expect handler refuses", "POST /guarded HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", 403},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := s.dial(t)
			c.send(tt.req)
			// The body is never sent: the client waits for 100, and the
			// final answer must come anyway.
			r := c.readResponse("POST")
			if r.status != tt.status {
				t.Fatalf("got %q %q, want %d", r.head, r.body, tt.status)
			}
			// The unread body may still come: the server closes rather than
			// taking it for the next request.
			if r.get("Connection") != "close" {
				t.Errorf("no Connection: close with the body unread: %q", r.head)
			}
			c.expectClosed()
		})
	}
	t.Run("expect handler lets the request through", func(t *testing.T) {
		c := s.dial(t)
		c.send("POST /guarded-echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
		if r := c.readHead(); r.status != 100 {
			t.Fatalf("interim response %q", r.head)
		}
		c.send("abc")
		if r := c.readResponse("POST"); string(r.body) != "abc" {
			t.Fatalf("final response %q", r.body)
		}
	})
	t.Run("HTTP/1.0 gets no 100", func(t *testing.T) {
		c := s.dial(t)
		c.send("POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi")
		if r := c.readResponse("POST"); r.status != 200 || string(r.body) != "hi" {
			t.Fatalf("got %q %q", r.head, r.body)
		}
	})
	t.Run("net/http client", func(t *testing.T) {
		client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}, Timeout: ioTimeout}
		defer client.CloseIdleConnections()
		req, _ := http.NewRequest("POST", s.url+"/echo", strings.NewReader("payload"))
		req.Header.Set("Expect", "100-continue")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "payload" {
			t.Errorf("got %q", b)
		}
	})
}

func TestReference22_NoBodyFor1xx204304(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{})
	c := s.dial(t)
	for _, path := range []string{"/status/204", "/status/304", "/stream-status/204", "/stream-status/304"} {
		r := c.get(path)
		for _, name := range []string{"Content-Type", "Transfer-Encoding", "Content-Length"} {
			if _, ok := r.lookup(name); ok {
				t.Errorf("%s: %s sent: %q", path, name, r.head)
			}
		}
		// Had a body been sent, it would show up as the next response.
		if r := c.get("/n/next"); string(r.body) != "next" {
			t.Fatalf("%s: the next response is %q %q", path, r.head, r.body)
		}
	}
	// 100 Continue is a bare status line.
	c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")
	if r := c.readHead(); r.head != "HTTP/1.1 100 Continue\r\n\r\n" {
		t.Errorf("100 Continue: %q", r.head)
	}
	c.send("x")
	c.readResponse("POST")
}

func TestReference07_NoBodyForHeadNoContentNotModified(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{})
	c := s.dial(t)
	// The handler streams and says chunked; the client must still see no
	// body.
	c.send("HEAD /stream-status/200 HTTP/1.1\r\nHost: x\r\n\r\n")
	c.readResponse("HEAD")
	c.send("HEAD /status/200 HTTP/1.1\r\nHost: x\r\n\r\n")
	if r := c.readResponse("HEAD"); r.get("Content-Length") != "28" {
		t.Errorf("HEAD lost GET's Content-Length: %q", r.head)
	}
	c.get("/stream-status/204")
	c.get("/stream-status/304")
	if r := c.get("/n/after"); string(r.body) != "after" {
		t.Fatalf("a body leaked into the connection: %q %q", r.head, r.body)
	}
}

func TestReference21_HeadAnswersGet(t *testing.T) {
	app := newApp()
	app.Router.Get("/", text("Hello, World!"))
	app.Router.Get("/nohead", text("x"), web.AllowHead(false))
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
	r := c.readResponse("HEAD")
	if r.status != 200 || r.get("Content-Length") != "13" || r.get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("HEAD: %q", r.head)
	}
	c.send("HEAD /nohead HTTP/1.1\r\nHost: x\r\n\r\n")
	r = c.readResponse("HEAD")
	if r.status != 405 || r.get("Allow") != "GET" {
		t.Errorf("HEAD with AllowHead(false): %q", r.head)
	}
	if r := c.get("/"); string(r.body) != "Hello, World!" {
		t.Errorf("GET: %q", r.body)
	}
}

func TestMaxConnections(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{MaxConnections: 2})
	a, b := s.dial(t), s.dial(t)
	a.get("/")
	b.get("/")
	third := s.dial(t) // accepted by the kernel, not served
	third.send("GET /n/3 HTTP/1.1\r\nHost: x\r\n\r\n")
	third.expectSilence(300 * time.Millisecond)
	a.get("/") // the served connections go on
	a.nc.Close()
	if r := third.readResponse("GET"); string(r.body) != "3" {
		t.Fatalf("third connection: %q", r.body)
	}
	fourth := s.dial(t)
	fourth.send("GET /n/4 HTTP/1.1\r\nHost: x\r\n\r\n")
	fourth.expectSilence(200 * time.Millisecond)
	b.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	b.readResponse("GET")
	if r := fourth.readResponse("GET"); string(r.body) != "4" {
		t.Fatalf("fourth connection: %q", r.body)
	}
}

// rejected is a request head the parser refuses, and the status it gets.
type rejected struct {
	name   string
	req    string
	status int
}

var parserRejections = []rejected{
	{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n", 400},
	{"obs-fold with tab", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tfolded\r\n\r\n", 400},
	{"bare LF after the request line", "GET / HTTP/1.1\nHost: x\r\n\r\n", 400},
	{"bare LF after a field", "GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n", 400},
	{"bare LF ending the head", "GET / HTTP/1.1\r\nHost: x\r\n\n", 400},
	{"Content-Length with Transfer-Encoding", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
	{"Transfer-Encoding not ending in chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
	{"Transfer-Encoding chunked twice", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	{"Transfer-Encoding unknown coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
	{"Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	{"differing duplicate Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
	{"Content-Length list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc", 400},
	{"negative Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
	{"no Host in HTTP/1.1", "GET / HTTP/1.1\r\nX-A: 1\r\n\r\n", 400},
	{"duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
	{"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
	{"invalid field name", "GET / HTTP/1.1\r\nHost: x\r\nX(A): 1\r\n\r\n", 400},
	{"NUL in a field value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400},
	{"invalid method", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
	{"invalid target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
	{"HTTP/2.0 request line", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
	{"garbage version", "GET / HTTP/x.y\r\nHost: x\r\n\r\n", 400},
	{"request line over 8190 bytes", "GET /" + strings.Repeat("a", 8200) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
	{"field over 8190 bytes", "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + strings.Repeat("a", 8200) + "\r\n\r\n", 431},
	{"more than 128 fields", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-A: 1\r\n", 128) + "\r\n", 431},
}

func TestParserRejections(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{})
	for _, tt := range parserRejections {
		t.Run(tt.name, func(t *testing.T) {
			checkRejected(t, s, tt)
		})
	}
	// At the limits, requests are accepted.
	c := s.dial(t)
	if r := c.get("/", strings.Repeat("X-A: 1\r\n", 126)+"X-A: 1"); r.status != 200 {
		t.Errorf("128 fields: %d", r.status)
	}
	line := "X-Long: " + strings.Repeat("a", 8190-len("X-Long: "))
	if r := c.get("/", line); r.status != 200 {
		t.Errorf("8190-byte field: %d", r.status)
	}
	target := "/n/" + strings.Repeat("a", 8190-len("GET /n/ HTTP/1.1"))
	if r := c.get(target); r.status != 200 {
		t.Errorf("8190-byte request line: %d", r.status)
	}
	// An identical duplicate Content-Length is accepted.
	c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc")
	if r := c.readResponse("POST"); string(r.body) != "abc" {
		t.Errorf("identical Content-Length: %q %q", r.head, r.body)
	}
}

// checkRejected sends a request the parser must refuse and checks that the
// answer is its 4xx (or 5xx) and that the connection closes after it.
func checkRejected(t *testing.T, s *testServer, tt rejected) {
	t.Helper()
	c := s.dial(t)
	c.send(tt.req)
	r := c.readResponse("GET")
	if r.status != tt.status {
		t.Errorf("status %d, want %d: %q %q", r.status, tt.status, r.head, r.body)
	}
	if r.get("Connection") != "close" {
		t.Errorf("no Connection: close: %q", r.head)
	}
	if !strings.HasPrefix(string(r.body), strconv.Itoa(tt.status)+": ") {
		t.Errorf("body %q", r.body)
	}
	c.expectClosed()
}

func TestReference32_ParserRejects(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{})
	for _, name := range []string{
		"obs-fold", "bare LF after a field", "Content-Length with Transfer-Encoding",
		"Transfer-Encoding not ending in chunked", "duplicate Host",
		"differing duplicate Content-Length", "no Host in HTTP/1.1",
	} {
		found := false
		for _, tt := range parserRejections {
			if tt.name == name {
				found = true
				t.Run(name, func(t *testing.T) { checkRejected(t, s, tt) })
			}
		}
		if !found {
			t.Fatalf("no case %q", name)
		}
	}
}

func TestReference18_LineFieldCountLimits(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{})
	for _, tt := range parserRejections {
		if tt.status == 414 || tt.status == 431 {
			t.Run(tt.name, func(t *testing.T) { checkRejected(t, s, tt) })
		}
	}
	// Smaller limits from ServerOptions.
	small := startApp(t, protoApp(), web.ServerOptions{MaxLineSize: 100, MaxFieldSize: 100, MaxHeaders: 3})
	for _, tt := range []rejected{
		{"line", "GET /" + strings.Repeat("a", 100) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"field", "GET / HTTP/1.1\r\nHost: x\r\nX-A: " + strings.Repeat("a", 100) + "\r\n\r\n", 431},
		{"count", "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431},
	} {
		t.Run("small "+tt.name, func(t *testing.T) { checkRejected(t, small, tt) })
	}
	if r := small.dial(t).get("/", "A: 1", "B: 2"); r.status != 200 {
		t.Errorf("3 fields with MaxHeaders 3: %d", r.status)
	}
}

// A body that breaks its framing is the client's fault: 400, and the
// connection closes.
func TestMalformedChunkedBody(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{})
	for _, body := range []string{
		"zz\r\nabc\r\n0\r\n\r\n",               // not a chunk size
		"3\r\nabcXX0\r\n\r\n",                  // no CRLF after the data
		"3;=x\r\nabc\r\n0\r\n\r\n",             // bad extension
		"3\r\nabc\r\n0\r\nBad Trailer\r\n\r\n", // bad trailer
	} {
		c := s.dial(t)
		c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
		r := c.readResponse("POST")
		if r.status != 400 {
			t.Errorf("%q: %d %q", body, r.status, r.body)
		}
		c.expectClosed()
	}
}

// A client that closes in the middle of its body does not get an answer,
// and the server does not keep the connection.
func TestTruncatedBody(t *testing.T) {
	s := startApp(t, protoApp(), web.ServerOptions{})
	c := s.dial(t)
	c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
	c.nc.(interface{ CloseWrite() error }).CloseWrite()
	c.deadline()
	b, _ := io.ReadAll(c.br)
	if len(b) > 0 && !strings.HasPrefix(string(b), "HTTP/1.1 400") {
		t.Errorf("got %q", b)
	}
}
