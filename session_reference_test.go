package aiohttp_test

// The client behaviours of REFERENCE.md ("Behaviours to reproduce", 1-20),
// one test each, over real sockets.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// statusServer answers /NNN with status NNN and "body" (or none where the
// status forbids it), chunked when the path ends in /chunked.
func statusServer(t *testing.T) *rawServer {
	return startRaw(t, serveRequests(func(r *http.Request) string {
		path := strings.TrimPrefix(r.URL.Path, "/")
		code, _ := strconv.Atoi(strings.TrimSuffix(path, "/chunked"))
		if code == 0 {
			code = 200
		}
		head := "HTTP/1.1 " + strconv.Itoa(code) + " X\r\n"
		if strings.HasSuffix(path, "/chunked") {
			// A bodyless status that says chunked anyway.
			return head + "Transfer-Encoding: chunked\r\n\r\n"
		}
		if r.Method == "HEAD" || code == 204 || code == 304 {
			return head + "Content-Length: 4\r\n\r\n"
		}
		return head + "Content-Length: 4\r\n\r\nbody"
	}))
}

func TestReference01_KeepAlive(t *testing.T) {
	srv := statusServer(t)
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/200", "body"},
		{"HEAD", "/200", ""},
		{"GET", "/204", ""},
		{"GET", "/304", ""},
		{"GET", "/200", "body"},
	} {
		resp, err := s.Request(ctx, req.method, srv.URL+req.path)
		if err != nil {
			t.Fatalf("%s %s: %v", req.method, req.path, err)
		}
		if got := readBody(t, resp); got != req.body {
			t.Errorf("%s %s: body %q, want %q", req.method, req.path, got, req.body)
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

func TestReference02_ConnectionCloseNotReused(t *testing.T) {
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		if s.readRequest(br) != nil {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	s := newSession(t, aiohttp.SessionOptions{})
	for range 3 {
		if _, body := get(t, s, srv.URL+"/"); body != "ok" {
			t.Fatalf("body %q", body)
		}
	}
	if n := srv.conns.Load(); n != 3 {
		t.Errorf("%d connections, want 3", n)
	}
}

func TestReference03_AutomaticHeaders(t *testing.T) {
	srv := statusServer(t)
	s := newSession(t, aiohttp.SessionOptions{})
	get(t, s, srv.URL+"/")
	lines := strings.Split(srv.head(0), "\r\n")
	host := strings.TrimPrefix(srv.URL, "http://")
	want := []string{"GET / HTTP/1.1", "Host: " + host, "Accept: */*", "Accept-Encoding: gzip, deflate, br, zstd", "User-Agent: " + aiohttp.DefaultUserAgent}
	for i, w := range want {
		if i >= len(lines) || lines[i] != w {
			t.Fatalf("head:\n%s\nline %d: want %q", srv.head(0), i, w)
		}
	}
	if !strings.HasPrefix(aiohttp.DefaultUserAgent, "aiohttp-go/") {
		t.Errorf("User-Agent %q does not name the library", aiohttp.DefaultUserAgent)
	}

	// skip_auto_headers, per session and per request; a given field wins.
	s = newSession(t, aiohttp.SessionOptions{SkipAutoHeaders: []string{"user-agent"}})
	get(t, s, srv.URL+"/", aiohttp.SkipAutoHeaders("Accept-Encoding"), aiohttp.Headers{"Accept": "text/html"})
	head := srv.head(1)
	for _, absent := range []string{"User-Agent:", "Accept-Encoding:", "Accept: */*"} {
		if strings.Contains(head, absent) {
			t.Errorf("%q sent:\n%s", absent, head)
		}
	}
	if !strings.Contains(head, "\r\nAccept: text/html\r\n") || !strings.HasPrefix(strings.SplitN(head, "\r\n", 3)[1], "Host: ") {
		t.Errorf("head:\n%s", head)
	}
}

func TestReference04_ShortBodyIsPayloadError(t *testing.T) {
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		if s.readRequest(br) != nil {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")
		}
	})
	s := newSession(t, aiohttp.SessionOptions{})
	resp, err := s.Get(testCtx(t), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	_, err = resp.Bytes()
	wantErrKind(t, err, aiohttp.ErrClientPayload)
}

func TestReference05_LongBodyCutAtContentLength(t *testing.T) {
	srv := startRaw(t, serveRequests(func(*http.Request) string {
		return "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA"
	}))
	s := newSession(t, aiohttp.SessionOptions{})
	if _, body := get(t, s, srv.URL+"/"); body != "hello" {
		t.Fatalf("body %q", body)
	}
	// The extra bytes, which came with the body, poison the connection:
	// the next request needs a new one and gets a proper answer.
	if _, body := get(t, s, srv.URL+"/"); body != "hello" {
		t.Fatalf("second body %q", body)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

func TestReference06_BrokenChunkedOrGzip(t *testing.T) {
	srv := startRaw(t, serveRequests(func(r *http.Request) string {
		switch r.URL.Path {
		case "/chunked":
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\n"
		case "/gzip":
			return "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\nnot gzip!!"
		}
		return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
	}))
	s := newSession(t, aiohttp.SessionOptions{})
	for _, path := range []string{"/chunked", "/gzip"} {
		resp, err := s.Get(testCtx(t), srv.URL+path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = resp.Bytes()
		resp.Close()
		if !errors.Is(err, aiohttp.ErrClientPayload) {
			t.Errorf("%s: %v, want ErrClientPayload", path, err)
		}
	}
}

func TestReference07_NoBodyForHeadAnd204And304(t *testing.T) {
	srv := statusServer(t)
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	for _, req := range []struct{ method, path string }{
		{"HEAD", "/200/chunked"}, {"GET", "/204/chunked"}, {"GET", "/304/chunked"}, {"HEAD", "/200"},
	} {
		resp, err := s.Request(ctx, req.method, srv.URL+req.path)
		if err != nil {
			t.Fatalf("%s %s: %v", req.method, req.path, err)
		}
		if body := readBody(t, resp); body != "" {
			t.Errorf("%s %s: body %q", req.method, req.path, body)
		}
	}
	if _, body := get(t, s, srv.URL+"/200"); body != "body" {
		t.Errorf("after them: %q", body)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

func TestReference08_DecompressionBounded(t *testing.T) {
	text := strings.Repeat("aiohttp for Go ", 1000)
	encoded := map[string][]byte{}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Write([]byte(text))
	gz.Close()
	encoded["gzip"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	zw := zlib.NewWriter(&buf)
	zw.Write([]byte(text))
	zw.Close()
	encoded["deflate"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	bw := brotli.NewWriter(&buf)
	bw.Write([]byte(text))
	bw.Close()
	encoded["br"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	zs, _ := zstd.NewWriter(&buf)
	zs.Write([]byte(text))
	zs.Close()
	encoded["zstd"] = bytes.Clone(buf.Bytes())

	srv := startRaw(t, serveRequests(func(r *http.Request) string {
		enc := strings.TrimPrefix(r.URL.Path, "/")
		b := encoded[enc]
		return "HTTP/1.1 200 OK\r\nContent-Encoding: " + enc + "\r\nContent-Length: " + strconv.Itoa(len(b)) + "\r\n\r\n" + string(b)
	}))
	s := newSession(t, aiohttp.SessionOptions{})
	for enc := range encoded {
		if _, body := get(t, s, srv.URL+"/"+enc); body != text {
			t.Errorf("%s: decoded %d bytes, want %d", enc, len(body), len(text))
		}
	}
	// Off: the bytes as sent; a request's choice overrides the session's.
	if _, body := get(t, s, srv.URL+"/gzip", aiohttp.AutoDecompress(false)); body != string(encoded["gzip"]) {
		t.Errorf("auto-decompress off: got decoded body")
	}
	off := newSession(t, aiohttp.SessionOptions{DisableAutoDecompress: true})
	if _, body := get(t, off, srv.URL+"/gzip"); body != string(encoded["gzip"]) {
		t.Errorf("session's auto-decompress off: got decoded body")
	}
	if _, body := get(t, off, srv.URL+"/gzip", aiohttp.AutoDecompress(true)); body != text {
		t.Errorf("AutoDecompress(true) on a session without: %d bytes", len(body))
	}
	// Bounded: a body decoding beyond the bound fails, typed.
	small := newSession(t, aiohttp.SessionOptions{MaxDecompressedSize: 1000})
	resp, err := small.Get(testCtx(t), srv.URL+"/gzip")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	if _, err := resp.Bytes(); !errors.Is(err, aiohttp.ErrClientPayload) {
		t.Errorf("bomb: %v, want ErrClientPayload", err)
	}
}

// echoApp serves /echo (method, body and some request fields as text) and
// /r/{status} redirecting to the "to" query parameter (default /echo).
func echoApp(app *web.Application) {
	app.Router.Any("/echo", func(r *web.Request) (web.Response, error) {
		body, _ := r.Bytes()
		h := r.Header()
		return web.Text(r.Method() + " " + string(body) + " |auth=" + h.Get("Authorization") +
			"|cookie=" + h.Get("Cookie") + "|proxy=" + h.Get("Proxy-Authorization") + "|ct=" + h.Get("Content-Type") +
			"|path=" + r.PathQS()), nil
	})
	app.Router.Any("/r/{status}", func(r *web.Request) (web.Response, error) {
		status, _ := strconv.Atoi(r.MatchInfo().Get("status"))
		to := r.Query().Get("to")
		if to == "" {
			to = "/echo"
		}
		r.Bytes()
		return web.NewResponse(status).SetHeader("Location", to), nil
	})
}

func TestReference09_RedirectMethods(t *testing.T) {
	base := serveApp(t, echoApp)
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base})
	ctx := testCtx(t)
	tests := []struct {
		method string
		status int
		want   string
	}{
		{"POST", 301, "GET  "},
		{"POST", 302, "GET  "},
		{"PUT", 302, "PUT data "},
		{"POST", 303, "GET  "},
		{"PUT", 303, "GET  "},
		{"POST", 307, "POST data "},
		{"PUT", 308, "PUT data "},
	}
	for _, tt := range tests {
		resp, err := s.Request(ctx, tt.method, "/r/"+strconv.Itoa(tt.status), aiohttp.String("data"))
		if err != nil {
			t.Fatalf("%s %d: %v", tt.method, tt.status, err)
		}
		body := readBody(t, resp)
		if !strings.HasPrefix(body, tt.want) {
			t.Errorf("%s %d: server saw %q, want prefix %q", tt.method, tt.status, body, tt.want)
		}
		if tt.want == "GET  " && !strings.Contains(body, "|ct=|") {
			t.Errorf("%s %d: body headers kept: %q", tt.method, tt.status, body)
		}
		if len(resp.History) != 1 || resp.History[0].Status != tt.status {
			t.Errorf("%s %d: history %v", tt.method, tt.status, resp.History)
		}
	}
	// 303 keeps HEAD.
	resp, err := s.Head(ctx, "/r/303")
	if err != nil || resp.Method != "HEAD" || resp.Status != 200 {
		t.Errorf("HEAD 303: %v %v", resp, err)
	}
	resp.Close()
	// A rewindable stream is sent again; a plain one cannot be.
	resp, err = s.Post(ctx, "/r/307", aiohttp.Body(strings.NewReader("seekable")))
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); !strings.HasPrefix(body, "POST seekable ") {
		t.Errorf("seekable stream replayed as %q", body)
	}
	_, err = s.Post(ctx, "/r/307", aiohttp.Body(io.MultiReader(strings.NewReader("stream"))))
	wantErrKind(t, err, aiohttp.ErrClientPayload)
}

func TestReference10_RedirectDropsFragmentKeepsHistory(t *testing.T) {
	base := serveApp(t, echoApp)
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base})
	resp, body := get(t, s, "/r/302?to=/r/301%3Fto%3D/echo%2523frag#first")
	if !strings.HasSuffix(body, "|path=/echo") {
		t.Errorf("final request %q", body)
	}
	if len(resp.History) != 2 || resp.History[0].Status != 302 || resp.History[1].Status != 301 {
		t.Fatalf("history %v", resp.History)
	}
	if resp.URL.Fragment != "" || resp.URL.String() != base+"/echo" {
		t.Errorf("URL %v", resp.URL)
	}
	if resp.RealURL.Fragment != "frag" {
		t.Errorf("RealURL %v", resp.RealURL)
	}
	if h := resp.History[0]; h.URL.Fragment != "" || h.RealURL.Fragment != "first" {
		t.Errorf("first hop URL %v real %v", h.URL, h.RealURL)
	}
}

func TestReference11_CrossOriginRedirectDropsCredentials(t *testing.T) {
	other := serveApp(t, echoApp)
	base := serveApp(t, echoApp)
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base})
	creds := []aiohttp.RequestOption{
		aiohttp.Header("Authorization", "Bearer x"), aiohttp.Header("Cookie", "a=b"),
		aiohttp.Header("Proxy-Authorization", "Basic y"),
	}
	_, body := get(t, s, "/r/302?to="+other+"/echo", creds...)
	if !strings.Contains(body, "|auth=|cookie=|proxy=|") {
		t.Errorf("credentials went to another origin: %q", body)
	}
	_, body = get(t, s, "/r/302?to=/echo", creds...)
	if !strings.Contains(body, "|auth=Bearer x|cookie=a=b|proxy=Basic y|") {
		t.Errorf("credentials dropped on the same origin: %q", body)
	}
	_, body = get(t, s, "/r/302?to="+other+"/echo", aiohttp.BasicAuth{Login: "u", Password: "p"})
	if !strings.Contains(body, "|auth=|") {
		t.Errorf("auth went to another origin: %q", body)
	}
}

func TestReference12_RedirectLimitsAndTargets(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		echoApp(app)
		app.Router.Get("/loop", func(*web.Request) (web.Response, error) {
			return web.NewResponse(302).SetHeader("Location", "/loop"), nil
		})
		app.Router.Get("/noloc", func(*web.Request) (web.Response, error) {
			return web.NewResponse(302).SetText("stay"), nil
		})
	})
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base})
	ctx := testCtx(t)

	_, err := s.Get(ctx, "/loop")
	wantErrKind(t, err, aiohttp.ErrTooManyRedirects)
	var re *aiohttp.ClientResponseError
	if !errors.As(err, &re) || len(re.History) != aiohttp.DefaultMaxRedirects || re.Request.URL.Path != "/loop" {
		t.Errorf("TooManyRedirects: %#v", err)
	}
	_, err = s.Get(ctx, "/loop", aiohttp.MaxRedirects(3))
	if !errors.As(err, &re) || len(re.History) != 3 {
		t.Errorf("MaxRedirects(3): %v", err)
	}

	resp, body := get(t, s, "/noloc")
	if resp.Status != 302 || body != "stay" || len(resp.History) != 0 {
		t.Errorf("3xx without Location: %d %q", resp.Status, body)
	}
	resp, _ = get(t, s, "/r/302", aiohttp.AllowRedirects(false))
	if resp.Status != 302 || resp.Header.Get("Location") != "/echo" {
		t.Errorf("AllowRedirects(false): %d", resp.Status)
	}

	_, err = s.Get(ctx, "/r/302?to=ftp://example.com/x")
	wantErrKind(t, err, aiohttp.ErrNonHTTPURLRedirect)
	var e *aiohttp.Error
	if !errors.As(err, &e) || e.URL != "ftp://example.com/x" {
		t.Errorf("non-HTTP redirect names %v", err)
	}
	_, err = s.Get(ctx, "/r/302?to=ws://example.com/x") // WebSocket URLs are for WSConnect, not redirects
	wantErrKind(t, err, aiohttp.ErrNonHTTPURLRedirect)
	_, err = s.Get(ctx, "/r/302?to=http://%5B::1")
	wantErrKind(t, err, aiohttp.ErrInvalidURLRedirect)
}

