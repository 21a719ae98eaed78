package web_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/aiohttp-go/aiohttp/web"
)

// TestMain checks that no test of the package leaves goroutines behind:
// servers, connections, background reads and context watchers must all
// end with the test that started them.
func TestMain(m *testing.M) {
	// The goroutine of park's epoll set lives as long as the process.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/aiohttp-go/aiohttp/internal/park.pollEpoll"))
}

// ioTimeout bounds every wait of a test on the network, so that a broken
// server fails a test instead of hanging it.
const ioTimeout = 5 * time.Second

// quietLogger discards the errors the server logs for handler failures.
func quietLogger() web.AppOption {
	return web.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// newApp returns an application that logs nothing.
func newApp(opts ...web.AppOption) *web.Application {
	return web.NewApplication(append([]web.AppOption{quietLogger()}, opts...)...)
}

// testServer is an application served by a runner on 127.0.0.1:0.
type testServer struct {
	t      testing.TB
	app    *web.Application
	runner *web.AppRunner
	addr   string // host:port
	url    string // http://host:port
	client *http.Client

	stopOnce sync.Once
	stopErr  error
}

// startApp serves app on a fresh loopback listener until the test ends.
func startApp(t testing.TB, app *web.Application, opts web.ServerOptions) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startAppOn(t, app, opts, ln)
}

// startAppOn serves app on ln until the test ends.
func startAppOn(t testing.TB, app *web.Application, opts web.ServerOptions, ln net.Listener) *testServer {
	t.Helper()
	ctx := context.Background()
	runner := web.NewAppRunner(app, opts)
	if err := runner.Setup(ctx); err != nil {
		ln.Close()
		t.Fatalf("Setup: %v", err)
	}
	site := web.NewListenerSite(runner, ln)
	if err := site.Start(ctx); err != nil {
		ln.Close()
		t.Fatalf("Start: %v", err)
	}
	s := &testServer{
		t:      t,
		app:    app,
		runner: runner,
		addr:   ln.Addr().String(),
		url:    "http://" + ln.Addr().String(),
		client: &http.Client{Transport: &http.Transport{}, Timeout: ioTimeout},
	}
	t.Cleanup(func() {
		s.client.CloseIdleConnections()
		if err := s.stop(); err != nil {
			t.Errorf("runner cleanup: %v", err)
		}
	})
	return s
}

// startBridged serves app under net/http (an httptest server) until the
// test ends, for do and get as startApp's servers; its client does not
// follow redirects.
func startBridged(t testing.TB, app *web.Application) *testServer {
	t.Helper()
	ts := httptest.NewServer(app)
	t.Cleanup(ts.Close)
	client := *ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &testServer{t: t, app: app, addr: ts.Listener.Addr().String(), url: ts.URL, client: &client}
}

// stop shuts the server down gracefully, once.
func (s *testServer) stop() error {
	s.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*ioTimeout)
		defer cancel()
		s.stopErr = s.runner.Cleanup(ctx)
	})
	return s.stopErr
}

// do sends a request with net/http's client and returns the response with
// its body read.
func (s *testServer) do(method, path string, body io.Reader, header ...string) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if strings.EqualFold(header[i], "Host") {
			req.Host = header[i+1]
			continue
		}
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp, string(b)
}

// get sends a GET with net/http's client.
func (s *testServer) get(path string, header ...string) (*http.Response, string) {
	s.t.Helper()
	return s.do("GET", path, nil, header...)
}

// rawConn is a client connection that writes bytes as given and parses
// what comes back by hand, to see the wire exactly.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

// dial opens a raw client connection to the server for the test (or
// subtest) t, closed when it ends.
func (s *testServer) dial(t testing.TB) *rawConn {
	t.Helper()
	return dialRaw(t, "tcp", s.addr)
}

func dialRaw(t testing.TB, network, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout(network, addr, ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, br: bufio.NewReaderSize(nc, 64<<10)}
}

