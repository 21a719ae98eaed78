package aiohttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aiohttp-go/aiohttp/multidict"
)

// doneRecorder records the calls of a Response's bodyReleaser.
type doneRecorder struct {
	calls int
	err   error
}

func (d *doneRecorder) release(err error) {
	d.calls++
	d.err = err
}

func (d *doneRecorder) abort() {}

// once fails t unless done was called exactly once, with an error iff
// wantErr.
func (d *doneRecorder) once(t *testing.T, wantErr bool) {
	t.Helper()
	if d.calls != 1 {
		t.Fatalf("done called %d times, want 1", d.calls)
	}
	if (d.err != nil) != wantErr {
		t.Fatalf("done(%v), want an error: %v", d.err, wantErr)
	}
}

// newBodyResponse builds a 200 response to GET http://example.com/a/b
// whose raw body is raw, as the session does, with auto-decompression on
// and the header fields given as name, value pairs.
func newBodyResponse(raw io.Reader, header ...string) (*Response, *doneRecorder) {
	h := multidict.NewCI()
	for i := 0; i+1 < len(header); i += 2 {
		h.Add(header[i], header[i+1])
	}
	u, _ := url.Parse("http://example.com:8080/a/b")
	d := &doneRecorder{}
	r := &Response{
		Status:  200,
		Reason:  "OK",
		Method:  "GET",
		URL:     u,
		RealURL: u,
		Version: Version{1, 1},
		Header:  h,
		Request: RequestInfo{Method: "GET", URL: u, RealURL: u, Header: multidict.NewCI()},
		raw:     raw,
		rel:     d,
		opts:    bodyOptions{autoDecompress: true},
	}
	return r, d
}

func stringBodyResponse(body string, header ...string) (*Response, *doneRecorder) {
	return newBodyResponse(strings.NewReader(body), header...)
}

func TestResponseOK(t *testing.T) {
	for status, ok := range map[int]bool{200: true, 204: true, 304: true, 399: true, 400: false, 404: false, 500: false} {
		r := &Response{Status: status}
		if r.OK() != ok {
			t.Errorf("status %d: OK() = %v", status, !ok)
		}
	}
}

func TestResponseRaiseForStatus(t *testing.T) {
	r, _ := stringBodyResponse("")
	if err := r.RaiseForStatus(); err != nil {
		t.Fatalf("200: %v", err)
	}
	prev, _ := stringBodyResponse("")
	r.Status, r.Reason, r.History = 404, "Not Found", []*Response{prev}
	err := r.RaiseForStatus()
	var ce *ClientResponseError
	if !errors.As(err, &ce) {
		t.Fatalf("error %T, want *ClientResponseError", err)
	}
	if ce.Status != 404 || ce.Message != "Not Found" || ce.Header != r.Header || len(ce.History) != 1 || ce.Request.URL != r.URL {
		t.Errorf("error %+v", ce)
	}
	if !errors.Is(err, ErrClientResponse) || !errors.Is(err, ErrClient) || errors.Is(err, ErrContentType) {
		t.Errorf("error kinds wrong: %v", err)
	}
	if got := err.Error(); !strings.Contains(got, "404") || !strings.Contains(got, "Not Found") {
		t.Errorf("message %q", got)
	}
	// The body stays readable.
	r2, _ := stringBodyResponse("details")
	r2.Status = 500
	if r2.RaiseForStatus() == nil {
		t.Fatal("500: no error")
	}
	if b, err := r2.Bytes(); err != nil || string(b) != "details" {
		t.Errorf("Read after RaiseForStatus = %q, %v", b, err)
	}
}