func TestReference13_RaiseForStatus(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/{status}", func(r *web.Request) (web.Response, error) {
			status, _ := strconv.Atoi(r.MatchInfo().Get("status"))
			return web.NewResponse(status).SetText("x"), nil
		})
	})
	ctx := testCtx(t)
	plain := newSession(t, aiohttp.SessionOptions{BaseURL: base})
	resp, err := plain.Get(ctx, "/404")
	if err != nil || resp.Status != 404 {
		t.Fatalf("without raise: %v %v", resp, err)
	}
	resp.Close()
	_, err = plain.Get(ctx, "/404", aiohttp.RaiseForStatus(true))
	var re *aiohttp.ClientResponseError
	if !errors.As(err, &re) || re.Status != 404 || re.Request.URL.String() != base+"/404" {
		t.Fatalf("per request: %v", err)
	}

	raising := newSession(t, aiohttp.SessionOptions{BaseURL: base, RaiseForStatus: true})
	_, err = raising.Get(ctx, "/500")
	if !errors.As(err, &re) || re.Status != 500 {
		t.Errorf("per session: %v", err)
	}
	if resp, err := raising.Get(ctx, "/500", aiohttp.RaiseForStatus(false)); err != nil {
		t.Errorf("per request off: %v", err)
	} else {
		resp.Close()
	}
	if _, err := raising.Get(ctx, "/200"); err != nil {
		t.Errorf("200 raised: %v", err)
	}

	errTeapot := errors.New("teapot")
	check := func(r *aiohttp.Response) error {
		if r.Status == 418 {
			return errTeapot
		}
		return nil
	}
	callback := newSession(t, aiohttp.SessionOptions{BaseURL: base, RaiseForStatusFunc: check})
	if _, err := callback.Get(ctx, "/418"); err != errTeapot {
		t.Errorf("callback: %v", err)
	}
	if resp, err := callback.Get(ctx, "/404"); err != nil {
		t.Errorf("callback let 404 pass: %v", err)
	} else {
		resp.Close()
	}
	if _, err := plain.Get(ctx, "/418", aiohttp.RaiseForStatusFunc(check)); err != errTeapot {
		t.Errorf("per-request callback: %v", err)
	}
}

