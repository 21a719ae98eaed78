package web_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

func TestResponseKinds(t *testing.T) {
	app := newApp()
	app.Router.Get("/text", func(*web.Request) (web.Response, error) {
		return web.Text("créé").SetStatus(201, "Made It").SetHeader("X-Thing", "1"), nil
	})
	app.Router.Get("/html", func(*web.Request) (web.Response, error) {
		return web.Text("<p>x</p>").SetContentType("text/html").SetCharset("iso-8859-1"), nil
	})
	app.Router.Get("/bytes", func(*web.Request) (web.Response, error) {
		return web.Bytes([]byte{0, 1, 2}), nil
	})
	app.Router.Get("/png", func(*web.Request) (web.Response, error) {
		return web.Bytes([]byte("PNG")).SetContentType("image/png"), nil
	})
	app.Router.Get("/json", func(*web.Request) (web.Response, error) {
		return web.JSON(map[string]any{"status": "success", "n": 1})
	})
	app.Router.Get("/json-bad", func(*web.Request) (web.Response, error) {
		return web.JSON(func() {}) // cannot be encoded: a 500
	})
	app.Router.Get("/header-ct", func(*web.Request) (web.Response, error) {
		return web.Text("x").SetHeader("Content-Type", "application/vnd.custom+json"), nil
	})
	app.Router.Get("/empty", func(*web.Request) (web.Response, error) {
		return web.NewResponse(202), nil
	})
	app.Router.Get("/respond", func(req *web.Request) (web.Response, error) {
		return req.Respond().SetText("reused"), nil
	})
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)

	tests := []struct {
		path, statusLine, contentType, body string
	}{
		{"/text", "HTTP/1.1 201 Made It", "text/plain; charset=utf-8", "créé"},
		{"/html", "HTTP/1.1 200 OK", "text/html; charset=iso-8859-1", "<p>x</p>"},
		{"/bytes", "HTTP/1.1 200 OK", "application/octet-stream", "\x00\x01\x02"},
		{"/png", "HTTP/1.1 200 OK", "image/png", "PNG"},
		{"/json", "HTTP/1.1 200 OK", "application/json", `{"n":1,"status":"success"}`},
		{"/json-bad", "HTTP/1.1 500 Internal Server Error", "text/plain; charset=utf-8", "500 Internal Server Error\n\nServer got itself in trouble"},
		{"/header-ct", "HTTP/1.1 200 OK", "application/vnd.custom+json", "x"},
		{"/empty", "HTTP/1.1 202 Accepted", "", ""},
		{"/respond", "HTTP/1.1 200 OK", "text/plain; charset=utf-8", "reused"},
	}
	for _, tt := range tests {
		r := c.get(tt.path)
		statusLine, _, _ := strings.Cut(r.head, "\r\n")
		if statusLine != tt.statusLine || r.get("Content-Type") != tt.contentType || string(r.body) != tt.body {
			t.Errorf("%s: %q, Content-Type %q, body %q; want %q %q %q",
				tt.path, statusLine, r.get("Content-Type"), r.body, tt.statusLine, tt.contentType, tt.body)
		}
		if got := len(r.values("Content-Type")); got > 1 {
			t.Errorf("%s: %d Content-Type fields", tt.path, got)
		}
		if r.get("Content-Length") != fmt.Sprint(len(tt.body)) {
			t.Errorf("%s: Content-Length %q for %d bytes", tt.path, r.get("Content-Length"), len(tt.body))
		}
	}
	if r := c.get("/text"); r.get("X-Thing") != "1" {
		t.Errorf("custom header missing: %q", r.head)
	}
}

