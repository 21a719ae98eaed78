package main

import (
	"testing"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
)

func TestHello(t *testing.T) {
	apptest.Check(t, aiotest.NewServer(t, newApp()).URL, []apptest.Exchange{
		{Method: "GET", Path: "/", Status: 200, WantType: "text/plain; charset=utf-8", WantBody: "Hello, Anonymous"},
		{Method: "GET", Path: "/John", Status: 200, WantType: "text/plain; charset=utf-8", WantBody: "Hello, John"},
		{Method: "GET", Path: "/%E5%BC%A0%E4%B8%89", Status: 200, WantBody: "Hello, 张三"},
		{Method: "HEAD", Path: "/John", Status: 200, WantType: "text/plain; charset=utf-8", WantBody: ""},
		{Method: "GET", Path: "/John/Smith", Status: 404, WantBody: "404: Not Found"},
		{Method: "POST", Path: "/John", Status: 405, WantBody: "405: Method Not Allowed"},
	})
}