func TestReference14_AuthConflicts(t *testing.T) {
	base := serveApp(t, echoApp)
	host := strings.TrimPrefix(base, "http://")
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	auth := aiohttp.BasicAuth{Login: "user", Password: "pass"}

	_, err := s.Get(ctx, "http://u:p@"+host+"/echo", auth)
	wantErrKind(t, err, aiohttp.ErrClient)
	_, err = s.Get(ctx, base+"/echo", auth, aiohttp.Headers{"Authorization": "Bearer t"})
	wantErrKind(t, err, aiohttp.ErrClient)
	_, err = s.Get(ctx, "http://u:p@"+host+"/echo", aiohttp.Headers{"Authorization": "Bearer t"})
	wantErrKind(t, err, aiohttp.ErrClient)

	// Each alone works.
	_, body := get(t, s, base+"/echo", auth)
	if !strings.Contains(body, "|auth=Basic dXNlcjpwYXNz|") {
		t.Errorf("auth: %q", body)
	}
	resp, body := get(t, s, "http://user:pass@"+host+"/echo")
	if !strings.Contains(body, "|auth=Basic dXNlcjpwYXNz|") {
		t.Errorf("URL credentials: %q", body)
	}
	if resp.URL.User != nil || resp.Request.URL.User != nil {
		t.Errorf("credentials kept in %v", resp.URL)
	}
}