// Text, Bytes, JSON and NewResponse take the same options for status,
// reason, header fields and content type at construction, over the engine
// and under the net/http bridge.
func TestResponseOptions(t *testing.T) {
	app := newApp()
	app.Router.Get("/json", func(*web.Request) (web.Response, error) {
		return web.JSON(map[string]int{"id": 7}, web.WithStatus(201), web.WithHeader("Location", "/users/7"))
	})
	app.Router.Get("/text", func(*web.Request) (web.Response, error) {
		return web.Text("<b>hi</b>", web.WithContentType("text/html"), web.WithStatus(418), web.WithReason("Short And Stout"),
			web.WithHeader("Link", "</a>; rel=preload"), web.WithHeader("Link", "</b>; rel=preload")), nil
	})
	app.Router.Get("/bytes", func(*web.Request) (web.Response, error) {
		return web.Bytes([]byte("GIF89a"), web.WithContentType("image/gif"), web.WithStatus(203)), nil
	})
	app.Router.Get("/empty", func(*web.Request) (web.Response, error) {
		return web.NewResponse(204, web.WithHeader("X-Done", "yes")), nil
	})
	app.Router.Get("/later", func(*web.Request) (web.Response, error) {
		// Setters still override what options set.
		return web.Text("x", web.WithStatus(201), web.WithContentType("text/html")).SetStatus(202).SetContentType("text/csv"), nil
	})
	type want struct {
		statusLine, contentType, body string
		fields                        [][2]string
	}
	cases := map[string]want{
		"/json":  {"HTTP/1.1 201 Created", "application/json", `{"id":7}`, [][2]string{{"Location", "/users/7"}}},
		"/text":  {"HTTP/1.1 418 Short And Stout", "text/html; charset=utf-8", "<b>hi</b>", [][2]string{{"Link", "</a>; rel=preload"}, {"Link", "</b>; rel=preload"}}},
		"/bytes": {"HTTP/1.1 203 Non-Authoritative Information", "image/gif", "GIF89a", nil},
		"/empty": {"HTTP/1.1 204 No Content", "", "", [][2]string{{"X-Done", "yes"}}},
		"/later": {"HTTP/1.1 202 Accepted", "text/csv; charset=utf-8", "x", nil},
	}
	t.Run("engine", func(t *testing.T) {
		c := startApp(t, app, web.ServerOptions{}).dial(t)
		for path, w := range cases {
			r := c.get(path)
			statusLine, _, _ := strings.Cut(r.head, "\r\n")
			if statusLine != w.statusLine || r.get("Content-Type") != w.contentType || string(r.body) != w.body {
				t.Errorf("%s: %q %q %q, want %q %q %q", path, statusLine, r.get("Content-Type"), r.body, w.statusLine, w.contentType, w.body)
			}
			for _, f := range w.fields {
				if !slices.Contains(r.values(f[0]), f[1]) {
					t.Errorf("%s: %s fields %q, want %q among them", path, f[0], r.values(f[0]), f[1])
				}
			}
		}
	})
	t.Run("bridge", func(t *testing.T) {
		s := startBridged(t, app)
		for path, w := range cases {
			resp, b := s.get(path)
			code, _, _ := strings.Cut(strings.TrimPrefix(w.statusLine, "HTTP/1.1 "), " ")
			if strconv.Itoa(resp.StatusCode) != code || resp.Header.Get("Content-Type") != w.contentType || string(b) != w.body {
				t.Errorf("%s: %d %q %q, want %s %q %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), b, code, w.contentType, w.body)
			}
			for _, f := range w.fields {
				if !slices.Contains(resp.Header.Values(f[0]), f[1]) {
					t.Errorf("%s: %s fields %q, want %q among them", path, f[0], resp.Header.Values(f[0]), f[1])
				}
			}
		}
	})
}

// The engine owns the framing fields: what a handler sets by hand is
// dropped, and a header value cannot split the response.
func TestResponseFramingFieldsAndInjection(t *testing.T) {
	app := newApp()
	app.Router.Get("/", func(*web.Request) (web.Response, error) {
		resp := web.Text("abc")
		resp.Header().Set("Content-Length", "999")
		resp.Header().Set("Transfer-Encoding", "chunked")
		resp.Header().Set("Connection", "close")
		resp.Header().Set("X-Evil", "a\r\nSet-Cookie: pwned=1")
		resp.Header().Set("Bad Name", "x")
		resp.Header().Set("X-Good", "ok")
		return resp, nil
	})
	app.Router.Get("/reason", func(*web.Request) (web.Response, error) {
		return web.Text("x").SetStatus(200, "OK\r\nSet-Cookie: pwned=1"), nil
	})
	app.Router.Get("/error-reason", func(*web.Request) (web.Response, error) {
		return nil, web.HTTPNotFound().WithReason("Gone\nX-Evil: 1")
	})
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	for _, path := range []string{"/reason", "/error-reason"} {
		r := c.get(path)
		if statusLine, _, _ := strings.Cut(r.head, "\r\n"); statusLine != "HTTP/1.1 "+strconv.Itoa(r.status)+" "+http.StatusText(r.status) {
			t.Errorf("%s: status line %q", path, statusLine)
		}
		if _, ok := r.lookup("Set-Cookie"); ok || r.get("X-Evil") != "" {
			t.Errorf("%s: the reason phrase split the response: %q", path, r.head)
		}
	}
	r := c.get("/")
	if string(r.body) != "abc" || r.get("Content-Length") != "3" || len(r.values("Content-Length")) != 1 {
		t.Errorf("framing: %q %q", r.head, r.body)
	}
	for _, name := range []string{"Transfer-Encoding", "Connection", "X-Evil", "Set-Cookie", "Bad Name"} {
		if _, ok := r.lookup(name); ok {
			t.Errorf("%s sent: %q", name, r.head)
		}
	}
	if r.get("X-Good") != "ok" {
		t.Errorf("X-Good missing: %q", r.head)
	}
	// The connection was not closed by the handler's Connection field.
	if r := c.get("/"); r.status != 200 {
		t.Errorf("second request: %d", r.status)
	}
}

func TestResponseCookies(t *testing.T) {
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	app := newApp()
	app.Router.Get("/", func(*web.Request) (web.Response, error) {
		return web.Text("ok").
			SetCookie(web.Cookie{Name: "sid", Value: "abc", HTTPOnly: true, SameSite: web.SameSiteStrict, MaxAge: 3600}).
			SetCookie(web.Cookie{Name: "chip", Value: "1", Secure: true, SameSite: web.SameSiteNone, Partitioned: true, Path: "/app", Domain: "example.com"}).
			SetCookie(web.Cookie{Name: "lax", Value: "a b", SameSite: web.SameSiteLax, Expires: expires}).
			SetCookie(web.Cookie{Name: "bad name", Value: "x"}).
			DelCookie("old", "", "").
			DelCookie("scoped", "example.com", "/app"), nil
	})
	app.Router.Get("/stream", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.SetCookie(web.Cookie{Name: "s", Value: "1", SameSite: web.SameSiteLax})
		resp.DelCookie("gone", "", "/")
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		_, err := resp.WriteString("streamed")
		return resp, err
	})
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	r := c.get("/")
	want := []string{
		"sid=abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Strict",
		"chip=1; Domain=example.com; Path=/app; Secure; SameSite=None; Partitioned",
		`lax="a b"; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Path=/; SameSite=Lax`,
		"old=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/",
		"scoped=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Domain=example.com; Path=/app",
	}
	if got := r.values("Set-Cookie"); !slices.Equal(got, want) {
		t.Errorf("Set-Cookie:\n got %q\nwant %q", got, want)
	}
	r = c.get("/stream")
	want = []string{"s=1; Path=/; SameSite=Lax", "gone=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"}
	if got := r.values("Set-Cookie"); !slices.Equal(got, want) || string(r.body) != "streamed" {
		t.Errorf("stream Set-Cookie:\n got %q %q\nwant %q", got, r.body, want)
	}

	// net/http's client parses them back.
	resp, _ := s.get("/")
	names := []string{}
	for _, ck := range resp.Cookies() {
		names = append(names, ck.Name)
	}
	if !slices.Equal(names, []string{"sid", "chip", "lax", "old", "scoped"}) {
		t.Errorf("net/http parsed cookies %q", names)
	}
}

