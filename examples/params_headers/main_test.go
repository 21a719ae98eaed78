package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/internal/demo"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/web"
)

func TestParamsHeaders(t *testing.T) {
	srv := aiotest.NewServer(t, demo.NewApp())
	var out strings.Builder
	if err := run(context.Background(), &out, srv.URL); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	apptest.CompareLines(t, out.String(),
		"URL with params: "+srv.URL+"/get?key1=value1&key2=value2",
		"Headers received by server: {'Accept': 'application/json', 'Accept-Encoding': 'gzip, deflate, br, zstd', "+
			"'Host': '"+host+"', 'User-Agent': 'MyCoolApp/1.0'}",
	)
}

func TestParamsHeadersMissingKey(t *testing.T) {
	app := web.NewApplication()
	app.Router.Get("/get", func(*web.Request) (web.Response, error) {
		return web.JSON(map[string]string{"url": "http://example.com/"})
	})
	srv := aiotest.NewServer(t, app)
	var out strings.Builder
	err := run(context.Background(), &out, srv.URL)
	if err == nil || err.Error() != "KeyError: 'headers'" {
		t.Errorf("run = %v, want KeyError: 'headers'", err)
	}
	apptest.CompareLines(t, out.String(), "URL with params: http://example.com/")
}
