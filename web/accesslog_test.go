package web_test

import (
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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
