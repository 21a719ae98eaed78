package aiohttp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
	"go.uber.org/goleak"
)

// testTimeout bounds every test request, so that a bug fails instead of
// hanging.
const testTimeout = 10 * time.Second

// testCtx returns a context that ends with the test or after testTimeout.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// serveApp serves the application setup builds on 127.0.0.1:0 until the
// test ends and returns its base URL, "http://127.0.0.1:port".
func serveApp(t testing.TB, setup func(app *web.Application)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveOn(t, ln, setup)
	return "http://" + ln.Addr().String()
}

// serveOn serves the application setup builds on ln until the test ends.
func serveOn(t testing.TB, ln net.Listener, setup func(app *web.Application)) {
	t.Helper()
	app := web.NewApplication(web.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	setup(app)
	runner := web.NewAppRunner(app, web.ServerOptions{})
	if err := runner.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := web.NewListenerSite(runner, ln).Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		runner.Cleanup(ctx)
	})
}

// rawServer is a TCP server answering by hand, for checks on the wire.
type rawServer struct {
	URL   string // http://127.0.0.1:port
	ln    net.Listener
	conns atomic.Int32 // connections accepted
	wg    sync.WaitGroup

	mu    sync.Mutex
	heads []string // the raw heads of the requests read by readRequest
}

// startRaw serves each connection with serve until the test ends.
func startRaw(t testing.TB, serve func(s *rawServer, c net.Conn, br *bufio.Reader)) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{URL: "http://" + ln.Addr().String(), ln: ln}
	var open sync.Map
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			open.Store(c, true)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				serve(s, c, bufio.NewReader(c))
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		open.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
		s.wg.Wait()
	})
	return s
}

// readHead reads and records the raw head of one request; false at the
// end of the connection.
func (s *rawServer) readHead(br *bufio.Reader) (string, bool) {
	var lines []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return "", false
		}
		lines = append(lines, line)
		if line == "\r\n" {
			break
		}
	}
	raw := strings.Join(lines, "")
	s.mu.Lock()
	s.heads = append(s.heads, raw)
	s.mu.Unlock()
	return raw, true
}

// readRequest reads one request and its body from br, recording its raw
// head; nil at the end of the connection.
func (s *rawServer) readRequest(br *bufio.Reader) *http.Request {
	raw, ok := s.readHead(br)
	if !ok {
		return nil
	}
	req, err := http.ReadRequest(bufio.NewReader(io.MultiReader(strings.NewReader(raw), br)))
	if err != nil {
		return nil
	}
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(strings.NewReader(string(body)))
	return req
}

// head returns the raw head of the i-th request read.
func (s *rawServer) head(i int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= len(s.heads) {
		return ""
	}
	return s.heads[i]
}

// serveRequests answers every request of a connection with the bytes
// answer returns.
func serveRequests(answer func(r *http.Request) string) func(*rawServer, net.Conn, *bufio.Reader) {
	return func(s *rawServer, c net.Conn, br *bufio.Reader) {
		for {
			r := s.readRequest(br)
			if r == nil {
				return
			}
			if _, err := io.WriteString(c, answer(r)); err != nil {
				return
			}
		}
	}
}

// newSession returns a session closed when the test ends.
func newSession(t testing.TB, opts aiohttp.SessionOptions) *aiohttp.Session {
	t.Helper()
	s, err := aiohttp.NewSession(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newJar returns a cookie jar with opts, failing the test on an error.
func newJar(t testing.TB, opts aiohttp.JarOptions) *aiohttp.Jar {
	t.Helper()
	jar, err := aiohttp.NewCookieJar(opts)
	if err != nil {
		t.Fatal(err)
	}
	return jar
}

// readBody reads a response's body as a string and closes it.
func readBody(t testing.TB, resp *aiohttp.Response) string {
	t.Helper()
	defer resp.Close()
	b, err := resp.Bytes()
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return string(b)
}

// get sends a GET and returns the body, failing the test on an error.
func get(t testing.TB, s *aiohttp.Session, url string, opts ...aiohttp.RequestOption) (*aiohttp.Response, string) {
	t.Helper()
	resp, err := s.Get(testCtx(t), url, opts...)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp, readBody(t, resp)
}

// wantKind fails unless err matches kind.
func wantErrKind(t testing.TB, err, kind error) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %v", kind)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v (%T), want kind %v", err, err, kind)
	}
}

