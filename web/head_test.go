package web_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/web"
)

// headCase is a request, what the head of its response must hold and
// what it must lack.
type headCase struct {
	name    string
	request string   // sent as is
	method  string   // to frame the response body
	want    []string // "Name: value" fields the head must have
	absent  []string // field names it must not have
}

// headApp answers each path of headCases with a response that exercises
// one rule of the response head.
func headApp() *web.Application {
	app := newApp()
	r := app.Router
	r.Get("/text", text("hello"))
	r.Get("/bytes", func(*web.Request) (web.Response, error) { return web.Bytes([]byte{1, 2, 3}), nil })
	r.Get("/json", func(*web.Request) (web.Response, error) { return web.JSON(map[string]int{"a": 1}) })
	r.Get("/empty", func(*web.Request) (web.Response, error) { return web.NewResponse(201), nil })
	r.Get("/own-type", func(*web.Request) (web.Response, error) {
		return web.Text("a,b").SetHeader("content-type", "text/csv"), nil
	})
	r.Get("/no-content", func(*web.Request) (web.Response, error) {
		return web.Text("dropped").SetStatus(204).SetHeader("Content-Type", "text/csv"), nil
	})
	r.Get("/not-modified", func(*web.Request) (web.Response, error) {
		return web.Text("dropped").SetStatus(304).SetHeader("ETag", `"v1"`), nil
	})
	r.Get("/framing", func(*web.Request) (web.Response, error) {
		resp := web.Text("framed by the server")
		resp.Header().Add("Content-Length", "999")
		resp.Header().Add("Transfer-Encoding", "gzip")
		resp.Header().Add("Connection", "upgrade")
		return resp, nil
	})
	r.Get("/invalid", func(*web.Request) (web.Response, error) {
		resp := web.Text("x")
		resp.Header().Add("X-Split", "a\r\nInjected: yes")
		resp.Header().Add("Bad Name", "v")
		resp.Header().Add("X-Fine", "ok")
		return resp, nil
	})
	r.Get("/cookies", func(*web.Request) (web.Response, error) {
		return web.Text("c").SetCookie(web.Cookie{Name: "a", Value: "1"}).
			SetCookie(web.Cookie{Name: "bad;name", Value: "2"}).
			SetCookie(web.Cookie{Name: "b", Value: "2", Path: "/"}), nil
	})
	r.Get("/own-server", func(*web.Request) (web.Response, error) {
		return web.Text("s").SetHeader("Server", "mine").SetHeader("Date", "Tue, 15 Nov 1994 08:12:31 GMT"), nil
	})
	r.Get("/force-close", func(*web.Request) (web.Response, error) { return web.Text("bye").ForceClose(), nil })
	r.Get("/stream", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.Header().Set("Content-Type", "text/plain")
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		_, _ = resp.WriteString("streamed")
		return resp, nil
	})
	r.Get("/stream-length", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.SetContentLength(4)
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		_, _ = resp.WriteString("four")
		return resp, nil
	})
	r.Get("/error", func(*web.Request) (web.Response, error) { return nil, web.HTTPConflict() })
	r.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		ws.Header().Set("X-Room", "lobby")
		ws.Header().Set("Content-Length", "5")
		ws.Header().Set("Upgrade", "h2c")
		if _, err := ws.Prepare(req); err != nil {
			return nil, err
		}
		return ws, nil
	})
	return app
}

