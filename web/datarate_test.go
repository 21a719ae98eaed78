package web_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// testRate is the minimum data rate of these tests: a short grace period
// keeps them fast.
var testRate = web.MinDataRate{BytesPerSecond: 1 << 20, Grace: 200 * time.Millisecond}

// rateBound is how long after its grace period a slow peer may hold on.
const rateBound = 3 * time.Second

// trickle sends body one byte every interval until the body is sent or
// stop is closed.
func trickle(c *rawConn, body string, interval time.Duration, stop <-chan struct{}) {
	for i := range len(body) {
		select {
		case <-stop:
			return
		case <-time.After(interval):
		}
		if _, err := io.WriteString(c.nc, body[i:i+1]); err != nil {
			return
		}
	}
}

// trickleBody trickles a 100 kB body to path on s and returns the
// connection and the response, which must come before the trickle ends.
func trickleBody(t *testing.T, s *testServer, path string) (*rawConn, *wireResponse) {
	t.Helper()
	c := s.dial(t)
	stop := make(chan struct{})
	defer close(stop)
	c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
	go trickle(c, strings.Repeat("a", 100000), 20*time.Millisecond, stop)
	return c, c.readResponse("POST")
}

// trickleTo408 trickles a body to s's /upload, which must answer 408 with
// Connection: close once the grace period is over, and returns the
// connection.
func trickleTo408(t *testing.T, s *testServer) *rawConn {
	t.Helper()
	start := time.Now()
	c, resp := trickleBody(t, s, "/upload")
	if resp.status != 408 {
		t.Fatalf("status %d, want 408", resp.status)
	}
	if took := time.Since(start); took > testRate.Grace+rateBound {
		t.Errorf("408 after %v", took)
	}
	if resp.get("Connection") != "close" {
		t.Errorf("Connection: %q, want close", resp.get("Connection"))
	}
	return c
}

// countBody answers with the length of the request body.
func countBody(req *web.Request) (web.Response, error) {
	b, err := req.Bytes()
	if err != nil {
		return nil, err
	}
	return web.Text(strconv.Itoa(len(b))), nil
}

func TestMinRequestBodyRate(t *testing.T) {
	t.Parallel()
	app := newApp()
	app.Router.Post("/upload", countBody)
	app.Router.Post("/slow-route", countBody, web.MinRequestBodyRate(web.NoMinDataRate))
	app.Router.Post("/slow-request", func(req *web.Request) (web.Response, error) {
		req.SetMinRequestBodyRate(web.NoMinDataRate)
		return countBody(req)
	})
	app.Router.Post("/ignore", func(*web.Request) (web.Response, error) { return web.Text("ignored"), nil })
	s := startApp(t, app, web.ServerOptions{MinRequestBodyRate: testRate})

	t.Run("trickle gets 408 and a close", func(t *testing.T) {
		t.Parallel()
		c := trickleTo408(t, s)
		expectClosed(t, c)
	})
	t.Run("unread trickle closes the connection", func(t *testing.T) {
		t.Parallel()
		_, resp := trickleBody(t, s, "/ignore")
		if resp.status != 200 || resp.get("Connection") != "close" {
			t.Fatalf("status %d, Connection %q; want 200 and close", resp.status, resp.get("Connection"))
		}
	})
	for _, path := range []string{"/slow-route", "/slow-request"} {
		t.Run("opted out "+path, func(t *testing.T) {
			t.Parallel()
			c := s.dial(t)
			c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n")
			trickle(c, strings.Repeat("a", 20), 30*time.Millisecond, nil) // 600 ms, past the grace
			resp := c.readResponse("POST")
			if resp.status != 200 || string(resp.body) != "20" {
				t.Fatalf("status %d, body %q; want 200 and 20", resp.status, resp.body)
			}
		})
	}
	t.Run("fast body", func(t *testing.T) {
		t.Parallel()
		resp, body := s.do("POST", "/upload", strings.NewReader(strings.Repeat("a", 1<<20)))
		if resp.StatusCode != 200 || body != strconv.Itoa(1<<20) {
			t.Fatalf("status %d, body %q", resp.StatusCode, body)
		}
	})
}

