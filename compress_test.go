package aiohttp_test

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

// compressedApp serves a compressible JSON body and a compressed stream
// through web.CompressionMiddleware, and echoes the length and start of
// the request bodies it decodes.
func compressedApp(body []byte) func(app *web.Application) {
	return func(app *web.Application) {
		app.Use(web.CompressionMiddleware(web.CompressionOptions{}))
		app.Router.Get("/json", func(*web.Request) (web.Response, error) {
			return web.Bytes(body, web.WithContentType("application/json")), nil
		})
		app.Router.Get("/stream", func(req *web.Request) (web.Response, error) {
			resp := web.NewStreamResponse()
			resp.Header().Set("Content-Type", "text/plain")
			if err := resp.Prepare(req); err != nil {
				return nil, err
			}
			for i := range 50 {
				resp.WriteString("line " + strconv.Itoa(i) + "\n")
				if err := resp.Flush(); err != nil {
					return nil, err
				}
			}
			return resp, nil
		})
		app.Router.Post("/echo", func(req *web.Request) (web.Response, error) {
			b, err := req.Bytes()
			if err != nil {
				return nil, err
			}
			return web.Bytes(b, web.WithContentType("application/octet-stream")), nil
		})
	}
}

// TestClientDecodesOurServer reads every coding our server sends, the
// default Accept-Encoding included, bodies and streams alike.
func TestClientDecodesOurServer(t *testing.T) {
	body := []byte(strings.Repeat(`{"coding":"each one","n":12345},`, 400))
	s := newSession(t, aiohttp.SessionOptions{BaseURL: serveApp(t, compressedApp(body))})
	for _, coding := range []string{"", "gzip", "deflate", "br", "zstd"} {
		var opts []aiohttp.RequestOption
		want := "zstd" // the server's first choice among what the client sends by default
		if coding != "" {
			opts, want = append(opts, aiohttp.Header("Accept-Encoding", coding)), coding
		}
		resp, err := s.Get(testCtx(t), "/json", opts...)
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Header.Get("Content-Encoding"); got != want {
			t.Errorf("%q: Content-Encoding %q, want %q", coding, got, want)
		}
		if got := readBody(t, resp); got != string(body) {
			t.Errorf("%q: %d bytes decoded, want %d", coding, len(got), len(body))
		}

		resp, err = s.Get(testCtx(t), "/stream", opts...)
		if err != nil {
			t.Fatal(err)
		}
		var lines int
		for {
			line, err := resp.Content().ReadLine()
			if err == io.EOF && len(line) == 0 {
				break
			}
			if err != nil {
				t.Fatalf("%q stream: %v", coding, err)
			}
			if want := "line " + strconv.Itoa(lines) + "\n"; string(line) != want {
				t.Fatalf("%q stream: line %q, want %q", coding, line, want)
			}
			lines++
		}
		resp.Close()
		if lines != 50 || resp.Header.Get("Content-Encoding") != want {
			t.Errorf("%q stream: %d lines, Content-Encoding %q", coding, lines, resp.Header.Get("Content-Encoding"))
		}
	}
}

// TestClientCompressToOurServer sends compressed bodies our server
// decodes.
func TestClientCompressToOurServer(t *testing.T) {
	s := newSession(t, aiohttp.SessionOptions{BaseURL: serveApp(t, compressedApp(nil))})
	plain := bytes.Repeat([]byte("upload me, compressed "), 5000)
	for _, enc := range []string{"gzip", "deflate"} {
		resp, err := s.Post(testCtx(t), "/echo", aiohttp.Bytes(plain), aiohttp.Compress(enc))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Content())
		resp.Close()
		if err != nil || resp.Status != 200 || !bytes.Equal(got, plain) {
			t.Errorf("%s: %d, %d bytes back, %v", enc, resp.Status, len(got), err)
		}
	}
}
