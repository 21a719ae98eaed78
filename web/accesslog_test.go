package web_test

import (
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/web"
)

// logBuffer collects access log lines from the server's goroutines.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
	part  string
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.part + string(p)
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		b.lines = append(b.lines, s[:i])
		s = s[i+1:]
	}
	b.part = s
	return len(p), nil
}

// next waits for the next line after the n already taken.
func (b *logBuffer) line(t *testing.T, n int) string {
	t.Helper()
	var line string
	waitFor(t, "access log line "+strconv.Itoa(n), func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.lines) > n {
			line = b.lines[n]
			return true
		}
		return false
	})
	return line
}

func logApp() *web.Application {
	app := newApp()
	app.Router.Get("/hello", func(*web.Request) (web.Response, error) {
		return web.Text("hello").SetHeader("X-Resp", "out"), nil
	})
	app.Router.Get("/slow", func(*web.Request) (web.Response, error) {
		time.Sleep(30 * time.Millisecond)
		return web.Text("slow"), nil
	})
	app.Router.Get("/stream", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.Header().Set("X-Resp", "streamed")
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		resp.WriteString("0123456789")
		resp.WriteString("abc")
		return resp, nil
	})
	return app
}

func TestAccessLogDefaultFormat(t *testing.T) {
	var log logBuffer
	s := startApp(t, logApp(), web.ServerOptions{AccessLog: &log})
	c := s.dial(t)
	c.get("/hello?q=1", "Referer: http://ref.example/", "User-Agent: test-agent/1.0")
	re := regexp.MustCompile(`^127\.0\.0\.1 \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET /hello\?q=1 HTTP/1\.1" 200 5 "http://ref\.example/" "test-agent/1\.0"$`)
	if line := log.line(t, 0); !re.MatchString(line) {
		t.Errorf("default format line %q", line)
	}
	c.get("/missing")
	if line := log.line(t, 1); !strings.HasSuffix(line, `"GET /missing HTTP/1.1" 404 14 "-" "-"`) {
		t.Errorf("404 line %q", line)
	}
	c.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	c.readResponse("HEAD")
	if line := log.line(t, 2); !strings.HasSuffix(line, `"HEAD /hello HTTP/1.1" 200 0 "-" "-"`) {
		t.Errorf("HEAD line %q", line)
	}
	c.send("GET /hello HTTP/1.0\r\n\r\n")
	c.readResponse("GET")
	if line := log.line(t, 3); !strings.Contains(line, `"GET /hello HTTP/1.0" 200 5`) {
		t.Errorf("HTTP/1.0 line %q", line)
	}
	if web.DefaultAccessLogFormat != `%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"` {
		t.Errorf("DefaultAccessLogFormat = %q", web.DefaultAccessLogFormat)
	}
}

func TestAccessLogFormatCodes(t *testing.T) {
	var log logBuffer
	format := `%a|%t|%P|%r|%s|%b|%T|%Tf|%D|%{X-Req}i|%{x-resp}o|%{Missing}i|%{Missing}o|%%|%Z|%{broken`
	s := startApp(t, logApp(), web.ServerOptions{AccessLog: &log, AccessLogFormat: format})
	c := s.dial(t)
	before := time.Now().UTC().Truncate(time.Second)
	c.get("/slow", "X-Req: in")
	after := time.Now().UTC()
	parts := strings.Split(log.line(t, 0), "|")
	if len(parts) != 16 {
		t.Fatalf("%d parts: %q", len(parts), parts)
	}
	if parts[0] != "127.0.0.1" {
		t.Errorf("%%a = %q", parts[0])
	}
	ts, err := time.Parse("[02/Jan/2006:15:04:05 -0700]", parts[1])
	if err != nil || ts.Before(before) || ts.After(after) {
		t.Errorf("%%t = %q (%v), want between %v and %v", parts[1], err, before, after)
	}
	if parts[2] != strconv.Itoa(os.Getpid()) {
		t.Errorf("%%P = %q", parts[2])
	}
	if parts[3] != "GET /slow HTTP/1.1" || parts[4] != "200" || parts[5] != "4" {
		t.Errorf("%%r %%s %%b = %q %q %q", parts[3], parts[4], parts[5])
	}
	if parts[6] != "0" {
		t.Errorf("%%T = %q for a 30 ms request", parts[6])
	}
	if f, err := strconv.ParseFloat(parts[7], 64); err != nil || f < 0.03 || f > 5 || !strings.Contains(parts[7], ".") {
		t.Errorf("%%Tf = %q", parts[7])
	}
	if us, err := strconv.Atoi(parts[8]); err != nil || us < 30_000 || us > 5_000_000 {
		t.Errorf("%%D = %q", parts[8])
	}
	if parts[9] != "in" || parts[10] != "-" || parts[11] != "-" || parts[12] != "-" {
		t.Errorf("headers: %q %q %q %q", parts[9], parts[10], parts[11], parts[12])
	}
	if parts[13] != "%" || parts[14] != "%Z" || parts[15] != "%{broken" {
		t.Errorf("literals: %q %q %q", parts[13], parts[14], parts[15])
	}

	c.get("/hello")
	if parts := strings.Split(log.line(t, 1), "|"); parts[10] != "out" || parts[5] != "5" {
		t.Errorf("%%{x-resp}o = %q, %%b = %q", parts[10], parts[5])
	}
	c.get("/stream")
	if parts := strings.Split(log.line(t, 2), "|"); parts[10] != "streamed" || parts[5] != "13" {
		t.Errorf("stream: %%{x-resp}o = %q, %%b = %q", parts[10], parts[5])
	}
}

