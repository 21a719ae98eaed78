package interop

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/web"
)

// compressLines is what the compression routes answer: "line 0\n" to
// "line 1999\n", 20 KiB of compressible text.
var compressLines = func() string {
	var b strings.Builder
	for i := range 2000 {
		b.WriteString("line " + strconv.Itoa(i) + "\n")
	}
	return b.String()
}()

// startCompressServer serves the demo application (which compresses),
// with addTestRoutes and GET /compress/text and /compress/stream.
func startCompressServer(t *testing.T) *server {
	app := demo.NewApp()
	addTestRoutes(app)
	app.Router.Get("/compress/text", func(*web.Request) (web.Response, error) {
		return web.Text(compressLines), nil
	})
	app.Router.Get("/compress/stream", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		lines := strings.SplitAfter(compressLines, "\n")
		for i, line := range lines {
			if _, err := resp.WriteString(line); err != nil {
				return nil, err
			}
			if i%100 == 99 {
				if err := resp.Flush(); err != nil {
					return nil, err
				}
			}
		}
		return resp, nil
	})
	return serveApp(t, app)
}

// TestCurlCompressed: curl --compressed decodes what the server sends in
// every coding curl knows, asked one at a time and by curl's own
// Accept-Encoding.
func TestCurlCompressed(t *testing.T) {
	srv := startCompressServer(t)
	dir := t.TempDir()
	for _, tt := range []struct{ accept, want string }{
		{"gzip", "gzip"},
		{"deflate", "deflate"},
		{"br", "br"},
		{"zstd", "zstd"},
		{"", "zstd"}, // curl's own: deflate, gzip, br, zstd
	} {
		for _, path := range []string{"/compress/text", "/compress/stream"} {
			headers := filepath.Join(dir, "headers")
			args := []string{"--compressed", "--dump-header", headers, srv.URL + path}
			if tt.accept != "" {
				args = append([]string{"-H", "Accept-Encoding: " + tt.accept}, args...)
			}
			body, _ := runCurl(t, nil, args...)
			head, err := os.ReadFile(headers)
			if err != nil {
				t.Fatal(err)
			}
			lower := strings.ToLower(string(head))
			if !strings.Contains(lower, "\ncontent-encoding: "+tt.want+"\r\n") || !strings.Contains(lower, "\nvary: accept-encoding\r\n") {
				t.Errorf("Accept-Encoding %q, %s: head\n%s", tt.accept, path, head)
			}
			if body != compressLines {
				t.Errorf("Accept-Encoding %q, %s: curl decoded %d bytes, want %d", tt.accept, path, len(body), len(compressLines))
			}
		}
	}
}

// TestPythonAiohttpCompression: Python aiohttp's client decodes our
// compressed responses and streams, and our server decodes the bodies it
// compresses (compress=True and compress="gzip").
func TestPythonAiohttpCompression(t *testing.T) {
	python := needPython(t)
	srv := startCompressServer(t)
	checks := []string{"decompress", "stream", "upload"}
	args := append([]string{"-X", "dev", "testdata/aiohttp_compress.py", srv.URL}, checks...)
	stdout, stderr, err := runPeer(t, nil, python, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s\nstdout:\n%s", python, strings.Join(args, " "), err, stderr, stdout)
	}
	passed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r pythonResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("script printed %q: %v", line, err)
		}
		passed[r.Check] = r.OK
		t.Log(line)
	}
	for _, c := range checks {
		if !passed[c] {
			t.Errorf("check %s did not pass", c)
		}
	}
}
