package http1

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// pipeline is three requests with bodies of every framing.
const pipeline = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n" +
	"POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
	"POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n" +
	"\r\nGET /4 HTTP/1.0\r\n\r\n"

type readRequest struct {
	target, body string
}

// readAll reads every request from r, with its body.
func readAll(t *testing.T, r *Reader) []readRequest {
	t.Helper()
	var out []readRequest
	var h RequestHead
	var b Body
	for {
		err := r.ReadRequestHead(&h, Limits{})
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("after %d requests: %v", len(out), err)
		}
		b.Reset(r, h.Body, h.ContentLength)
		data, err := io.ReadAll(&b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, readRequest{string(h.Target), string(data)})
	}
}

var pipelineWant = []readRequest{{"/1", ""}, {"/2", "hello"}, {"/3", "abcde"}, {"/4", ""}}

func equalRequests(a, b []readRequest) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReaderPipelinedInOneRead(t *testing.T) {
	src := &countingReader{r: strings.NewReader(pipeline)}
	r := NewReader(src)
	if got := readAll(t, r); !equalRequests(got, pipelineWant) {
		t.Fatalf("got %v", got)
	}
	if src.reads != 2 { // the data, then EOF
		t.Fatalf("%d reads, want 2", src.reads)
	}
}

// TestReaderPipelinedAcrossBufferEnd reads hundreds of pipelined requests
// whose heads and bodies straddle the end of the buffer, so that the
// unconsumed bytes move to its start again and again.
func TestReaderPipelinedAcrossBufferEnd(t *testing.T) {
	var in strings.Builder
	var want []readRequest
	for i := range 300 {
		target := "/" + strings.Repeat("p", i%97)
		body := strings.Repeat("b", (i*37)%301)
		in.WriteString("POST " + target + " HTTP/1.1\r\nHost: a\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
		want = append(want, readRequest{target, body})
	}
	for _, src := range []io.Reader{strings.NewReader(in.String()), iotest.HalfReader(strings.NewReader(in.String()))} {
		if got := readAll(t, NewReader(src)); !equalRequests(got, want) {
			t.Fatalf("got %d requests, want %d", len(got), len(want))
		}
	}
}

type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

func TestReaderDripFed(t *testing.T) {
	for name, src := range map[string]io.Reader{
		"OneByte":     iotest.OneByteReader(strings.NewReader(pipeline)),
		"Half":        iotest.HalfReader(strings.NewReader(pipeline)),
		"DataWithEOF": iotest.DataErrReader(strings.NewReader(pipeline)),
	} {
		t.Run(name, func(t *testing.T) {
			if got := readAll(t, NewReader(src)); !equalRequests(got, pipelineWant) {
				t.Fatalf("got %v", got)
			}
		})
	}
}

// TestReaderDripFedLargeHeadIsLinear feeds a head of about 1 MiB, the most
// the default limits allow, one byte per read. Parsing from scratch after
// every byte would take hours; remembering where the search for the end of
// the head stopped keeps it linear.
func TestReaderDripFedLargeHeadIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("GET / HTTP/1.1\r\nHost: a\r\n")
	for range DefaultMaxHeaders - 1 {
		b.WriteString("X: " + strings.Repeat("v", DefaultMaxFieldSize-3) + "\r\n")
	}
	b.WriteString("\r\n")
	r := NewReader(iotest.OneByteReader(strings.NewReader(b.String())))
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); err != nil {
		t.Fatal(err)
	}
	if len(h.Fields) != DefaultMaxHeaders || len(h.Fields[5].Value) != DefaultMaxFieldSize-3 {
		t.Fatalf("%d fields", len(h.Fields))
	}
}