func TestReference15_NetrcOnlyWithTrustEnv(t *testing.T) {
	base := serveApp(t, echoApp)
	netrc := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(netrc, []byte("machine 127.0.0.1 login nuser password npass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETRC", netrc)
	for _, v := range []string{"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"} {
		t.Setenv(v, "")
	}
	_, body := get(t, newSession(t, aiohttp.SessionOptions{}), base+"/echo")
	if !strings.Contains(body, "|auth=|") {
		t.Errorf("netrc read without TrustEnv: %q", body)
	}
	_, body = get(t, newSession(t, aiohttp.SessionOptions{TrustEnv: true}), base+"/echo")
	if !strings.Contains(body, "|auth=Basic bnVzZXI6bnBhc3M=|") {
		t.Errorf("netrc not used with TrustEnv: %q", body)
	}
}

func TestReference16_Cookies(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		echoApp(app)
		app.Router.Get("/set", func(r *web.Request) (web.Response, error) {
			resp := web.Text("set")
			resp.SetCookie(web.Cookie{Name: "session", Value: "abc"})
			resp.SetCookie(web.Cookie{Name: "gone", Value: "x", MaxAge: -1})
			resp.SetCookie(web.Cookie{Name: "old", Value: "x", Expires: time.Unix(1000, 0)})
			resp.SetCookie(web.Cookie{Name: "huge", Value: "y", MaxAge: 1 << 62})
			return resp, nil
		})
		app.Router.Get("/redirect-set", func(r *web.Request) (web.Response, error) {
			resp := web.NewResponse(302).SetHeader("Location", "/echo")
			resp.SetCookie(web.Cookie{Name: "hop", Value: "1"})
			return resp, nil
		})
	})
	// Cookies from an IP address need an unsafe jar, as in aiohttp.
	jar := newJar(t, aiohttp.JarOptions{Unsafe: true})
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, CookieJar: jar,
		Cookies: aiohttp.Cookies{"shared": "s", "session": "default"}})
	get(t, s, "/set")
	_, body := get(t, s, "/echo")
	if !strings.Contains(body, "|cookie=session=abc; huge=y; shared=s|") {
		t.Errorf("cookies sent back: %q", body)
	}
	_, body = get(t, s, "/echo", aiohttp.Cookies{"session": "override", "extra": "e"})
	if !strings.Contains(body, "|cookie=session=override; huge=y; shared=s; extra=e|") {
		t.Errorf("per-request cookies: %q", body)
	}
	_, body = get(t, s, "/redirect-set")
	if !strings.Contains(body, "hop=1") {
		t.Errorf("cookie set by a redirect not sent on: %q", body)
	}
	if s.CookieJar().Len() != 3 {
		t.Errorf("jar holds %d cookies: %v", s.CookieJar().Len(), s.CookieJar().All())
	}
	// A dummy jar stores nothing.
	d := newSession(t, aiohttp.SessionOptions{BaseURL: base, CookieJar: aiohttp.DummyCookieJar{}})
	get(t, d, "/set")
	if _, body := get(t, d, "/echo"); !strings.Contains(body, "|cookie=|") {
		t.Errorf("dummy jar: %q", body)
	}
}

