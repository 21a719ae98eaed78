package main

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

type exchange struct {
	method, path, contentType, body string

	status   int
	wantType string
	wantBody string
}

func check(t *testing.T, base string, tests []exchange) {
	t.Helper()
	for _, tt := range tests {
		status, ctype, body := do(t, tt.method, base+tt.path, tt.contentType, tt.body)
		if status != tt.status || body != tt.wantBody || (tt.wantType != "" && ctype != tt.wantType) {
			t.Errorf("%s %s = %d %q %q, want %d %q %q", tt.method, tt.path, status, ctype, body, tt.status, tt.wantType, tt.wantBody)
		}
	}
}

func TestHello(t *testing.T) {
	check(t, serve(t, newApp()), []exchange{
		{method: "GET", path: "/", status: 200, wantType: "text/plain; charset=utf-8", wantBody: "Hello, Anonymous"},
		{method: "GET", path: "/John", status: 200, wantType: "text/plain; charset=utf-8", wantBody: "Hello, John"},
		{method: "GET", path: "/%E5%BC%A0%E4%B8%89", status: 200, wantBody: "Hello, 张三"},
		{method: "HEAD", path: "/John", status: 200, wantType: "text/plain; charset=utf-8", wantBody: ""},
		{method: "GET", path: "/John/Smith", status: 404, wantBody: "404: Not Found"},
		{method: "POST", path: "/John", status: 405, wantBody: "405: Method Not Allowed"},
	})
}

// serve runs app on a free port of 127.0.0.1 until the test ends and
// returns its base URL.
func serve(t *testing.T, app *web.Application) string {
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
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := runner.Cleanup(ctx); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return site.URL()
}

// do sends a request and returns the response's status, Content-Type and
// body.
func do(t *testing.T, method, url, contentType, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(got)
}
