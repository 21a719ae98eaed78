package web_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"

	"github.com/aiohttp-go/aiohttp/web"
)

// codings are the content codings the server compresses with.
var codings = []string{"gzip", "deflate", "br", "zstd"}

// decodeAs decodes body, compressed with coding, with the codings'
// libraries themselves.
func decodeAs(t testing.TB, coding string, body io.Reader) io.Reader {
	t.Helper()
	var r io.Reader
	var err error
	switch coding {
	case "gzip":
		r, err = gzip.NewReader(body)
	case "deflate":
		r, err = zlib.NewReader(body)
	case "br":
		r = brotli.NewReader(body)
	case "zstd":
		var d *zstd.Decoder
		d, err = zstd.NewReader(body, zstd.WithDecoderConcurrency(1))
		if d != nil {
			t.Cleanup(d.Close)
		}
		r = d
	case "":
		r = body
	default:
		t.Fatalf("unknown coding %q", coding)
	}
	if err != nil {
		t.Fatalf("%s: %v", coding, err)
	}
	return r
}

func decodeAll(t testing.TB, coding string, body []byte) []byte {
	t.Helper()
	b, err := io.ReadAll(decodeAs(t, coding, bytes.NewReader(body)))
	if err != nil {
		t.Fatalf("decoding %s: %v", coding, err)
	}
	return b
}

// encodeAs compresses data with coding ("deflate" is zlib, "raw deflate"
// is deflate without zlib's wrapping), with the codings' libraries.
func encodeAs(t testing.TB, coding string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "raw deflate":
		w, _ = flate.NewWriter(&buf, flate.DefaultCompression)
	case "br":
		w = brotli.NewWriter(&buf)
	case "zstd":
		w, _ = zstd.NewWriter(&buf)
	default:
		t.Fatalf("unknown coding %q", coding)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// jsonBody is a typical JSON answer of about 10 KiB.
var jsonBody = []byte("[" + strings.TrimSuffix(strings.Repeat(`{"id":12345,"name":"aiohttp-go","email":"user@example.com","active":true,"tags":["fast","safe"]},`, 110), ",") + "]")

func compressionApp(opts web.CompressionOptions) *web.Application {
	app := newApp(web.WithMiddlewares(web.CompressionMiddleware(opts)))
	app.Router.Get("/json", func(req *web.Request) (web.Response, error) {
		return web.Bytes(jsonBody, web.WithContentType("application/json")), nil
	})
	app.Router.Get("/text", func(req *web.Request) (web.Response, error) {
		return req.Respond().SetText(string(jsonBody)), nil
	})
	return app
}

func TestCompressResponseEachCoding(t *testing.T) {
	app := compressionApp(web.CompressionOptions{})
	for name, s := range map[string]*testServer{"engine": startApp(t, app, web.ServerOptions{}), "net/http": startBridged(t, app)} {
		for _, coding := range codings {
			for _, path := range []string{"/json", "/text"} {
				resp, body := s.get(path, "Accept-Encoding", coding)
				if got := resp.Header.Get("Content-Encoding"); got != coding {
					t.Fatalf("%s %s %s: Content-Encoding %q", name, coding, path, got)
				}
				if resp.Header.Get("Vary") != "Accept-Encoding" {
					t.Errorf("%s %s: Vary %q", name, coding, resp.Header.Values("Vary"))
				}
				if resp.ContentLength != int64(len(body)) || len(body) >= len(jsonBody)/4 {
					t.Errorf("%s %s: Content-Length %d, %d bytes for %d", name, coding, resp.ContentLength, len(body), len(jsonBody))
				}
				if got := decodeAll(t, coding, []byte(body)); !bytes.Equal(got, jsonBody) {
					t.Errorf("%s %s: decoded %d bytes", name, coding, len(got))
				}
			}
		}
	}
}

func TestCompressNegotiation(t *testing.T) {
	s := startApp(t, compressionApp(web.CompressionOptions{}), web.ServerOptions{})
	for _, tt := range []struct{ accept, want string }{
		{"", ""},
		{"gzip, deflate", "gzip"},
		{"gzip, deflate, br", "br"},
		{"gzip, deflate, br, zstd", "zstd"},
		{"br;q=0, gzip", "gzip"},
		{"zstd;q=0.5, br;q=0.5, gzip;q=0.9", "gzip"},
		{"gzip;q=0", ""},
		{"*", "zstd"},
		{"*;q=0", ""},
		{"*, zstd;q=0, br;q=0", "gzip"},
		{"identity", ""},
		{"gzip;q=0.2, identity;q=0.5", ""},
		{"compress, sdch", ""},
	} {
		c := s.dial(t)
		r := c.get("/json", "Accept-Encoding: "+tt.accept)
		if got := r.get("Content-Encoding"); got != tt.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tt.accept, got, tt.want)
		}
		if got := r.get("Vary"); got != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", tt.accept, got)
		}
		if got := decodeAll(t, tt.want, r.body); !bytes.Equal(got, jsonBody) {
			t.Errorf("Accept-Encoding %q: body of %d bytes", tt.accept, len(got))
		}
	}
	// A preference order of the application's own.
	s = startApp(t, compressionApp(web.CompressionOptions{Codings: []string{"gzip", "br"}}), web.ServerOptions{})
	if r := s.dial(t).get("/json", "Accept-Encoding: zstd, br, gzip"); r.get("Content-Encoding") != "gzip" {
		t.Errorf("Codings gzip, br: %q", r.get("Content-Encoding"))
	}
	if r := s.dial(t).get("/json", "Accept-Encoding: zstd"); r.get("Content-Encoding") != "" {
		t.Errorf("Codings gzip, br, client zstd only: %q", r.get("Content-Encoding"))
	}
}