// send writes s to the connection.
func (c *rawConn) send(s string) {
	c.t.Helper()
	_ = c.nc.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// field is one header field as it came over the wire.
type field struct{ name, value string }

// wireResponse is a response read off a raw connection.
type wireResponse struct {
	proto  string
	status int
	reason string
	fields []field
	head   string // status line and fields, as received
	body   []byte
	chunks []int // the sizes of the chunks of a chunked body
}

// get returns the first value of the named field, or "".
func (r *wireResponse) get(name string) string {
	v, _ := r.lookup(name)
	return v
}

func (r *wireResponse) lookup(name string) (string, bool) {
	for _, f := range r.fields {
		if strings.EqualFold(f.name, name) {
			return f.value, true
		}
	}
	return "", false
}

// values returns every value of the named field.
func (r *wireResponse) values(name string) []string {
	var vs []string
	for _, f := range r.fields {
		if strings.EqualFold(f.name, name) {
			vs = append(vs, f.value)
		}
	}
	return vs
}

func (c *rawConn) deadline() {
	_ = c.nc.SetReadDeadline(time.Now().Add(ioTimeout))
}

// readLine reads one CRLF-terminated line and returns it without CRLF.
func (c *rawConn) readLine() (string, error) {
	c.deadline()
	line, err := c.br.ReadString('\n')
	if err != nil {
		return line, err
	}
	if !strings.HasSuffix(line, "\r\n") {
		return line, fmt.Errorf("line %q does not end in CRLF", line)
	}
	return strings.TrimSuffix(line, "\r\n"), nil
}

// readHead reads a status line and header section.
func (c *rawConn) readHead() *wireResponse {
	c.t.Helper()
	line, err := c.readLine()
	if err != nil {
		c.t.Fatalf("reading status line: %v (got %q)", err, line)
	}
	r := &wireResponse{head: line + "\r\n"}
	proto, rest, _ := strings.Cut(line, " ")
	code, reason, _ := strings.Cut(rest, " ")
	r.proto, r.reason = proto, reason
	if r.status, err = strconv.Atoi(code); err != nil {
		c.t.Fatalf("bad status line %q", line)
	}
	for {
		line, err := c.readLine()
		if err != nil {
			c.t.Fatalf("reading header: %v", err)
		}
		r.head += line + "\r\n"
		if line == "" {
			return r
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			c.t.Fatalf("bad header line %q", line)
		}
		r.fields = append(r.fields, field{name, strings.TrimSpace(value)})
	}
}

// readResponse reads one response to a request with the given method,
// with its body framed as HTTP/1.1 says.
func (c *rawConn) readResponse(method string) *wireResponse {
	c.t.Helper()
	r := c.readHead()
	switch {
	case method == "HEAD" || r.status < 200 || r.status == 204 || r.status == 304:
	case strings.EqualFold(r.get("Transfer-Encoding"), "chunked"):
		for {
			n := c.readChunkSize()
			if n == 0 {
				break
			}
			r.chunks = append(r.chunks, n)
			r.body = append(r.body, c.readFull(n)...)
			c.expectCRLF()
		}
		c.expectCRLF() // no trailers
	case r.get("Content-Length") != "":
		n, err := strconv.Atoi(r.get("Content-Length"))
		if err != nil {
			c.t.Fatalf("bad Content-Length %q", r.get("Content-Length"))
		}
		r.body = c.readFull(n)
	default:
		c.deadline()
		b, err := io.ReadAll(c.br)
		if err != nil {
			c.t.Fatalf("reading body until close: %v", err)
		}
		r.body = b
	}
	return r
}

// get sends a GET with the given extra header lines and reads the response.
func (c *rawConn) get(path string, lines ...string) *wireResponse {
	c.t.Helper()
	c.send("GET " + path + " HTTP/1.1\r\nHost: test\r\n" + joinLines(lines) + "\r\n")
	return c.readResponse("GET")
}

// joinLines turns header lines into CRLF-terminated field lines.
func joinLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	return b.String()
}

// readChunkSize reads a chunk-size line.
func (c *rawConn) readChunkSize() int {
	c.t.Helper()
	line, err := c.readLine()
	if err != nil {
		c.t.Fatalf("reading chunk size: %v", err)
	}
	n, err := strconv.ParseInt(line, 16, 32)
	if err != nil {
		c.t.Fatalf("bad chunk size line %q", line)
	}
	return int(n)
}