func TestResponseHeaderAccessors(t *testing.T) {
	tests := []struct {
		header      []string
		contentType string
		charset     string
		length      int64
	}{
		{nil, "application/octet-stream", "", -1},
		{[]string{"Content-Type", "Text/HTML; Charset=\"UTF-8\"", "Content-Length", "12"}, "text/html", "UTF-8", 12},
		{[]string{"Content-Type", "application/json;charset=gbk;q=1"}, "application/json", "gbk", -1},
		{[]string{"Content-Type", "nonsense", "Content-Length", "-1"}, "text/plain", "", -1},
		{[]string{"Content-Type", "", "Content-Length", "+5"}, "text/plain", "", -1},
		{[]string{"Content-Type", " image/png ", "Content-Length", " 0 "}, "image/png", "", 0},
		{[]string{"Content-Length", "99999999999999999999"}, "application/octet-stream", "", -1},
		{[]string{"Content-Length", "x"}, "application/octet-stream", "", -1},
	}
	for _, tt := range tests {
		r, _ := stringBodyResponse("", tt.header...)
		if got := r.ContentType(); got != tt.contentType {
			t.Errorf("%q: ContentType() = %q, want %q", tt.header, got, tt.contentType)
		}
		if got := r.Charset(); got != tt.charset {
			t.Errorf("%q: Charset() = %q, want %q", tt.header, got, tt.charset)
		}
		if got := r.ContentLength(); got != tt.length {
			t.Errorf("%q: ContentLength() = %d, want %d", tt.header, got, tt.length)
		}
	}
	r, _ := stringBodyResponse("")
	if r.Host() != "example.com" {
		t.Errorf("Host() = %q", r.Host())
	}
	if got := r.Version.String(); got != "HTTP/1.1" {
		t.Errorf("Version = %q", got)
	}
	if r.ContentDisposition() != nil || r.Links() != nil || r.Cookies() != nil {
		t.Error("absent headers parsed to something")
	}
	var empty Response
	if empty.Host() != "" || empty.ContentType() != "application/octet-stream" || empty.ContentDisposition() != nil ||
		empty.Links() != nil || empty.Cookies() != nil || empty.ContentLength() != -1 {
		t.Error("a Response without URL or header")
	}
}

func TestResponseCookies(t *testing.T) {
	r, _ := stringBodyResponse("",
		"Set-Cookie", "a=1; Path=/; HttpOnly",
		"Set-Cookie", "=novalue-name",
		"Set-Cookie", "b=2; Secure")
	cookies := r.Cookies()
	if len(cookies) != 2 || cookies[0].Name != "a" || cookies[0].Value != "1" || !cookies[0].HTTPOnly ||
		cookies[1].Name != "b" || !cookies[1].Secure {
		t.Fatalf("Cookies() = %+v", cookies)
	}
}

func TestResponseContentDispositionAndLinks(t *testing.T) {
	r, _ := stringBodyResponse("",
		"Content-Disposition", `attachment; filename*=UTF-8''%e2%82%ac.txt`,
		"Link", `</page/2>; rel="next"`,
		"Link", `<https://other.example/x>; rel=prev; title="back"`)
	cd := r.ContentDisposition()
	if cd == nil || cd.Type != "attachment" || cd.Filename != "€.txt" {
		t.Errorf("ContentDisposition() = %+v", cd)
	}
	links := r.Links()
	if len(links) != 2 || links[0].URL.String() != "http://example.com:8080/page/2" || links[0].Rel != "next" ||
		links[1].URL.String() != "https://other.example/x" || links[1].Params["title"] != "back" {
		t.Errorf("Links() = %+v", links)
	}
}

