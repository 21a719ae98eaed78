package main

import (
	"context"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/demo"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/web"
)

func TestFetcher(t *testing.T) {
	var gauge apptest.Gauge
	app := demo.NewApp()
	app.Router.Get("/page/{n}", func(*web.Request) (web.Response, error) {
		defer gauge.Enter()()
		time.Sleep(20 * time.Millisecond)
		return web.Text(strings.Repeat("数据", 600)), nil // 1200 characters
	})
	srv := aiotest.NewServer(t, app)

	// The seed's URLs, with a total timeout /delay/2 exceeds, and more.
	urls := []string{
		srv.URL + "/get",
		srv.URL + "/delay/2",
		srv.URL + "/status/500",
		srv.URL + "/html",
	}
	want := []string{
		"✓ [200] " + srv.URL + "/get",
		"✗ [  0] " + srv.URL + "/delay/2",
		"✗ [500] " + srv.URL + "/status/500",
		"✓ [200] " + srv.URL + "/html",
	}
	for i := 0; i < 8; i++ {
		urls = append(urls, srv.URL+"/page/"+string(rune('a'+i)))
		want = append(want, "✓ [200] "+srv.URL+"/page/"+string(rune('a'+i)))
	}

	var out, errs strings.Builder
	start := time.Now()
	if err := run(context.Background(), &out, log.New(&errs, "", 0), urls, 3, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 1900*time.Millisecond {
		t.Errorf("run took %v; the timeout did not end /delay/2", d)
	}
	apptest.CompareLines(t, out.String(), want...)
	// Failures are logged as Python's logging.basicConfig writes them.
	apptest.CompareLines(t, errs.String(), "ERROR:__main__:获取 "+srv.URL+"/delay/2 失败: *")
	if n := gauge.Peak(); n > 3 {
		t.Errorf("%d pages served at once, want at most 3", n)
	}

	// A host that never resolves (RFC 6761), with a timeout long enough
	// for a slow resolver to answer.
	out.Reset()
	errs.Reset()
	if err := run(context.Background(), &out, log.New(&errs, "", 0), []string{"http://fetcher.invalid/"}, 3, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	apptest.CompareLines(t, out.String(), "✗ [  0] http://fetcher.invalid/")
	apptest.CompareLines(t, errs.String(), "ERROR:__main__:获取 http://fetcher.invalid/ 失败: *")
}

func TestFetchResult(t *testing.T) {
	srv := aiotest.NewServer(t, demo.NewApp())
	f, err := NewAsyncFetcher(2, 10*time.Second, log.New(new(strings.Builder), "", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	r := f.Fetch(context.Background(), srv.URL+"/html")
	if r.Status != 200 || r.Content != demo.HTMLPage || r.Error != "" {
		t.Errorf("Fetch(/html) = %+v", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r = f.Fetch(ctx, srv.URL+"/get")
	if r.Status != 0 || r.Content != "" || !strings.Contains(r.Error, "context canceled") {
		t.Errorf("Fetch with a cancelled context = %+v", r)
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate(strings.Repeat("数据", 600), 1000); got != strings.Repeat("数据", 500) {
		t.Errorf("truncate kept %d characters", len([]rune(got)))
	}
	if got := truncate("short", 1000); got != "short" {
		t.Errorf("truncate(short) = %q", got)
	}
}
