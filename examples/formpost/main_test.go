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

func TestFormPost(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	check(t, serve(t, newApp()), []exchange{
		{method: "POST", path: "/", contentType: form, body: "name=John", status: 200, wantType: "text/plain; charset=utf-8", wantBody: "Hello, John!"},
		{method: "POST", path: "/", contentType: form, body: "age=3&name=%E5%BC%A0+%E4%B8%89", status: 200, wantBody: "Hello, 张 三!"},
		{method: "POST", path: "/", contentType: form, body: "name=", status: 200, wantBody: "Hello, !"},
		{method: "POST", path: "/", contentType: form, body: "age=3", status: 400, wantBody: `missing form field "name"`},
		{method: "POST", path: "/", contentType: "text/plain", body: "name=John", status: 400, wantBody: `missing form field "name"`},
		{method: "GET", path: "/", status: 200, wantType: "text/html; charset=utf-8", wantBody: formPage},
		{method: "PUT", path: "/", status: 405, wantBody: "405: Method Not Allowed"},
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