func TestResponseRead(t *testing.T) {
	r, d := stringBodyResponse("hello world", "Content-Length", "11")
	b, err := r.Bytes()
	if err != nil || string(b) != "hello world" {
		t.Fatalf("Read() = %q, %v", b, err)
	}
	d.once(t, false)
	b2, err := r.Bytes()
	if err != nil || &b2[0] != &b[0] {
		t.Fatalf("second Read() = %q, %v; want the cached bytes", b2, err)
	}
	if s, err := r.Text(); err != nil || s != "hello world" {
		t.Errorf("Text() after Read = %q, %v", s, err)
	}
	c := r.Content()
	if !c.AtEOF() {
		t.Error("stream not at EOF after Read")
	}
	if n, err := c.Read(make([]byte, 4)); n != 0 || err != io.EOF {
		t.Errorf("stream Read after Read() = %d, %v", n, err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	d.once(t, false)
	if b3, err := r.Bytes(); err != nil || string(b3) != "hello world" {
		t.Errorf("Read after Close = %q, %v", b3, err)
	}
}

func TestResponseReadRestAfterStreaming(t *testing.T) {
	r, d := newBodyResponse(iotest.HalfReader(strings.NewReader("line one\nthe rest")))
	line, err := r.Content().ReadLine()
	if err != nil || string(line) != "line one\n" {
		t.Fatalf("ReadLine() = %q, %v", line, err)
	}
	b, err := r.Bytes()
	if err != nil || string(b) != "the rest" {
		t.Fatalf("Read() = %q, %v", b, err)
	}
	d.once(t, false)
}

// FuzzResponseBytes checks Bytes against the body it was given, however
// the body arrives (pieces of any size), whether its length is given,
// whether some of it waits in the stream's buffer (a line read first),
// and whatever buffer Session.With lends; and that the result owns its
// memory. The seeds are the sizes around which Bytes changes course: its
// pooled buffers' size and the number of them it keeps.
func FuzzResponseBytes(f *testing.F) {
	for _, size := range []int{0, 1, 13, streamBufSize - 1, streamBufSize, streamBufSize + 1, (maxKeptChunks+2)*streamBufSize + 7} {
		for flags := range uint8(4) {
			for _, scratch := range []uint16{0, 10, 64<<10 - 1} {
				f.Add(uint32(size), uint16(16<<10), scratch, flags)
			}
		}
	}
	f.Add(uint32(64<<10), uint16(7), uint16(0), uint8(0))
	f.Fuzz(func(t *testing.T, size uint32, piece, scratch uint16, flags uint8) {
		size %= 8 * streamBufSize
		body := make([]byte, size)
		for i := range body {
			body[i] = byte(i*7 + i>>8)
		}
		known, line := flags&1 != 0, flags&2 != 0
		if line {
			body = append([]byte("head\n"), body...)
		}
		var header []string
		if known {
			header = []string{"Content-Length", strconv.Itoa(len(body))}
		}
		r, _ := newBodyResponse(&pieceReader{bytes.NewReader(body), max(int(piece), 1)}, header...)
		r.scratch = make([]byte, 0, scratch)
		want := body
		if line {
			if l, err := r.Content().ReadLine(); err != nil || string(l) != "head\n" {
				t.Fatalf("ReadLine() = %q, %v", l, err)
			}
			want = body[len("head\n"):]
		}
		got, err := r.Bytes()
		r.Close()
		scribblePool()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Bytes() = %d bytes (equal %v), %v; want %d", len(got), bytes.Equal(got, want), err, len(want))
		}
	})
}

// scribblePool overwrites the pooled buffers bodies are read into, so
// that a result still in one of them shows.
func scribblePool() {
	bufs := make([]*[]byte, 2*maxKeptChunks)
	for i := range bufs {
		bufs[i] = getStreamBuf()
		for j := range *bufs[i] {
			(*bufs[i])[j] = 0xff
		}
	}
	for _, bp := range bufs {
		streamBufPool.Put(bp)
	}
}

func TestResponseReadEmpty(t *testing.T) {
	for name, raw := range map[string]io.Reader{"nil": nil, "empty": strings.NewReader("")} {
		r, d := newBodyResponse(raw, "Content-Length", "1234") // a HEAD response's
		b, err := r.Bytes()
		if err != nil || len(b) != 0 {
			t.Errorf("%s: Read() = %q, %v", name, b, err)
		}
		d.once(t, false)
		if !r.Content().AtEOF() {
			t.Errorf("%s: not at EOF", name)
		}
		r.Close()
		d.once(t, false)
	}
}

func TestResponseReadErrors(t *testing.T) {
	cut := &Error{Kind: ErrClientPayload, Err: errors.New("not enough data for satisfy content length header")}
	timeout := &Error{Kind: ErrSocketTimeout, Err: context.DeadlineExceeded}
	tests := []struct {
		name string
		err  error
		kind error
	}{
		{"payload error from the session", cut, ErrClientPayload},
		{"timeout from the session", timeout, ErrSocketTimeout},
		{"plain error", io.ErrUnexpectedEOF, ErrClientPayload},
	}
	for _, tt := range tests {
		raw := io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(tt.err))
		r, d := newBodyResponse(raw, "Content-Length", "100")
		b, err := r.Bytes()
		if !errors.Is(err, tt.kind) || string(b) != "partial" {
			t.Errorf("%s: Read() = %q, %v", tt.name, b, err)
		}
		var e *Error
		if !errors.As(err, &e) || e.URL == "" {
			t.Errorf("%s: error %#v is not an *Error naming the URL", tt.name, err)
		}
		if tt.err == io.ErrUnexpectedEOF && (!errors.Is(err, io.ErrUnexpectedEOF) || e.Method != "GET") {
			t.Errorf("%s: cause or method lost: %v", tt.name, err)
		}
		d.once(t, true)
		if _, err2 := r.Bytes(); !errors.Is(err2, tt.kind) {
			t.Errorf("%s: second Read() error %v", tt.name, err2)
		}
		r.Close()
		d.once(t, true)
	}
}