func TestAccessLogOff(t *testing.T) {
	// Without a writer nothing is logged, and nothing breaks.
	s := startApp(t, logApp(), web.ServerOptions{AccessLogFormat: "%r"})
	if r := s.dial(t).get("/hello"); string(r.body) != "hello" {
		t.Errorf("got %q", r.body)
	}
}

// %{Name}o reports the fields the server adds as they went out, on the
// engine and through net/http (HTTP/2) alike.
func TestAccessLogAddedFields(t *testing.T) {
	app := logApp()
	app.Router.Get("/cookie", func(*web.Request) (web.Response, error) {
		return web.Text("").SetStatus(204).SetCookie(web.Cookie{Name: "k", Value: "v"}), nil
	})
	var buf logBuffer
	format := `%r|%{Content-Type}o|%{Content-Length}o|%{Set-Cookie}o|%{Transfer-Encoding}o`
	s := startApp(t, app, web.ServerOptions{AccessLog: &buf, AccessLogFormat: format})
	c := s.dial(t)
	c.get("/hello")
	c.get("/cookie")
	tr := h2cTransport()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: ioTimeout}
	resp, err := client.Get(s.url + "/hello")
	readAll(t, resp, err)
	want := []string{
		"GET /hello HTTP/1.1|text/plain; charset=utf-8|5|-|-",
		"GET /cookie HTTP/1.1|-|-|k=v; Path=/|-",
		"GET /hello HTTP/2.0|text/plain; charset=utf-8|5|-|-",
	}
	for i, w := range want {
		if line := buf.line(t, i); line != w {
			t.Errorf("line %d: %q, want %q", i, line, w)
		}
	}
}

// HTTP/2 requests are logged too, with their version in %r.
func TestAccessLogHTTP2(t *testing.T) {
	var buf logBuffer
	s := startApp(t, logApp(), web.ServerOptions{AccessLog: &buf, AccessLogFormat: `"%r" %s %b %{X-Resp}o`})
	tr := h2cTransport()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: ioTimeout}
	resp, err := client.Get(s.url + "/hello")
	if got := readAll(t, resp, err); got != "hello" {
		t.Fatalf("h2c GET: %q", got)
	}
	if line := buf.line(t, 0); line != `"GET /hello HTTP/2.0" 200 5 out` {
		t.Errorf("access log line %q", line)
	}
}

// loggedRequest is what a custom AccessLogger kept of one request.
type loggedRequest struct {
	method, path, query, agent string
	status                     int
	reason                     string
	header                     *multidict.CIMultiDict
	size                       int64
	taken                      time.Duration
}

// recordingLogger is a custom AccessLogger that keeps what it is given.
type recordingLogger struct{ got chan loggedRequest }

func (l *recordingLogger) Log(req *web.Request, resp web.SentResponse, taken time.Duration) {
	l.got <- loggedRequest{
		method: req.Method(), path: req.Path(), query: req.QueryString(), agent: req.Header().Get("User-Agent"),
		status: resp.Status(), reason: resp.Reason(), header: resp.Header(), size: resp.BodyLength(), taken: taken,
	}
}

