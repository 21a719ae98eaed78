package web_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/aiohttp-go/aiohttp/web"
)

// fileFixture writes files into a temporary directory and serves each
// with a FileResponse at "/f/{name}".
type fileFixture struct {
	dir string
	s   *testServer
}

// newFileFixture serves the files of a temporary directory, holding
// files (name → content), on the engine, or under net/http when bridged.
func newFileFixture(t *testing.T, files map[string]string, bridged bool) *fileFixture {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	app := newApp()
	app.Router.Get("/f/{name:.+}", func(req *web.Request) (web.Response, error) {
		return web.NewFileResponse(filepath.Join(dir, req.MatchInfo().Get("name"))), nil
	})
	fx := &fileFixture{dir: dir}
	if bridged {
		fx.s = startBridged(t, app)
	} else {
		fx.s = startApp(t, app, web.ServerOptions{})
	}
	return fx
}

// etag returns the ETag aiohttp gives the file name.
func (fx *fileFixture) etag(t *testing.T, name string) string {
	t.Helper()
	fi, err := os.Stat(filepath.Join(fx.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`"%x-%x"`, fi.ModTime().UnixNano(), fi.Size())
}

const digits = "0123456789abcdefghijklmnopqrstuvwxyz" // 36 bytes

func TestFileResponseWhole(t *testing.T) {
	fx := newFileFixture(t, map[string]string{"a.html": "<p>hi</p>", "data.bin": digits, "noext": "x"}, false)
	resp, body := fx.s.get("/f/a.html")
	if resp.StatusCode != 200 || body != "<p>hi</p>" {
		t.Fatalf("GET: %d %q", resp.StatusCode, body)
	}
	for name, want := range map[string]string{
		"Content-Type":   "text/html; charset=utf-8",
		"Content-Length": "9",
		"Accept-Ranges":  "bytes",
		"ETag":           fx.etag(t, "a.html"),
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	fi, _ := os.Stat(filepath.Join(fx.dir, "a.html"))
	if got := resp.Header.Get("Last-Modified"); got != fi.ModTime().UTC().Format(http.TimeFormat) {
		t.Errorf("Last-Modified = %q", got)
	}
	for name, ct := range map[string]string{"data.bin": "application/octet-stream", "noext": "application/octet-stream"} {
		if resp, _ := fx.s.get("/f/" + name); resp.Header.Get("Content-Type") != ct {
			t.Errorf("%s: Content-Type %q, want %q", name, resp.Header.Get("Content-Type"), ct)
		}
	}

	resp, body = fx.s.do("HEAD", "/f/data.bin", nil)
	if resp.StatusCode != 200 || body != "" || resp.ContentLength != int64(len(digits)) {
		t.Errorf("HEAD: %d %q length %d", resp.StatusCode, body, resp.ContentLength)
	}
	resp, _ = fx.s.get("/f/missing")
	if resp.StatusCode != 404 {
		t.Errorf("missing file: %d, want 404", resp.StatusCode)
	}
	os.Mkdir(filepath.Join(fx.dir, "sub"), 0o755)
	if resp, _ = fx.s.get("/f/sub"); resp.StatusCode != 403 {
		t.Errorf("directory: %d, want 403", resp.StatusCode)
	}
	if os.Geteuid() != 0 {
		os.WriteFile(filepath.Join(fx.dir, "secret"), []byte("s"), 0o000)
		if resp, _ = fx.s.get("/f/secret"); resp.StatusCode != 403 {
			t.Errorf("unreadable file: %d, want 403", resp.StatusCode)
		}
	}
}

func TestFileResponseConditional(t *testing.T) {
	fx := newFileFixture(t, map[string]string{"a.txt": digits}, false)
	etag := fx.etag(t, "a.txt")
	fi, _ := os.Stat(filepath.Join(fx.dir, "a.txt"))
	date := func(d time.Duration) string { return fi.ModTime().Add(d).UTC().Format(http.TimeFormat) }
	tests := []struct {
		header []string
		status int
	}{
		{[]string{"If-None-Match", etag}, 304},
		{[]string{"If-None-Match", "W/" + etag}, 304},
		{[]string{"If-None-Match", `"other", ` + etag}, 304},
		{[]string{"If-None-Match", "*"}, 304},
		{[]string{"If-None-Match", `"other"`}, 200},
		{[]string{"If-Modified-Since", date(0)}, 304},
		{[]string{"If-Modified-Since", date(time.Hour)}, 304},
		{[]string{"If-Modified-Since", date(-time.Hour)}, 200},
		{[]string{"If-None-Match", `"other"`, "If-Modified-Since", date(time.Hour)}, 200}, // If-None-Match wins
		{[]string{"If-Match", etag}, 200},
		{[]string{"If-Match", "*"}, 200},
		{[]string{"If-Match", `"other"`}, 412},
		{[]string{"If-Match", "W/" + etag}, 412}, // strong comparison
		{[]string{"If-Unmodified-Since", date(time.Hour)}, 200},
		{[]string{"If-Unmodified-Since", date(-time.Hour)}, 412},
		{[]string{"If-Match", etag, "If-Unmodified-Since", date(-time.Hour)}, 200}, // If-Match wins
		{[]string{"If-Modified-Since", "not a date"}, 200},
	}
	// If-None-Match on another method fails instead of 304 (RFC 9110
	// section 13.1.2); If-Modified-Since only applies to GET and HEAD.
	app := newApp()
	app.Router.Any("/any", func(req *web.Request) (web.Response, error) {
		return web.NewFileResponse(filepath.Join(fx.dir, "a.txt")), nil
	})
	as := startApp(t, app, web.ServerOptions{})
	if resp, _ := as.do("PUT", "/any", nil, "If-None-Match", etag); resp.StatusCode != 412 {
		t.Errorf("PUT with a matching If-None-Match: %d, want 412", resp.StatusCode)
	}
	if resp, _ := as.do("POST", "/any", nil, "If-Modified-Since", date(time.Hour)); resp.StatusCode != 200 {
		t.Errorf("POST with If-Modified-Since: %d, want 200", resp.StatusCode)
	}
	for _, tt := range tests {
		resp, body := fx.s.get("/f/a.txt", tt.header...)
		if resp.StatusCode != tt.status {
			t.Errorf("%q: %d, want %d", tt.header, resp.StatusCode, tt.status)
			continue
		}
		switch tt.status {
		case 304:
			if body != "" || resp.Header.Get("ETag") != etag || resp.Header.Get("Last-Modified") == "" {
				t.Errorf("%q: 304 with body %q, ETag %q, Last-Modified %q", tt.header, body, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
			}
		case 412:
			if body != "" || resp.ContentLength != 0 {
				t.Errorf("%q: 412 with body %q", tt.header, body)
			}
		case 200:
			if body != digits {
				t.Errorf("%q: body %q", tt.header, body)
			}
		}
	}
}

func TestFileResponseRanges(t *testing.T) {
	for _, bridged := range []bool{false, true} {
		t.Run(map[bool]string{false: "engine", true: "net/http"}[bridged], func(t *testing.T) {
			fx := newFileFixture(t, map[string]string{"a.txt": digits}, bridged)
			size := strconv.Itoa(len(digits))
			tests := []struct {
				rng, contentRange string
				status            int
				body              string
			}{
				{"bytes=0-4", "bytes 0-4/36", 206, "01234"},
				{"bytes=5-5", "bytes 5-5/36", 206, "5"},
				{"bytes=30-", "bytes 30-35/36", 206, "uvwxyz"},
				{"bytes=-3", "bytes 33-35/36", 206, "xyz"},
				{"bytes=-100", "bytes 0-35/36", 206, digits},
				{"bytes=34-1000", "bytes 34-35/36", 206, "yz"},
				{"Bytes= 1-2 ", "bytes 1-2/36", 206, "12"},
				{"bytes=36-", "bytes */" + size, 416, ""},
				{"bytes=100-200", "bytes */" + size, 416, ""},
				{"bytes=5-3", "bytes */" + size, 416, ""},
				{"bytes=a-3", "bytes */" + size, 416, ""},
				{"bytes=-0", "bytes */" + size, 416, ""},
				{"bytes=", "bytes */" + size, 416, ""},
				{"blocks=0-1", "bytes */" + size, 416, ""},
				{"bytes=0-1;2-3", "bytes */" + size, 416, ""},
				{"bytes=36-40,50-", "bytes */" + size, 416, ""},
				{"bytes=0-,0-", "", 200, digits},                                            // overlapping: more than the file
				{"bytes=" + strings.Repeat("0-0,", web.MaxRanges) + "1-1", "", 200, digits}, // too many
				{"bytes=0-1,100-", "bytes 0-1/36", 206, "01"},                               // the range past the end is left out
			}
			for _, tt := range tests {
				resp, body := fx.s.get("/f/a.txt", "Range", tt.rng)
				if resp.StatusCode != tt.status || body != tt.body || resp.Header.Get("Content-Range") != tt.contentRange {
					t.Errorf("%q: %d %q Content-Range %q, want %d %q %q", tt.rng, resp.StatusCode, body, resp.Header.Get("Content-Range"), tt.status, tt.body, tt.contentRange)
				}
				if tt.status == 416 && resp.ContentLength != 0 {
					t.Errorf("%q: 416 Content-Length %d", tt.rng, resp.ContentLength)
				}
			}
			resp, body := fx.s.do("HEAD", "/f/a.txt", nil, "Range", "bytes=2-5")
			if resp.StatusCode != 206 || body != "" || resp.ContentLength != 4 || resp.Header.Get("Content-Range") != "bytes 2-5/36" {
				t.Errorf("HEAD with Range: %d %q %d %q", resp.StatusCode, body, resp.ContentLength, resp.Header.Get("Content-Range"))
			}
		})
	}
}

func TestFileResponseIfRange(t *testing.T) {
	fx := newFileFixture(t, map[string]string{"a.txt": digits}, false)
	etag := fx.etag(t, "a.txt")
	fi, _ := os.Stat(filepath.Join(fx.dir, "a.txt"))
	date := func(d time.Duration) string { return fi.ModTime().Add(d).UTC().Format(http.TimeFormat) }
	for ifRange, status := range map[string]int{
		etag:               206,
		"W/" + etag:        200, // weak tags never match If-Range
		`"other"`:          200,
		date(0):            206,
		date(time.Hour):    206,
		date(-time.Hour):   200,
		"garbage":          200,
		etag + `, "other"`: 200,
	} {
		resp, body := fx.s.get("/f/a.txt", "Range", "bytes=0-1", "If-Range", ifRange)
		want := map[int]string{206: "01", 200: digits}[status]
		if resp.StatusCode != status || body != want {
			t.Errorf("If-Range %q: %d %q, want %d", ifRange, resp.StatusCode, body, status)
		}
	}
}

// readByteranges parses a multipart/byteranges body back: the
// Content-Range and the bytes of each part.
func readByteranges(t *testing.T, resp *http.Response, body, partType string) (ranges, parts []string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q: %v", resp.Header.Get("Content-Type"), err)
	}
	if resp.ContentLength != int64(len(body)) {
		t.Errorf("Content-Length %d, body %d bytes", resp.ContentLength, len(body))
	}
	mr := multipart.NewReader(strings.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return ranges, parts
		}
		if err != nil {
			t.Fatalf("part %d: %v", len(parts), err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("part %d: %v", len(parts), err)
		}
		if ct := p.Header.Get("Content-Type"); ct != partType {
			t.Errorf("part %d: Content-Type %q", len(parts), ct)
		}
		ranges = append(ranges, p.Header.Get("Content-Range"))
		parts = append(parts, string(b))
	}
}

func TestFileResponseMultipleRanges(t *testing.T) {
	for _, bridged := range []bool{false, true} {
		t.Run(map[bool]string{false: "engine", true: "net/http"}[bridged], func(t *testing.T) {
			fx := newFileFixture(t, map[string]string{"a.txt": digits}, bridged)
			resp, body := fx.s.get("/f/a.txt", "Range", "bytes=0-1, 5-7,-2,,30-31")
			if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != "" {
				t.Fatalf("%d, Content-Range %q", resp.StatusCode, resp.Header.Get("Content-Range"))
			}
			ranges, parts := readByteranges(t, resp, body, "text/plain; charset=utf-8")
			wantRanges := []string{"bytes 0-1/36", "bytes 5-7/36", "bytes 34-35/36", "bytes 30-31/36"}
			wantParts := []string{"01", "567", "yz", "uv"}
			if fmt.Sprint(ranges) != fmt.Sprint(wantRanges) || fmt.Sprint(parts) != fmt.Sprint(wantParts) {
				t.Errorf("parts %q %q, want %q %q", ranges, parts, wantRanges, wantParts)
			}
			head, hbody := fx.s.do("HEAD", "/f/a.txt", nil, "Range", "bytes=0-1, 5-7,-2,,30-31")
			if head.StatusCode != 206 || hbody != "" || head.ContentLength <= 0 {
				t.Errorf("HEAD: %d %q %d", head.StatusCode, hbody, head.ContentLength)
			}
		})
	}
}

// bigFile is content past the size from which the engine uses sendfile.
func bigFile() string {
	var b strings.Builder
	for i := 0; b.Len() < 3<<20; i++ {
		fmt.Fprintf(&b, "line %07d\n", i)
	}
	return b.String()
}

func TestFileResponseLarge(t *testing.T) {
	big := bigFile()
	for _, bridged := range []bool{false, true} {
		t.Run(map[bool]string{false: "engine", true: "net/http"}[bridged], func(t *testing.T) {
			fx := newFileFixture(t, map[string]string{"big.bin": big}, bridged)
			for i := 0; i < 2; i++ { // twice on one connection: keep-alive after sendfile
				resp, body := fx.s.get("/f/big.bin")
				if resp.StatusCode != 200 || body != big {
					t.Fatalf("GET: %d, %d bytes, want %d", resp.StatusCode, len(body), len(big))
				}
			}
			resp, body := fx.s.get("/f/big.bin", "Range", "bytes=100000-1199999")
			if resp.StatusCode != 206 || body != big[100000:1200000] {
				t.Errorf("range: %d, %d bytes", resp.StatusCode, len(body))
			}
			resp, body = fx.s.get("/f/big.bin", "Range", "bytes=0-99999,-200000")
			_, parts := readByteranges(t, resp, body, "application/octet-stream")
			if len(parts) != 2 || parts[0] != big[:100000] || parts[1] != big[len(big)-200000:] {
				t.Errorf("multipart ranges: %d parts", len(parts))
			}
		})
	}
}

func TestFileResponseSiblings(t *testing.T) {
	fx := newFileFixture(t, map[string]string{"app.js": "plain", "app.js.gz": "gzipped", "app.js.br": "brotli", "only.css": "css", "only.css.zst": "zstd"}, false)
	tests := []struct {
		path, accept, coding, body string
	}{
		{"/f/app.js", "gzip", "gzip", "gzipped"},
		{"/f/app.js", "x-gzip", "gzip", "gzipped"},
		{"/f/app.js", "gzip, br", "br", "brotli"},
		{"/f/app.js", "br;q=0.5, gzip", "gzip", "gzipped"},
		{"/f/app.js", "br;q=0, gzip;q=0.1", "gzip", "gzipped"},
		{"/f/app.js", "zstd", "", "plain"},
		{"/f/app.js", "zstd, gzip;q=0.2", "gzip", "gzipped"}, // the best sibling that exists
		{"/f/app.js", "*", "br", "brotli"},
		{"/f/app.js", "*, br;q=0", "zstd", ""}, // no .zst: then gzip through "*"
		{"/f/app.js", "identity", "", "plain"},
		{"/f/app.js", "gzip;q=0", "", "plain"},
		{"/f/app.js", "gzip;q=bad", "", "plain"},
		{"/f/only.css", "gzip, deflate, br, zstd", "zstd", "zstd"},
	}
	for _, tt := range tests {
		if tt.accept == "*, br;q=0" {
			tt.coding, tt.body = "gzip", "gzipped"
		}
		resp, body := fx.s.get(tt.path, "Accept-Encoding", tt.accept)
		if resp.StatusCode != 200 || body != tt.body || resp.Header.Get("Content-Encoding") != tt.coding {
			t.Errorf("%s %q: %d %q Content-Encoding %q, want %q %q", tt.path, tt.accept, resp.StatusCode, body, resp.Header.Get("Content-Encoding"), tt.body, tt.coding)
		}
		if tt.coding != "" && resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s %q: Vary %q", tt.path, tt.accept, resp.Header.Get("Vary"))
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/") {
			t.Errorf("%s %q: Content-Type %q, want the original file's", tt.path, tt.accept, ct)
		}
	}
	// A Vary the handler set is kept.
	app := newApp()
	app.Router.Get("/vary", func(req *web.Request) (web.Response, error) {
		resp := web.NewFileResponse(filepath.Join(fx.dir, "app.js"))
		resp.Header().Set("Vary", "Origin")
		return resp, nil
	})
	vs := startApp(t, app, web.ServerOptions{})
	if resp, _ := vs.get("/vary", "Accept-Encoding", "gzip"); resp.Header.Get("Vary") != "Origin, Accept-Encoding" {
		t.Errorf("Vary with the handler's: %q", resp.Header.Get("Vary"))
	}

	// A sibling has its own validators, and ranges apply to it.
	resp, body := fx.s.get("/f/app.js", "Accept-Encoding", "gzip", "Range", "bytes=0-3")
	if resp.StatusCode != 206 || body != "gzip" || resp.Header.Get("ETag") != fx.etag(t, "app.js.gz") {
		t.Errorf("range of a sibling: %d %q ETag %q", resp.StatusCode, body, resp.Header.Get("ETag"))
	}
}

// TestFileResponseShrinks checks that a file that ends before the length
// its head announced closes the connection instead of hanging it.
func TestFileResponseShrinks(t *testing.T) {
	for _, size := range []int{100, 1 << 20} { // through the buffer and through sendfile
		dir := t.TempDir()
		p := filepath.Join(dir, "f")
		os.WriteFile(p, bytes.Repeat([]byte("x"), size), 0o644)
		app := newApp()
		app.OnResponsePrepare.Append(func(req *web.Request, resp web.Response) error {
			return os.Truncate(p, int64(size/2))
		})
		app.Router.Get("/", func(req *web.Request) (web.Response, error) { return web.NewFileResponse(p), nil })
		s := startApp(t, app, web.ServerOptions{})
		c := s.dial(t)
		c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		r := c.readHead()
		if r.status != 200 || r.get("Content-Length") != strconv.Itoa(size) {
			t.Fatalf("%d bytes: %d Content-Length %q", size, r.status, r.get("Content-Length"))
		}
		c.deadline()
		got, err := io.ReadAll(c.br)
		if err != nil || len(got) != size/2 {
			t.Errorf("%d bytes: read %d bytes then %v; want %d and the connection closed", size, len(got), err, size/2)
		}
	}
}

// TestFileResponseTLS sends a file over TLS, where the engine copies it
// through its buffer (HTTP/1.1) or hands it to the HTTP/2 server.
func TestFileResponseTLS(t *testing.T) {
	big := bigFile()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "big.bin"), []byte(big), 0o644)
	app := newApp()
	app.Router.Static("/static", dir, web.StaticOptions{})
	runner := web.NewAppRunner(app, web.ServerOptions{})
	if err := runner.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { runner.Cleanup(context.Background()) })
	cert, pool := testcert.New(t)
	site := web.NewTCPSite(runner, "127.0.0.1", aiotest.UnusedPort(t), web.SiteOptions{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}})
	if err := site.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, h2 := range []bool{false, true} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: h2}
		if !h2 {
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		}
		client := &http.Client{Transport: tr, Timeout: ioTimeout}
		for _, rng := range []string{"", "bytes=1000-1999999"} {
			req, _ := http.NewRequest("GET", site.URL()+"/static/big.bin", nil)
			want, status := big, 200
			if rng != "" {
				req.Header.Set("Range", rng)
				want, status = big[1000:2000000], 206
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != status || string(body) != want || (resp.ProtoMajor == 2) != h2 {
				t.Errorf("%s Range %q: %d, %d bytes, %v", resp.Proto, rng, resp.StatusCode, len(body), err)
			}
		}
		client.CloseIdleConnections()
	}
}
