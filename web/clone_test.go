package web_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/web"
)

// cloningApp serves handler on /files/{name} for GET and HEAD behind a
// middleware that hands it req.Clone(opts) instead of req.
func cloningApp(opts web.CloneOptions, handler web.Handler) *web.Application {
	app := newApp(web.WithMiddlewares(func(req *web.Request, next web.Handler) (web.Response, error) {
		clone, err := req.Clone(opts)
		if err != nil {
			return nil, err
		}
		return next(clone)
	}))
	app.Router.Get("/files/{name}", handler)
	return app
}

// The clone reports the changes, keeps the route match, and the original
// request is served as sent; on the engine and under the net/http bridge.
func TestRequestCloneChanges(t *testing.T) {
	ch := make(chan seen, 1)
	opts := web.CloneOptions{
		Method: "PURGE",
		RelURL: "/other/a%20b?x=1&x=2",
		Header: multidict.NewCI(multidict.Item{Key: "Host", Value: "cloned.example"}, multidict.Item{Key: "X-New", Value: "yes"}),
		Scheme: "https",
		Remote: "203.0.113.9",
	}
	app := cloningApp(opts, captureRequest(ch))
	check := func(t *testing.T, got seen) {
		t.Helper()
		for _, c := range []struct{ name, got, want string }{
			{"Method", got.method, "PURGE"},
			{"Path", got.path, "/other/a b"},
			{"RawPath", got.rawPath, "/other/a%20b"},
			{"QueryString", got.queryString, "x=1&x=2"},
			{"Target", got.target, "/other/a%20b?x=1&x=2"},
			{"Host", got.host, "cloned.example"},
			{"Scheme", got.scheme, "https"},
			{"URL", got.url, "https://cloned.example/other/a%20b?x=1&x=2"},
			{"Remote", got.remote, "203.0.113.9"},
		} {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
			}
		}
		if !got.secure {
			t.Error("Secure = false for scheme https")
		}
		if want := [][2]string{{"x", "1"}, {"x", "2"}}; !slices.Equal(got.query, want) {
			t.Errorf("Query = %q", got.query)
		}
		if want := [][2]string{{"Host", "cloned.example"}, {"X-New", "yes"}}; !slices.Equal(got.header, want) {
			t.Errorf("Header = %q", got.header)
		}
		if want := [][2]string{{"name", "orig"}}; !slices.Equal(got.match, want) {
			t.Errorf("MatchInfo = %q, want the original's", got.match)
		}
	}
	t.Run("engine", func(t *testing.T) {
		s := startApp(t, app, web.ServerOptions{})
		if resp, body := s.get("/files/orig?q=1", "X-Old", "1"); resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("%d %q", resp.StatusCode, body)
		}
		check(t, recv(t, ch, "the handler"))
	})
	t.Run("bridge", func(t *testing.T) {
		startBridged(t, app).get("/files/orig?q=1")
		check(t, recv(t, ch, "the handler"))
	})
}

// Clone without changes keeps everything; a clone's Host follows a new
// header's Host unless Host is given.
func TestRequestCloneDefaults(t *testing.T) {
	type pair struct{ orig, clone seen }
	ch := make(chan pair, 1)
	app := newApp()
	capture := func(req *web.Request) seen {
		c := make(chan seen, 1)
		_, _ = captureRequest(c)(req)
		return <-c
	}
	app.Router.Post("/p/{id}", func(req *web.Request) (web.Response, error) {
		clone, err := req.Clone(web.CloneOptions{})
		if err != nil {
			return nil, err
		}
		ch <- pair{capture(req), capture(clone)}
		return web.Text("ok"), nil
	})
	app.Router.Get("/host", func(req *web.Request) (web.Response, error) {
		h := multidict.NewCI(multidict.Item{Key: "Host", Value: "from-header"})
		byHeader, err := req.Clone(web.CloneOptions{Header: h})
		if err != nil {
			return nil, err
		}
		byOption, err := req.Clone(web.CloneOptions{Header: h, Host: "from-option"})
		if err != nil {
			return nil, err
		}
		noHost, err := req.Clone(web.CloneOptions{Header: multidict.NewCI()})
		if err != nil {
			return nil, err
		}
		return web.Text(byHeader.Host() + " " + byOption.Host() + " " + noHost.Host()), nil
	})
	s := startApp(t, app, web.ServerOptions{})
	s.do("POST", "/p/7?a=b", strings.NewReader("body"), "Cookie", "c=1", "Content-Type", "text/plain; charset=latin1")
	got := recv(t, ch, "the handler")
	got.orig.canRead, got.clone.canRead = false, false // the clone's body is the same stream
	if !equalSeen(got.orig, got.clone) {
		t.Errorf("clone without changes differs:\n orig  %+v\n clone %+v", got.orig, got.clone)
	}
	if _, body := s.get("/host", "Host", "orig.example"); body != "from-header from-option orig.example" {
		t.Errorf("hosts: %q", body)
	}
}

func equalSeen(a, b seen) bool {
	eq := func(x, y [][2]string) bool { return slices.Equal(x, y) }
	return a.method == b.method && a.url == b.url && a.target == b.target && a.path == b.path &&
		a.host == b.host && a.remote == b.remote && a.scheme == b.scheme && a.keepAlive == b.keepAlive &&
		a.contentType == b.contentType && a.charset == b.charset && a.contentLength == b.contentLength &&
		a.bodyExists == b.bodyExists && eq(a.query, b.query) && eq(a.cookies, b.cookies) &&
		eq(a.match, b.match) && eq(a.header, b.header)
}

var noteKey = web.NewRequestKey[string]("note")

