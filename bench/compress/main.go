// Command compress serves one route, GET /json, a 10 KiB JSON body (60
// user records, web/testdata/users.json, as the root module's
// BenchmarkServeCompressedJSON), with
// response compression from one peer, for the side-by-side of run-compress:
//
//	aiohttp        ours: web.CompressionMiddleware with its defaults
//	                 (gzip level 1, br quality 1, zstd fastest)
//	nethttp        net/http with klauspost/compress/gzhttp (its default,
//	                 gzip level 5 in klauspost's scale)
//	nethttp-fast   the same at gzip level 1
//	fasthttp       fasthttp.CompressHandlerBrotliLevel at its defaults
//	                 (gzip/deflate level 6, brotli quality 4)
//	fasthttp-fast  the same at gzip level 1 and brotli quality 1
//
// Every peer builds the body once at start and compresses it per request.
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/valyala/fasthttp"

	"github.com/aiohttp-go/aiohttp/web"
)

func main() {
	peer := flag.String("peer", "aiohttp", "aiohttp, nethttp, nethttp-fast, fasthttp or fasthttp-fast")
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	file := flag.String("body", "../web/testdata/users.json", "the JSON body served")
	flag.Parse()
	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}

	switch *peer {
	case "aiohttp":
		app := web.NewApplication(web.WithMiddlewares(web.CompressionMiddleware(web.CompressionOptions{})))
		app.Router.Get("/json", func(req *web.Request) (web.Response, error) {
			return req.Respond().SetBody(body).SetContentType("application/json"), nil
		})
		// No access log: ServerOptions.AccessLog stays nil. No banner either.
		log.Fatal(web.RunApp(app, web.RunOptions{Addr: *addr, Out: io.Discard}))
	case "nethttp", "nethttp-fast":
		level := gzip.DefaultCompression
		if *peer == "nethttp-fast" {
			level = gzip.BestSpeed
		}
		wrap, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(level))
		if err != nil {
			log.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("GET /json", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		})
		log.Fatal(http.ListenAndServe(*addr, wrap(mux)))
	case "fasthttp", "fasthttp-fast":
		h := func(ctx *fasthttp.RequestCtx) {
			ctx.SetContentType("application/json")
			ctx.Write(body)
		}
		brLevel, level := fasthttp.CompressBrotliDefaultCompression, fasthttp.CompressDefaultCompression
		if *peer == "fasthttp-fast" {
			brLevel, level = fasthttp.CompressBrotliBestSpeed+1, fasthttp.CompressBestSpeed
		}
		s := &fasthttp.Server{Handler: fasthttp.CompressHandlerBrotliLevel(h, brLevel, level)}
		log.Fatal(s.ListenAndServe(*addr))
	default:
		log.Fatalf("unknown peer %q", *peer)
	}
}