var headCases = []headCase{
	{name: "text", request: "GET /text HTTP/1.1\r\nHost: x\r\n\r\n",
		want:   []string{"Server: aiohttp-go", "Content-Type: text/plain; charset=utf-8", "Content-Length: 5"},
		absent: []string{"Connection", "Transfer-Encoding"}},
	{name: "bytes", request: "GET /bytes HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"Content-Type: application/octet-stream", "Content-Length: 3"}},
	{name: "json", request: "GET /json HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"Content-Type: application/json", "Content-Length: 7"}},
	{name: "empty body, no type", request: "GET /empty HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"Content-Length: 0"}, absent: []string{"Content-Type"}},
	{name: "handler's content type", request: "GET /own-type HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"Content-Type: text/csv"}},
	{name: "204", request: "GET /no-content HTTP/1.1\r\nHost: x\r\n\r\n",
		absent: []string{"Content-Type", "Content-Length", "Transfer-Encoding"}},
	{name: "304", request: "GET /not-modified HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{`Etag: "v1"`}, absent: []string{"Content-Type", "Content-Length"}},
	{name: "framing fields are the server's", request: "GET /framing HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"Content-Length: 20"}, absent: []string{"Transfer-Encoding", "Connection"}},
	{name: "fields that could split the head", request: "GET /invalid HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"X-Fine: ok"}, absent: []string{"X-Split", "Injected", "Bad Name"}},
	{name: "cookies", request: "GET /cookies HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"Set-Cookie: a=1; Path=/", "Set-Cookie: b=2; Path=/"}},
	{name: "handler's Server and Date", request: "GET /own-server HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"Server: mine", "Date: Tue, 15 Nov 1994 08:12:31 GMT"}},
	{name: "force close", request: "GET /force-close HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"Connection: close"}},
	{name: "client closes", request: "GET /text HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		want: []string{"Connection: close"}},
	{name: "HEAD", request: "HEAD /text HTTP/1.1\r\nHost: x\r\n\r\n", method: "HEAD",
		want: []string{"Content-Length: 5", "Content-Type: text/plain; charset=utf-8"}},
	{name: "stream", request: "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"Transfer-Encoding: chunked", "Content-Type: text/plain"}, absent: []string{"Content-Length"}},
	{name: "stream with length", request: "GET /stream-length HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"Content-Length: 4"}, absent: []string{"Transfer-Encoding", "Content-Type"}},
	{name: "HTTP/1.0 keep-alive", request: "GET /text HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		want: []string{"Connection: keep-alive", "Content-Length: 5"}},
	{name: "HTTP/1.0", request: "GET /text HTTP/1.0\r\n\r\n",
		want: []string{"Content-Length: 5"}, absent: []string{"Connection"}},
	{name: "HTTP/1.0 stream", request: "GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		absent: []string{"Connection", "Transfer-Encoding", "Content-Length"}},
	{name: "WebSocket 101", request: "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
		want:   []string{"Upgrade: websocket", "Connection: upgrade", "X-Room: lobby", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
		absent: []string{"Content-Length", "Content-Type", "Transfer-Encoding"}},
	{name: "HTTP error", request: "GET /error HTTP/1.1\r\nHost: x\r\n\r\n",
		want: []string{"Content-Type: text/plain; charset=utf-8", "Content-Length: 13"}},
}

// TestHeadSameOnBothEngines sends each request to the application served
// by the engine and by net/http through the bridge, and checks that both
// send the same head and body, and that the head follows the rules.
func TestHeadSameOnBothEngines(t *testing.T) {
	app := headApp()
	engine := startApp(t, app, web.ServerOptions{})
	bridge := httptest.NewServer(app)
	t.Cleanup(bridge.Close)
	bridgeAddr := strings.TrimPrefix(bridge.URL, "http://")

	for _, tc := range headCases {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "GET"
			}
			fromEngine := exchange(t, engine.addr, tc.request, method)
			fromBridge := exchange(t, bridgeAddr, tc.request, method)
			if fromEngine.status != fromBridge.status || !slices.Equal(fromEngine.fields, fromBridge.fields) ||
				string(fromEngine.body) != string(fromBridge.body) {
				t.Errorf("the engine and the bridge differ:\nengine %d %q\n       %q\nbridge %d %q\n       %q",
					fromEngine.status, fromEngine.fields, fromEngine.body, fromBridge.status, fromBridge.fields, fromBridge.body)
			}
			for _, want := range tc.want {
				if !slices.Contains(fromEngine.fields, canonicalField(want)) {
					t.Errorf("no %q in %q", want, fromEngine.fields)
				}
			}
			for _, name := range tc.absent {
				prefix := strings.ToLower(name) + ":"
				for _, f := range fromEngine.fields {
					if strings.HasPrefix(f, prefix) {
						t.Errorf("%s sent: %q", name, fromEngine.fields)
					}
				}
			}
			seen := map[string]bool{}
			for _, f := range fromEngine.fields {
				name, _, _ := strings.Cut(f, ":")
				if seen[name] && name != "set-cookie" {
					t.Errorf("%s sent twice: %q", name, fromEngine.fields)
				}
				seen[name] = true
			}
			if !seen["date"] {
				t.Errorf("no Date: %q", fromEngine.fields)
			}
		})
	}
}

// sentHead is a response as it came over the wire, its fields as
// canonical "name: value" strings, sorted, the server's own Date value
// masked.
type sentHead struct {
	status int
	fields []string
	body   []byte
}

// exchange sends request on a new connection to addr and reads the
// response.
func exchange(t *testing.T, addr, request, method string) sentHead {
	t.Helper()
	c := dialRaw(t, "tcp", addr)
	c.send(request)
	r := c.readResponse(method)
	h := sentHead{status: r.status, body: r.body}
	for _, f := range r.fields {
		line := canonicalField(f.name + ": " + f.value)
		if strings.HasPrefix(line, "date: ") && !strings.Contains(line, "1994") {
			line = "date: <now>"
		}
		h.fields = append(h.fields, line)
	}
	slices.Sort(h.fields)
	return h
}

// canonicalField lower-cases the name of a "Name: value" field.
func canonicalField(f string) string {
	name, value, _ := strings.Cut(f, ": ")
	return strings.ToLower(name) + ": " + value
}
