package aiohttp_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/multipart"
	"github.com/aiohttp-go/aiohttp/web"
)

// uploadEcho answers with how the body came (length or chunked), its
// fields and its files' names, types, sizes and digests.
func uploadEcho(app *web.Application) {
	app.Router.Post("/upload", func(req *web.Request) (web.Response, error) {
		req.SetClientMaxSize(-1)
		fields, err := req.Post()
		if err != nil {
			return nil, err
		}
		files, err := req.Files()
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %d %s\n", req.ContentType(), req.ContentLength(), req.Header().Get("Transfer-Encoding"))
		for k, v := range fields.All() {
			fmt.Fprintf(&b, "%s=%s\n", k, v)
		}
		for _, f := range files {
			r, err := f.Open()
			if err != nil {
				return nil, err
			}
			h := sha256.New()
			io.Copy(h, r)
			r.Close()
			fmt.Fprintf(&b, "%s %s %s %d %x\n", f.Name, f.Filename, f.ContentType, f.Size, h.Sum(nil)[:4])
		}
		return web.Text(b.String()), nil
	})
}

func TestFormDataUpload(t *testing.T) {
	s := newSession(t, aiohttp.SessionOptions{BaseURL: serveApp(t, uploadEcho)})
	content := bytes.Repeat([]byte("report data "), 300<<10/12)
	path := filepath.Join(t.TempDir(), "report.xls")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	var form multipart.FormData
	form.AddField("user", "alice")
	form.AddFile("file", "report.xls", "application/vnd.ms-excel", f)
	var last, total int64
	resp, err := s.Post(testCtx(t), "/upload", aiohttp.FormData(&form),
		aiohttp.UploadProgress(func(n, of int64) { last, total = n, of }))
	if err != nil {
		t.Fatal(err)
	}
	got := readBody(t, resp)
	first, _, _ := strings.Cut(got, "\n")
	if !strings.HasPrefix(first, "multipart/form-data ") || strings.HasSuffix(first, "chunked") || strings.Contains(first, " -1 ") {
		t.Errorf("not sent with a Content-Length: %q", first)
	}
	want := fmt.Sprintf("user=alice\nfile report.xls application/vnd.ms-excel %d %x\n", len(content), sum[:4])
	if !strings.HasSuffix(got, want) {
		t.Errorf("got %q, want it to end with %q", got, want)
	}
	if last != total || total <= int64(len(content)) {
		t.Errorf("progress ended at %d of %d", last, total)
	}

	// A reader of unknown length goes chunked.
	form = multipart.FormData{}
	form.AddFile("stream", "s.txt", "", io.MultiReader(strings.NewReader("streamed")))
	resp, err = s.Post(testCtx(t), "/upload", aiohttp.FormData(&form))
	if err != nil {
		t.Fatal(err)
	}
	got = readBody(t, resp)
	if !strings.Contains(got, " -1 chunked\n") || !strings.Contains(got, "stream s.txt text/plain; charset=utf-8 8 ") {
		t.Errorf("chunked: %q", got)
	}

	// Text fields only: urlencoded.
	form = multipart.FormData{}
	form.AddField("a", "1")
	resp, err = s.Post(testCtx(t), "/upload", aiohttp.FormData(&form))
	if err != nil {
		t.Fatal(err)
	}
	if got := readBody(t, resp); got != "application/x-www-form-urlencoded 3 \na=1\n" {
		t.Errorf("urlencoded: %q", got)
	}
}

func TestMultipartWriterBody(t *testing.T) {
	s := newSession(t, aiohttp.SessionOptions{BaseURL: serveApp(t, uploadEcho)})
	path := filepath.Join(t.TempDir(), "data.json")
	os.WriteFile(path, []byte(`{"k":1}`), 0o600)
	w := multipart.NewWriter("form-data")
	w.AddField("x", "y")
	if err := w.AppendFile(nil, path); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	resp, err := s.Post(testCtx(t), "/upload", aiohttp.Multipart(w))
	if err != nil {
		t.Fatal(err)
	}
	got := readBody(t, resp)
	if !strings.Contains(got, fmt.Sprintf(" %d \n", w.Size())) || !strings.Contains(got, "x=y\n") || !strings.Contains(got, "data.json data.json application/json 7 ") {
		t.Errorf("got %q", got)
	}
}
