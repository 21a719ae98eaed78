package demo

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// serve runs app on a free port of 127.0.0.1 until the test ends and
// returns its base URL and a client for it.
func serve(t *testing.T, app *web.Application) (string, *http.Client) {
	t.Helper()
	srv := aiotest.NewServer(t, app)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return srv.URL, &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func TestRoutes(t *testing.T) {
	base, client := serve(t, NewApp())
	tests := []struct {
		method, path, ctype, body string

		status    int
		wantType  string
		wantBody  string
		wantAllow string
	}{
		{method: "GET", path: "/", status: 200, wantType: "text/plain; charset=utf-8", wantBody: "Hello, Anonymous"},
		{method: "GET", path: "/John", status: 200, wantType: "text/plain; charset=utf-8", wantBody: "Hello, John"},
		{method: "GET", path: "/J%C3%B6rg%20M", status: 200, wantBody: "Hello, Jörg M"},
		{method: "HEAD", path: "/", status: 200, wantType: "text/plain; charset=utf-8", wantBody: ""},
		{method: "HEAD", path: "/John", status: 200, wantBody: ""},
		{method: "GET", path: "/health", status: 200, wantType: "text/plain; charset=utf-8", wantBody: "OK"},
		{method: "HEAD", path: "/health", status: 200, wantBody: ""},
		{
			method: "POST", path: "/api/data", ctype: "application/json",
			body:   `{"key": "value", "n": 12345678901234567890, "list": [1, 2.5, null]}`,
			status: 200, wantType: "application/json",
			wantBody: `{"status":"success","received":{"key":"value","n":12345678901234567890,"list":[1,2.5,null]}}`,
		},
		{
			method: "POST", path: "/api/data", ctype: "application/json", body: `"just a string"`,
			status: 200, wantBody: `{"status":"success","received":"just a string"}`,
		},
		{
			method: "POST", path: "/api/data", ctype: "application/json", body: `{"key": `,
			status: 400, wantType: "application/json",
			wantBody: `{"status":"error","message":"unexpected end of JSON input"}`,
		},
		{
			method: "POST", path: "/api/data", body: `not json`,
			status: 400, wantType: "application/json",
			wantBody: `{"status":"error","message":"invalid character 'o' in literal null (expecting 'u')"}`,
		},
		{
			method: "POST", path: "/api/data",
			status: 400, wantBody: `{"status":"error","message":"unexpected end of JSON input"}`,
		},
		{method: "GET", path: "/a/b", status: 404},
		{method: "GET", path: "/api/data", status: 405, wantAllow: "POST"},
		{method: "POST", path: "/health", status: 405, wantAllow: "GET,HEAD"},
		{method: "POST", path: "/John", status: 405, wantAllow: "GET,HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, base+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d (body %q)", resp.StatusCode, tt.status, got)
			}
			if tt.wantType != "" {
				if ct := resp.Header.Get("Content-Type"); ct != tt.wantType {
					t.Errorf("Content-Type = %q, want %q", ct, tt.wantType)
				}
			}
			if tt.status < 400 || tt.wantBody != "" {
				if string(got) != tt.wantBody {
					t.Errorf("body = %q, want %q", got, tt.wantBody)
				}
			}
			if tt.method == "HEAD" && resp.ContentLength <= 0 {
				t.Errorf("HEAD Content-Length = %d, want the GET body's length", resp.ContentLength)
			}
			if tt.wantAllow != "" {
				if allow := resp.Header.Get("Allow"); allow != tt.wantAllow {
					t.Errorf("Allow = %q, want %q", allow, tt.wantAllow)
				}
			}
		})
	}
}

