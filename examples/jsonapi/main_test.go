package main

import (
	"testing"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
)

func TestJSONAPI(t *testing.T) {
	const js = "application/json"
	apptest.Check(t, aiotest.NewServer(t, newApp()).URL, []apptest.Exchange{
		{
			Method: "POST", Path: "/api/data", ContentType: js, Body: `{"key": "value", "big": 12345678901234567890}`,
			Status: 200, WantType: js, WantBody: `{"status":"success","received":{"key":"value","big":12345678901234567890}}`,
		},
		{
			Method: "POST", Path: "/api/data", ContentType: js, Body: `[1, "two", null]`,
			Status: 200, WantType: js, WantBody: `{"status":"success","received":[1,"two",null]}`,
		},
		{
			Method: "POST", Path: "/api/data", ContentType: js, Body: `{"key": "value"`,
			Status: 400, WantType: js, WantBody: `{"status":"error","message":"unexpected end of JSON input"}`,
		},
		{
			Method: "POST", Path: "/api/data", Body: `hello`,
			Status: 400, WantType: js, WantBody: `{"status":"error","message":"invalid character 'h' looking for beginning of value"}`,
		},
		{Method: "GET", Path: "/api/data", Status: 405, WantBody: "405: Method Not Allowed"},
		{Method: "GET", Path: "/", Status: 404, WantBody: "404: Not Found"},
	})
}