func TestReaderRejectsEarly(t *testing.T) {
	// A TLS ClientHello is rejected on its first bytes, without waiting
	// for a whole head that never comes.
	r := NewReader(io.MultiReader(strings.NewReader("\x16\x03\x01\x02\x00\x01"), blockingReader{t}))
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); !errors.Is(err, ErrBadMethod) {
		t.Fatalf("%v", err)
	}
	// So is a bare LF, as soon as the empty line arrives.
	r = NewReader(io.MultiReader(iotest.OneByteReader(strings.NewReader("GET / HTTP/1.1\nHost: a\n\n")), blockingReader{t}))
	if err := r.ReadRequestHead(&h, Limits{}); !errors.Is(err, ErrBadMessage) {
		t.Fatalf("%v", err)
	}
	// And a line over the limit, before the rest of it arrives.
	r = NewReader(io.MultiReader(strings.NewReader("GET /"+strings.Repeat("a", 9000)), blockingReader{t}))
	if err := r.ReadRequestHead(&h, Limits{}); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("%v", err)
	}
}

// blockingReader fails the test if it is read: the parser should have
// decided already.
type blockingReader struct{ t *testing.T }

func (b blockingReader) Read([]byte) (int, error) {
	b.t.Error("read past the point where the head could be rejected")
	return 0, io.EOF
}