func TestCompressSkips(t *testing.T) {
	app := compressionApp(web.CompressionOptions{})
	big := strings.Repeat("compressible ", 200)
	route := func(path string, h func(req *web.Request) web.Response) {
		app.Router.Any(path, func(req *web.Request) (web.Response, error) { return h(req), nil })
	}
	route("/small", func(*web.Request) web.Response { return web.Text("short") })
	route("/png", func(*web.Request) web.Response {
		return web.Bytes([]byte(big), web.WithContentType("image/png"))
	})
	route("/sse", func(*web.Request) web.Response {
		return web.Bytes([]byte(big), web.WithContentType("text/event-stream"))
	})
	route("/encoded", func(*web.Request) web.Response {
		return web.Text(big, web.WithHeader("Content-Encoding", "br"))
	})
	route("/nocontent", func(*web.Request) web.Response { return web.NewResponse(204) })
	route("/partial", func(*web.Request) web.Response {
		return web.Text(big, web.WithStatus(206), web.WithHeader("Content-Range", "bytes 0-2599/5000"))
	})
	route("/off", func(*web.Request) web.Response { return web.Text(big).DisableCompression() })
	route("/vary", func(*web.Request) web.Response { return web.Text(big, web.WithHeader("Vary", "Origin")) })
	route("/vary-ae", func(*web.Request) web.Response {
		return web.Text(big, web.WithHeader("Vary", "origin, accept-encoding"))
	})
	route("/incompressible", func(*web.Request) web.Response {
		b := make([]byte, 4096)
		for i := range b {
			b[i] = byte(i*7919 + i>>3*31 + i*i)
		}
		return web.Bytes(encodeAs(t, "gzip", b), web.WithContentType("text/plain"))
	})
	s := startApp(t, app, web.ServerOptions{})
	const ae = "Accept-Encoding: gzip, br"
	for _, tt := range []struct {
		method, path string
		coding       string
		vary         []string
	}{
		{"GET", "/small", "", nil},
		{"GET", "/png", "", nil},
		{"GET", "/sse", "", nil},
		{"GET", "/encoded", "br", nil},
		{"GET", "/nocontent", "", nil},
		{"GET", "/partial", "", nil},
		{"GET", "/off", "", nil},
		{"HEAD", "/json", "", nil},
		{"GET", "/vary", "br", []string{"Origin", "Accept-Encoding"}},
		{"GET", "/vary-ae", "br", []string{"origin, accept-encoding"}},
		{"GET", "/incompressible", "", []string{"Accept-Encoding"}}, // compressed, it would grow: sent as is
	} {
		c := s.dial(t)
		c.send(tt.method + " " + tt.path + " HTTP/1.1\r\nHost: test\r\n" + ae + "\r\n\r\n")
		r := c.readResponse(tt.method)
		if got := r.get("Content-Encoding"); got != tt.coding {
			t.Errorf("%s %s: Content-Encoding %q, want %q", tt.method, tt.path, got, tt.coding)
		}
		if got := r.values("Vary"); strings.Join(got, "|") != strings.Join(tt.vary, "|") {
			t.Errorf("%s %s: Vary %q, want %q", tt.method, tt.path, got, tt.vary)
		}
		if tt.method == "HEAD" && r.get("Content-Length") != strconv.Itoa(len(jsonBody)) {
			t.Errorf("HEAD: Content-Length %q", r.get("Content-Length"))
		}
	}
}

