package interop

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/web"
)

// serveStaticFile serves a directory holding name (with content, and a
// real gzip sibling name.gz) under /static/ and returns the file's URL.
func serveStaticFile(t *testing.T, name string, content []byte) (dir, fileURL string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(content)
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, name+".gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	app := web.NewApplication()
	app.Router.Static("/static", dir, web.StaticOptions{})
	return dir, serveApp(t, app).URL + "/static/" + name
}

// readHeadFile parses the response head curl wrote with -D.
func readHeadFile(t *testing.T, path string) *http.Response {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
	if err != nil {
		t.Fatalf("curl's head %q: %v", b, err)
	}
	return resp
}

// TestCurlRanges: curl -r with one range, a suffix, an open range and
// several ranges (multipart/byteranges), and curl -C - resuming a
// download, against a static file large enough for sendfile.
func TestCurlRanges(t *testing.T) {
	needCurl(t)
	content := payload(300 << 10)
	_, u := serveStaticFile(t, "data.bin", content)

	for rng, want := range map[string][]byte{
		"0-99":        content[:100],
		"1000-200999": content[1000:201000],
		"-500":        content[len(content)-500:],
		"307000-":     content[307000:],
	} {
		r := curlOne(t, nil, "GET", "-r", rng, u)
		if r.StatusCode != 206 || r.body != string(want) {
			t.Errorf("curl -r %s: %d, %d bytes, want 206 and %d", rng, r.StatusCode, len(r.body), len(want))
		}
	}
	if r := curlOne(t, nil, "GET", "-r", "400000-", u); r.StatusCode != 416 || r.Header.Get("Content-Range") != "bytes */307200" {
		t.Errorf("curl -r past the end: %d Content-Range %q", r.StatusCode, r.Header.Get("Content-Range"))
	}

	r := curlOne(t, nil, "GET", "-r", "0-9,100000-199999,-10", u)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.StatusCode != 206 || mt != "multipart/byteranges" {
		t.Fatalf("curl -r with three ranges: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(strings.NewReader(r.body), params["boundary"])
	for i, want := range [][]byte{content[:10], content[100000:200000], content[len(content)-10:]} {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if got, _ := io.ReadAll(p); !bytes.Equal(got, want) {
			t.Errorf("part %d (%s): %d bytes differ", i, p.Header.Get("Content-Range"), len(got))
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("after three parts: %v", err)
	}

	// curl -C - asks for the rest of a partial download.
	partial := filepath.Join(t.TempDir(), "partial")
	os.WriteFile(partial, content[:12345], 0o644)
	runCurl(t, nil, "-C", "-", "-o", partial, u)
	if got, _ := os.ReadFile(partial); !bytes.Equal(got, content) {
		t.Errorf("curl -C -: %d bytes, want the %d of the file", len(got), len(content))
	}
}

// TestCurlCompressedAndConditional: curl --compressed gets the gzip
// sibling and decodes it to the file; If-None-Match and -z (If-Modified-
// Since) give 304.
func TestCurlCompressedAndConditional(t *testing.T) {
	needCurl(t)
	content := []byte(strings.Repeat("static text that compresses well\n", 2000))
	dir, u := serveStaticFile(t, "page.txt", content)
	tmp := t.TempDir()
	head, body := filepath.Join(tmp, "head"), filepath.Join(tmp, "body")

	runCurl(t, nil, "--compressed", "-D", head, "-o", body, u)
	resp := readHeadFile(t, head)
	gz, _ := os.ReadFile(filepath.Join(dir, "page.txt.gz"))
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" || resp.ContentLength != int64(len(gz)) {
		t.Errorf("--compressed: Content-Encoding %q, Vary %q, Content-Length %d (the .gz has %d)", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"), resp.ContentLength, len(gz))
	}
	if got, _ := os.ReadFile(body); !bytes.Equal(got, content) {
		t.Errorf("--compressed: curl decoded %d bytes, want %d", len(got), len(content))
	}

	r := curlOne(t, nil, "GET", u)
	if r.StatusCode != 200 || r.Header.Get("Content-Encoding") != "" || r.body != string(content) {
		t.Errorf("without --compressed: %d Content-Encoding %q", r.StatusCode, r.Header.Get("Content-Encoding"))
	}
	etag := r.Header.Get("ETag")
	if r := curlOne(t, nil, "GET", "-H", "If-None-Match: "+etag, u); r.StatusCode != 304 || r.body != "" {
		t.Errorf("If-None-Match: %d %q", r.StatusCode, r.body)
	}
	if r := curlOne(t, nil, "GET", "-H", `If-None-Match: "stale"`, u); r.StatusCode != 200 {
		t.Errorf("If-None-Match with another tag: %d", r.StatusCode)
	}
	if r := curlOne(t, nil, "GET", "-z", r.Header.Get("Last-Modified"), u); r.StatusCode != 304 {
		t.Errorf("curl -z: %d", r.StatusCode)
	}
	if r := curlOne(t, nil, "GET", "-r", "0-5", "-H", "If-Range: "+etag, u); r.StatusCode != 206 || r.body != "static" {
		t.Errorf("If-Range: %d %q", r.StatusCode, r.body)
	}
}