func TestReaderHeadStaysValidWhileBodyIsRead(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789"), 10000)
	var chunked []byte
	for i := 0; i < len(payload); i += 3000 {
		chunked = AppendChunk(chunked, payload[i:min(i+3000, len(payload))])
	}
	chunked = AppendLastChunk(chunked, []Field{{Name: []byte("T"), Value: bytes.Repeat([]byte("t"), 6000)}})
	for name, in := range map[string]string{
		"Length":  "POST /target HTTP/1.1\r\nHost: example.com\r\nX-Long: " + strings.Repeat("h", 3000) + "\r\nContent-Length: 100000\r\n\r\n" + string(payload),
		"Chunked": "POST /target HTTP/1.1\r\nHost: example.com\r\nX-Long: " + strings.Repeat("h", 3000) + "\r\nTransfer-Encoding: chunked\r\n\r\n" + string(chunked),
	} {
		for _, size := range []int{100, 5000, 100000} {
			r := NewReader(iotest.HalfReader(strings.NewReader(in + "GET /next HTTP/1.1\r\nHost: b\r\n\r\n")))
			var h RequestHead
			if err := r.ReadRequestHead(&h, Limits{}); err != nil {
				t.Fatal(err)
			}
			method, target, fields := string(h.Method), string(h.Target), copyFields(h.Fields)
			var b Body
			b.Reset(r, h.Body, h.ContentLength)
			p := make([]byte, size)
			var got []byte
			for {
				n, err := b.Read(p)
				got = append(got, p[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, payload) {
				t.Fatalf("%s/%d: body differs", name, size)
			}
			if string(h.Method) != method || string(h.Target) != target || !equalFields(copyFields(h.Fields), fields) {
				t.Fatalf("%s/%d: head changed while reading the body", name, size)
			}
			if err := r.ReadRequestHead(&h, Limits{}); err != nil || string(h.Target) != "/next" {
				t.Fatalf("%s/%d: next request %q %v", name, size, h.Target, err)
			}
		}
	}
}

func equalFields(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReaderReleaseAndReacquire(t *testing.T) {
	in := "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte(in))
		pw.Write([]byte("GET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n"))
		pw.Close()
	}()
	r := NewReader(pr)
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); err != nil || string(h.Target) != "/1" {
		t.Fatal(err)
	}
	if r.Buffered() != 0 {
		t.Fatalf("Buffered %d", r.Buffered())
	}
	r.Release()
	if r.buf != nil || r.bufp != nil {
		t.Fatal("Release kept the buffer")
	}
	r.Release() // releasing twice is harmless
	if err := r.ReadRequestHead(&h, Limits{}); err != nil || string(h.Target) != "/2" {
		t.Fatalf("%q %v", h.Target, err)
	}
	if r.Buffered() == 0 {
		t.Fatal("the pipelined request should be buffered")
	}
	r.Release() // bytes are buffered: no-op
	if r.buf == nil {
		t.Fatal("Release dropped buffered bytes")
	}
	if err := r.ReadRequestHead(&h, Limits{}); err != nil || string(h.Target) != "/3" {
		t.Fatalf("%q %v", h.Target, err)
	}
	if err := r.ReadRequestHead(&h, Limits{}); err != io.EOF {
		t.Fatalf("%v", err)
	}
}

func TestReaderSteadyStateDoesNotAllocate(t *testing.T) {
	skipAllocsUnderRace(t)
	msg := "POST /submit HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nAccept: */*\r\n\r\nhello"
	src := &repeatReader{data: []byte(msg)}
	r := NewReader(src)
	var h RequestHead
	var b Body
	p := make([]byte, 16)
	step := func() {
		if err := r.ReadRequestHead(&h, Limits{}); err != nil {
			t.Fatal(err)
		}
		b.Reset(r, h.Body, h.ContentLength)
		if drained, err := b.Discard(1 << 20); !drained || err != nil {
			t.Fatal(err)
		}
		if _, err := b.Read(p); err != io.EOF {
			t.Fatal(err)
		}
	}
	step()
	if allocs := testing.AllocsPerRun(1000, step); allocs != 0 {
		t.Fatalf("%v allocs per request", allocs)
	}
	// An idle connection gives its buffer back between requests, still
	// without allocating: the pool hands it out again.
	idle := &idleReader{msg: []byte(msg)}
	r = NewReader(idle)
	step()
	if allocs := testing.AllocsPerRun(1000, func() { step(); r.Release() }); allocs > 0.1 {
		t.Fatalf("%v allocs per request with Release", allocs)
	}
}

// idleReader returns one message per Read, like a connection that is
// idle between requests.
type idleReader struct {
	msg []byte
}

func (r *idleReader) Read(p []byte) (int, error) {
	return copy(p, r.msg), nil
}

func TestReaderEOF(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"Empty", "", io.EOF},
		{"OnlyEmptyLines", "\r\n\r\n", io.EOF},
		{"CutInRequestLine", "GET / HT", io.ErrUnexpectedEOF},
		{"CutInHead", "GET / HTTP/1.1\r\nHost: a\r\n", io.ErrUnexpectedEOF},
		{"CutInFinalCRLF", "GET / HTTP/1.1\r\nHost: a\r\n\r", io.ErrUnexpectedEOF},
		{"InvalidBeforeEOF", "GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n", ErrInvalidHeader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, src := range []io.Reader{strings.NewReader(c.in), iotest.OneByteReader(strings.NewReader(c.in)), iotest.DataErrReader(strings.NewReader(c.in))} {
				r := NewReader(src)
				var h RequestHead
				err := r.ReadRequestHead(&h, Limits{})
				if c.want == io.EOF || c.want == io.ErrUnexpectedEOF {
					if err != c.want {
						t.Fatalf("got %v, want exactly %v", err, c.want)
					}
				} else if !errors.Is(err, c.want) {
					t.Fatalf("got %v, want %v", err, c.want)
				}
			}
		})
	}
	t.Run("AfterRequest", func(t *testing.T) {
		r := NewReader(strings.NewReader("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
		var h RequestHead
		if err := r.ReadRequestHead(&h, Limits{}); err != nil {
			t.Fatal(err)
		}
		if err := r.ReadRequestHead(&h, Limits{}); err != io.EOF {
			t.Fatalf("%v", err)
		}
	})
	t.Run("Response", func(t *testing.T) {
		r := NewReader(strings.NewReader("HTTP/1.1 200 OK\r\n"))
		var h ResponseHead
		if err := r.ReadResponseHead(&h, Limits{}); err != io.ErrUnexpectedEOF {
			t.Fatalf("%v", err)
		}
		r = NewReader(strings.NewReader(""))
		if err := r.ReadResponseHead(&h, Limits{}); err != io.EOF {
			t.Fatalf("%v", err)
		}
	})
}

// timeoutReader returns some bytes, then a deadline error.
type timeoutReader struct {
	data []byte
	done bool
}

func (r *timeoutReader) Read(p []byte) (int, error) {
	if !r.done {
		r.done = true
		return copy(p, r.data), nil
	}
	return 0, os.ErrDeadlineExceeded
}

func TestReaderReadErrorsPassThrough(t *testing.T) {
	r := NewReader(&timeoutReader{data: []byte("GET / HTTP/1.1\r\n")})
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	r = NewReader(&timeoutReader{data: []byte("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")})
	if err := r.ReadRequestHead(&h, Limits{}); err != nil {
		t.Fatal(err)
	}
	var b Body
	b.Reset(r, h.Body, h.ContentLength)
	p := make([]byte, 3)
	if n, err := b.Read(p); n != 3 || err != nil {
		t.Fatalf("%d %v", n, err)
	}
	if _, err := b.Read(p); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	// A timeout does not break the body: it can be retried.
	if _, err := b.Read(p); errors.Is(err, ErrBadMessage) {
		t.Fatalf("%v", err)
	}
}

func TestReaderDataWithError(t *testing.T) {
	// The source returns the last bytes together with an error: they are
	// used first, then the error is reported.
	r := NewReader(iotest.TimeoutReader(iotest.DataErrReader(strings.NewReader("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET"))))
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); err != nil {
		t.Fatal(err)
	}
	if err := r.ReadRequestHead(&h, Limits{}); err != io.ErrUnexpectedEOF {
		t.Fatalf("%v", err)
	}
}

