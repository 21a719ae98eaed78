package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/web"
)

// newsApp serves HTML pages with titles, and pages that fail in the ways
// the crawler reports. gauge counts the page handlers running at once.
func newsApp(gauge *apptest.Gauge) *web.Application {
	html := func(title string) *web.BodyResponse {
		return web.Text("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">" + title +
			"</head><body><p>news</p></body></html>").SetContentType("text/html")
	}
	app := web.NewApplication()
	r := app.Router
	r.Get("/", func(*web.Request) (web.Response, error) {
		return html("<TITLE>\n  Front Page  \n</TITLE>"), nil // any case, trimmed
	})
	r.Get("/page/{n}", func(req *web.Request) (web.Response, error) {
		defer gauge.Enter()()
		time.Sleep(20 * time.Millisecond) // long enough for requests to pile up
		return html("<title>第 " + req.MatchInfo().Get("n") + " 页 - News</title>"), nil
	})
	r.Get("/a/rather/long/path/to/an/article", func(*web.Request) (web.Response, error) {
		return html("<title>Long</title>"), nil
	})
	r.Get("/notitle", func(*web.Request) (web.Response, error) {
		return web.Text("no title here"), nil
	})
	r.Get("/empty-title", func(*web.Request) (web.Response, error) {
		return html("<title></title>"), nil // [^<]+ needs one character
	})
	r.Get("/moved", func(*web.Request) (web.Response, error) {
		return nil, web.HTTPFound("/no/such/page")
	})
	r.Get("/slow", func(req *web.Request) (web.Response, error) {
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(5 * time.Second):
			return html("<title>Too late</title>"), nil
		}
	})
	r.Get("/bad-gzip", func(*web.Request) (web.Response, error) {
		return web.Bytes([]byte("this is not gzip")).SetContentType("text/html").SetHeader("Content-Encoding", "gzip"), nil
	})
	return app
}

func TestCrawler(t *testing.T) {
	var gauge apptest.Gauge
	srv := aiotest.NewServer(t, newsApp(&gauge))
	urls := []string{
		srv.URL + "/",
		srv.URL + "/a/rather/long/path/to/an/article",
		srv.URL + "/notitle",
		srv.URL + "/empty-title",
		srv.URL + "/no/such/page",
		srv.URL + "/moved",
		srv.URL + "/slow",
		srv.URL + "/bad-gzip",
		"http://127.0.0.1:1/", // nothing listens there
	}
	want := []string{
		"开始抓取新闻网站标题...",
		"",
		"抓取结果:",
		"  - [" + srv.URL + "/...] -> Front Page",
		"  - [" + (srv.URL + "/a/rather/long/path/to/an/article")[:40] + "...] -> Long",
		"  - [" + srv.URL + "/notitle...] -> 无标题",
		"  - [" + srv.URL + "/empty-title...] -> 无标题",
		"  - [" + srv.URL + "/no/such/page...] -> HTTP 404",
		"  - [" + srv.URL + "/moved...] -> HTTP 404", // redirects are followed
		"  - [" + srv.URL + "/slow...] -> 超时",
		"  - [" + srv.URL + "/bad-gzip...] -> 错误: ClientPayloadError",
		"  - [http://127.0.0.1:1/...] -> 错误: ClientConnectorError",
	}
	for i := 1; i <= 5; i++ {
		urls = append(urls, fmt.Sprintf("%s/page/%d", srv.URL, i))
		want = append(want, fmt.Sprintf("  - [%s/page/%d...] -> 第 %d 页 - News", srv.URL, i, i))
	}

	var out strings.Builder
	start := time.Now()
	if err := run(context.Background(), &out, urls, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("crawl took %v; the per-request timeout did not end /slow", d)
	}
	apptest.CompareLines(t, out.String(), want...)

	// A host that never resolves (RFC 6761), with a timeout long enough
	// for a slow resolver to answer.
	out.Reset()
	if err := run(context.Background(), &out, []string{"http://news.invalid/"}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	apptest.CompareLines(t, out.String(),
		"开始抓取新闻网站标题...",
		"",
		"抓取结果:",
		"  - [http://news.invalid/...] -> 错误: ClientConnectorDNSError",
	)
}

// TestCrawlerLimitPerHost crawls many pages of one host: limit_per_host=3
// keeps it to 3 connections, each reused for request after request, and
// to 3 pages served at once. (Pages that fail make the client drop their
// connection, and the server notices a dropped connection only some time
// after the client has opened the next one; so this crawl has only pages
// that succeed, and the server's count of open connections is exact.)
func TestCrawlerLimitPerHost(t *testing.T) {
	var gauge apptest.Gauge
	srv := apptest.Start(t, newsApp(&gauge))
	urls := []string{srv.URL + "/", srv.URL + "/moved"}
	want := []string{
		"开始抓取新闻网站标题...",
		"",
		"抓取结果:",
		"  - [" + srv.URL + "/...] -> Front Page",
		"  - [" + srv.URL + "/moved...] -> HTTP 404",
	}
	for i := 1; i <= 30; i++ {
		urls = append(urls, fmt.Sprintf("%s/page/%d", srv.URL, i))
		want = append(want, fmt.Sprintf("  - [%s/page/%d...] -> 第 %d 页 - News", srv.URL, i, i))
	}
	var out strings.Builder
	if err := run(context.Background(), &out, urls, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	apptest.CompareLines(t, out.String(), want...)

	if n := srv.PeakConns(); n > 3 {
		t.Errorf("%d connections open at once, want at most 3", n)
	}
	if n := srv.Accepted(); n > 3 {
		t.Errorf("%d connections in all, want at most 3 (kept alive and reused)", n)
	}
	if n := gauge.Peak(); n > 3 {
		t.Errorf("%d pages served at once, want at most 3", n)
	}
	t.Logf("peak: %d connections, %d pages in progress; %d connections in all", srv.PeakConns(), gauge.Peak(), srv.Accepted())
}

func TestCrawlerDemo(t *testing.T) {
	srv := aiotest.NewServer(t, demo.NewApp())
	var urls []string
	for _, p := range []string{"/", "/news", "/health", "/api/data", "/no/such/page"} {
		urls = append(urls, srv.URL+p)
	}
	var out strings.Builder
	if err := run(context.Background(), &out, urls, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	apptest.CompareLines(t, out.String(),
		"开始抓取新闻网站标题...",
		"",
		"抓取结果:",
		"  - ["+srv.URL+"/...] -> 无标题",
		"  - ["+srv.URL+"/news...] -> 无标题",
		"  - ["+srv.URL+"/health...] -> 无标题",
		"  - ["+srv.URL+"/api/data...] -> HTTP 405",
		"  - ["+srv.URL+"/no/such/page...] -> HTTP 404",
	)
}

func TestPrefix(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"}, {"abc", 3, "abc"}, {"abcd", 3, "abc"}, {"", 2, ""},
		{"新闻网站标题", 4, "新闻网站"}, {"ab新闻", 3, "ab新"},
	} {
		if got := prefix(tt.s, tt.n); got != tt.want {
			t.Errorf("prefix(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