func TestCompressOptions(t *testing.T) {
	app := compressionApp(web.CompressionOptions{
		MinSize:      -1,
		Compressible: func(mt string) bool { return mt == "text/plain" },
	})
	app.Router.Get("/tiny", func(req *web.Request) (web.Response, error) { return web.Text("tiny"), nil })
	s := startApp(t, app, web.ServerOptions{})
	if r := s.dial(t).get("/tiny", "Accept-Encoding: zstd"); r.get("Vary") != "Accept-Encoding" || r.get("Content-Encoding") != "" {
		// Considered at any size, but sent as is since compressing 4 bytes grows them.
		t.Errorf("tiny: Vary %q, Content-Encoding %q", r.get("Vary"), r.get("Content-Encoding"))
	}
	if r := s.dial(t).get("/json", "Accept-Encoding: zstd"); r.get("Content-Encoding") != "" || r.get("Vary") != "" {
		t.Errorf("JSON not in Compressible: compressed %q, Vary %q", r.get("Content-Encoding"), r.get("Vary"))
	}
	if r := s.dial(t).get("/text", "Accept-Encoding: zstd"); r.get("Content-Encoding") != "zstd" {
		t.Errorf("text: Content-Encoding %q", r.get("Content-Encoding"))
	}
	defer func() {
		if recover() == nil {
			t.Error("an unknown coding did not panic")
		}
	}()
	web.CompressionMiddleware(web.CompressionOptions{Codings: []string{"lzma"}})
}

func TestEnableCompression(t *testing.T) {
	app := newApp() // no middleware
	app.Router.Get("/on", func(req *web.Request) (web.Response, error) {
		return web.Text(strings.Repeat("a", 100)).EnableCompression(), nil
	})
	app.Router.Get("/force", func(req *web.Request) (web.Response, error) {
		return web.Text(strings.Repeat("a", 100)).EnableCompression("gzip"), nil
	})
	app.Router.Get("/plain", func(req *web.Request) (web.Response, error) {
		return web.Text(strings.Repeat("a", 5000)), nil
	})
	app.Router.Get("/stream", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.Header().Set("Content-Type", "image/png") // not compressible, but asked for
		resp.EnableCompression("zstd")
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		resp.WriteString(strings.Repeat("b", 5000))
		return resp, nil
	})
	s := startApp(t, app, web.ServerOptions{})
	for _, tt := range []struct{ path, accept, coding, vary, body string }{
		{"/on", "br", "br", "Accept-Encoding", strings.Repeat("a", 100)},
		{"/on", "", "", "Accept-Encoding", strings.Repeat("a", 100)},
		{"/force", "br", "gzip", "", strings.Repeat("a", 100)},
		{"/plain", "br", "", "", strings.Repeat("a", 5000)},
		{"/stream", "", "zstd", "", strings.Repeat("b", 5000)},
	} {
		r := s.dial(t).get(tt.path, "Accept-Encoding: "+tt.accept)
		if r.get("Content-Encoding") != tt.coding || r.get("Vary") != tt.vary {
			t.Errorf("%s, %q: Content-Encoding %q, Vary %q", tt.path, tt.accept, r.get("Content-Encoding"), r.get("Vary"))
		}
		if got := decodeAll(t, tt.coding, r.body); string(got) != tt.body {
			t.Errorf("%s: body %q", tt.path, got)
		}
	}
}

