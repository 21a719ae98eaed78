package aiotest_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/multipart"
	"github.com/aiohttp-go/aiohttp/sse"
	"github.com/aiohttp-go/aiohttp/web"
)

func TestMockedRequestDefaults(t *testing.T) {
	req := aiotest.NewMockedRequest("GET", "/users/42?tab=posts&x=%2F")
	for _, tt := range []struct{ name, got, want string }{
		{"Method", req.Method(), "GET"},
		{"Path", req.Path(), "/users/42"},
		{"QueryString", req.QueryString(), "tab=posts&x=%2F"},
		{"Query", req.Query().Get("x"), "/"},
		{"Target", req.Target(), "/users/42?tab=posts&x=%2F"},
		{"Host", req.Host(), "example.com"},
		{"Remote", req.Remote(), "192.0.2.1"},
		{"Scheme", req.Scheme(), "http"},
		{"Version", req.Version().String(), "HTTP/1.1"},
		{"URL", req.URL().String(), "http://example.com/users/42?tab=posts&x=%2F"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if req.App() != nil || req.MatchInfo().Route() != nil || req.BodyExists() || req.ClientMaxSize() >= 0 {
		t.Errorf("App %v, Route %v, BodyExists %v, ClientMaxSize %d: want none", req.App(), req.MatchInfo().Route(), req.BodyExists(), req.ClientMaxSize())
	}
	if aiotest.Recorder(req) == nil {
		t.Error("no recorder")
	}
}

func TestMockedRequestOptions(t *testing.T) {
	type ctxKey struct{}
	ctx := context.WithValue(t.Context(), ctxKey{}, "value")
	cs := &tls.ConnectionState{Version: tls.VersionTLS13, ServerName: "api.example.com"}
	req := aiotest.NewMockedRequest("POST", "/users/42/avatar",
		aiotest.WithHeader("Host", "api.example.com"),
		aiotest.WithHeader("Accept", "application/json"),
		aiotest.WithHeader("X-Tag", "a"), aiotest.WithHeader("X-Tag", "b"),
		aiotest.WithHeader("Cookie", "session=abc"),
		aiotest.WithMatchInfo("id", "42", "file", "100%/x"),
		aiotest.WithBodyString("hello"),
		aiotest.WithRemote("203.0.113.7"),
		aiotest.WithTLSState(cs),
		aiotest.WithVersion(1, 0),
		aiotest.WithContext(ctx),
	)
	for _, tt := range []struct{ name, got, want string }{
		{"Host", req.Host(), "api.example.com"},
		{"Accept", req.Header().Get("Accept"), "application/json"},
		{"X-Tag", strings.Join(req.Header().GetAll("X-Tag"), ","), "a,b"},
		{"Content-Length", req.Header().Get("Content-Length"), "5"},
		{"Cookie", req.Cookie("session"), "abc"},
		{"id", req.MatchInfo().Get("id"), "42"},
		{"file", req.MatchInfo().Get("file"), "100%/x"},
		{"Remote", req.Remote(), "203.0.113.7"},
		{"Scheme", req.Scheme(), "https"},
		{"ServerName", req.TLS().ServerName, "api.example.com"},
		{"Version", req.Version().String(), "HTTP/1.0"},
		{"URL", req.URL().String(), "https://api.example.com/users/42/avatar"},
		{"Context value", req.Context().Value(ctxKey{}).(string), "value"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if req.ContentLength() != 5 || req.MatchInfo().Len() != 2 || req.KeepAlive() {
		t.Errorf("ContentLength %d, match info of %d, KeepAlive %v", req.ContentLength(), req.MatchInfo().Len(), req.KeepAlive())
	}
	if body, err := req.Text(); err != nil || body != "hello" {
		t.Errorf("Text = %q, %v", body, err)
	}
}

func TestMockedRequestContextEndsWithItsParent(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	req := aiotest.NewMockedRequest("GET", "/", aiotest.WithContext(ctx))
	done := req.Context().Done()
	cancel()
	<-done
	if !errors.Is(req.Context().Err(), context.Canceled) {
		t.Errorf("Err = %v", req.Context().Err())
	}
}

func TestMockedRequestHTTPSTarget(t *testing.T) {
	req := aiotest.NewMockedRequest("GET", "https://shop.example/cart")
	if req.Scheme() != "https" || req.Host() != "shop.example" || req.Path() != "/cart" {
		t.Errorf("Scheme %q Host %q Path %q", req.Scheme(), req.Host(), req.Path())
	}
}

func TestMockedRequestBodies(t *testing.T) {
	for _, tt := range []struct {
		name   string
		opt    aiotest.RequestOption
		length int64
	}{
		{"bytes", aiotest.WithBodyBytes([]byte("abc")), 3},
		{"string", aiotest.WithBodyString("abc"), 3},
		{"reader of unknown length", aiotest.WithBody(iotest.OneByteReader(strings.NewReader("abc"))), -1},
	} {
		req := aiotest.NewMockedRequest("PUT", "/", tt.opt)
		if req.ContentLength() != tt.length || !req.BodyExists() {
			t.Errorf("%s: ContentLength %d, BodyExists %v", tt.name, req.ContentLength(), req.BodyExists())
		}
		if b, err := req.Bytes(); err != nil || string(b) != "abc" {
			t.Errorf("%s: Bytes = %q, %v", tt.name, b, err)
		}
	}
}

func TestMockedRequestClientMaxSize(t *testing.T) {
	app := web.NewApplication(web.WithClientMaxSize(4))
	for _, tt := range []struct {
		name string
		opts []aiotest.RequestOption
		want int // status of the error, 0 for none
	}{
		{"the app's limit", []aiotest.RequestOption{aiotest.WithApp(app)}, 413},
		{"the request's limit", []aiotest.RequestOption{aiotest.WithApp(app), aiotest.WithClientMaxSize(10)}, 0},
		{"no app", nil, 0},
		{"a limit without app", []aiotest.RequestOption{aiotest.WithClientMaxSize(2)}, 413},
	} {
		req := aiotest.NewMockedRequest("POST", "/", append(tt.opts, aiotest.WithBodyString("hello"))...)
		_, err := req.Bytes()
		var he *web.HTTPError
		switch {
		case tt.want == 0 && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != 0 && (!errors.As(err, &he) || he.Status != tt.want):
			t.Errorf("%s: err %v, want %d", tt.name, err, tt.want)
		}
	}
}

var dbKey = web.NewAppKey[map[string]string]("db")

func showUser(req *web.Request) (web.Response, error) {
	name, ok := dbKey.Get(req.App())[req.MatchInfo().Get("id")]
	if !ok {
		return nil, web.HTTPNotFound()
	}
	return web.JSON(map[string]string{"name": name})
}

func TestMockedRequestWithAppState(t *testing.T) {
	app := web.NewApplication()
	dbKey.Set(app, map[string]string{"42": "Alice"})
	req := aiotest.NewMockedRequest("GET", "/users/42", aiotest.WithApp(app), aiotest.WithMatchInfo("id", "42"))
	if req.App() != app {
		t.Fatal("App is not the application given")
	}
	resp, err := showUser(req)
	if err != nil {
		t.Fatal(err)
	}
	body := resp.(*web.BodyResponse)
	if body.Status() != 200 || string(body.Body()) != `{"name":"Alice"}` || body.ContentType() != "application/json" {
		t.Errorf("got %d %q %q", body.Status(), body.Body(), body.ContentType())
	}

	// Through Serve, an error becomes the response the client would get.
	req = aiotest.NewMockedRequest("GET", "/users/7", aiotest.WithApp(app), aiotest.WithMatchInfo("id", "7"))
	rec, err := aiotest.Serve(req, showUser)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status() != 404 || rec.Text() != "404: Not Found" {
		t.Errorf("Serve: %d %q", rec.Status(), rec.Text())
	}
}

// requireToken is a middleware under test: it refuses requests without
// the right token and tells the handler who called.
var callerKey = web.NewRequestKey[string]("caller")

func requireToken(req *web.Request, next web.Handler) (web.Response, error) {
	token, ok := strings.CutPrefix(req.Header().Get("Authorization"), "Bearer ")
	if !ok || token != "secret" {
		return nil, web.HTTPUnauthorized().WithHeader("WWW-Authenticate", "Bearer")
	}
	callerKey.Set(req, "robot")
	resp, err := next(req)
	if resp != nil {
		resp.Header().Set("X-Checked", "yes")
	}
	return resp, err
}

func TestMiddlewareUnitTest(t *testing.T) {
	called := false
	next := func(req *web.Request) (web.Response, error) {
		called = true
		return web.Text("hello " + callerKey.Get(req)), nil
	}

	req := aiotest.NewMockedRequest("GET", "/")
	_, err := requireToken(req, next)
	var he *web.HTTPError
	if !errors.As(err, &he) || he.Status != 401 || called {
		t.Fatalf("without a token: %v, handler called %v", err, called)
	}
	rec, err := aiotest.Serve(aiotest.NewMockedRequest("GET", "/"), func(req *web.Request) (web.Response, error) {
		return requireToken(req, next)
	})
	if err != nil || rec.Status() != 401 || rec.Header().Get("Www-Authenticate") != "Bearer" {
		t.Errorf("served without a token: %d %v %v", rec.Status(), rec.Header(), err)
	}

	req = aiotest.NewMockedRequest("GET", "/", aiotest.WithHeader("Authorization", "Bearer secret"))
	resp, err := requireToken(req, next)
	if err != nil || !called {
		t.Fatalf("with the token: %v, handler called %v", err, called)
	}
	if body := resp.(*web.BodyResponse); body.Text() != "hello robot" || body.Header().Get("X-Checked") != "yes" {
		t.Errorf("got %q, X-Checked %q", body.Text(), body.Header().Get("X-Checked"))
	}
}

func TestServeWritesBodyResponse(t *testing.T) {
	req := aiotest.NewMockedRequest("GET", "/")
	rec, err := aiotest.Serve(req, func(*web.Request) (web.Response, error) {
		return web.Text("hi", web.WithStatus(201), web.WithHeader("X-A", "1")), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h := rec.Header()
	if rec.Status() != 201 || rec.Text() != "hi" || h.Get("Content-Type") != "text/plain; charset=utf-8" ||
		h.Get("Content-Length") != "2" || h.Get("X-A") != "1" {
		t.Errorf("got %d %q %v", rec.Status(), rec.Text(), h.Items())
	}
	if aiotest.Recorder(req) != rec {
		t.Error("Recorder is not the recorder Serve returned")
	}
	if req.Context().Err() == nil {
		t.Error("the request did not end")
	}
}

func TestServeWithoutResponse(t *testing.T) {
	rec, err := aiotest.Serve(aiotest.NewMockedRequest("GET", "/"), func(*web.Request) (web.Response, error) { return nil, nil })
	if err != nil || rec.Status() != 500 {
		t.Errorf("got %d, %v; want 500", rec.Status(), err)
	}
}

func TestServeReportsPrepareHookFailure(t *testing.T) {
	app := web.NewApplication()
	hookErr := errors.New("hook failed")
	app.OnResponsePrepare.Append(func(*web.Request, web.Response) error { return hookErr })
	req := aiotest.NewMockedRequest("GET", "/", aiotest.WithApp(app))
	_, err := aiotest.Serve(req, func(*web.Request) (web.Response, error) {
		return web.NewStreamResponse(), nil
	})
	if !errors.Is(err, hookErr) {
		t.Errorf("Serve = %v, want the hook's error", err)
	}
}

func TestStreamResponseWritesToTheRecorder(t *testing.T) {
	app := web.NewApplication()
	app.OnResponsePrepare.Append(func(_ *web.Request, resp web.Response) error {
		resp.Header().Set("X-Prepared", "yes")
		return nil
	})
	req := aiotest.NewMockedRequest("GET", "/", aiotest.WithApp(app))
	rec := aiotest.Recorder(req)
	resp := web.NewStreamResponse()
	resp.Header().Set("Content-Type", "text/plain")
	if err := resp.Prepare(req); err != nil {
		t.Fatal(err)
	}
	if rec.Status() != 200 || rec.Header().Get("X-Prepared") != "yes" || rec.Header().Get("Content-Type") != "text/plain" {
		t.Errorf("head: %d %v", rec.Status(), rec.Header().Items())
	}
	for _, line := range []string{"one\n", "two\n"} {
		if _, err := resp.WriteString(line); err != nil {
			t.Fatal(err)
		}
		if err := resp.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if rec.Text() != "one\ntwo\n" || rec.Flushes() != 2 {
		t.Errorf("body %q after %d flushes", rec.Text(), rec.Flushes())
	}
	b := rec.Body()
	b[0] = 'X'
	if rec.Text() != "one\ntwo\n" {
		t.Error("Body is not a copy")
	}
	if _, err := aiotest.Serve(req, func(*web.Request) (web.Response, error) { return resp, nil }); err != nil {
		t.Fatal(err)
	}
}

func TestEventSourceResponseWritesToTheRecorder(t *testing.T) {
	handler := func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{Retry: 1500e6})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		for _, ev := range []sse.Event{{Data: "first"}, {ID: "2", Event: "update", Data: "a\nb"}} {
			if err := es.SendEvent(ev); err != nil {
				return nil, err
			}
		}
		return es, nil
	}
	rec, err := aiotest.Serve(aiotest.NewMockedRequest("GET", "/events"), handler)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status() != 200 || rec.Header().Get("Content-Type") != "text/event-stream" {
		t.Errorf("head: %d %v", rec.Status(), rec.Header().Items())
	}
	if want := "retry: 1500\n\ndata: first\n\nid: 2\nevent: update\ndata: a\ndata: b\n\n"; rec.Text() != want {
		t.Errorf("body %q, want %q", rec.Text(), want)
	}
	// The recorded stream reads back with the SSE reader.
	rd := sse.NewReader(strings.NewReader(rec.Text()), sse.ReaderOptions{})
	var got []string
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev.Data)
	}
	if strings.Join(got, "|") != "first|a\nb" {
		t.Errorf("read back %q", got)
	}
}

func TestEventStreamOfUnservedRequestEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	req := aiotest.NewMockedRequest("GET", "/events", aiotest.WithContext(ctx))
	es := web.NewEventSourceResponse(web.EventSourceOptions{PingInterval: 1e6})
	if err := es.Prepare(req); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-es.Context().Done()
	if err := es.Send("late"); !errors.Is(err, web.ErrEventStreamClosed) {
		t.Errorf("Send after the end = %v", err)
	}
}

func TestServeRemovesSpooledUploads(t *testing.T) {
	var form multipart.FormData
	form.AddFile("big", "big.bin", "application/octet-stream", strings.NewReader(strings.Repeat("x", web.MaxMemory+1)))
	body, contentType, _, err := form.Encode()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	req := aiotest.NewMockedRequest("POST", "/upload", aiotest.WithHeader("Content-Type", contentType),
		aiotest.WithBody(body), aiotest.WithClientMaxSize(-1))
	var spooled int
	rec, err := aiotest.Serve(req, func(req *web.Request) (web.Response, error) {
		files, err := req.Files()
		if err != nil {
			return nil, err
		}
		entries, _ := os.ReadDir(tmp)
		spooled = len(entries)
		return web.Text(files[0].Filename), nil
	})
	if err != nil || rec.Text() != "big.bin" {
		t.Fatalf("got %q, %v", rec.Text(), err)
	}
	if spooled == 0 {
		t.Fatal("the upload was not spooled to a temporary file")
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestRecorderOfOtherRequests(t *testing.T) {
	app := web.NewApplication()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		if aiotest.Recorder(req) != nil {
			return web.Text("recorder"), nil
		}
		return web.Text("none"), nil
	})
	if got := text(aiotest.NewClient(t, app).Get(t.Context(), "/")); got != "none" {
		t.Errorf("a served request has a recorder: %q", got)
	}
	req := aiotest.NewMockedRequest("GET", "/")
	clone, err := req.Clone(web.CloneOptions{Scheme: "https"})
	if err != nil {
		t.Fatal(err)
	}
	if aiotest.Recorder(clone) != aiotest.Recorder(req) {
		t.Error("a clone has another recorder")
	}
	defer func() {
		if recover() == nil {
			t.Error("Serve of a served request did not panic")
		}
	}()
	_, _ = aiotest.Serve(&web.Request{}, nil)
}

func TestWebSocketNeedsAConnection(t *testing.T) {
	req := aiotest.NewMockedRequest("GET", "/ws",
		aiotest.WithHeader("Connection", "Upgrade"), aiotest.WithHeader("Upgrade", "websocket"),
		aiotest.WithHeader("Sec-WebSocket-Version", "13"), aiotest.WithHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="))
	ws := web.NewWebSocketResponse(web.WebSocketOptions{})
	if _, err := ws.Prepare(req); !errors.Is(err, aiotest.ErrNoConnection) {
		t.Fatalf("Prepare = %v, want ErrNoConnection", err)
	}
}