func TestReaderUnreadAfterHTTP2Preface(t *testing.T) {
	preface := "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	frames := "\x00\x00\x00\x04\x00\x00\x00\x00\x00"
	for _, src := range []io.Reader{strings.NewReader(preface + frames), iotest.OneByteReader(strings.NewReader(preface + frames))} {
		r := NewReader(src)
		var h RequestHead
		if err := r.ReadRequestHead(&h, Limits{}); err != ErrHTTP2Preface {
			t.Fatalf("%v", err)
		}
		got := r.Unread()
		if !strings.HasPrefix(preface+frames, string(got)) || !strings.HasPrefix(string(got), "PRI * HTTP/2.0") {
			t.Fatalf("Unread %q", got)
		}
		if r.Buffered() != 0 {
			t.Fatalf("Buffered %d after Unread", r.Buffered())
		}
		rest, err := io.ReadAll(r)
		if err != nil || string(got)+string(rest) != preface+frames {
			t.Fatalf("Unread %q + Read %q, %v", got, rest, err)
		}
		if r.Unread() != nil {
			t.Fatal("second Unread returned bytes")
		}
	}
}

func TestReaderReadAfterUpgrade(t *testing.T) {
	in := "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello"
	r := NewReader(iotest.HalfReader(strings.NewReader(in + "\x81\x03abc")))
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); err != nil || !h.Upgrade {
		t.Fatalf("%v %v", h.Upgrade, err)
	}
	rest, err := io.ReadAll(r)
	if err != nil || string(rest) != "\x81\x05hello\x81\x03abc" {
		t.Fatalf("%q %v", rest, err)
	}
}

func TestReaderResponses(t *testing.T) {
	in := "HTTP/1.1 100 Continue\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" +
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n" +
		"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n" +
		"HTTP/1.0 200 OK\r\n\r\nrest"
	r := NewReader(iotest.OneByteReader(strings.NewReader(in)))
	var h ResponseHead
	var b Body
	var got []string
	for {
		err := r.ReadResponseHead(&h, Limits{})
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b.Reset(r, ResponseBodyKind(&h, "GET"), h.ContentLength)
		data, err := io.ReadAll(&b)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(h.Reason)+":"+string(data))
	}
	want := []string{"Continue:", "OK:ok", "OK:hi", "Not Modified:", "OK:rest"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q", got)
	}
}

