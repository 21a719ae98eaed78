package aiohttp_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/web"
)

// BenchmarkSessionGet measures a small GET and its small response over a
// pooled loopback connection to an in-process server, body read and
// closed.
func BenchmarkSessionGet(b *testing.B) {
	base := serveApp(b, func(app *web.Application) {
		app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("Hello, World!"), nil })
	})
	s := newSession(b, aiohttp.SessionOptions{})
	ctx := context.Background()
	url := base + "/"
	b.ReportAllocs()
	for b.Loop() {
		resp, err := s.Get(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := resp.Bytes(); err != nil {
			b.Fatal(err)
		}
		resp.Close()
	}
}

// BenchmarkRequestWrite measures building the header section of a GET
// (Host first, then the automatic fields) and writing its head into a
// buffer, the per-request work of the writer; it should not allocate.
func BenchmarkRequestWrite(b *testing.B) {
	u, _ := url.Parse("http://example.com:8080/path/to/resource?q=1&r=2")
	var h multidict.CIMultiDict
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		h.Reset()
		h.Add("Host", u.Host)
		h.Add("Accept", "*/*")
		h.Add("Accept-Encoding", "gzip, deflate, br, zstd")
		h.Add("User-Agent", aiohttp.DefaultUserAgent)
		var err error
		buf, err = aiohttp.AppendRequestHead(buf[:0], "GET", u, &h, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}
