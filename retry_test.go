package aiohttp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

func TestRetry429RetryAfter(t *testing.T) {
	var hits atomic.Int32
	var times [3]time.Time
	base := serveApp(t, func(app *web.Application) {
		app.Router.Any("/limited", func(r *web.Request) (web.Response, error) {
			n := hits.Add(1)
			times[n-1] = time.Now()
			r.Bytes()
			if n < 3 {
				return web.NewResponse(429).SetHeader("Retry-After", "1").SetText("slow down"), nil
			}
			return web.Text("done"), nil
		})
	})
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{
		aiohttp.RetryMiddleware(aiohttp.RetryOptions{BaseDelay: time.Millisecond, MaxDelay: 200 * time.Millisecond}),
	}})
	resp, body := get(t, s, "/limited")
	if resp.Status != 200 || body != "done" || hits.Load() != 3 {
		t.Fatalf("%d %q after %d attempts", resp.Status, body, hits.Load())
	}
	// Retry-After said 1 s; MaxDelay caps it at 200 ms.
	if d := times[1].Sub(times[0]); d < 150*time.Millisecond || d > time.Second {
		t.Errorf("waited %v", d)
	}

	// Attempts bound the tries; the last response is returned.
	hits.Store(0)
	s2 := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{
		aiohttp.RetryMiddleware(aiohttp.RetryOptions{Attempts: 2, BaseDelay: time.Millisecond, IgnoreRetryAfter: true}),
	}})
	start := time.Now()
	resp, body = get(t, s2, "/limited")
	if resp.Status != 429 || body != "slow down" || hits.Load() != 2 {
		t.Errorf("%d %q after %d attempts", resp.Status, body, hits.Load())
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("IgnoreRetryAfter still waited %v", d)
	}

	// POST is not idempotent: not retried unless listed.
	hits.Store(0)
	resp, err := s.Post(testCtx(t), "/limited", aiohttp.String("x"))
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.Status != 429 || hits.Load() != 1 {
		t.Errorf("POST: %d after %d attempts", resp.Status, hits.Load())
	}
	hits.Store(0)
	s3 := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{
		aiohttp.RetryMiddleware(aiohttp.RetryOptions{Methods: []string{"POST"}, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}),
	}})
	resp, err = s3.Post(testCtx(t), "/limited", aiohttp.String("x"))
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.Status != 200 || hits.Load() != 3 {
		t.Errorf("listed POST: %d after %d attempts", resp.Status, hits.Load())
	}
	// A stream cannot be sent twice: no retry.
	hits.Store(0)
	resp, err = s3.Post(testCtx(t), "/limited", aiohttp.Body(io.MultiReader()))
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.Status != 429 || hits.Load() != 1 {
		t.Errorf("stream: %d after %d attempts", resp.Status, hits.Load())
	}
}

func TestRetryHTTPDateAndTotalTimeout(t *testing.T) {
	var hits atomic.Int32
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/busy", func(*web.Request) (web.Response, error) {
			hits.Add(1)
			when := time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
			return web.NewResponse(503).SetHeader("Retry-After", when), nil
		})
	})
	// The wait would outlast the total timeout: give up at once.
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Timeout: aiohttp.ClientTimeout{Total: 500 * time.Millisecond},
		Middlewares: []aiohttp.Middleware{aiohttp.RetryMiddleware(aiohttp.RetryOptions{})}})
	start := time.Now()
	resp, _ := get(t, s, "/busy")
	if resp.Status != 503 || hits.Load() != 1 || time.Since(start) > 400*time.Millisecond {
		t.Errorf("%d after %d attempts in %v", resp.Status, hits.Load(), time.Since(start))
	}
}

func TestRetryConnectionErrors(t *testing.T) {
	// The first two connections are dropped without an answer.
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		if s.readRequest(br) == nil || s.conns.Load() <= 2 {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(2)+"\r\n\r\nok")
	})
	s := newSession(t, aiohttp.SessionOptions{Middlewares: []aiohttp.Middleware{
		aiohttp.RetryMiddleware(aiohttp.RetryOptions{BaseDelay: time.Millisecond}),
	}})
	if _, body := get(t, s, srv.URL+"/"); body != "ok" {
		t.Errorf("body %q", body)
	}
	// Without retries the drop surfaces.
	plain := newSession(t, aiohttp.SessionOptions{})
	srv.conns.Store(0)
	_, err := plain.Get(testCtx(t), srv.URL+"/")
	wantErrKind(t, err, aiohttp.ErrServerDisconnected)
}

