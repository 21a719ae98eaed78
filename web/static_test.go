package web_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// staticTree builds a directory to serve, "pub", beside a file it must not
// leak, "private.txt", with symbolic links inside and out of it. It
// returns the directory holding both.
func staticTree(t *testing.T) string {
	t.Helper()
	top := t.TempDir()
	files := map[string]string{
		"private.txt":         "private",
		"pub/a.txt":           "alpha",
		"pub/sub/b.css":       "b{}",
		"pub/with space.txt":  "space",
		"pub/<evil>&.txt":     "evil",
		"pub/%2e%2e":          "literal percent name",
		"pub/sub/deep/c.json": "{}",
	}
	for name, content := range files {
		p := filepath.Join(top, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"pub/in":     "sub/b.css",
		"pub/out":    "../private.txt",
		"pub/outdir": "..",
		"pub/abs":    filepath.Join(top, "private.txt"),
		"pub/loop":   "loop",
	} {
		if err := os.Symlink(target, filepath.Join(top, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	return top
}

func TestStaticTraversal(t *testing.T) {
	t.Run("openat2", testStaticTraversal)
	t.Run("os.Root", func(t *testing.T) {
		web.DisableOpenat2(t)
		testStaticTraversal(t)
	})
}

func testStaticTraversal(t *testing.T) {
	web.SetCacheSettle(t, 0) // the second round is answered from the cache
	top := staticTree(t)
	pub := filepath.Join(top, "pub")
	app := newApp()
	app.Router.Static("/static", pub, web.StaticOptions{})
	app.Router.Static("/follow/", pub, web.StaticOptions{FollowSymlinks: true})
	s := startApp(t, app, web.ServerOptions{})
	tests := []struct {
		target string
		status int
		body   string
	}{
		{"/static/a.txt", 200, "alpha"},
		{"/static/sub/b.css", 200, "b{}"},
		{"/static/with%20space.txt", 200, "space"},
		{"/static/%3Cevil%3E&.txt", 200, "evil"},
		{"/static/sub/../a.txt", 200, "alpha"}, // stays inside
		{"/static/./a.txt", 200, "alpha"},
		{"/static/%252e%252e", 200, "literal percent name"}, // decoded once only
		{"/static/in", 200, "b{}"},                          // a link that stays inside
		{"/static/missing", 404, ""},
		{"/static", 404, ""},
		{"/static/", 403, ""}, // a directory, no index
		{"/static/sub", 403, ""},
		{"/static/../private.txt", 404, ""},
		{"/static/sub/../../private.txt", 404, ""},
		{"/static/%2e%2e/private.txt", 404, ""},
		{"/static/%2E%2E%2Fprivate.txt", 404, ""},
		{"/static/..%2fprivate.txt", 404, ""},
		{"/static/..%2Fpub%2F..%2F..%2Fprivate.txt", 404, ""},
		{"/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd", 404, ""},
		{"/static/a.txt%00", 404, ""},
		{"/static/a.txt%zz", 404, ""},
		{"/static//etc/passwd", 403, ""},
		{"/static/%2fetc%2fpasswd", 403, ""},
		{"/static/%2Fetc/passwd", 403, ""},
		{`/static/..\private.txt`, 403, ""},
		{"/static/..%5c..%5cprivate.txt", 403, ""},
		{"/static/out", 404, ""}, // a link out of the directory
		{"/static/abs", 404, ""}, // an absolute link out of it
		{"/static/outdir/private.txt", 404, ""},
		{"/static/loop", 404, ""},
		{"/follow/out", 200, "private"}, // allowed to follow
		{"/follow/outdir/private.txt", 200, "private"},
		{"/follow/../private.txt", 404, ""}, // but not to climb
		{"/follow/%2e%2e/private.txt", 404, ""},
		{"/follow//etc/passwd", 403, ""},
		{"/follow/loop", 404, ""},
	}
	for round := range 2 {
		for _, tt := range tests {
			c := s.dial(t)
			c.send("GET " + tt.target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			r := c.readResponse("GET")
			if r.status != tt.status || (tt.body != "" && string(r.body) != tt.body) || strings.Contains(string(r.body), "private") && tt.body != "private" {
				t.Errorf("round %d: GET %s: %d %q, want %d %q", round, tt.target, r.status, r.body, tt.status, tt.body)
			}
		}
	}
}

func TestStaticRoot(t *testing.T) {
	// aiohttp's test_follow_symlink_directory_traversal: a static route at
	// the root, a raw request climbing out of it.
	top := staticTree(t)
	app := newApp()
	app.Router.Static("/", filepath.Join(top, "pub"), web.StaticOptions{FollowSymlinks: true})
	s := startApp(t, app, web.ServerOptions{})
	for target, status := range map[string]int{"/a.txt": 200, "/../private.txt": 404, "/%2e%2e/private.txt": 404, "//etc/passwd": 403} {
		c := s.dial(t)
		c.send("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if r := c.readResponse("GET"); r.status != status {
			t.Errorf("GET %s: %d, want %d", target, r.status, status)
		}
	}
}

func TestStaticFileRules(t *testing.T) {
	top := staticTree(t)
	app := newApp()
	app.Router.Static("/static", filepath.Join(top, "pub"), web.StaticOptions{})
	s := startApp(t, app, web.ServerOptions{})
	resp, body := s.get("/static/a.txt", "Range", "bytes=1-2")
	if resp.StatusCode != 206 || body != "lp" {
		t.Errorf("range: %d %q", resp.StatusCode, body)
	}
	etag := resp.Header.Get("ETag")
	if resp, _ = s.get("/static/a.txt", "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, body = s.do("HEAD", "/static/sub/b.css", nil); resp.StatusCode != 200 || body != "" || resp.ContentLength != 3 || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("HEAD: %d %q %d %q", resp.StatusCode, body, resp.ContentLength, resp.Header.Get("Content-Type"))
	}
	if resp, _ = s.do("POST", "/static/a.txt", nil); resp.StatusCode != 405 {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}

func TestStaticIndex(t *testing.T) {
	top := staticTree(t)
	app := newApp()
	app.Router.Static("/static", filepath.Join(top, "pub"), web.StaticOptions{ShowIndex: true})
	sub := newApp()
	sub.Router.Static("/files", filepath.Join(top, "pub", "sub"), web.StaticOptions{ShowIndex: true})
	app.AddSubapp("/mounted", sub)
	s := startApp(t, app, web.ServerOptions{})

	resp, body := s.get("/static/")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("index: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	want := "<html>\n<head>\n<title>Index of /</title>\n</head>\n<body>\n<h1>Index of /</h1>\n<ul>\n" +
		`<li><a href="/static/%252e%252e">%2e%2e</a></li>` + "\n" +
		`<li><a href="/static/%3Cevil%3E&amp;.txt">&lt;evil&gt;&amp;.txt</a></li>` + "\n" +
		`<li><a href="/static/a.txt">a.txt</a></li>` + "\n" +
		`<li><a href="/static/abs">abs</a></li>` + "\n" +
		`<li><a href="/static/in">in</a></li>` + "\n" +
		`<li><a href="/static/loop">loop</a></li>` + "\n" +
		`<li><a href="/static/out">out</a></li>` + "\n" +
		`<li><a href="/static/outdir">outdir</a></li>` + "\n" +
		`<li><a href="/static/sub">sub/</a></li>` + "\n" +
		`<li><a href="/static/with%20space.txt">with space.txt</a></li>` + "\n" +
		"</ul>\n</body>\n</html>"
	if body != want {
		t.Errorf("index:\n%s\nwant:\n%s", body, want)
	}
	_, body = s.get("/static/sub/")
	if !strings.Contains(body, "<title>Index of /sub</title>") || !strings.Contains(body, `<a href="/static/sub/deep">deep/</a>`) {
		t.Errorf("index of sub:\n%s", body)
	}
	_, body = s.get("/mounted/files/")
	if !strings.Contains(body, `<a href="/mounted/files/b.css">b.css</a>`) {
		t.Errorf("index under a sub-application:\n%s", body)
	}
	if resp, _ := s.get("/static/outdir/"); resp.StatusCode != 404 {
		t.Errorf("index through a link out of the directory: %d, want 404", resp.StatusCode)
	}
}

func TestStaticAppendVersion(t *testing.T) {
	top := staticTree(t)
	pub := filepath.Join(top, "pub")
	app := newApp()
	app.Router.Static("/static", pub, web.StaticOptions{Name: "static", AppendVersion: true})
	app.Router.Static("/plain", pub, web.StaticOptions{Name: "plain"})
	version := func(content string) string {
		sum := sha256.Sum256([]byte(content))
		return base64.RawURLEncoding.EncodeToString(sum[:])
	}
	u, err := app.Router.URLFor("static", "filename", "a.txt")
	if err != nil || u.String() != "/static/a.txt?v="+version("alpha") {
		t.Fatalf("URLFor: %v %v", u, err)
	}
	u, _ = app.Router.URLFor("static", "filename", "with space.txt")
	if u.String() != "/static/with%20space.txt?v="+version("space") {
		t.Errorf("URLFor with a space: %v", u)
	}
	u, _ = app.Router.URLForQuery("static", url.Values{"page": {"2"}}, "filename", "sub/b.css")
	if u.String() != "/static/sub/b.css?page=2&v="+version("b{}") {
		t.Errorf("URLForQuery: %v", u)
	}
	for _, name := range []string{"missing", "sub", "out", "../private.txt"} {
		if u, _ = app.Router.URLFor("static", "filename", name); u.RawQuery != "" {
			t.Errorf("URLFor %q: %v, want no version", name, u)
		}
	}
	if u, _ = app.Router.URLFor("plain", "filename", "a.txt"); u.String() != "/plain/a.txt" {
		t.Errorf("URLFor without AppendVersion: %v", u)
	}
	// The version follows the file.
	os.WriteFile(filepath.Join(pub, "a.txt"), []byte("changed"), 0o644)
	if u, _ = app.Router.URLFor("static", "filename", "a.txt"); u.RawQuery != "v="+version("changed") {
		t.Errorf("URLFor after a change: %v", u)
	}
	s := startApp(t, app, web.ServerOptions{})
	if resp, body := s.get(u.String()); resp.StatusCode != 200 || body != "changed" {
		t.Errorf("GET %v: %d %q", u, resp.StatusCode, body)
	}
}

func TestStaticBadDirectory(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o644)
	for _, dir := range []string{f, filepath.Join(f, "missing")} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Static(%q) did not panic", dir)
				}
			}()
			newApp().Router.Static("/s", dir, web.StaticOptions{})
		}()
	}
}

// TestStaticCache checks the small files a static route keeps in memory:
// the rules of FileResponse apply to them, and a file that changes, goes,
// or becomes a link out of the directory is never served as kept.
func TestStaticCache(t *testing.T) {
	web.SetCacheSettle(t, 0) // keep files changed just now too
	top := staticTree(t)
	pub := filepath.Join(top, "pub")
	app := newApp()
	app.Router.Static("/static", pub, web.StaticOptions{})
	s := startApp(t, app, web.ServerOptions{})
	for i := 0; i < 3; i++ { // loaded, then served as kept
		if resp, body := s.get("/static/a.txt"); resp.StatusCode != 200 || body != "alpha" || resp.Header.Get("ETag") == "" {
			t.Fatalf("GET %d: %d %q", i, resp.StatusCode, body)
		}
	}
	resp, body := s.get("/static/a.txt", "Range", "bytes=1-2,4-")
	if _, parts := readByteranges(t, resp, body, "text/plain; charset=utf-8"); resp.StatusCode != 206 || len(parts) != 2 || parts[0] != "lp" || parts[1] != "a" {
		t.Errorf("ranges of a kept file: %d %q", resp.StatusCode, parts)
	}
	etag := resp.Header.Get("ETag")
	if resp, _ := s.get("/static/a.txt", "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("If-None-Match on a kept file: %d", resp.StatusCode)
	}
	if resp, body := s.do("HEAD", "/static/a.txt", nil); resp.StatusCode != 200 || body != "" || resp.ContentLength != 5 {
		t.Errorf("HEAD of a kept file: %d %q %d", resp.StatusCode, body, resp.ContentLength)
	}

	// Changed in place, same size: the change time moves, the file is read again.
	time.Sleep(20 * time.Millisecond) // past a tick of the file system's clock
	os.WriteFile(filepath.Join(pub, "a.txt"), []byte("ALPHA"), 0o644)
	if _, body := s.get("/static/a.txt"); body != "ALPHA" {
		t.Errorf("after a change: %q", body)
	}
	// Replaced by a link out of the directory: 404, not the kept content.
	s.get("/static/sub/b.css")
	os.Remove(filepath.Join(pub, "sub", "b.css"))
	os.Symlink(filepath.Join(top, "private.txt"), filepath.Join(pub, "sub", "b.css"))
	if resp, body := s.get("/static/sub/b.css"); resp.StatusCode != 404 || strings.Contains(body, "private") {
		t.Errorf("a kept file replaced by a link out: %d %q", resp.StatusCode, body)
	}
	// Removed: 404.
	s.get("/static/with%20space.txt")
	os.Remove(filepath.Join(pub, "with space.txt"))
	if resp, _ := s.get("/static/with%20space.txt"); resp.StatusCode != 404 {
		t.Errorf("a kept file removed: %d", resp.StatusCode)
	}
	// A request that accepts a coding is not answered from the cache: a
	// sibling added later is found.
	s.get("/static/a.txt")
	os.WriteFile(filepath.Join(pub, "a.txt.gz"), []byte("gz"), 0o644)
	if resp, body := s.get("/static/a.txt", "Accept-Encoding", "gzip"); body != "gz" || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("sibling next to a kept file: %q %q", body, resp.Header.Get("Content-Encoding"))
	}
}

// TestStaticCacheSettle checks that a file changed less than the settle
// time ago is not kept: its next change could keep its identity.
func TestStaticCacheSettle(t *testing.T) {
	web.SetCacheSettle(t, time.Hour)
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	os.WriteFile(p, []byte("one"), 0o644)
	app := newApp()
	app.Router.Static("/static", dir, web.StaticOptions{})
	s := startApp(t, app, web.ServerOptions{})
	s.get("/static/f.txt")
	os.WriteFile(p, []byte("two"), 0o644) // quite possibly within the same clock tick
	if _, body := s.get("/static/f.txt"); body != "two" {
		t.Errorf("after a quick change: %q", body)
	}
}