func TestStreamResponseChunkedFlush(t *testing.T) {
	next := make(chan struct{})
	done := make(chan error, 1)
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.Header().Set("Content-Type", "text/event-stream")
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		for i := range 3 {
			if _, err := fmt.Fprintf(resp, "part %d;", i); err != nil {
				return nil, err
			}
			if err := resp.Flush(); err != nil {
				return nil, err
			}
			select {
			case <-next:
			case <-time.After(ioTimeout):
				return nil, errors.New("the client did not read the part")
			}
		}
		done <- resp.WriteEOF()
		return resp, nil
	})
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	r := c.readHead()
	if r.status != 200 || r.get("Transfer-Encoding") != "chunked" || r.get("Content-Type") != "text/event-stream" {
		t.Fatalf("head %q", r.head)
	}
	if _, ok := r.lookup("Content-Length"); ok {
		t.Errorf("chunked response with Content-Length: %q", r.head)
	}
	// Each part arrives while the handler is still waiting.
	for i := range 3 {
		if got := string(c.readChunk()); got != fmt.Sprintf("part %d;", i) {
			t.Fatalf("chunk %d = %q", i, got)
		}
		next <- struct{}{}
	}
	if got := c.readChunk(); got != nil {
		t.Fatalf("expected the last chunk, got %q", got)
	}
	if err := recv(t, done, "WriteEOF"); err != nil {
		t.Errorf("WriteEOF: %v", err)
	}
	if r := c.get("/missing"); r.status != 404 {
		t.Errorf("keep-alive after a stream: %d", r.status)
	}
}

