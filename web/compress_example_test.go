package web_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aiohttp-go/aiohttp/web"
)

func ExampleCompressionMiddleware() {
	app := web.NewApplication(web.WithMiddlewares(web.CompressionMiddleware(web.CompressionOptions{})))
	app.Router.Get("/report", func(*web.Request) (web.Response, error) {
		return web.Text(strings.Repeat("all systems nominal\n", 100)), nil
	})
	app.Router.Get("/logo.png", func(*web.Request) (web.Response, error) {
		return web.Bytes(make([]byte, 4096), web.WithContentType("image/png")), nil // not compressible
	})
	srv := httptest.NewServer(app)
	defer srv.Close()

	for _, path := range []string{"/report", "/logo.png"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "br;q=0, gzip") // br refused
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		var body io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			body, _ = gzip.NewReader(resp.Body)
		}
		b, _ := io.ReadAll(body)
		resp.Body.Close()
		fmt.Printf("%s: Content-Encoding %q, Vary %q, %d bytes decoded\n",
			path, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"), len(b))
	}
	// Output:
	// /report: Content-Encoding "gzip", Vary "Accept-Encoding", 2000 bytes decoded
	// /logo.png: Content-Encoding "", Vary "", 4096 bytes decoded
}

func ExampleBodyResponse_EnableCompression() {
	app := web.NewApplication() // no middleware: this response only
	app.Router.Get("/", func(*web.Request) (web.Response, error) {
		return web.Text("small, but compressed all the same").EnableCompression("gzip"), nil
	})
	srv := httptest.NewServer(app)
	defer srv.Close()

	resp, err := http.Get(srv.URL) // net/http asks for gzip and decodes it
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Uncompressed, string(b))
	// Output:
	// true small, but compressed all the same
}