// readChunk reads one chunk of a chunked body; nil means the last chunk
// (whose final CRLF it reads too).
func (c *rawConn) readChunk() []byte {
	c.t.Helper()
	n := c.readChunkSize()
	if n == 0 {
		c.expectCRLF()
		return nil
	}
	b := c.readFull(n)
	c.expectCRLF()
	return b
}

func (c *rawConn) expectCRLF() {
	c.t.Helper()
	if line, err := c.readLine(); err != nil || line != "" {
		c.t.Fatalf("expected CRLF, got %q, %v", line, err)
	}
}

func (c *rawConn) readFull(n int) []byte {
	c.t.Helper()
	c.deadline()
	b := make([]byte, n)
	if _, err := io.ReadFull(c.br, b); err != nil {
		c.t.Fatalf("reading %d bytes: %v", n, err)
	}
	return b
}

// expectClosed checks that the server closes the connection without
// sending anything more.
func (c *rawConn) expectClosed() {
	c.t.Helper()
	c.deadline()
	b, err := c.br.ReadByte()
	if err == nil {
		rest, _ := c.br.Peek(c.br.Buffered())
		c.t.Fatalf("expected the connection to close, got %q", append([]byte{b}, rest...))
	}
	if !isClosedErr(err) {
		c.t.Fatalf("expected the connection to close, got %v", err)
	}
}

// isClosedErr reports a read error that means the peer closed.
func isClosedErr(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return err != nil
}

// expectSilence checks that nothing arrives for d (and the connection
// stays open).
func (c *rawConn) expectSilence(d time.Duration) {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(d))
	_, err := c.br.Peek(1)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		b, _ := c.br.Peek(c.br.Buffered())
		c.t.Fatalf("expected nothing for %v, got %q, %v", d, b, err)
	}
}

// waitFor polls cond until it holds or the I/O timeout passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(ioTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// recv waits for a value on ch, failing the test after the I/O timeout.
func recv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(ioTimeout):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// countingListener counts the write calls on the connections it accepts.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: nc, writes: &l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// text is a handler answering with a fixed text.
func text(s string) web.Handler {
	return func(*web.Request) (web.Response, error) { return web.Text(s), nil }
}

func TestServerHelloOverNetHTTP(t *testing.T) {
	app := newApp()
	app.Router.Get("/", text("Hello, Anonymous"))
	app.Router.Get("/{name}", func(req *web.Request) (web.Response, error) {
		return web.Text("Hello, " + req.MatchInfo().Get("name")), nil
	})
	s := startApp(t, app, web.ServerOptions{})

	resp, body := s.get("/")
	if resp.StatusCode != 200 || body != "Hello, Anonymous" {
		t.Fatalf("GET / = %d %q", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if resp.Header.Get("Server") == "" || resp.Header.Get("Date") == "" {
		t.Errorf("Server and Date missing: %v", resp.Header)
	}
	if _, err := http.ParseTime(resp.Header.Get("Date")); err != nil {
		t.Errorf("Date %q: %v", resp.Header.Get("Date"), err)
	}
	resp, body = s.get("/gopher")
	if resp.StatusCode != 200 || body != "Hello, gopher" {
		t.Fatalf("GET /gopher = %d %q", resp.StatusCode, body)
	}
}

func TestServerRawWire(t *testing.T) {
	app := newApp()
	app.Router.Get("/", text("hi"))
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	r := c.get("/")
	if r.proto != "HTTP/1.1" || r.status != 200 || r.reason != "OK" || string(r.body) != "hi" {
		t.Fatalf("got %q %q", r.head, r.body)
	}
	if r.get("Content-Length") != "2" {
		t.Errorf("Content-Length = %q", r.get("Content-Length"))
	}
	if _, ok := r.lookup("Connection"); ok {
		t.Errorf("HTTP/1.1 keep-alive response has a Connection field: %q", r.head)
	}
}

// bigBody returns n bytes of a repeated pattern.
func bigBody(n int) []byte {
	return bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n]
}

// mustListen returns a loopback listener closed when the test ends.
func mustListen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}
