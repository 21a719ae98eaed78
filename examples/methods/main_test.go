package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/web"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
)

func TestMethods(t *testing.T) {
	srv := aiotest.NewServer(t, demo.NewApp())
	var out strings.Builder
	if err := run(context.Background(), &out, srv.URL); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	auto := "'Accept': '*/*', 'Accept-Encoding': 'gzip, deflate, br, zstd', "
	ua := "'User-Agent': '" + aiohttp.DefaultUserAgent + "'"
	apptest.CompareLines(t, out.String(),
		"GET Response: {'args': {}, 'headers': {"+auto+"'Host': '"+host+"', "+ua+"}, "+
			"'origin': '127.0.0.1', 'url': '"+srv.URL+"/get'}",
		"POST JSON Response: {'args': {}, 'data': '{\"key\":\"value\",\"number\":123}', 'files': {}, 'form': {}, "+
			"'headers': {"+auto+"'Content-Length': '28', 'Content-Type': 'application/json', 'Host': '"+host+"', "+ua+"}, "+
			"'json': {'key': 'value', 'number': 123}, 'origin': '127.0.0.1', 'url': '"+srv.URL+"/post'}",
		"POST Form Response: {'args': {}, 'data': '', 'files': {}, 'form': {'email': 'john.doe@example.com', 'name': 'John Doe'}, "+
			"'headers': {"+auto+"'Content-Length': '42', 'Content-Type': 'application/x-www-form-urlencoded', 'Host': '"+host+"', "+ua+"}, "+
			"'json': None, 'origin': '127.0.0.1', 'url': '"+srv.URL+"/post'}",
		`PUT Response: {"args":{},"data":"some data","files":{},"form":{},`+
			`"headers":{"Accept":"*/*","Accept-Encoding":"gzip, deflate, br, zstd","Content-Length":"9","Content-Type":"text/plain; charset=utf-8","Host":"`+host+`","User-Agent":"`+aiohttp.DefaultUserAgent+`"},`+
			`"json":null,"origin":"127.0.0.1","url":"`+srv.URL+`/put"}`,
	)
}

func TestMethodsNotJSON(t *testing.T) {
	// A server answering GET /get with text: json() refuses it, as
	// aiohttp's does, and the example stops there.
	app := web.NewApplication()
	app.Router.Get("/get", func(*web.Request) (web.Response, error) { return web.Text("Hello, get"), nil })
	srv := aiotest.NewServer(t, app)
	var out strings.Builder
	err := run(context.Background(), &out, srv.URL)
	if !errors.Is(err, aiohttp.ErrContentType) {
		t.Fatalf("run = %v, want a content type error", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q before failing", out.String())
	}
}