// writeUntilError streams chunks to the client until a write fails, and
// reports the error.
func writeUntilError(errc chan<- error) web.Handler {
	return func(req *web.Request) (web.Response, error) {
		s := web.NewStreamResponse()
		if err := s.Prepare(req); err != nil {
			errc <- err
			return nil, err
		}
		chunk := make([]byte, 64<<10)
		for {
			if _, err := s.Write(chunk); err != nil {
				errc <- err
				return s, err
			}
		}
	}
}

func TestMinResponseRate(t *testing.T) {
	t.Parallel()
	errc := make(chan error, 1)
	sseErr := make(chan error, 1)
	app := newApp()
	app.Router.Get("/endless", writeUntilError(errc))
	app.Router.Get("/events", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		data := strings.Repeat("x", 64<<10)
		for {
			if err := es.Send(data); err != nil {
				sseErr <- err
				return es, err
			}
		}
	})
	const size = 8 << 20
	app.Router.Get("/patient", func(req *web.Request) (web.Response, error) {
		return web.Bytes(make([]byte, size)), nil
	}, web.MinResponseRate(web.NoMinDataRate))
	s := startApp(t, app, web.ServerOptions{MinResponseRate: testRate})

	for path, errc := range map[string]chan error{"/endless": errc, "/events": sseErr} {
		t.Run("client stops reading "+path, func(t *testing.T) {
			t.Parallel()
			c := s.dial(t)
			start := time.Now()
			c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
			select {
			case err := <-errc:
				if !errors.Is(err, web.ErrResponseTooSlow) {
					t.Errorf("write error %v, want ErrResponseTooSlow", err)
				}
				if took := time.Since(start); took > testRate.Grace+rateBound {
					t.Errorf("write failed after %v", took)
				}
			case <-time.After(2 * ioTimeout):
				t.Fatal("the handler's write still blocks")
			}
			expectClosed(t, c)
		})
	}
	t.Run("opted out", func(t *testing.T) {
		t.Parallel()
		c := s.dial(t)
		c.send("GET /patient HTTP/1.1\r\nHost: x\r\n\r\n")
		time.Sleep(testRate.Grace + rateBound)
		resp := c.readResponse("GET")
		if resp.status != 200 || len(resp.body) != size {
			t.Fatalf("status %d, %d bytes; want 200 and %d", resp.status, len(resp.body), size)
		}
	})
}

// expectClosed fails t unless the server closes c soon.
func expectClosed(t *testing.T, c *rawConn) {
	t.Helper()
	c.deadline()
	if _, err := io.Copy(io.Discard, c.br); err != nil && isTimeout(err) {
		t.Errorf("connection still open: %v", err)
	}
}

// isTimeout reports whether err is a deadline that passed.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestWebSocketWriteTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	errc := make(chan error, 1)
	app := newApp()
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{Options: websocket.Options{WriteTimeout: timeout}})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		msg := make([]byte, 1<<20)
		for {
			if err := sock.SendBytes(context.Background(), msg); err != nil {
				errc <- err
				return ws, nil
			}
		}
	})
	s := startApp(t, app, web.ServerOptions{})
	nc, br, _ := wsHandshake(t, s.addr, "/ws") // and never read
	select {
	case err := <-errc:
		if !errors.Is(err, websocket.ErrWriteTimeout) {
			t.Errorf("send error %v, want websocket.ErrWriteTimeout", err)
		}
	case <-time.After(2 * ioTimeout):
		t.Fatal("the send still blocks")
	}
	_ = nc.SetReadDeadline(time.Now().Add(ioTimeout))
	if _, err := io.Copy(io.Discard, br); err != nil && isTimeout(err) {
		t.Errorf("connection still open: %v", err)
	}
}

