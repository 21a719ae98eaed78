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

func TestJSONAPI(t *testing.T) {
	const js = "application/json"
	check(t, serve(t, newApp()), []exchange{
		{
			method: "POST", path: "/api/data", contentType: js, body: `{"key": "value", "big": 12345678901234567890}`,
			status: 200, wantType: js, wantBody: `{"status":"success","received":{"key":"value","big":12345678901234567890}}`,
		},
		{
			method: "POST", path: "/api/data", contentType: js, body: `[1, "two", null]`,
			status: 200, wantType: js, wantBody: `{"status":"success","received":[1,"two",null]}`,
		},
		{
			method: "POST", path: "/api/data", contentType: js, body: `{"key": "value"`,
			status: 400, wantType: js, wantBody: `{"status":"error","message":"unexpected end of JSON input"}`,
		},
		{
			method: "POST", path: "/api/data", body: `hello`,
			status: 400, wantType: js, wantBody: `{"status":"error","message":"invalid character 'h' looking for beginning of value"}`,
		},
		{method: "GET", path: "/api/data", status: 405, wantBody: "405: Method Not Allowed"},
		{method: "GET", path: "/", status: 404, wantBody: "404: Not Found"},
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
