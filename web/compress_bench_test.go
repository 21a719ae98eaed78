package web

import (
	"bytes"
	"os"
	"strconv"
	"testing"

	"github.com/aiohttp-go/aiohttp/internal/compress"
)

// benchJSON is a typical JSON answer of about 10 KiB: 60 user records,
// each different (bench/compress serves the same file).
var benchJSON = func() []byte {
	b, err := os.ReadFile("testdata/users.json")
	if err != nil {
		panic(err)
	}
	return b
}()

// BenchmarkServeCompressedJSON is the cost of a compressed response: a
// 10 KiB JSON body through CompressionMiddleware, per coding.
func BenchmarkServeCompressedJSON(b *testing.B) {
	for _, coding := range []string{"identity", "gzip", "deflate", "br", "zstd"} {
		b.Run(coding, func(b *testing.B) {
			app := NewApplication(WithMiddlewares(CompressionMiddleware(CompressionOptions{})))
			app.Router.Get("/json", func(r *Request) (Response, error) {
				return r.Respond().SetBody(benchJSON).SetContentType("application/json"), nil
			})
			benchServe(b, app, "GET /json HTTP/1.1\r\nHost: localhost:8080\r\nAccept-Encoding: "+coding+"\r\n\r\n")
		})
	}
}

// BenchmarkServeCompressionSmall is a small response with compression
// configured: below the minimum size it costs a few comparisons.
func BenchmarkServeCompressionSmall(b *testing.B) {
	app := NewApplication(WithMiddlewares(CompressionMiddleware(CompressionOptions{})))
	app.Router.Get("/", func(r *Request) (Response, error) { return r.Respond().SetText("Hello, World!"), nil })
	benchServe(b, app, "GET / HTTP/1.1\r\nHost: localhost:8080\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n")
}

// BenchmarkServeDecompressedPost is a gzip-compressed 10 KiB JSON body
// read by the handler.
func BenchmarkServeDecompressedPost(b *testing.B) {
	var buf bytes.Buffer
	w := compress.NewWriter(compress.Gzip, &buf)
	w.Write(benchJSON)
	w.Close()
	w.Release()
	app := NewApplication()
	app.Router.Post("/", func(r *Request) (Response, error) {
		body, err := r.Bytes()
		if err != nil || len(body) != len(benchJSON) {
			b.Fatal(len(body), err)
		}
		return r.Respond(), nil
	})
	benchServe(b, app, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Encoding: gzip\r\nContent-Length: "+
		strconv.Itoa(buf.Len())+"\r\n\r\n"+buf.String())
}
