package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/web"
)

func TestFetch(t *testing.T) {
	app := web.NewApplication()
	app.Router.Get("/", func(*web.Request) (web.Response, error) {
		return web.Text("Hello, Anonymous"), nil
	})
	// Python's len counts characters: 12 here, in 36 bytes of UTF-8.
	app.Router.Get("/zh", func(*web.Request) (web.Response, error) {
		return web.Text("你好，世界！这是一个测试页"), nil
	})
	app.Router.Get("/gbk", func(*web.Request) (web.Response, error) {
		return web.Bytes([]byte{0xc4, 0xe3, 0xba, 0xc3}).SetContentType("text/plain").SetCharset("gbk"), nil // 你好
	})
	srv := aiotest.NewServer(t, app)

	for _, tt := range []struct {
		path string
		want []string
	}{
		{"/", []string{"Status: 200", "Content length: 16"}},
		{"/zh", []string{"Status: 200", "Content length: 13"}},
		{"/gbk", []string{"Status: 200", "Content length: 2"}},
		{"/missing/page", []string{"Status: 404", "Content length: 14"}}, // "404: Not Found"
	} {
		var out strings.Builder
		if err := run(context.Background(), &out, srv.URL+tt.path); err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		apptest.CompareLines(t, out.String(), tt.want...)
	}
}

func TestFetchRefused(t *testing.T) {
	// Nothing listens on port 1: the connection error comes back from run.
	if err := run(context.Background(), new(strings.Builder), "http://127.0.0.1:1/"); err == nil {
		t.Fatal("run succeeded against a closed port")
	}
}