func TestReference17_Timeouts(t *testing.T) {
	release := make(chan struct{})
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		r := s.readRequest(br)
		if r == nil {
			return
		}
		switch r.URL.Path {
		case "/stall":
			io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
		case "/slowhead":
		default:
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
		<-release
	})
	defer close(release)
	s := newSession(t, aiohttp.SessionOptions{Timeout: aiohttp.ClientTimeout{SockRead: 100 * time.Millisecond}})
	ctx := testCtx(t)

	// sock_read between chunks.
	resp, err := s.Get(ctx, srv.URL+"/stall")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = resp.Bytes()
	resp.Close()
	wantErrKind(t, err, aiohttp.ErrSocketTimeout)
	wantErrKind(t, err, aiohttp.ErrServerTimeout)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timed out after %v", d)
	}
	// sock_read waiting for the head.
	_, err = s.Get(ctx, srv.URL+"/slowhead")
	wantErrKind(t, err, aiohttp.ErrSocketTimeout)

	// total: the whole request, context.DeadlineExceeded reachable.
	_, err = s.Get(ctx, srv.URL+"/slowhead", aiohttp.ClientTimeout{Total: 100 * time.Millisecond})
	wantErrKind(t, err, aiohttp.ErrServerTimeout)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("total timeout does not wrap DeadlineExceeded: %v", err)
	}

	// connect: waiting for a connection slot counts.
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: 1})
	one := newSession(t, aiohttp.SessionOptions{Connector: conn})
	busy, err := one.Get(ctx, srv.URL+"/stall")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, err = one.Get(ctx, srv.URL+"/", aiohttp.ClientTimeout{Connect: 100 * time.Millisecond})
	wantErrKind(t, err, aiohttp.ErrConnectionTimeout)
	var e *aiohttp.Error
	if !errors.As(err, &e) || e.URL != srv.URL+"/" || e.Method != "GET" {
		t.Errorf("connect timeout names %#v", err)
	}
}

