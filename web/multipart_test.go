package web_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	stdmultipart "mime/multipart"
	"os"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/multipart"
	"github.com/aiohttp-go/aiohttp/web"
)

// uploadApp answers /post with the fields and files Post and Files read,
// /stream with the parts Multipart streams, and /large as /post with a
// 4 MiB limit. The files' temporary paths go to spooled.
func uploadApp(spooled chan<- string) *web.Application {
	app := web.NewApplication()
	post := func(req *web.Request) (web.Response, error) {
		fields, err := req.Post()
		if err != nil {
			return nil, err
		}
		files, err := req.Files()
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		for k, v := range fields.All() {
			fmt.Fprintf(&b, "field %s=%s\n", k, v)
		}
		for _, f := range files {
			r, err := f.Open()
			if err != nil {
				return nil, err
			}
			h := sha256.New()
			n, _ := io.Copy(h, r)
			if of, ok := r.(*os.File); ok {
				spooled <- of.Name()
			}
			r.Close()
			fmt.Fprintf(&b, "file %s %q %s %d/%d %x\n", f.Name, f.Filename, f.ContentType, f.Size, n, h.Sum(nil)[:4])
		}
		return web.Text(b.String()), nil
	}
	app.Router.Post("/post", post)
	app.Router.Post("/large", func(req *web.Request) (web.Response, error) {
		req.SetClientMaxSize(4 << 20)
		return post(req)
	})
	app.Router.Post("/stream", func(req *web.Request) (web.Response, error) {
		mr, err := req.Multipart()
		if err != nil {
			return nil, err
		}
		defer mr.Close()
		var b strings.Builder
		for p, err := range mr.Parts() {
			if err != nil {
				return nil, err
			}
			n, err := io.Copy(io.Discard, p)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "%s %q %d\n", p.Name(), p.Filename(), n)
		}
		return web.Text(b.String()), nil
	})
	return app
}

func formBody(t *testing.T, fileSize int) (body []byte, contentType string) {
	w := multipart.NewWriter("form-data")
	w.AddField("user", "小明")
	w.AddField("user", "second")
	w.AppendBytes(multidict.NewCI(multidict.Item{Key: "Content-Disposition", Value: `form-data; name="raw"`}), []byte{0xff, 0})
	w.AddFile("doc", "报告 v1.txt", "text/plain", bytes.NewReader(bytes.Repeat([]byte("x"), 10)))
	w.AddFile("big", "big.bin", "", bytes.NewReader(bytes.Repeat([]byte("0123456789abcdef"), fileSize/16)))
	body, err := io.ReadAll(w)
	if err != nil {
		t.Fatal(err)
	}
	return body, w.ContentType()
}

func TestRequestPostMultipart(t *testing.T) {
	spooled := make(chan string, 10)
	s := startApp(t, uploadApp(spooled), web.ServerOptions{})
	small, ct := formBody(t, 1<<10)
	resp, got := s.do("POST", "/post", bytes.NewReader(small), "Content-Type", ct)
	want := "field user=小明\nfield user=second\nfield raw=\xff\x00\n" +
		"file doc \"报告 v1.txt\" text/plain 10/10 " + short("xxxxxxxxxx") + "\n" +
		"file big \"big.bin\" application/octet-stream 1024/1024 " + short(strings.Repeat("0123456789abcdef", 64)) + "\n"
	if resp.StatusCode != 200 || got != want {
		t.Errorf("small: %d\n%s\nwant\n%s", resp.StatusCode, got, want)
	}
	select {
	case p := <-spooled:
		t.Errorf("a small file was spooled to %s", p)
	default:
	}

	// Past MaxMemory the file goes to a temporary file, removed once the
	// request is done; over the default 1 MiB limit the route raised.
	large, ct := formBody(t, 3<<20)
	resp, got = s.do("POST", "/large", bytes.NewReader(large), "Content-Type", ct)
	if resp.StatusCode != 200 || !strings.Contains(got, "file big \"big.bin\" application/octet-stream 3145728/3145728") {
		t.Errorf("large: %d %s", resp.StatusCode, got)
	}
	path := <-spooled
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("temporary file %s still there: %v", path, err)
	}
	resp, got = s.do("POST", "/post", bytes.NewReader(large), "Content-Type", ct)
	if resp.StatusCode != 413 || !strings.HasPrefix(got, "Maximum request body size 1048576 exceeded") {
		t.Errorf("over the app's limit: %d %q", resp.StatusCode, got)
	}
	// Chunked: no Content-Length to refuse up front.
	resp, got = s.do("POST", "/post", io.MultiReader(bytes.NewReader(large)), "Content-Type", ct)
	if resp.StatusCode != 413 {
		t.Errorf("chunked over the app's limit: %d %q", resp.StatusCode, got)
	}
}

