package main

import (
	"testing"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
)

func TestHealth(t *testing.T) {
	const js = "application/json"
	apptest.Check(t, aiotest.NewServer(t, newApp()).URL, []apptest.Exchange{
		{Method: "GET", Path: "/hello/YourName", Status: 200, WantType: js, WantBody: `{"message":"Hello, YourName!","method":"GET"}`},
		{Method: "HEAD", Path: "/hello/YourName", Status: 200, WantType: js, WantBody: ""},
		{Method: "GET", Path: "/health", Status: 200, WantType: "text/plain; charset=utf-8", WantBody: "OK"},
		{Method: "GET", Path: "/hello/", Status: 404, WantBody: "404: Not Found"},
		{Method: "POST", Path: "/health", Status: 405, WantBody: "405: Method Not Allowed"},
	})
}