func TestResponseText(t *testing.T) {
	r, _ := stringBodyResponse("\xef\xbb\xbfcafé", "Content-Type", "text/plain; charset=utf-8")
	if s, err := r.Text(); err != nil || s != "café" {
		t.Errorf("Text() = %q, %v", s, err)
	}
	if enc, err := r.Encoding(); err != nil || enc != "utf-8" {
		t.Errorf("Encoding() = %q, %v", enc, err)
	}
	r, _ = stringBodyResponse("caf\xe9", "Content-Type", "text/plain; charset=utf-8")
	if s, _ := r.Text(); s != "caf\ufffd" {
		t.Errorf("invalid UTF-8 decoded to %q", s)
	}
	// An unknown charset falls back to the resolver, then to detection.
	r, _ = stringBodyResponse("caf\xe9", "Content-Type", "text/plain; charset=klingon")
	var resolverBody []byte
	r.opts.charsetResolver = func(resp *Response, body []byte) string {
		if resp != r {
			t.Error("resolver got another response")
		}
		resolverBody = body
		return "latin-1"
	}
	if s, _ := r.Text(); s != "café" || string(resolverBody) != "caf\xe9" {
		t.Errorf("resolver: Text() = %q, resolver saw %q", s, resolverBody)
	}
	if enc, _ := r.Encoding(); enc != "iso-8859-1" {
		t.Errorf("resolver: Encoding() = %q", enc)
	}
	// A resolver naming nothing known leaves it to detection.
	r, _ = stringBodyResponse("<meta charset=windows-1251>\xcf\xf0\xe8\xe2\xe5\xf2")
	r.opts.charsetResolver = func(*Response, []byte) string { return "" }
	if s, _ := r.Text(); s != "<meta charset=windows-1251>Привет" {
		t.Errorf("detection after resolver: %q", s)
	}
	// JSON is UTF-8 unless it says otherwise.
	r, _ = stringBodyResponse(`{"a":"é"}`, "Content-Type", "application/json")
	r.opts.charsetResolver = func(*Response, []byte) string { t.Error("resolver called for JSON"); return "" }
	if s, _ := r.Text(); s != `{"a":"é"}` {
		t.Errorf("json text %q", s)
	}
	// TextEncoding forces an encoding.
	r, _ = stringBodyResponse("\x82\xb1\x82\xf1", "Content-Type", "text/plain; charset=utf-8")
	if s, err := r.TextEncoding("cp932"); err != nil || s != "こん" {
		t.Errorf("TextEncoding(cp932) = %q, %v", s, err)
	}
	if _, err := r.TextEncoding("no-such-thing"); err == nil || !strings.Contains(err.Error(), "no-such-thing") {
		t.Errorf("unknown encoding: %v", err)
	}
	// Read errors come through.
	r, _ = newBodyResponse(iotest.ErrReader(io.ErrUnexpectedEOF))
	if _, err := r.Text(); !errors.Is(err, ErrClientPayload) {
		t.Errorf("Text() error %v", err)
	}
	if _, err := r.TextEncoding("utf-8"); !errors.Is(err, ErrClientPayload) {
		t.Errorf("TextEncoding() error %v", err)
	}
	if _, err := r.Encoding(); !errors.Is(err, ErrClientPayload) {
		t.Errorf("Encoding() error %v", err)
	}
}