func TestReference18_ParserLimits(t *testing.T) {
	long := strings.Repeat("x", 9000)
	srv := startRaw(t, serveRequests(func(r *http.Request) string {
		switch r.URL.Path {
		case "/field":
			return "HTTP/1.1 200 OK\r\nX-Long: " + long + "\r\nContent-Length: 0\r\n\r\n"
		case "/status":
			return "HTTP/1.1 200 " + long + "\r\nContent-Length: 0\r\n\r\n"
		case "/many":
			return "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: b\r\n", 200) + "Content-Length: 0\r\n\r\n"
		}
		return "HTTP/1.1 200 OK\r\nX-Mid: " + long[:100] + "\r\nContent-Length: 0\r\n\r\n"
	}))
	s := newSession(t, aiohttp.SessionOptions{})
	for _, path := range []string{"/field", "/status", "/many"} {
		_, err := s.Get(testCtx(t), srv.URL+path)
		var re *aiohttp.ClientResponseError
		if !errors.As(err, &re) || re.Status != 400 || !errors.Is(err, aiohttp.ErrClientResponse) {
			t.Errorf("%s: %v, want a 400 ClientResponseError", path, err)
		}
	}
	get(t, s, srv.URL+"/")
	small := newSession(t, aiohttp.SessionOptions{MaxFieldSize: 50, MaxHeaders: 250, MaxLineSize: 20000})
	if _, err := small.Get(testCtx(t), srv.URL+"/"); err == nil {
		t.Error("MaxFieldSize not applied")
	}
	if resp, err := small.Get(testCtx(t), srv.URL+"/many"); err != nil {
		t.Errorf("MaxHeaders not applied: %v", err)
	} else {
		resp.Close()
	}

	// Per request, over the session's.
	if _, err := s.Get(testCtx(t), srv.URL+"/", aiohttp.MaxFieldSize(50)); !errors.Is(err, aiohttp.ErrLineTooLong) {
		t.Errorf("per-request MaxFieldSize: %v", err)
	}
	if _, err := small.Get(testCtx(t), srv.URL+"/", aiohttp.MaxFieldSize(200)); err != nil {
		t.Errorf("per-request MaxFieldSize over the session's: %v", err)
	}
	get(t, s, srv.URL+"/status", aiohttp.MaxLineSize(20000))
	get(t, s, srv.URL+"/many", aiohttp.MaxHeaders(250))
	if _, err := s.Get(testCtx(t), srv.URL+"/", aiohttp.MaxHeaders(1)); !errors.Is(err, aiohttp.ErrBadHTTPMessage) {
		t.Errorf("per-request MaxHeaders: %v", err)
	}
}

