package http1

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/field"
)

func TestAppendStatusLine(t *testing.T) {
	cases := []struct {
		minor  uint8
		status int
		reason string
		want   string
	}{
		{1, 200, "", "HTTP/1.1 200 OK\r\n"},
		{0, 404, "", "HTTP/1.0 404 Not Found\r\n"},
		{1, 418, "", "HTTP/1.1 418 I'm a Teapot\r\n"},
		{1, 200, "Fine", "HTTP/1.1 200 Fine\r\n"},
		{1, 599, "", "HTTP/1.1 599 \r\n"},
		{1, 799, "Custom", "HTTP/1.1 799 Custom\r\n"},
		{2, 200, "", "HTTP/1.2 200 OK\r\n"},
	}
	for _, c := range cases {
		if got := string(AppendStatusLine([]byte("x"), c.minor, c.status, c.reason)); got != "x"+c.want {
			t.Errorf("AppendStatusLine(%d, %d, %q) = %q, want %q", c.minor, c.status, c.reason, got, c.want)
		}
	}
	// Every status line we write parses back.
	for code := 100; code < 1000; code++ {
		for minor := uint8(0); minor < 2; minor++ {
			line := AppendStatusLine(nil, minor, code, "")
			var h ResponseHead
			n, err := ParseResponseHead(append(line, "\r\n"...), &h, Limits{})
			if err != nil || n != len(line)+2 || h.Status != code || h.Minor != minor || string(h.Reason) != StatusText(code) {
				t.Fatalf("%q: %d %v %+v", line, n, err, h)
			}
		}
	}
}

func TestStatusText(t *testing.T) {
	// Python's http.HTTPStatus phrases, which aiohttp sends.
	for code, want := range map[int]string{
		100: "Continue", 200: "OK", 204: "No Content", 301: "Moved Permanently", 304: "Not Modified",
		400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
		413: "Request Entity Too Large", 414: "Request-URI Too Long", 416: "Requested Range Not Satisfiable",
		417: "Expectation Failed", 418: "I'm a Teapot", 422: "Unprocessable Entity", 431: "Request Header Fields Too Large",
		500: "Internal Server Error", 501: "Not Implemented", 505: "HTTP Version Not Supported", 511: "Network Authentication Required",
		0: "", 99: "", 306: "", 599: "", 1000: "", -1: "",
	} {
		if got := StatusText(code); got != want {
			t.Errorf("StatusText(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestAppendRequestLineAndFields(t *testing.T) {
	b := AppendRequestLine(nil, "GET", "/a?b=c", 1)
	b = AppendField(b, "Host", "example.com")
	b = AppendField(b, "X-Empty", "")
	b = append(b, "\r\n"...)
	want := "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nX-Empty: \r\n\r\n"
	if string(b) != want {
		t.Fatalf("%q", b)
	}
	var h RequestHead
	if n, err := ParseRequestHead(b, &h, Limits{}); err != nil || n != len(b) || string(h.Target) != "/a?b=c" {
		t.Fatalf("%d %v", n, err)
	}
	if got := string(AppendRequestLine(nil, "PUT", "/", 0)); got != "PUT / HTTP/1.0\r\n" {
		t.Fatalf("%q", got)
	}
}

func TestValid(t *testing.T) {
	for _, c := range []struct {
		s                  string
		token, name, value bool
	}{
		{"Content-Type", true, true, true},
		{"!#$%&'*+-.^_`|~09azAZ", true, true, true},
		{"", false, false, true},
		{"a b", false, false, true},
		{"a:b", false, false, true},
		{"a\tb", false, false, true},
		{"a\x00b", false, false, false},
		{"a\rb", false, false, false},
		{"a\nb", false, false, false},
		{"a\x7fb", false, false, false},
		{"a\x1fb", false, false, false},
		{"caf\xc3\xa9", false, false, true},
		{"(x)", false, false, true},
		{"\"q\"", false, false, true},
	} {
		if field.IsToken(c.s) != c.token || field.IsToken(c.s) != c.name || ValidFieldValue(c.s) != c.value {
			t.Errorf("%q: token %v value %v", c.s, field.IsToken(c.s), ValidFieldValue(c.s))
		}
	}
}

func TestAppendDate(t *testing.T) {
	before := time.Now().Truncate(time.Second)
	line := string(AppendDate([]byte("x")))
	after := time.Now()
	if !strings.HasPrefix(line, "xDate: ") || !strings.HasSuffix(line, " GMT\r\n") || len(line) != 1+37 {
		t.Fatalf("%q", line)
	}
	d, err := time.Parse(http.TimeFormat, strings.TrimSuffix(strings.TrimPrefix(line, "xDate: "), "\r\n"))
	// The line may be from the second before, until the timer fires.
	if err != nil || d.Before(before.Add(-time.Second)) || d.After(after) {
		t.Fatalf("%q: %v (between %v and %v)", line, err, before, after)
	}
	// Concurrent callers always see a whole line (run with -race).
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			buf := make([]byte, 0, 64)
			for range 1000 {
				if b := AppendDate(buf[:0]); len(b) != 37 || string(b[:6]) != "Date: " {
					t.Errorf("%q", b)
					return
				}
			}
		})
	}
	wg.Wait()
}