// While it waits to retry, RetryMiddleware holds no connection slot: a
// request to the same host at the per-host limit goes through meanwhile.
// The response it gives up with (here: its context ended during the wait)
// is readable, its body read before the wait.
func TestRetryReleasesSlotWhileWaiting(t *testing.T) {
	busyHit := make(chan struct{}, 4)
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/busy", func(*web.Request) (web.Response, error) {
			busyHit <- struct{}{}
			return web.NewResponse(503).SetHeader("Retry-After", "3").SetText("busy"), nil
		})
		app.Router.Get("/other", func(*web.Request) (web.Response, error) { return web.Text("other"), nil })
	})
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{LimitPerHost: 1})
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Connector: conn, Middlewares: []aiohttp.Middleware{
		aiohttp.RetryMiddleware(aiohttp.RetryOptions{MaxDelay: 5 * time.Second}),
	}})
	ctx, cancel := context.WithCancel(testCtx(t))
	type outcome struct {
		resp *aiohttp.Response
		err  error
	}
	busy := make(chan outcome, 1)
	go func() {
		resp, err := s.Get(ctx, "/busy")
		busy <- outcome{resp, err}
	}()
	<-busyHit
	otherCtx, otherCancel := context.WithTimeout(testCtx(t), time.Second)
	defer otherCancel()
	resp, err := s.Get(otherCtx, "/other")
	if err != nil {
		t.Fatalf("a request behind a retry's wait: %v", err)
	}
	if body := readBody(t, resp); body != "other" {
		t.Errorf("body %q", body)
	}
	cancel()
	o := <-busy
	if o.err != nil {
		t.Fatal(o.err)
	}
	if o.resp.Status != 503 || o.resp.Attempts != 1 {
		t.Errorf("gave up with %d after %d attempts", o.resp.Status, o.resp.Attempts)
	}
	if body := readBody(t, o.resp); body != "busy" {
		t.Errorf("the last response's body: %q", body)
	}
}

// With ReadBody, a body the connection cuts short is retried; without, it
// is the caller's payload error.
func TestRetryReadBodyCutShort(t *testing.T) {
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		if s.readRequest(br) == nil {
			return
		}
		if s.conns.Load()%2 == 1 {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n012")
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789")
	})
	s := newSession(t, aiohttp.SessionOptions{Middlewares: []aiohttp.Middleware{
		aiohttp.RetryMiddleware(aiohttp.RetryOptions{BaseDelay: time.Millisecond, ReadBody: true}),
	}})
	resp, err := s.Get(testCtx(t), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); body != "0123456789" || resp.Attempts != 2 {
		t.Errorf("body %q after %d attempts", body, resp.Attempts)
	}

	plain := newSession(t, aiohttp.SessionOptions{Middlewares: []aiohttp.Middleware{
		aiohttp.RetryMiddleware(aiohttp.RetryOptions{BaseDelay: time.Millisecond}),
	}})
	resp, err = plain.Get(testCtx(t), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	if _, err := resp.Bytes(); !errors.Is(err, aiohttp.ErrClientPayload) || resp.Attempts != 1 {
		t.Errorf("without ReadBody: %v after %d attempts", err, resp.Attempts)
	}
}

// A request that fails every attempt returns a *RetryError saying how
// many, through which the last error's kind still matches.
func TestRetryErrorCountsAttempts(t *testing.T) {
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) { s.readRequest(br) })
	s := newSession(t, aiohttp.SessionOptions{Middlewares: []aiohttp.Middleware{
		aiohttp.RetryMiddleware(aiohttp.RetryOptions{BaseDelay: time.Millisecond}),
	}})
	_, err := s.Get(testCtx(t), srv.URL+"/")
	var re *aiohttp.RetryError
	if !errors.As(err, &re) || re.Attempts != 3 || !errors.Is(err, aiohttp.ErrServerDisconnected) {
		t.Fatalf("%v", err)
	}
	if !strings.HasSuffix(err.Error(), "(after 3 attempts)") || srv.conns.Load() != 3 {
		t.Errorf("%q over %d connections", err, srv.conns.Load())
	}
}