// A custom AccessLogger gets every request, on the engine and over
// HTTP/2, with the response as it was sent; the line logger it replaces
// writes nothing.
func TestCustomAccessLogger(t *testing.T) {
	app := logApp()
	app.Router.Get("/cookie", func(*web.Request) (web.Response, error) {
		return web.Text("c").SetStatus(201, "Made").SetCookie(web.Cookie{Name: "k", Value: "v"}), nil
	})
	app.Router.Get("/panic", func(*web.Request) (web.Response, error) { panic("logged") })
	rec := &recordingLogger{got: make(chan loggedRequest, 16)}
	var lines logBuffer
	s := startApp(t, app, web.ServerOptions{AccessLogger: rec, AccessLog: &lines})
	c := s.dial(t)
	next := func() loggedRequest { return recv(t, rec.got, "an access log call") }

	c.get("/hello?x=1", "User-Agent: agent/1")
	e := next()
	if e.method != "GET" || e.path != "/hello" || e.query != "x=1" || e.agent != "agent/1" ||
		e.status != 200 || e.reason != "OK" || e.size != 5 || e.taken <= 0 {
		t.Errorf("GET /hello logged as %+v", e)
	}
	for name, want := range map[string]string{"Content-Type": "text/plain; charset=utf-8", "Content-Length": "5",
		"X-Resp": "out", "Server": "aiohttp-go"} {
		if got := e.header.Get(name); got != want {
			t.Errorf("logged %s = %q, want %q", name, got, want)
		}
	}
	if e.header.Get("Date") == "" {
		t.Errorf("logged header lacks Date: %v", e.header)
	}

	c.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	c.readResponse("HEAD")
	if e := next(); e.method != "HEAD" || e.size != 0 || e.header.Get("Content-Length") != "5" {
		t.Errorf("HEAD logged as %+v", e)
	}
	c.get("/cookie")
	if e := next(); e.status != 201 || e.reason != "Made" || e.header.Get("Set-Cookie") != "k=v; Path=/" {
		t.Errorf("/cookie logged as %+v %v", e, e.header)
	}
	c.get("/stream")
	if e := next(); e.size != 13 || e.header.Get("Transfer-Encoding") != "chunked" {
		t.Errorf("/stream logged as %+v %v", e, e.header)
	}
	c.get("/missing")
	if e := next(); e.status != 404 {
		t.Errorf("/missing logged as %+v", e)
	}
	c.get("/panic")
	if e := next(); e.status != 500 {
		t.Errorf("/panic logged as %+v", e)
	}

	tr := h2cTransport()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: ioTimeout}
	resp, err := client.Get(s.url + "/stream")
	readAll(t, resp, err)
	if e := next(); e.path != "/stream" || e.size != 13 || e.header.Has("Transfer-Encoding") {
		t.Errorf("HTTP/2 /stream logged as %+v %v", e, e.header)
	}
	lines.mu.Lock()
	defer lines.mu.Unlock()
	if len(lines.lines) != 0 || lines.part != "" {
		t.Errorf("AccessLog written beside the AccessLogger: %q", lines.lines)
	}
}

// teeLogger counts requests and hands them on to another AccessLogger.
type teeLogger struct {
	n    atomic.Int64
	next web.AccessLogger
}

func (l *teeLogger) Log(req *web.Request, resp web.SentResponse, taken time.Duration) {
	l.n.Add(1)
	l.next.Log(req, resp, taken)
}

// The format logger is an AccessLogger like any other: a custom logger
// can hand requests on to it.
func TestFormatAccessLoggerComposes(t *testing.T) {
	var lines logBuffer
	tee := &teeLogger{next: web.NewFormatAccessLogger(&lines, `"%r" %s %b %{Content-Type}o`)}
	s := startApp(t, logApp(), web.ServerOptions{AccessLogger: tee})
	c := s.dial(t)
	c.get("/hello")
	c.get("/missing")
	if line := lines.line(t, 0); line != `"GET /hello HTTP/1.1" 200 5 text/plain; charset=utf-8` {
		t.Errorf("line 0: %q", line)
	}
	if line := lines.line(t, 1); line != `"GET /missing HTTP/1.1" 404 14 text/plain; charset=utf-8` {
		t.Errorf("line 1: %q", line)
	}
	if n := tee.n.Load(); n != 2 {
		t.Errorf("%d requests counted, want 2", n)
	}
	// An empty format is the default one.
	var def logBuffer
	s = startApp(t, logApp(), web.ServerOptions{AccessLogger: web.NewFormatAccessLogger(&def, "")})
	s.dial(t).get("/hello")
	if line := def.line(t, 0); !strings.Contains(line, `"GET /hello HTTP/1.1" 200 5 "-" "-"`) {
		t.Errorf("default format: %q", line)
	}
}
