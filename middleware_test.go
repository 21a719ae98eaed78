package aiohttp_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

func TestMiddlewareOrderAndChanges(t *testing.T) {
	base := serveApp(t, echoApp)
	var mu sync.Mutex
	var calls []string
	record := func(name string) aiohttp.Middleware {
		return func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
			mu.Lock()
			calls = append(calls, name+">"+req.URL.Path)
			mu.Unlock()
			req.Header.Add("Authorization", "Bearer "+name)
			resp, err := next(req)
			mu.Lock()
			calls = append(calls, name+"<")
			mu.Unlock()
			return resp, err
		}
	}
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{record("a"), record("b")}})
	_, body := get(t, s, "/r/302")
	want := []string{"a>/r/302", "b>/r/302", "b<", "a<", "a>/echo", "b>/echo", "b<", "a<"}
	if !slices.Equal(calls, want) {
		t.Errorf("calls %v, want %v", calls, want)
	}
	if !strings.Contains(body, "|auth=Bearer a|") {
		t.Errorf("the middleware's header did not go out: %q", body)
	}

	// Per request they replace the session's; with none, none run.
	calls = nil
	get(t, s, "/echo", aiohttp.WithMiddlewares(record("c")))
	if !slices.Equal(calls, []string{"c>/echo", "c<"}) {
		t.Errorf("per request: %v", calls)
	}
	calls = nil
	get(t, s, "/echo", aiohttp.WithMiddlewares())
	if len(calls) != 0 {
		t.Errorf("WithMiddlewares(): %v", calls)
	}
}

func TestMiddlewareShortCircuitAndError(t *testing.T) {
	base := serveApp(t, echoApp)
	errBlocked := errors.New("blocked")
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{
		func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
			if strings.HasPrefix(req.URL.Path, "/blocked") {
				return nil, errBlocked
			}
			return next(req)
		},
	}})
	if _, err := s.Get(testCtx(t), "/blocked"); !errors.Is(err, errBlocked) {
		t.Errorf("err %v", err)
	}
}

func TestMiddlewareMakesItsOwnRequest(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		echoApp(app)
		app.Router.Get("/token", func(*web.Request) (web.Response, error) { return web.Text("t0k3n"), nil })
		app.Router.Get("/private", func(r *web.Request) (web.Response, error) {
			if r.Header().Get("Authorization") != "Bearer t0k3n" {
				return nil, web.HTTPUnauthorized()
			}
			return web.Text("secret"), nil
		})
	})
	var s *aiohttp.Session
	tokens := 0
	auth := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		resp, err := next(req)
		if err != nil || resp.Status != 401 {
			return resp, err
		}
		resp.Close()
		// Its own request, through the same session, without middlewares.
		tr, err := req.Session.Get(req.Context(), "/token", aiohttp.WithMiddlewares())
		if err != nil {
			return nil, err
		}
		token, err := tr.Text()
		tr.Close()
		if err != nil {
			return nil, err
		}
		tokens++
		req.Header.Set("Authorization", "Bearer "+token)
		return next(req)
	}
	s = newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{auth}})
	resp, body := get(t, s, "/private")
	if resp.Status != 200 || body != "secret" || tokens != 1 {
		t.Errorf("%d %q after %d token requests", resp.Status, body, tokens)
	}
	if req := (&aiohttp.ClientRequest{}); req.BodyReplayable() != true {
		t.Error("a request without body is replayable")
	}
}

func TestMiddlewareForeignRequest(t *testing.T) {
	s := newSession(t, aiohttp.SessionOptions{Middlewares: []aiohttp.Middleware{
		func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
			return next(&aiohttp.ClientRequest{Method: "GET", URL: req.URL, Header: req.Header})
		},
	}})
	_, err := s.Get(testCtx(t), "http://127.0.0.1:1/")
	wantErrKind(t, err, aiohttp.ErrClient)
}

func TestTraceOrder(t *testing.T) {
	base := serveApp(t, echoApp)
	var mu sync.Mutex
	var events []string
	add := func(e string) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}
	type key struct{}
	tc := &aiohttp.TraceConfig{
		OnRequestStart: func(ctx context.Context, p aiohttp.TraceRequest) {
			add("start " + p.Method + " " + p.URL.Path + " " + ctx.Value(key{}).(string))
		},
		OnRequestHeadersSent: func(_ context.Context, p aiohttp.TraceRequest) { add("headers " + p.URL.Path) },
		OnRequestChunkSent:   func(_ context.Context, p aiohttp.TraceChunk) { add("chunk " + string(p.Chunk)) },
		OnRequestRedirect: func(_ context.Context, p aiohttp.TraceResponse) {
			add("redirect " + p.URL.Path + " " + p.Response.Header.Get("Location"))
		},
		OnRequestEnd: func(_ context.Context, p aiohttp.TraceResponse) {
			add("end " + p.Method + " " + p.URL.Path)
		},
		OnRequestException:      func(_ context.Context, p aiohttp.TraceException) { add("exception " + p.URL.Path) },
		OnConnectionCreateStart: func(context.Context) { add("create") },
		OnConnectionReuseconn:   func(context.Context) { add("reuse") },
	}
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, TraceConfigs: []*aiohttp.TraceConfig{tc}})
	ctx := context.WithValue(testCtx(t), key{}, "trace-ctx")
	resp, err := s.Post(ctx, "/r/307", aiohttp.String("body"))
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	want := []string{
		"start POST /r/307 trace-ctx", "create", "headers /r/307", "chunk body",
		"redirect /r/307 /echo", "reuse", "headers /echo", "chunk body", "end POST /echo",
	}
	if !slices.Equal(events, want) {
		t.Errorf("events\n%q\nwant\n%q", events, want)
	}
	events = nil
	s.Get(context.WithValue(testCtx(t), key{}, ""), "http://127.0.0.1:1/fail")
	if len(events) < 2 || events[len(events)-1] != "exception /fail" {
		t.Errorf("failure events %q", events)
	}
}

// OnRequestHeadersSent fires once the request has left: a hook may rely on
// the server having it (a plain socket's request was once written only
// after the hook, on the way into the read of the answer).
func TestTraceHeadersSentAfterWrite(t *testing.T) {
	received := make(chan struct{}, 4)
	srv := startRaw(t, serveRequests(func(*http.Request) string {
		received <- struct{}{}
		return "HTTP/1.1 204 No Content\r\n\r\n"
	}))
	var late atomic.Int32
	tc := &aiohttp.TraceConfig{
		OnRequestHeadersSent: func(context.Context, aiohttp.TraceRequest) {
			select {
			case <-received:
			case <-time.After(2 * time.Second):
				late.Add(1)
			}
		},
	}
	s := newSession(t, aiohttp.SessionOptions{TraceConfigs: []*aiohttp.TraceConfig{tc}})
	for range 2 { // a new connection, then a pooled one
		resp, err := s.Get(testCtx(t), srv.URL+"/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Close()
	}
	if n := late.Load(); n > 0 {
		t.Errorf("%d of 2 requests had not reached the server when OnRequestHeadersSent fired", n)
	}
}
