package demo

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// serve runs app on a free port of 127.0.0.1 until the test ends and
// returns its base URL and a client for it.
func serve(t *testing.T, app *web.Application) (string, *http.Client) {
	t.Helper()
	ctx := context.Background()
	runner := web.NewAppRunner(app, web.ServerOptions{})
	if err := runner.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	site := web.NewListenerSite(runner, ln)
	if err := site.Start(ctx); err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := runner.Cleanup(ctx); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return site.URL(), &http.Client{Transport: tr, Timeout: 10 * time.Second}
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
		{method: "PUT", path: "/", status: 405, wantAllow: "GET,HEAD"},
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
	want := []string{"GET /", "GET /health", "POST /api/data", "GET /{name}",
		"GET /get", "GET /headers", "POST /post", "PUT /put", "GET /delay/{n}", "* /status/{code}",
		"GET /html", "GET /json", "GET /bytes/{n}", "GET /stream-bytes/{n}"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("routes = %q, want %q", got, want)
	}
}