func TestCompressStreamFlushes(t *testing.T) {
	release := make(chan struct{})
	app := compressionApp(web.CompressionOptions{})
	app.Router.Get("/events", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.Header().Set("Content-Type", "application/x-ndjson")
		resp.SetContentLength(1 << 20) // dropped: the compressed length is unknown
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		if _, err := resp.WriteString(`{"event":1}` + "\n"); err != nil {
			return nil, err
		}
		if err := resp.Flush(); err != nil {
			return nil, err
		}
		<-release
		for i := 2; i <= 100; i++ {
			resp.WriteString(`{"event":` + strconv.Itoa(i) + "}\n")
		}
		return resp, nil
	})
	for name, s := range map[string]*testServer{"engine": startApp(t, app, web.ServerOptions{}), "net/http": startBridged(t, app)} {
		for _, coding := range codings {
			req, _ := http.NewRequest("GET", s.url+"/events", nil)
			req.Header.Set("Accept-Encoding", coding)
			resp, err := s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Header.Get("Content-Encoding") != coding || resp.ContentLength != -1 {
				t.Fatalf("%s %s: Content-Encoding %q, Content-Length %d", name, coding, resp.Header.Get("Content-Encoding"), resp.ContentLength)
			}
			// The first event arrives decoded while the handler still waits.
			lines := bufio.NewReader(decodeAs(t, coding, resp.Body))
			first := make(chan string, 1)
			go func() {
				line, _ := lines.ReadString('\n')
				first <- line
			}()
			select {
			case line := <-first:
				if line != `{"event":1}`+"\n" {
					t.Errorf("%s %s: first line %q", name, coding, line)
				}
			case <-time.After(ioTimeout):
				t.Fatalf("%s %s: the flushed event did not arrive", name, coding)
			}
			release <- struct{}{}
			rest, err := io.ReadAll(lines)
			if err != nil || strings.Count(string(rest), "\n") != 99 || !strings.HasSuffix(string(rest), `{"event":100}`+"\n") {
				t.Errorf("%s %s: rest %d bytes, %v", name, coding, len(rest), err)
			}
			resp.Body.Close()
		}
	}
}

// sizeApp answers a POST with the length and SHA-256 of the body as the
// handler reads it, through the accessor the path names.
func sizeApp(opts ...web.AppOption) *web.Application {
	app := newApp(opts...)
	answer := func(b []byte, err error) (web.Response, error) {
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		return web.Text(strconv.Itoa(len(b)) + " " + hex.EncodeToString(sum[:])), nil
	}
	app.Router.Post("/bytes", func(req *web.Request) (web.Response, error) { return answer(req.Bytes()) })
	app.Router.Post("/stream", func(req *web.Request) (web.Response, error) { return answer(io.ReadAll(req.Body())) })
	app.Router.Post("/form", func(req *web.Request) (web.Response, error) {
		form, err := req.Post()
		if err != nil {
			return nil, err
		}
		return web.Text(form.Get("name")), nil
	})
	app.Router.Post("/json", func(req *web.Request) (web.Response, error) {
		var v []map[string]any
		if err := req.JSON(&v); err != nil {
			return nil, err
		}
		return web.Text(strconv.Itoa(len(v))), nil
	})
	return app
}

func sizeLine(b []byte) string {
	sum := sha256.Sum256(b)
	return strconv.Itoa(len(b)) + " " + hex.EncodeToString(sum[:])
}

func TestRequestDecompress(t *testing.T) {
	app := sizeApp()
	plain := bytes.Repeat(jsonBody, 20) // 200 KiB
	for name, s := range map[string]*testServer{"engine": startApp(t, app, web.ServerOptions{}), "net/http": startBridged(t, app)} {
		for _, tt := range []struct{ header, layers string }{
			{"gzip", "gzip"},
			{"x-gzip", "gzip"},
			{"deflate", "deflate"},
			{"deflate", "raw deflate"},
			{"br", "br"},
			{"ZSTD", "zstd"},
			{"gzip, br", "gzip+br"},
			{"identity", ""},
		} {
			body := plain
			for _, layer := range strings.Split(tt.layers, "+") {
				if layer != "" {
					body = encodeAs(t, layer, body)
				}
			}
			for _, path := range []string{"/bytes", "/stream"} {
				resp, got := s.do("POST", path, bytes.NewReader(body), "Content-Encoding", tt.header)
				if resp.StatusCode != 200 || got != sizeLine(plain) {
					t.Errorf("%s %s %s: %d %q", name, tt.header, path, resp.StatusCode, got)
				}
			}
		}
		// Post and JSON read the decoded body too.
		resp, got := s.do("POST", "/form", bytes.NewReader(encodeAs(t, "gzip", []byte("name=%E4%BD%A0%E5%A5%BD&x=1"))),
			"Content-Encoding", "gzip", "Content-Type", "application/x-www-form-urlencoded")
		if resp.StatusCode != 200 || got != "你好" {
			t.Errorf("%s form: %d %q", name, resp.StatusCode, got)
		}
		var mp bytes.Buffer
		mw := multipart.NewWriter(&mp)
		mw.WriteField("name", "multipart, gzipped")
		mw.Close()
		resp, got = s.do("POST", "/form", bytes.NewReader(encodeAs(t, "gzip", mp.Bytes())),
			"Content-Encoding", "gzip", "Content-Type", mw.FormDataContentType())
		if resp.StatusCode != 200 || got != "multipart, gzipped" {
			t.Errorf("%s multipart form: %d %q", name, resp.StatusCode, got)
		}
		resp, got = s.do("POST", "/json", bytes.NewReader(encodeAs(t, "zstd", jsonBody)), "Content-Encoding", "zstd")
		if resp.StatusCode != 200 || got != "110" {
			t.Errorf("%s JSON: %d %q", name, resp.StatusCode, got)
		}
		// Unknown codings, and bodies that do not decode.
		for _, tt := range []struct {
			header string
			body   []byte
			status int
		}{
			{"compress", []byte("whatever"), 415},
			{"gzip, aes128gcm", []byte("whatever"), 415},
			{"gzip, gzip, gzip, gzip, gzip", []byte("whatever"), 415},
			{"gzip", []byte("not gzip at all"), 400},
			{"br", encodeAs(t, "br", plain)[:100], 400},
			{"zstd", []byte("definitely not zstd"), 400},
		} {
			for _, path := range []string{"/bytes", "/stream"} {
				resp, got := s.do("POST", path, bytes.NewReader(tt.body), "Content-Encoding", tt.header)
				if resp.StatusCode != tt.status {
					t.Errorf("%s %q %s: %d %q, want %d", name, tt.header, path, resp.StatusCode, got, tt.status)
				}
			}
		}
	}
}

