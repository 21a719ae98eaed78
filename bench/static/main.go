// Command static serves a directory under /static/ with one of the
// implementations the static file benchmark compares (see run-static):
//
//	ours      web.Router.Static: FileResponse, sendfile on TCP
//	nethttp   http.StripPrefix("/static/", http.FileServer(http.Dir(dir)))
//	fasthttp  fasthttp.FS with byte ranges, no compression
//
// Each serves GET /static/<name> with Last-Modified, ranges and 304s, no
// access log.
package main

import (
	"flag"
	"io"
	"log"
	"net/http"

	"github.com/aiohttp-go/aiohttp/web"
	"github.com/valyala/fasthttp"
)

func main() {
	impl := flag.String("impl", "ours", "ours, nethttp or fasthttp")
	addr := flag.String("addr", "127.0.0.1:8095", "listen address")
	dir := flag.String("dir", ".", "directory to serve under /static/")
	flag.Parse()

	var err error
	switch *impl {
	case "ours":
		app := web.NewApplication()
		app.Router.Static("/static", *dir, web.StaticOptions{})
		err = web.RunApp(app, web.RunOptions{Addr: *addr, Out: io.Discard})
	case "nethttp":
		err = http.ListenAndServe(*addr, http.StripPrefix("/static/", http.FileServer(http.Dir(*dir))))
	case "fasthttp":
		fs := &fasthttp.FS{
			Root:            *dir,
			AcceptByteRange: true,
			PathRewrite:     fasthttp.NewPathSlashesStripper(1),
		}
		err = fasthttp.ListenAndServe(*addr, fs.NewRequestHandler())
	default:
		log.Fatalf("unknown -impl %q", *impl)
	}
	if err != nil {
		log.Fatal(err)
	}
}