func TestStreamResponseContentLength(t *testing.T) {
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.SetContentLength(10)
		if err := resp.SetStatus(203, "Fine"); err != nil {
			return nil, err
		}
		if _, err := resp.Write([]byte("x")); !errors.Is(err, web.ErrNotPrepared) {
			return nil, fmt.Errorf("Write before Prepare: %v", err)
		}
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		if err := resp.Prepare(req); err != nil { // a second Prepare does nothing
			return nil, err
		}
		if err := resp.SetStatus(500); !errors.Is(err, web.ErrAlreadyPrepared) {
			return nil, fmt.Errorf("SetStatus after Prepare: %v", err)
		}
		resp.WriteString("01234")
		resp.WriteString("56789")
		return resp, nil
	})
	app.Router.Get("/unprepared", func(*web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.Header().Set("X-Empty", "1")
		return resp, nil
	})
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	r := c.get("/")
	if r.status != 203 || r.reason != "Fine" || r.get("Content-Length") != "10" || string(r.body) != "0123456789" {
		t.Fatalf("got %q %q", r.head, r.body)
	}
	if _, ok := r.lookup("Transfer-Encoding"); ok {
		t.Errorf("chunked despite a Content-Length: %q", r.head)
	}
	r = c.get("/unprepared")
	if r.status != 200 || r.get("Content-Length") != "0" || r.get("X-Empty") != "1" || len(r.body) != 0 {
		t.Errorf("unprepared stream: %q %q", r.head, r.body)
	}
}

// An HTTP/1.0 client cannot take chunks: the body ends when the
// connection closes.
func TestStreamResponseHTTP10(t *testing.T) {
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		resp.WriteString("hello ")
		resp.Flush()
		resp.WriteString("world")
		return resp, nil
	})
	s := startApp(t, app, web.ServerOptions{})
	for _, conn := range []string{"", "Connection: keep-alive\r\n"} {
		c := s.dial(t)
		c.send("GET / HTTP/1.0\r\n" + conn + "\r\n")
		r := c.readResponse("GET") // no framing: read until close
		if r.proto != "HTTP/1.0" || string(r.body) != "hello world" {
			t.Errorf("%q: got %q %q", conn, r.head, r.body)
		}
		for _, name := range []string{"Transfer-Encoding", "Content-Length"} {
			if _, ok := r.lookup(name); ok {
				t.Errorf("%q: %s sent to HTTP/1.0: %q", conn, name, r.head)
			}
		}
		if strings.EqualFold(r.get("Connection"), "keep-alive") {
			t.Errorf("%q: promised keep-alive on a body that ends with the connection", conn)
		}
	}
}