func TestSessionMethods(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		app.Router.Any("/m", func(r *web.Request) (web.Response, error) {
			body, _ := r.Bytes()
			return web.Text(r.Method() + " " + string(body)), nil
		})
	})
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base})
	ctx := testCtx(t)
	calls := []struct {
		name string
		do   func() (*aiohttp.Response, error)
		want string
	}{
		{"GET", func() (*aiohttp.Response, error) { return s.Get(ctx, "/m") }, "GET "},
		{"POST", func() (*aiohttp.Response, error) { return s.Post(ctx, "/m", aiohttp.String("a")) }, "POST a"},
		{"PUT", func() (*aiohttp.Response, error) { return s.Put(ctx, "/m", aiohttp.String("b")) }, "PUT b"},
		{"PATCH", func() (*aiohttp.Response, error) { return s.Patch(ctx, "/m", aiohttp.String("c")) }, "PATCH c"},
		{"DELETE", func() (*aiohttp.Response, error) { return s.Delete(ctx, "/m") }, "DELETE "},
		{"OPTIONS", func() (*aiohttp.Response, error) { return s.Options(ctx, "/m") }, "OPTIONS "},
		{"lower-case", func() (*aiohttp.Response, error) { return s.Request(ctx, "get", "/m") }, "GET "},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			resp, err := c.do()
			if err != nil {
				t.Fatal(err)
			}
			if got := readBody(t, resp); got != c.want {
				t.Errorf("body = %q, want %q", got, c.want)
			}
		})
	}
	resp, err := s.Head(ctx, "/m")
	if err != nil {
		t.Fatal(err)
	}
	if got := readBody(t, resp); resp.Status != 200 || got != "" {
		t.Errorf("HEAD: %d %q", resp.Status, got)
	}
	if _, err := s.Request(ctx, "BAD METHOD", "/m"); !errors.Is(err, aiohttp.ErrClient) {
		t.Errorf("bad method: %v", err)
	}
}

func TestNewSessionRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts aiohttp.SessionOptions
		kind error
	}{
		{"relative base URL", aiohttp.SessionOptions{BaseURL: "/relative"}, aiohttp.ErrInvalidURL},
		{"unparsable base URL", aiohttp.SessionOptions{BaseURL: "http://%zz/"}, aiohttp.ErrInvalidURL},
		{"relative proxy", aiohttp.SessionOptions{Proxy: "proxy:3128"}, aiohttp.ErrInvalidURL},
		{"proxy scheme", aiohttp.SessionOptions{Proxy: "ftp://proxy:21"}, aiohttp.ErrInvalidURL},
		{"auth login with a colon", aiohttp.SessionOptions{Auth: &aiohttp.BasicAuth{Login: "a:b"}}, aiohttp.ErrClient},
		{"auth encoding", aiohttp.SessionOptions{Auth: &aiohttp.BasicAuth{Login: "a", Encoding: "ebcdic"}}, aiohttp.ErrClient},
	}
	for _, tt := range tests {
		s, err := aiohttp.NewSession(tt.opts)
		if s != nil || !errors.Is(err, tt.kind) {
			t.Errorf("%s: %v, %v; want the error %v", tt.name, s, err, tt.kind)
		}
	}
	s, err := aiohttp.NewSession(aiohttp.SessionOptions{BaseURL: "http://h/api/", Proxy: "http://p:3128", Auth: &aiohttp.BasicAuth{Login: "u"}})
	if err != nil {
		t.Fatalf("good options: %v", err)
	}
	s.Close()
}

func TestSessionClosed(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("ok"), nil })
	})
	s := newSession(t, aiohttp.SessionOptions{})
	get(t, s, base+"/")
	if s.Closed() {
		t.Fatal("Closed before Close")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !s.Closed() {
		t.Fatal("not Closed after Close")
	}
	_, err := s.Get(testCtx(t), base+"/")
	wantErrKind(t, err, aiohttp.ErrSessionClosed)
	var e *aiohttp.Error
	if !errors.As(err, &e) || e.URL != base+"/" || e.Method != "GET" {
		t.Errorf("error does not name the request: %#v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestSessionSharedConnector(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("ok"), nil })
	})
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{})
	defer conn.Close()
	s1 := newSession(t, aiohttp.SessionOptions{Connector: conn, KeepConnectorOpen: true})
	s2 := newSession(t, aiohttp.SessionOptions{Connector: conn, KeepConnectorOpen: true})
	get(t, s1, base+"/")
	s1.Close()
	if _, body := get(t, s2, base+"/"); body != "ok" {
		t.Fatalf("body %q", body)
	}
	if s2.Connector() != aiohttp.Connector(conn) {
		t.Error("Connector() is not the one given")
	}
	s2.Close()
}