func TestReference19_IdempotentRetriedOnStaleConnection(t *testing.T) {
	// Each connection answers one request; a second request on it is read
	// and dropped by closing, as when a keep-alive timeout races the
	// request. The pool's liveness check cannot see that coming.
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		if s.readRequest(br) != nil {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			s.readRequest(br)
		}
	})
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	methods := []string{"GET", "PUT", "DELETE", "HEAD", "OPTIONS"}
	for _, method := range methods {
		resp, err := s.Request(ctx, method, srv.URL+"/", aiohttp.String("x"))
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		readBody(t, resp)
	}
	if n := srv.conns.Load(); n != int32(len(methods)) {
		t.Errorf("%d connections, want %d", n, len(methods))
	}
	// A POST is not retried: the server may have acted on it.
	_, err := s.Post(ctx, srv.URL+"/", aiohttp.String("x"))
	wantErrKind(t, err, aiohttp.ErrServerDisconnected)
	// Neither is a body that cannot be sent again.
	get(t, s, srv.URL+"/")
	_, err = s.Put(ctx, srv.URL+"/", aiohttp.Body(io.MultiReader(strings.NewReader("once"))))
	wantErrKind(t, err, aiohttp.ErrServerDisconnected)
}

func TestReference20_FingerprintMismatch(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secure")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	defer srv.Close()
	s := newSession(t, aiohttp.SessionOptions{})
	good := sha256.Sum256(srv.Certificate().Raw)
	ok := aiohttp.TLSOptions{InsecureSkipVerify: true, Fingerprint: good[:]}
	if _, body := get(t, s, srv.URL+"/", ok); body != "secure" {
		t.Fatalf("pinned: %q", body)
	}
	bad := aiohttp.TLSOptions{InsecureSkipVerify: true, Fingerprint: make([]byte, 32)}
	_, err := s.Get(testCtx(t), srv.URL+"/", bad)
	wantErrKind(t, err, aiohttp.ErrServerFingerprintMismatch)
	var fm *aiohttp.ServerFingerprintMismatch
	if !errors.As(err, &fm) || !bytes.Equal(fm.Got, good[:]) {
		t.Errorf("mismatch: %#v", err)
	}
	// Verification is on by default.
	_, err = s.Get(testCtx(t), srv.URL+"/")
	wantErrKind(t, err, aiohttp.ErrClientSSL)
	pool := tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	if _, body := get(t, s, srv.URL+"/", aiohttp.TLSOptions{Config: &pool}); body != "secure" {
		t.Errorf("custom CA: %q", body)
	}
}