// A HEAD request to a streaming handler gets the head only, and the
// connection stays usable.
func TestStreamResponseHead(t *testing.T) {
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		resp.WriteString("body")
		return resp, nil
	})
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
	r := c.readResponse("HEAD")
	if r.status != 200 {
		t.Fatalf("HEAD: %q", r.head)
	}
	r = c.get("/")
	if r.status != 200 || string(r.body) != "body" {
		t.Fatalf("GET after HEAD: %q %q", r.head, r.body)
	}
}

func TestHTTPErrorResponses(t *testing.T) {
	app := newApp()
	app.Router.Get("/found", func(*web.Request) (web.Response, error) { return nil, web.HTTPFound("/new?x=1") })
	app.Router.Get("/moved", func(*web.Request) (web.Response, error) { return nil, web.HTTPMovedPermanently("https://example.com/") })
	app.Router.Get("/see-other", func(*web.Request) (web.Response, error) { return nil, web.HTTPSeeOther("/done") })
	app.Router.Get("/temp", func(*web.Request) (web.Response, error) { return nil, web.HTTPTemporaryRedirect("/t") })
	app.Router.Get("/perm", func(*web.Request) (web.Response, error) { return nil, web.HTTPPermanentRedirect("/p") })
	app.Router.Get("/teapot", func(*web.Request) (web.Response, error) {
		return nil, web.NewHTTPError(418).WithText("short and stout").WithHeader("X-Pot", "1")
	})
	app.Router.Get("/wrapped", func(*web.Request) (web.Response, error) {
		return nil, fmt.Errorf("loading user: %w", web.HTTPForbidden())
	})
	app.Router.Get("/created", func(*web.Request) (web.Response, error) { return nil, web.HTTPCreated() })
	app.Router.Get("/no-content", func(*web.Request) (web.Response, error) { return nil, web.HTTPNoContent() })
	app.Router.Get("/not-modified", func(*web.Request) (web.Response, error) { return nil, web.HTTPNotModified() })
	app.Router.Get("/unavailable", func(*web.Request) (web.Response, error) { return nil, web.HTTPServiceUnavailable() })
	app.Router.Get("/json-error", func(*web.Request) (web.Response, error) {
		return nil, web.HTTPBadRequest().WithText(`{"error":"bad"}`).WithContentType("application/json")
	})
	app.Router.Post("/post-only", text("x"))
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)

	tests := []struct {
		path      string
		status    int
		body      string
		field     string
		value     string
		noCTOrLen bool
	}{
		{"/missing", 404, "404: Not Found", "Content-Type", "text/plain; charset=utf-8", false},
		{"/found", 302, "302: Found", "Location", "/new?x=1", false},
		{"/moved", 301, "301: Moved Permanently", "Location", "https://example.com/", false},
		{"/see-other", 303, "303: See Other", "Location", "/done", false},
		{"/temp", 307, "307: Temporary Redirect", "Location", "/t", false},
		{"/perm", 308, "308: Permanent Redirect", "Location", "/p", false},
		{"/teapot", 418, "short and stout", "X-Pot", "1", false},
		{"/wrapped", 403, "403: Forbidden", "", "", false},
		{"/created", 201, "201: Created", "", "", false},
		{"/no-content", 204, "", "", "", true},
		{"/not-modified", 304, "", "", "", true},
		{"/unavailable", 503, "503: Service Unavailable", "", "", false},
		{"/json-error", 400, `{"error":"bad"}`, "Content-Type", "application/json", false},
		{"/post-only", 405, "405: Method Not Allowed", "Allow", "POST", false},
	}
	for _, tt := range tests {
		r := c.get(tt.path)
		if r.status != tt.status || string(r.body) != tt.body {
			t.Errorf("%s: %d %q, want %d %q", tt.path, r.status, r.body, tt.status, tt.body)
		}
		if tt.field != "" && r.get(tt.field) != tt.value {
			t.Errorf("%s: %s = %q, want %q", tt.path, tt.field, r.get(tt.field), tt.value)
		}
		if tt.noCTOrLen {
			for _, name := range []string{"Content-Type", "Content-Length", "Transfer-Encoding"} {
				if _, ok := r.lookup(name); ok {
					t.Errorf("%s: %s sent: %q", tt.path, name, r.head)
				}
			}
		}
	}
}