func TestRequestDecompressBomb(t *testing.T) {
	const limit = 64 << 10
	app := sizeApp(web.WithClientMaxSize(limit))
	zeros := make([]byte, 8<<20)
	s := startApp(t, app, web.ServerOptions{})
	for _, coding := range []string{"gzip", "deflate", "raw deflate", "br", "zstd"} {
		header := strings.TrimPrefix(coding, "raw ")
		bomb := encodeAs(t, coding, zeros)
		for _, path := range []string{"/bytes", "/stream"} {
			resp, got := s.do("POST", path, bytes.NewReader(bomb), "Content-Encoding", header)
			if resp.StatusCode != 413 || !strings.Contains(got, "Maximum request body size 65536 exceeded") {
				t.Errorf("%s %s: %d %q", coding, path, resp.StatusCode, got)
			}
		}
		// Exactly the limit is fine.
		resp, got := s.do("POST", "/bytes", bytes.NewReader(encodeAs(t, coding, zeros[:limit])), "Content-Encoding", header)
		if resp.StatusCode != 200 || got != sizeLine(zeros[:limit]) {
			t.Errorf("%s at the limit: %d %q", coding, resp.StatusCode, got)
		}
	}
	// A bomb that never ends is cut off at the limit: the server answers
	// 413 while the client is still sending. (After a real bomb's first
	// megabytes come bytes the server only drops, never decodes: what
	// follows may as well be cheap to send.)
	c := s.dial(t)
	c.send("POST /stream HTTP/1.1\r\nHost: test\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n")
	sending := make(chan struct{})
	bomb := encodeAs(t, "gzip", zeros)
	go func() {
		defer close(sending)
		cw := &chunkWriter{w: c.nc}
		if _, err := cw.Write(bomb); err != nil {
			return
		}
		junk := bytes.Repeat([]byte("x"), 64<<10)
		for {
			if _, err := cw.Write(junk); err != nil {
				return
			}
		}
	}()
	if r := c.readResponse("POST"); r.status != 413 || r.get("Connection") != "close" {
		t.Errorf("endless bomb: %d, Connection %q", r.status, r.get("Connection"))
	}
	c.nc.Close()
	<-sending
}

// chunkWriter writes each Write as one HTTP chunk.
type chunkWriter struct{ w io.Writer }

func (c *chunkWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, strconv.FormatInt(int64(len(p)), 16)+"\r\n"+string(p)+"\r\n"); err != nil {
		return 0, err
	}
	return len(p), nil
}

func TestCompressible(t *testing.T) {
	for _, mt := range []string{"text/html", "text/plain", "text/css", "text/csv", "application/json", "application/problem+json",
		"application/javascript", "application/xml", "image/svg+xml", "application/wasm", "application/atom+xml", "font/ttf"} {
		if !web.Compressible(mt) {
			t.Errorf("%s not compressible", mt)
		}
	}
	for _, mt := range []string{"text/event-stream", "image/png", "image/jpeg", "image/webp", "video/mp4", "audio/mpeg",
		"application/zip", "application/gzip", "application/octet-stream", "font/woff2", "application/pdf"} {
		if web.Compressible(mt) {
			t.Errorf("%s compressible", mt)
		}
	}
}