func TestMinDataRatesBridged(t *testing.T) {
	t.Parallel()
	errc := make(chan error, 1)
	app := newApp()
	app.Router.Post("/upload", countBody, web.MinRequestBodyRate(testRate))
	app.Router.Get("/endless", writeUntilError(errc), web.MinResponseRate(testRate))
	app.Router.Post("/ignore", func(*web.Request) (web.Response, error) { return web.Text("ignored"), nil },
		web.MinRequestBodyRate(testRate))
	s := startBridged(t, app)

	t.Run("unread trickle is answered", func(t *testing.T) {
		t.Parallel()
		if _, resp := trickleBody(t, s, "/ignore"); resp.status != 200 {
			t.Fatalf("status %d, want 200", resp.status)
		}
	})

	t.Run("trickle gets 408", func(t *testing.T) {
		t.Parallel()
		trickleTo408(t, s)
	})
	t.Run("client stops reading", func(t *testing.T) {
		t.Parallel()
		c := s.dial(t)
		c.send("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n")
		select {
		case err := <-errc:
			if !errors.Is(err, web.ErrResponseTooSlow) {
				t.Errorf("write error %v, want ErrResponseTooSlow", err)
			}
		case <-time.After(2 * ioTimeout):
			t.Fatal("the handler's write still blocks")
		}
		expectClosed(t, c)
	})
}

// TestMinRequestBodyRateH2C checks that HTTP/2 requests get the server's
// minimum request body rate, and that NoMinDataRate turns it off.
func TestMinRequestBodyRateH2C(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rate   web.MinDataRate
		status int
	}{{testRate, 408}, {web.NoMinDataRate, 200}} {
		app := newApp()
		app.Router.Post("/upload", countBody)
		s := startApp(t, app, web.ServerOptions{MinRequestBodyRate: tc.rate})
		tr := h2cTransport()
		defer tr.CloseIdleConnections()
		pr, pw := io.Pipe()
		go func() {
			for range 25 { // 500 ms, past the grace period
				time.Sleep(20 * time.Millisecond)
				if _, err := pw.Write([]byte("a")); err != nil {
					return
				}
			}
			pw.Close()
		}()
		req, _ := http.NewRequest("POST", s.url+"/upload", pr)
		req.ContentLength = 25
		resp, err := (&http.Client{Transport: tr, Timeout: ioTimeout}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		pw.CloseWithError(io.ErrClosedPipe)
		if resp.ProtoMajor != 2 || resp.StatusCode != tc.status {
			t.Errorf("rate %+v: %s %d, want HTTP/2 %d", tc.rate, resp.Proto, resp.StatusCode, tc.status)
		}
	}
}

// TestMinResponseRateH2C checks an HTTP/2 client that never opens its
// flow-control window again: the handler's write fails with
// ErrResponseTooSlow, past the grace and the bound, and the stream is
// reset.
func TestMinResponseRateH2C(t *testing.T) {
	t.Parallel()
	errc := make(chan error, 1)
	app := newApp()
	app.Router.Get("/endless", writeUntilError(errc))
	s := startApp(t, app, web.ServerOptions{MinResponseRate: testRate})
	a := dialH2Attacker(t, s.addr, true) // reads frames, never sends WINDOW_UPDATE
	start := time.Now()
	if err := a.headers(1, "GET", "/endless", 0, true); err != nil || a.flush() != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, web.ErrResponseTooSlow) {
			t.Errorf("write error %v, want ErrResponseTooSlow", err)
		}
		if took := time.Since(start); took < testRate.Grace || took > testRate.Grace+rateBound {
			t.Errorf("write failed after %v", took)
		}
	case <-time.After(2 * ioTimeout):
		t.Fatal("the handler's write still blocks")
	}
	waitFor(t, "the stream's reset", func() bool { return a.resets.Load() == 1 })
}
