package aiohttp_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
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