// parseDateLine returns the time in a Date line.
func parseDateLine(t *testing.T, line []byte) time.Time {
	t.Helper()
	s := string(line)
	if !strings.HasPrefix(s, "Date: ") || !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("%q", s)
	}
	d, err := time.Parse(http.TimeFormat, s[6:len(s)-2])
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAppendDateFollowsTheClock(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the clock")
	}
	for range 3 {
		before := time.Now().Truncate(time.Second)
		d := parseDateLine(t, AppendDate(nil))
		after := time.Now()
		if d.Before(before.Add(-time.Second)) || d.After(after) {
			t.Fatalf("Date %v, now %v", d, after)
		}
		time.Sleep(700 * time.Millisecond)
	}
	// Idle for over a second, the timer stops; the next call starts it
	// again with the right time.
	time.Sleep(2100 * time.Millisecond)
	if dateLine.Load() != nil {
		t.Fatal("the Date timer is still running while idle")
	}
	now := time.Now().Truncate(time.Second)
	if d := parseDateLine(t, AppendDate(nil)); d.Before(now) {
		t.Fatalf("stale Date %v after idle, now %v", d, now)
	}
}

func TestWriteDoesNotAllocate(t *testing.T) {
	skipAllocsUnderRace(t)
	buf := make([]byte, 0, 512)
	body := []byte("hello")
	allocs := testing.AllocsPerRun(1000, func() {
		b := AppendStatusLine(buf[:0], 1, 200, "")
		b = AppendDate(b)
		b = AppendField(b, "Content-Type", "text/plain; charset=utf-8")
		b = AppendField(b, "Content-Length", "5")
		b = append(b, "\r\n"...)
		b = append(b, body...)
		b = AppendChunk(b, body)
		b = AppendLastChunk(b, nil)
		_ = AppendStatusLine(b, 1, 201, "Made")
	})
	if allocs != 0 {
		t.Fatalf("%v allocs", allocs)
	}
}

func TestAppendChunks(t *testing.T) {
	if got := string(AppendChunkHeader(nil, 26)); got != "1a\r\n" {
		t.Fatalf("%q", got)
	}
	if got := string(AppendChunkHeader(nil, 0)); got != "0\r\n" {
		t.Fatalf("%q", got)
	}
	if got := AppendChunk([]byte("x"), nil); string(got) != "x" {
		t.Fatalf("%q", got)
	}
	if got := string(AppendChunk(nil, []byte("hello"))); got != "5\r\nhello\r\n" {
		t.Fatalf("%q", got)
	}
	tr := []Field{{Name: []byte("Expires"), Value: []byte("never")}, {Name: []byte("X"), Value: nil}}
	if got := string(AppendLastChunk(nil, tr)); got != "0\r\nExpires: never\r\nX: \r\n\r\n" {
		t.Fatalf("%q", got)
	}
	// What we write, we read.
	enc := AppendChunk(nil, []byte("hello "))
	enc = AppendChunk(enc, []byte(strings.Repeat("w", 300)))
	enc = AppendLastChunk(enc, tr)
	r := NewReader(strings.NewReader(string(enc)))
	var b Body
	b.Reset(r, BodyChunked, -1)
	data, err := io.ReadAll(&b)
	if err != nil || string(data) != "hello "+strings.Repeat("w", 300) {
		t.Fatalf("%q %v", data, err)
	}
	if got := b.Trailers(); len(got) != 2 || string(got[0].Name) != "Expires" || string(got[1].Value) != "" {
		t.Fatalf("%q", got)
	}
}

// ValidFieldValue agrees with the byte table for every byte at every
// position of the word-at-a-time check.
func TestValidFieldValueWords(t *testing.T) {
	base := []byte("abcdefghijklmnopqrstu")
	for pos := range base {
		for c := 0; c < 256; c++ {
			v := append([]byte(nil), base...)
			v[pos] = byte(c)
			want := classes[c]&classValue != 0
			if got := ValidFieldValue(string(v)); got != want {
				t.Fatalf("byte %#x at %d: got %v, want %v", c, pos, got, want)
			}
		}
	}
}

func BenchmarkValidFieldValue(b *testing.B) {
	v := "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	b.ReportAllocs()
	for b.Loop() {
		if !ValidFieldValue(v) {
			b.Fatal("invalid")
		}
	}
}