func TestReaderLargeHeadGrowsBuffer(t *testing.T) {
	in := "GET / HTTP/1.1\r\nHost: a\r\nCookie: " + strings.Repeat("c", 8000) + "\r\nX: " + strings.Repeat("x", 8000) + "\r\n\r\n"
	r := NewReader(strings.NewReader(in + in))
	var h RequestHead
	for range 2 {
		if err := r.ReadRequestHead(&h, Limits{}); err != nil {
			t.Fatal(err)
		}
		if len(h.Fields) != 3 || len(h.Fields[2].Value) != 8000 {
			t.Fatalf("fields %d", len(h.Fields))
		}
	}
	// The head may not exceed what the limits allow.
	r = NewReader(strings.NewReader("GET / HTTP/1.1\r\nHost: a\r\nCookie: " + strings.Repeat("c", 20000) + "\r\n\r\n"))
	if err := r.ReadRequestHead(&h, Limits{}); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("%v", err)
	}
}

func TestReaderReset(t *testing.T) {
	r := NewReader(strings.NewReader("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n"))
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); err != nil {
		t.Fatal(err)
	}
	r.Reset(strings.NewReader("GET /c HTTP/1.1\r\nHost: a\r\n\r\n"))
	if r.Buffered() != 0 {
		t.Fatal("Reset kept buffered bytes")
	}
	if err := r.ReadRequestHead(&h, Limits{}); err != nil || string(h.Target) != "/c" {
		t.Fatalf("%q %v", h.Target, err)
	}
}

func TestPoolClasses(t *testing.T) {
	for _, c := range []struct{ n, class int }{{1, 0}, {4096, 0}, {4097, 1}, {8192, 1}, {1 << 21, 9}, {1<<21 + 1, 10}} {
		if got := bufClass(c.n); got != c.class {
			t.Errorf("bufClass(%d) = %d, want %d", c.n, got, c.class)
		}
	}
	big := getBuf(1<<21 + 1)
	if len(*big) != 1<<21+1 {
		t.Fatalf("len %d", len(*big))
	}
	putBuf(big) // not pooled, must not panic
	p := getBuf(5000)
	if len(*p) != 8192 {
		t.Fatalf("len %d", len(*p))
	}
	putBuf(p)
}

// badReader misbehaves as io.Reader: it returns n, err in turn.
type badReader struct {
	n   int
	err error
}

func (b badReader) Read([]byte) (int, error) { return b.n, b.err }

func TestReaderBadSource(t *testing.T) {
	var h RequestHead
	for _, c := range []struct {
		src  badReader
		want error
	}{
		{badReader{n: -1}, errBadRead},
		{badReader{n: 1 << 30}, errBadRead},
		{badReader{}, io.ErrNoProgress},
	} {
		if err := NewReader(c.src).ReadRequestHead(&h, Limits{}); err != c.want {
			t.Errorf("ReadRequestHead from %+v: %v, want %v", c.src, err, c.want)
		}
		if _, err := NewReader(c.src).Read(make([]byte, 4)); c.want == errBadRead && err != errBadRead {
			t.Errorf("Read from %+v: %v", c.src, err)
		}
	}
}

func TestReaderReadHoldsBackErrors(t *testing.T) {
	// The source returns data with an error: Read returns the data, then
	// the error, then reads the source again.
	r := NewReader(iotest.DataErrReader(strings.NewReader("GET / HTTP/1.1\r\nHost: a\r\n\r\nxyz")))
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 10)
	if n, err := r.Read(p); n != 3 || err != nil {
		t.Fatalf("%d %v", n, err)
	}
	if n, err := r.Read(nil); n != 0 || err != io.EOF {
		t.Fatalf("%d %v", n, err)
	}
	if n, err := r.Read(nil); n != 0 || err != nil {
		t.Fatalf("empty read: %d %v", n, err)
	}
	if n, err := r.Read(p); n != 0 || err != io.EOF {
		t.Fatalf("%d %v", n, err)
	}
}
