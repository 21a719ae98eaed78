package main

import (
	"testing"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
)

func TestFormPost(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	apptest.Check(t, aiotest.NewServer(t, newApp()).URL, []apptest.Exchange{
		{Method: "POST", Path: "/", ContentType: form, Body: "name=John", Status: 200, WantType: "text/plain; charset=utf-8", WantBody: "Hello, John!"},
		{Method: "POST", Path: "/", ContentType: form, Body: "age=3&name=%E5%BC%A0+%E4%B8%89", Status: 200, WantBody: "Hello, 张 三!"},
		{Method: "POST", Path: "/", ContentType: form, Body: "name=", Status: 200, WantBody: "Hello, !"},
		{Method: "POST", Path: "/", ContentType: "multipart/form-data; boundary=b", // a browser's enctype="multipart/form-data"
			Body: "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n张 三\r\n--b--\r\n", Status: 200, WantBody: "Hello, 张 三!"},
		{Method: "POST", Path: "/", ContentType: form, Body: "age=3", Status: 400, WantBody: `missing form field "name"`},
		{Method: "POST", Path: "/", ContentType: "text/plain", Body: "name=John", Status: 400, WantBody: `missing form field "name"`},
		{Method: "GET", Path: "/", Status: 200, WantType: "text/html; charset=utf-8", WantBody: formPage},
		{Method: "PUT", Path: "/", Status: 405, WantBody: "405: Method Not Allowed"},
	})
}