func TestSessionBaseURL(t *testing.T) {
	srv := startRaw(t, serveRequests(func(r *http.Request) string {
		return "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(r.RequestURI)) + "\r\n\r\n" + r.RequestURI
	}))
	tests := []struct{ base, url, want string }{
		{srv.URL + "/api/", "users", "/api/users"},
		{srv.URL + "/api/", "/users", "/users"},
		{srv.URL + "/api", "users", "/users"},
		{srv.URL + "/api/v1/", "../v2/x?y=1", "/api/v2/x?y=1"},
		{srv.URL + "/api/", "", "/api/"},
		{srv.URL + "/api/", srv.URL + "/abs", "/abs"},
	}
	for _, tt := range tests {
		s := newSession(t, aiohttp.SessionOptions{BaseURL: tt.base})
		resp, body := get(t, s, tt.url)
		if body != tt.want {
			t.Errorf("base %q + %q: requested %q, want %q", tt.base, tt.url, body, tt.want)
		}
		if resp.URL.Path != strings.SplitN(tt.want, "?", 2)[0] {
			t.Errorf("resp.URL = %v", resp.URL)
		}
	}
	s := newSession(t, aiohttp.SessionOptions{})
	if _, err := s.Get(testCtx(t), "/no-base"); !errors.Is(err, aiohttp.ErrInvalidURLClient) {
		t.Errorf("relative URL without base: %v", err)
	}
	if _, err := s.Get(testCtx(t), "ftp://example.com/"); !errors.Is(err, aiohttp.ErrNonHTTPURLClient) {
		t.Errorf("ftp URL: %v", err)
	}
	if _, err := s.Get(testCtx(t), "http://%zz"); !errors.Is(err, aiohttp.ErrInvalidURLClient) {
		t.Errorf("unparsable URL: %v", err)
	}
}

func TestSessionConnectErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := newSession(t, aiohttp.SessionOptions{})
	_, err = s.Get(testCtx(t), "http://"+addr+"/x?y")
	wantErrKind(t, err, aiohttp.ErrClientConnector)
	var e *aiohttp.Error
	if !errors.As(err, &e) || e.URL != "http://"+addr+"/x?y" || e.Method != "GET" {
		t.Errorf("connect error names %#v", err)
	}
	// Host names are sent in their ASCII form.
	_, err = s.Get(testCtx(t), "http://bücher.invalid/")
	if !errors.As(err, &e) || !strings.Contains(e.URL, "xn--bcher-kva.invalid") {
		t.Errorf("IDNA: %v", err)
	}
}

func TestSessionNoGoroutineLeak(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	// The subtest's cleanup stops the server before the check.
	t.Run("requests", func(t *testing.T) {
		base := serveApp(t, echoApp)
		s := newSession(t, aiohttp.SessionOptions{BaseURL: base})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		for _, path := range []string{"/echo", "/r/302", "/r/307"} {
			resp, err := s.Post(ctx, path, aiohttp.String("x"), aiohttp.Compress("gzip"))
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, resp)
		}
		// An abandoned response, closed unread; a cancelled request.
		resp, err := s.Get(ctx, "/echo")
		if err != nil {
			t.Fatal(err)
		}
		resp.Close()
		cancel()
		if _, err := s.Get(ctx, "/echo"); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled: %v", err)
		}
	})
}

func TestSessionURLCacheIsolation(t *testing.T) {
	srv := startWire(t)
	mutate := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		req.URL.Path = "/changed" // a middleware may change the URL in place
		return next(req)
	}
	s := newSession(t, aiohttp.SessionOptions{})
	get(t, s, srv.URL+"/orig", aiohttp.WithMiddlewares(mutate))
	if r, _ := srv.next(t); r.URL.Path != "/changed" {
		t.Errorf("path %q", r.URL.Path)
	}
	resp, _ := get(t, s, srv.URL+"/orig")
	if r, _ := srv.next(t); r.URL.Path != "/orig" || resp.URL.Path != "/orig" {
		t.Errorf("the cached URL was changed: %q", r.URL.Path)
	}

	// A middleware sending a cached URL elsewhere is obeyed.
	other := startWire(t)
	otherHost := strings.TrimPrefix(other.URL, "http://")
	redirect := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		req.URL.Host = otherHost
		return next(req)
	}
	get(t, s, srv.URL+"/orig", aiohttp.WithMiddlewares(redirect))
	if r, _ := other.next(t); r.URL.Path != "/orig" {
		t.Errorf("the other server got %q", r.URL.Path)
	}
}

// A response without a body returns its connection to the pool before
// Get returns; the next request taking the connection from another
// goroutine must send its request all the same (a request sent from within
// the read of its answer was once unset by the one before).
func TestSessionHandsOverEmptyAnswers(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text(""), nil })
	})
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: 1})
	s := newSession(t, aiohttp.SessionOptions{Connector: conn, Timeout: aiohttp.ClientTimeout{Total: 5 * time.Second}})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				resp, err := s.Get(context.Background(), base+"/")
				if err != nil {
					t.Error(err)
					return
				}
				resp.Close()
			}
		})
	}
	wg.Wait()
}
