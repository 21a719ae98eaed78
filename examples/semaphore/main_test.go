package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/web"
)

// pagesApp serves /page/{n}, a page of as many characters as n has
// digits; gauge counts the requests being served at once.
func pagesApp(gauge *apptest.Gauge) *web.Application {
	app := web.NewApplication()
	app.Router.Get("/page/{n}", func(req *web.Request) (web.Response, error) {
		defer gauge.Enter()()
		time.Sleep(20 * time.Millisecond) // long enough for requests to pile up
		return web.Text(strings.Repeat("页", len(req.MatchInfo().Get("n")))), nil
	})
	return app
}

func TestSemaphore(t *testing.T) {
	for _, limit := range []int{5, 2} {
		var gauge apptest.Gauge
		srv := apptest.Start(t, pagesApp(&gauge))
		var urls, want []string
		for i := 1; i <= 30; i++ {
			url := fmt.Sprintf("%s/page/%d", srv.URL, i)
			urls = append(urls, url)
			want = append(want, fmt.Sprintf("%s: %d characters", url, len(fmt.Sprint(i))))
		}
		var out strings.Builder
		if err := run(context.Background(), &out, urls, limit); err != nil {
			t.Fatal(err)
		}
		apptest.CompareLines(t, out.String(), want...)
		// The session's connector allows 100 connections: the semaphore
		// alone keeps the requests to limit at a time.
		if n := gauge.Peak(); n > limit {
			t.Errorf("limit %d: %d requests served at once", limit, n)
		}
		if n := srv.PeakConns(); n > limit {
			t.Errorf("limit %d: %d connections open at once", limit, n)
		}
		t.Logf("limit %d: peak %d requests, %d connections", limit, gauge.Peak(), srv.PeakConns())
	}
}

func TestSemaphoreDemo(t *testing.T) {
	srv := aiotest.NewServer(t, demo.NewApp())
	var out strings.Builder
	if err := run(context.Background(), &out, []string{srv.URL + "/page1", srv.URL + "/page20"}, 5); err != nil {
		t.Fatal(err)
	}
	apptest.CompareLines(t, out.String(),
		srv.URL+"/page1: 12 characters", // "Hello, page1"
		srv.URL+"/page20: 13 characters",
	)
}

func TestSemaphoreError(t *testing.T) {
	// gather raises the first failure; so does run.
	err := run(context.Background(), new(strings.Builder), []string{"http://127.0.0.1:1/"}, 5)
	if !errors.Is(err, aiohttp.ErrClientConnector) {
		t.Errorf("run = %v, want a connector error", err)
	}
}
