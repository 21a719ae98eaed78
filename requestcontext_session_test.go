package aiohttp_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

// stallApp serves /stall, which answers only when the client hangs up,
// besides echoApp.
func stallApp(app *web.Application) {
	echoApp(app)
	app.Router.Get("/stall", func(r *web.Request) (web.Response, error) {
		<-r.Context().Done()
		return nil, r.Context().Err()
	})
}

// wantTimeout fails t unless err is the total timeout's.
func wantTimeout(t *testing.T, err error) {
	t.Helper()
	wantErrKind(t, err, aiohttp.ErrServerTimeout)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v does not match context.DeadlineExceeded", err)
	}
}

// The request's context carries the total deadline; it ends with the
// request.
func TestRequestContextTotalDeadline(t *testing.T) {
	base := serveApp(t, stallApp)
	var seen context.Context
	var deadline time.Time
	record := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		seen = req.Context()
		deadline, _ = seen.Deadline()
		return next(req)
	}
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{record},
		Timeout: aiohttp.ClientTimeout{Total: 300 * time.Millisecond}})

	start := time.Now()
	_, err := s.Get(testCtx(t), "/stall")
	wantTimeout(t, err)
	if d := deadline.Sub(start); d < 300*time.Millisecond || d > 350*time.Millisecond {
		t.Errorf("the context's deadline is %v after the start, want the total timeout", d)
	}
	if !errors.Is(seen.Err(), context.DeadlineExceeded) {
		t.Errorf("after the total timeout: Err %v", seen.Err())
	}

	// A request that ends well ends its context when its body is over.
	resp, err := s.Get(testCtx(t), "/echo")
	if err != nil {
		t.Fatal(err)
	}
	ctx := seen
	if ctx.Err() != nil {
		t.Fatalf("ended before the body was read: %v", ctx.Err())
	}
	readBody(t, resp)
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("after the body: Err %v", ctx.Err())
	}
}

// A middleware gives next a context of its own: its values, and its
// deadline for one attempt, apply.
func TestRequestWithContext(t *testing.T) {
	base := serveApp(t, stallApp)
	type key struct{}
	var got any
	withValue := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		return next(req.WithContext(context.WithValue(req.Context(), key{}, "v")))
	}
	read := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		got = req.Context().Value(key{})
		return next(req)
	}
	perAttempt := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		ctx, cancel := context.WithTimeout(req.Context(), 100*time.Millisecond)
		defer cancel()
		return next(req.WithContext(ctx))
	}
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{withValue, read, perAttempt}})
	get(t, s, "/echo")
	if got != "v" {
		t.Errorf("the value of an outer middleware's context: %v", got)
	}
	start := time.Now()
	_, err := s.Get(testCtx(t), "/stall")
	wantTimeout(t, err)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the attempt's deadline did not end it: %v", d)
	}
}

// queueFor is a middleware whose Queue wait lasts d, or until its
// context ends; it records the deadline the wait sees.
func queueFor(d time.Duration, seen *time.Time) aiohttp.Middleware {
	return func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		err := req.Queue(func(ctx context.Context) error {
			*seen, _ = ctx.Deadline()
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if err != nil {
			return nil, err
		}
		return next(req)
	}
}

// Time in Queue counts in the total timeout unless ExcludeQueue.
func TestRequestQueue(t *testing.T) {
	base := serveApp(t, stallApp)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	callerDeadline, _ := ctx.Deadline()
	var seen time.Time
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base,
		Middlewares: []aiohttp.Middleware{queueFor(400*time.Millisecond, &seen)},
		Timeout:     aiohttp.ClientTimeout{Total: 200 * time.Millisecond, ExcludeQueue: true}})
	resp, err := s.Get(ctx, "/echo")
	if err != nil {
		t.Fatalf("a wait that does not count: %v", err)
	}
	readBody(t, resp)
	if !seen.Equal(callerDeadline) {
		t.Errorf("the wait saw the deadline %v, want the caller's %v", seen, callerDeadline)
	}

	start := time.Now()
	_, err = s.Get(ctx, "/echo", aiohttp.ClientTimeout{Total: 200 * time.Millisecond})
	wantTimeout(t, err)
	if d := time.Since(start); d > 350*time.Millisecond {
		t.Errorf("a counted wait outlasted the total timeout: %v", d)
	}
	if d := seen.Sub(start); d < 200*time.Millisecond || d > 250*time.Millisecond {
		t.Errorf("a counted wait saw the deadline %v after the start", seen.Sub(start))
	}
}

// A request queued for a connection slot longer than its total timeout
// succeeds with ExcludeQueue, and fails without: also when a middleware
// watches its context.
func TestRequestQueuedForSlotWithWatchedContext(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	base := serveApp(t, func(app *web.Application) {
		echoApp(app)
		app.Router.Get("/hold", func(*web.Request) (web.Response, error) {
			arrived <- struct{}{}
			<-release
			return web.Text("held"), nil
		})
	})
	type key struct{}
	watch := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		return next(req.WithContext(context.WithValue(req.Context(), key{}, 1)))
	}
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: 1})
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Connector: conn, Middlewares: []aiohttp.Middleware{watch}})
	for _, excludeQueue := range []bool{true, false} {
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, body := get(t, s, "/hold"); body != "held" {
				t.Errorf("hold: %q", body)
			}
		})
		<-arrived // /hold has the only slot
		timer := time.AfterFunc(400*time.Millisecond, func() { release <- struct{}{} })
		resp, err := s.Get(testCtx(t), "/echo", aiohttp.ClientTimeout{Total: 200 * time.Millisecond, ExcludeQueue: excludeQueue})
		if !excludeQueue {
			wantTimeout(t, err)
		} else if err != nil {
			t.Errorf("queued past the total timeout: %v", err)
		} else {
			readBody(t, resp)
		}
		wg.Wait()
		timer.Stop()
	}
}

// A middleware may answer with the response of a request of its own made
// under the request's context: its body stays readable.
func TestRequestContextNestedResponse(t *testing.T) {
	base := serveApp(t, echoApp)
	own := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		return req.Session.Post(req.Context(), "/echo", aiohttp.String("nested"), aiohttp.WithMiddlewares())
	}
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{own},
		Timeout: aiohttp.ClientTimeout{Total: 10 * time.Second}})
	if _, body := get(t, s, "/echo"); body[:12] != "POST nested " {
		t.Errorf("body %q", body)
	}
}