func TestHandlerPanic(t *testing.T) {
	for _, debug := range []bool{false, true} {
		t.Run(fmt.Sprintf("debug=%v", debug), func(t *testing.T) {
			app := newApp(web.WithDebug(debug))
			app.Router.Get("/panic", func(*web.Request) (web.Response, error) { panic("kaboom <script>") })
			app.Router.Get("/error", func(*web.Request) (web.Response, error) { return nil, errors.New("db down") })
			app.Router.Get("/nil", func(*web.Request) (web.Response, error) { return nil, nil })
			app.Router.Get("/ok", text("fine"))
			s := startApp(t, app, web.ServerOptions{})
			c := s.dial(t)

			r := c.get("/panic", "Accept: text/html,application/xhtml+xml")
			if r.status != 500 || r.get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("HTML panic page: %q", r.head)
			}
			body := string(r.body)
			if !strings.Contains(body, "<h1>500 Internal Server Error</h1>") {
				t.Errorf("HTML body %q", body)
			}
			if strings.Contains(body, "<script>") {
				t.Errorf("panic value not escaped: %q", body)
			}
			if debug != strings.Contains(body, "kaboom &lt;script&gt;") {
				t.Errorf("debug=%v but details shown=%v: %q", debug, !debug, body)
			}
			if debug && !strings.Contains(body, "goroutine") {
				t.Errorf("debug page without a stack: %q", body)
			}

			// The keep-alive connection stays usable.
			if r := c.get("/ok"); r.status != 200 || string(r.body) != "fine" {
				t.Fatalf("after the panic: %q %q", r.head, r.body)
			}

			r = c.get("/panic", "Accept: */*")
			body = string(r.body)
			if r.status != 500 || r.get("Content-Type") != "text/plain; charset=utf-8" ||
				!strings.HasPrefix(body, "500 Internal Server Error\n\n") {
				t.Errorf("plain panic page: %q %q", r.head, body)
			}
			if !debug && body != "500 Internal Server Error\n\nServer got itself in trouble" {
				t.Errorf("plain body without debug: %q", body)
			}
			if debug != strings.Contains(body, "kaboom") {
				t.Errorf("debug=%v, body %q", debug, body)
			}

			for _, path := range []string{"/error", "/nil"} {
				r = c.get(path)
				if r.status != 500 {
					t.Errorf("%s: %d", path, r.status)
				}
				if debug != strings.Contains(string(r.body), map[string]string{"/error": "db down", "/nil": "no response"}[path]) {
					t.Errorf("%s debug=%v: %q", path, debug, r.body)
				}
			}
			if r := c.get("/ok"); r.status != 200 {
				t.Fatalf("after the errors: %d", r.status)
			}
		})
	}
}

func TestReference28_HTTPErrorBodyAndPanic500(t *testing.T) {
	app := newApp()
	app.Router.Get("/raise", func(*web.Request) (web.Response, error) { return nil, web.HTTPConflict() })
	app.Router.Get("/panic", func(*web.Request) (web.Response, error) { panic("boom") })
	s := startApp(t, app, web.ServerOptions{})
	if resp, body := s.get("/raise"); resp.StatusCode != 409 || body != "409: Conflict" {
		t.Errorf("raised: %d %q", resp.StatusCode, body)
	}
	if resp, body := s.get("/nowhere"); resp.StatusCode != 404 || body != "404: Not Found" {
		t.Errorf("404: %d %q", resp.StatusCode, body)
	}
	if resp, _ := s.get("/panic"); resp.StatusCode != 500 {
		t.Errorf("panic: %d", resp.StatusCode)
	}
}