func TestResponseJSON(t *testing.T) {
	type doc struct {
		A string `json:"a"`
	}
	for _, ct := range []string{"application/json", "Application/JSON; charset=utf-8", "application/vnd.api+json", "application/problem+json", "application/json-seq"} {
		r, _ := stringBodyResponse(`{"a":"x"}`, "Content-Type", ct)
		var v doc
		if err := r.JSON(&v); err != nil || v.A != "x" {
			t.Errorf("%s: JSON() = %+v, %v", ct, v, err)
		}
	}
	for _, ct := range []string{"", "text/json", "text/html", "application/+json", "application/a b+json", "application/x-json"} {
		var r *Response
		if ct == "" {
			r, _ = stringBodyResponse(`{"a":"x"}`)
		} else {
			r, _ = stringBodyResponse(`{"a":"x"}`, "Content-Type", ct)
		}
		var v doc
		err := r.JSON(&v)
		var ce *ClientResponseError
		if !errors.As(err, &ce) || !errors.Is(err, ErrContentType) || !errors.Is(err, ErrClientResponse) || ce.Status != 200 {
			t.Errorf("%q: JSON() error %v", ct, err)
			continue
		}
		if !strings.Contains(ce.Message, r.ContentType()) || ce.Header != r.Header {
			t.Errorf("%q: error %+v", ct, ce)
		}
		// The check can be turned off or changed.
		if err := r.JSON(&v, AnyContentType()); err != nil || v.A != "x" {
			t.Errorf("%q: AnyContentType: %+v, %v", ct, v, err)
		}
	}
	r, _ := stringBodyResponse(`{"a":"y"}`, "Content-Type", "text/javascript")
	var v doc
	if err := r.JSON(&v, JSONContentType("TEXT/JavaScript")); err != nil || v.A != "y" {
		t.Errorf("JSONContentType: %+v, %v", v, err)
	}
	if err := r.JSON(&v, JSONContentType("text/json")); !errors.Is(err, ErrContentType) {
		t.Errorf("JSONContentType mismatch: %v", err)
	}
	// An empty body leaves v alone.
	r, _ = stringBodyResponse(" \r\n", "Content-Type", "application/json")
	v = doc{A: "kept"}
	if err := r.JSON(&v); err != nil || v.A != "kept" {
		t.Errorf("empty body: %+v, %v", v, err)
	}
	// A custom decoder.
	r, _ = stringBodyResponse(`{"a":"z"}`, "Content-Type", "application/json")
	called := false
	err := r.JSON(&v, JSONUnmarshal(func(data []byte, v any) error {
		called = true
		return json.Unmarshal(data, v)
	}))
	if err != nil || !called || v.A != "z" {
		t.Errorf("JSONUnmarshal: %+v, %v, called %v", v, err, called)
	}
	// A charset other than UTF-8 is decoded first.
	gbk := encodeCharset(t, "gbk", `{"a":"中文"}`)
	r, _ = newBodyResponse(bytes.NewReader(gbk), "Content-Type", "application/json; charset=gbk")
	if err := r.JSON(&v); err != nil || v.A != "中文" {
		t.Errorf("gbk JSON: %+v, %v", v, err)
	}
	// Syntax errors and read errors are returned.
	r, _ = stringBodyResponse(`{"a":`, "Content-Type", "application/json")
	var se *json.SyntaxError
	if err := r.JSON(&v); !errors.As(err, &se) {
		t.Errorf("bad JSON: %v", err)
	}
	r, _ = newBodyResponse(iotest.ErrReader(io.ErrUnexpectedEOF), "Content-Type", "application/json")
	if err := r.JSON(&v); !errors.Is(err, ErrClientPayload) {
		t.Errorf("read error: %v", err)
	}
}