func TestRequestMultipartStream(t *testing.T) {
	s := startApp(t, uploadApp(nil), web.ServerOptions{})
	body, ct := formBody(t, 2<<20)
	// Streaming is bounded by the client max size too.
	resp, got := s.do("POST", "/stream", io.MultiReader(bytes.NewReader(body[:1<<20-100]), strings.NewReader("")), "Content-Type", ct)
	if resp.StatusCode != 400 || !strings.Contains(got, "unexpected EOF") {
		t.Errorf("truncated: %d %q", resp.StatusCode, got)
	}
	small, ct := formBody(t, 64)
	resp, got = s.do("POST", "/stream", bytes.NewReader(small), "Content-Type", ct)
	if want := "user \"\" 6\nuser \"\" 6\nraw \"\" 2\ndoc \"报告 v1.txt\" 10\nbig \"big.bin\" 64\n"; resp.StatusCode != 200 || got != want {
		t.Errorf("stream: %d %q, want %q", resp.StatusCode, got, want)
	}
}

func TestRequestMultipartErrors(t *testing.T) {
	s := startApp(t, uploadApp(nil), web.ServerOptions{})
	many := multipart.NewWriter("form-data")
	for range 1001 {
		many.AddField("f", "")
	}
	manyBody, _ := io.ReadAll(many)
	for _, c := range []struct {
		name, path, ct, body string
		status               int
	}{
		{"no boundary", "/post", "multipart/form-data", "x", 400},
		{"no boundary stream", "/stream", "multipart/form-data", "x", 400},
		{"not multipart", "/stream", "text/plain", "x", 400},
		{"garbage", "/post", "multipart/form-data; boundary=b", "garbage", 400},
		{"truncated", "/post", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nvalue", 400},
		{"bad header", "/stream", "multipart/form-data; boundary=b", "--b\r\nno colon\r\n\r\n\r\n--b--", 400},
		{"header too large", "/post", "multipart/form-data; boundary=b", "--b\r\nX: " + strings.Repeat("h", 20<<10) + "\r\n\r\n\r\n--b--", 413},
		{"too many parts", "/stream", many.ContentType(), string(manyBody), 413},
	} {
		resp, got := s.do("POST", c.path, strings.NewReader(c.body), "Content-Type", c.ct)
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d %q, want %d", c.name, resp.StatusCode, got, c.status)
		}
	}
}

// The net/http bridge removes spooled files too, and mime/multipart's
// writer is understood.
func TestRequestPostMultipartBridged(t *testing.T) {
	spooled := make(chan string, 10)
	s := startBridged(t, uploadApp(spooled))
	var b bytes.Buffer
	w := stdmultipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("f", "a.bin")
	fw.Write(bytes.Repeat([]byte{1}, 2<<20))
	w.Close()
	resp, got := s.do("POST", "/large", &b, "Content-Type", w.FormDataContentType())
	if resp.StatusCode != 200 || !strings.Contains(got, `file f "a.bin" application/octet-stream 2097152/2097152`) {
		t.Errorf("%d %q", resp.StatusCode, got)
	}
	path := <-spooled
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("temporary file %s still there: %v", path, err)
	}
}

func short(s string) string {
	h := sha256.Sum256([]byte(s))
	return fmt.Sprintf("%x", h[:4])
}