// Changing the clone's header, query, cookies, state, body or response
// changes nothing in the original, and the other way round; so does
// changing the dictionary handed to CloneOptions.Header.
func TestRequestCloneSharesNoMutableState(t *testing.T) {
	errs := make(chan []string, 1)
	app := newApp()
	app.Router.Post("/", func(req *web.Request) (web.Response, error) {
		var problems []string
		fail := func(s string) { problems = append(problems, s) }
		body, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		noteKey.Set(req, "original")
		given := multidict.NewCI(multidict.Item{Key: "X-Given", Value: "1"})
		clone, err := req.Clone(web.CloneOptions{})
		if err != nil {
			return nil, err
		}
		withHeader, err := req.Clone(web.CloneOptions{Header: given})
		if err != nil {
			return nil, err
		}
		given.Set("X-Given", "changed")
		if withHeader.Header().Get("X-Given") != "1" {
			fail("changing CloneOptions.Header changed the clone")
		}

		clone.Header().Set("X-Test", "clone")
		req.Header().Add("X-Orig", "orig")
		if req.Header().Get("X-Test") != "before" || clone.Header().Has("X-Orig") {
			fail("header shared")
		}
		clone.Query().Set("q", "clone")
		if req.Query().Get("q") != "1" {
			fail("query shared")
		}
		clone.Cookies().Set("c", "clone")
		if req.Cookie("c") != "v" {
			fail("cookies shared")
		}
		if noteKey.Get(clone) != "original" {
			fail("state not copied")
		}
		noteKey.Set(clone, "clone")
		noteKey.Set(req, "original again")
		if noteKey.Get(clone) != "clone" {
			fail("state shared")
		}
		cloneBody, err := clone.Bytes()
		if err != nil || !bytes.Equal(cloneBody, body) {
			fail("the clone lost the body read before")
		}
		if len(cloneBody) > 0 {
			cloneBody[0] = 'X'
		}
		if again, _ := req.Bytes(); string(again) != "payload" {
			fail("body bytes shared")
		}
		if clone.Respond() == req.Respond() {
			fail("Respond shared")
		}
		errs <- problems
		return web.Text("ok"), nil
	})
	s := startApp(t, app, web.ServerOptions{})
	s.do("POST", "/?q=1", strings.NewReader("payload"), "X-Test", "before", "Cookie", "c=v")
	for _, p := range recv(t, errs, "the handler") {
		t.Error(p)
	}
}

// A response sent for a clone goes out as the response to the request the
// client sent: no body for a HEAD request even when the clone says GET,
// the end of the body as the close of an HTTP/1.0 connection, and a
// ForceClose on the clone closes the connection.
func TestRequestCloneAnswersForTheOriginal(t *testing.T) {
	app := cloningApp(web.CloneOptions{Method: "GET"}, func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		if req.Query().Has("close") {
			resp.ForceClose()
		}
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		if _, err := resp.WriteString("streamed"); err != nil {
			return nil, err
		}
		return resp, nil
	})
	s := startApp(t, app, web.ServerOptions{})

	c := s.dial(t)
	c.send("HEAD /files/a HTTP/1.1\r\nHost: x\r\n\r\nGET /files/b HTTP/1.1\r\nHost: x\r\n\r\n")
	if r := c.readResponse("HEAD"); r.status != 200 {
		t.Fatalf("HEAD: %d", r.status)
	}
	if r := c.readResponse("GET"); r.status != 200 || string(r.body) != "streamed" {
		t.Fatalf("GET after HEAD: %d %q (the HEAD response carried a body?)", r.status, r.body)
	}

	c = s.dial(t)
	c.send("GET /files/a HTTP/1.0\r\n\r\n")
	if r := c.readResponse("GET"); string(r.body) != "streamed" { // read until close
		t.Fatalf("HTTP/1.0: %q", r.body)
	}

	c = s.dial(t)
	r := c.get("/files/a?close")
	if r.get("Connection") != "close" {
		t.Errorf("ForceClose on the clone: Connection %q", r.get("Connection"))
	}
	c.expectClosed()
}

func TestRequestCloneInvalid(t *testing.T) {
	errs := make(chan []string, 1)
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		var accepted []string
		for _, opts := range []web.CloneOptions{
			{Method: "GE T"},
			{Method: "G\r\nX: y"},
			{RelURL: "relative"},
			{RelURL: "http://host/abs"},
			{RelURL: "/a b"},
			{RelURL: "/a\r\nX: y"},
			{Scheme: "ftp"},
		} {
			if _, err := req.Clone(opts); err == nil {
				accepted = append(accepted, strings.TrimSpace(strings.ReplaceAll(
					opts.Method+opts.RelURL+opts.Scheme, "\r\n", `\r\n`)))
			}
		}
		errs <- accepted
		return web.Text("ok"), nil
	})
	s := startApp(t, app, web.ServerOptions{})
	s.get("/")
	if got := recv(t, errs, "the handler"); len(got) > 0 {
		t.Errorf("Clone accepted %q", got)
	}
}

// A clone made on the net/http bridge answers there too.
func TestRequestCloneBridgeResponse(t *testing.T) {
	app := cloningApp(web.CloneOptions{RelURL: "/elsewhere"}, func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.Header().Set("X-Path", req.Path())
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		_, err := resp.WriteString("via clone")
		return resp, err
	})
	resp, body := startBridged(t, app).get("/files/x")
	if resp.StatusCode != 200 || body != "via clone" || resp.Header.Get("X-Path") != "/elsewhere" {
		t.Errorf("%d %q %q", resp.StatusCode, body, resp.Header.Get("X-Path"))
	}
}