// discardingBody is a raw body that can drop what it has buffered.
type discardingBody struct {
	*strings.Reader
	buffered bool // the whole rest counts as received
}

func (d *discardingBody) Discard(max int, _ time.Duration) bool {
	if !d.buffered || d.Len() > max {
		return false
	}
	d.Reset("")
	return true
}

// countingBody counts the bytes read from it.
type countingBody struct {
	r io.Reader
	n int
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestResponseCloseUnread(t *testing.T) {
	small := strings.Repeat("x", drainLimit)
	big := strings.Repeat("x", drainLimit+2)
	tests := []struct {
		name     string
		raw      io.Reader
		header   []string
		prefix   int  // bytes read before closing
		wantErr  bool // done(err): the connection closes
		maxTaken int  // raw bytes that may be read in all (-1: any)
	}{
		{"small, by Content-Length", strings.NewReader(small), []string{"Content-Length", "65536"}, 0, false, -1},
		{"big, by Content-Length", strings.NewReader(big), []string{"Content-Length", "65538"}, 0, true, 0},
		{"big, rest small", strings.NewReader(big), []string{"Content-Length", "65538"}, 10, false, -1},
		{"unknown length", strings.NewReader("abc"), nil, 0, true, 0},
		{"unknown length, buffered", &discardingBody{strings.NewReader("abc"), true}, nil, 0, false, 0},
		{"unknown length, not buffered", &discardingBody{strings.NewReader("abc"), false}, nil, 0, true, 0},
		{"Content-Length lies short", strings.NewReader(big), []string{"Content-Length", "10"}, 0, true, -1},
		{"no body", nil, []string{"Content-Length", "500000"}, 0, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cr *countingBody
			raw := tt.raw
			if raw != nil {
				cr = &countingBody{r: raw}
				raw = cr
				if d, ok := tt.raw.(*discardingBody); ok {
					raw = struct {
						io.Reader
						rawDiscarder
					}{cr, d}
				}
			}
			r, d := newBodyResponse(raw, tt.header...)
			if tt.prefix > 0 {
				if b, err := r.Content().ReadExactly(tt.prefix); err != nil || len(b) != tt.prefix {
					t.Fatalf("ReadExactly = %d, %v", len(b), err)
				}
			}
			if d.calls != 0 {
				t.Fatal("done called before Close")
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			d.once(t, tt.wantErr)
			if tt.maxTaken >= 0 && cr != nil && cr.n > tt.prefix+tt.maxTaken {
				t.Errorf("Close read %d raw bytes", cr.n-tt.prefix)
			}
			r.Close()
			d.once(t, tt.wantErr)
			_, err := r.Bytes()
			if !errors.Is(err, ErrClientConnection) && !(err == nil && !tt.wantErr && tt.prefix == 0) {
				t.Errorf("Read after Close: %v", err)
			}
		})
	}
}

func TestResponseClosedStream(t *testing.T) {
	r, d := stringBodyResponse("abcdef", "Content-Length", "6")
	c := r.Content()
	if b, err := c.ReadN(2); err != nil || string(b) != "ab" {
		t.Fatalf("ReadN = %q, %v", b, err)
	}
	r.Close()
	d.once(t, false) // the rest was small: drained
	for name, read := range map[string]func() error{
		"Read":  func() error { _, err := c.Read(make([]byte, 2)); return err },
		"ReadN": func() error { _, err := c.ReadN(2); return err },
		"Text":  func() error { _, err := r.Text(); return err },
		"JSON":  func() error { return r.JSON(new(any), AnyContentType()) },
	} {
		if err := read(); !errors.Is(err, ErrClientConnection) || !errors.Is(err, errResponseClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
	if c.AtEOF() {
		t.Error("AtEOF after Close of an unread body")
	}
	// Content first obtained after Close.
	r, d = stringBodyResponse("abcdef", "Content-Length", "6")
	r.Close()
	d.once(t, false)
	if _, err := r.Content().ReadAny(); !errors.Is(err, ErrClientConnection) {
		t.Errorf("ReadAny on a closed response: %v", err)
	}
	// A body read to its end stays at EOF after Close.
	r, d = stringBodyResponse("abc")
	c = r.Content()
	if b, err := io.ReadAll(c); err != nil || string(b) != "abc" {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}
	r.Close()
	d.once(t, false)
	if _, err := c.ReadAny(); err != io.EOF || !c.AtEOF() {
		t.Errorf("ReadAny after end and Close: %v", err)
	}
}

func TestResponseTraceChunks(t *testing.T) {
	var got bytes.Buffer
	calls := 0
	cfg := &TraceConfig{OnResponseChunkReceived: func(ctx context.Context, p TraceChunk) {
		if ctx.Value(chunkTraceKey{}) != "ctx" || p.Method != "GET" || p.URL.Host != "example.com:8080" {
			t.Errorf("chunk %+v", p)
		}
		calls++
		got.Write(p.Chunk)
	}}
	ctx := context.WithValue(context.Background(), chunkTraceKey{}, "ctx")
	body := strings.Repeat("0123456789", 10000)
	for name, read := range map[string]func(r *Response) error{
		"Read":    func(r *Response) error { _, err := r.Bytes(); return err },
		"ReadAll": func(r *Response) error { _, err := io.ReadAll(r.Content()); return err },
		"Lines": func(r *Response) error {
			for _, err := range r.Content().IterAny() {
				if err != nil {
					return err
				}
			}
			return nil
		},
	} {
		got.Reset()
		calls = 0
		r, _ := newBodyResponse(iotest.HalfReader(strings.NewReader(body)))
		r.opts.trace = newTracer(ctx, []*TraceConfig{cfg})
		if err := read(r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.String() != body || calls < 2 {
			t.Errorf("%s: traced %d bytes in %d chunks", name, got.Len(), calls)
		}
	}
}

type chunkTraceKey struct{}

func BenchmarkResponseRead(b *testing.B) {
	body := []byte(`{"message":"Hello, World!"}`)
	var raw bytes.Reader
	u, _ := url.Parse("http://127.0.0.1:8080/json")
	h := multidict.NewCI(multidict.Item{Key: "Content-Type", Value: "application/json"},
		multidict.Item{Key: "Content-Length", Value: "27"})
	var r Response
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		raw.Reset(body)
		r = Response{Status: 200, Method: "GET", URL: u, Header: h, raw: &raw, opts: bodyOptions{autoDecompress: true}}
		got, err := r.Bytes()
		if err != nil || len(got) != len(body) {
			b.Fatal(got, err)
		}
		r.Close()
	}
}

// BenchmarkResponseReadUnknownLength reads a 64 KiB body without a
// Content-Length that arrives in 16 KiB pieces, as HTTP/2 DATA frames
// do: it should allocate about the body's length once.
func BenchmarkResponseReadUnknownLength(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 64<<10)
	var raw bytes.Reader
	var r Response
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		raw.Reset(body)
		r = Response{Status: 200, raw: &pieceReader{&raw, 16 << 10}}
		got, err := r.Bytes()
		if err != nil || len(got) != len(body) {
			b.Fatal(len(got), err)
		}
		r.Close()
	}
}

// pieceReader reads at most n bytes at a time from r.
type pieceReader struct {
	r io.Reader
	n int
}

func (p *pieceReader) Read(b []byte) (int, error) {
	return p.r.Read(b[:min(len(b), p.n)])
}

func BenchmarkResponseStream(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 64<<10)
	var raw bytes.Reader
	buf := make([]byte, 8<<10)
	var r Response
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		raw.Reset(body)
		r = Response{Status: 200, raw: &raw}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r.Content()}, buf); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}