// TestRouteList pins the demo's routes, so that a route added or lost
// shows up here.
func TestRouteList(t *testing.T) {
	var got []string
	for _, r := range NewApp().Router.Routes() {
		got = append(got, r.Method()+" "+r.Pattern())
	}
	want := []string{"GET /", "* /", "GET /health", "POST /api/data", "GET /ws", "GET /chat", "POST /chat", "GET /chat/events", "GET /chat.html", "GET /sse", "GET /session", "POST /session/login", "POST /session/logout", "POST /upload", "GET /{name}",
		"GET /get", "POST /post", "PUT /put", "PATCH /patch", "DELETE /delete",
		"* /anything", "* /anything/{path:.*}", "GET /headers", "GET /ip", "GET /user-agent", "GET /uuid",
		"GET /base64/{value}", "GET /gzip", "GET /deflate", "GET /brotli", "* /status/{codes}", "* /redirect-to", "GET /response-headers",
		"POST /response-headers", "GET /redirect/{n}", "GET /relative-redirect/{n}",
		"GET /absolute-redirect/{n}", "GET /cookies", "GET /cookies/set", "GET /cookies/set/{name}/{value}",
		"GET /cookies/delete", "GET /basic-auth/{user}/{passwd}", "GET /hidden-basic-auth/{user}/{passwd}",
		"GET /bearer", "GET /cache", "GET /cache/{n}", "GET /etag/{etag}",
		"GET /html", "GET /xml", "GET /json", "GET /bytes/{n}", "GET /stream-bytes/{n}", "GET /stream/{n}",
		"GET /range/{n}", "GET /drip", "GET /delay/{n}", "GET /limited"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("routes = %q, want %q", got, want)
	}
}

// wsDial opens a WebSocket to base+path with a handshake written by hand.
func wsDial(t *testing.T, base, path string) *websocket.Conn {
	t.Helper()
	addr := strings.TrimPrefix(base, "http://")
	addr = strings.TrimSuffix(addr, "/")
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	key := websocket.NewKey()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(nc, "GET "+path+" HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "+key+"\r\n\r\n")
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != websocket.AcceptKey(key) {
		t.Fatalf("handshake: %s %v", resp.Status, resp.Header)
	}
	nc.SetDeadline(time.Time{})
	c := websocket.NewConn(nc, br, websocket.Client, websocket.Handshake{}, websocket.Options{CloseTimeout: time.Second})
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func wsRead(t *testing.T, c *websocket.Conn) (websocket.MessageType, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	typ, p, err := c.Read(ctx)
	return typ, string(p), err
}

func TestWSEcho(t *testing.T) {
	base, _ := serve(t, NewApp())
	c := wsDial(t, base, "/ws")
	ctx := context.Background()
	c.WriteMessage(ctx, websocket.MessageText, []byte("hi"))
	if typ, got, err := wsRead(t, c); typ != websocket.MessageText || got != "hi" || err != nil {
		t.Fatalf("%v %q %v", typ, got, err)
	}
	c.WriteMessage(ctx, websocket.MessageBinary, []byte{0, 1})
	if typ, got, err := wsRead(t, c); typ != websocket.MessageBinary || got != "\x00\x01" || err != nil {
		t.Fatalf("%v %q %v", typ, got, err)
	}
	c.WriteMessage(ctx, websocket.MessageText, []byte("close"))
	_, _, err := wsRead(t, c)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseOK {
		t.Fatalf("want close 1000, got %v", err)
	}
}

func TestChat(t *testing.T) {
	base, client := serve(t, NewApp())
	a := wsDial(t, base, "/chat")
	b := wsDial(t, base, "/chat")
	// Both must have joined before the broadcast: a round trip through the
	// room proves a's handler runs; b's is proved by retrying until b hears.
	ctx := context.Background()
	deadline := time.Now().Add(5 * time.Second)
	for {
		a.WriteMessage(ctx, websocket.MessageText, []byte("hello"))
		if _, got, err := wsRead(t, a); got != "hello" || err != nil {
			t.Fatalf("sender got %q %v", got, err)
		}
		rctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		_, p, err := b.Read(rctx)
		cancel()
		if err == nil {
			if string(p) != "hello" {
				t.Fatalf("b got %q", p)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("b never got the broadcast")
		}
	}
	// b leaves; a keeps chatting alone.
	b.Close(websocket.CloseOK, "")
	a.WriteMessage(ctx, websocket.MessageText, []byte("alone"))
	if _, got, err := wsRead(t, a); got != "alone" || err != nil {
		t.Fatalf("%q %v", got, err)
	}
	a.Close(websocket.CloseOK, "")

	resp, err := client.Get(base + "/chat.html")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), `"/chat"`) {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// "/" answers GET with the greeting and every other method with the
// /anything echo, so that protocol probes that POST to "/" reach a handler.
func TestRootEchoesOtherMethods(t *testing.T) {
	base, client := serve(t, NewApp())
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		req, _ := http.NewRequest(method, base+"/", strings.NewReader("probe"))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"method":"`+method+`"`) ||
			!strings.Contains(string(body), `"data":"probe"`) {
			t.Errorf("%s /: %d %s", method, resp.StatusCode, body)
		}
	}
}
