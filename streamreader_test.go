package aiohttp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkedRaw is a raw body that tells where its HTTP chunks end, as the
// session's chunked reader does.
type chunkedRaw struct {
	chunks []string
	end    bool // the last Read ended a chunk
}

func (c *chunkedRaw) Read(p []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][n:]
	c.end = c.chunks[0] == ""
	if c.end {
		c.chunks = c.chunks[1:]
	}
	return n, nil
}

func (c *chunkedRaw) EndOfChunk() bool { return c.end }

// halfBody returns a reader of s that returns half of what is asked, to
// exercise the buffer boundaries.
func halfBody(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) }

func TestStreamRead(t *testing.T) {
	r, d := newBodyResponse(iotest.OneByteReader(strings.NewReader("abc")))
	c := r.Content()
	if r.Content() != c {
		t.Fatal("Content() returned another reader")
	}
	if n, err := c.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v", n, err)
	}
	b, err := io.ReadAll(c)
	if err != nil || string(b) != "abc" {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}
	d.once(t, false)
	if !c.AtEOF() {
		t.Error("AtEOF false at the end")
	}
	if err := iotest.TestReader(contentOf(t, "0123456789abcdef"), []byte("0123456789abcdef")); err != nil {
		t.Error(err)
	}
}

func contentOf(t *testing.T, body string) *StreamReader {
	t.Helper()
	r, _ := newBodyResponse(halfBody(body))
	return r.Content()
}

func TestStreamReadN(t *testing.T) {
	c := contentOf(t, "hello world")
	if b, err := c.ReadN(0); b != nil || err != nil {
		t.Errorf("ReadN(0) = %q, %v", b, err)
	}
	var parts []string
	for {
		b, err := c.ReadN(4)
		if err == io.EOF {
			break
		}
		if err != nil || len(b) == 0 || len(b) > 4 {
			t.Fatalf("ReadN(4) = %q, %v", b, err)
		}
		parts = append(parts, string(b))
	}
	if strings.Join(parts, "") != "hello world" {
		t.Errorf("ReadN pieces %q", parts)
	}
	c = contentOf(t, "all of it")
	c.ReadN(3)
	if b, err := c.ReadN(-1); err != nil || string(b) != " of it" {
		t.Errorf("ReadN(-1) = %q, %v", b, err)
	}
	if b, err := c.ReadN(-1); err != nil || len(b) != 0 {
		t.Errorf("ReadN(-1) at EOF = %q, %v", b, err)
	}
}

func TestStreamReadAnyAndChunks(t *testing.T) {
	r, d := newBodyResponse(&chunkedRaw{chunks: []string{"first", "second chunk", "3"}})
	c := r.Content()
	type piece struct {
		data string
		end  bool
	}
	var got []piece
	b, err := c.ReadN(2) // leaves "rst" buffered
	if err != nil || string(b) != "fi" {
		t.Fatalf("ReadN(2) = %q, %v", b, err)
	}
	for {
		data, end, err := c.ReadChunk()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, piece{string(data), end})
	}
	want := []piece{{"rst", true}, {"second chunk", true}, {"3", true}}
	if len(got) != len(want) {
		t.Fatalf("ReadChunk pieces %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("piece %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	d.once(t, false)
	if _, end, err := c.ReadChunk(); end || err != io.EOF {
		t.Errorf("ReadChunk at EOF = %v, %v", end, err)
	}

	// Not chunked: the flag stays false.
	c = contentOf(t, "abcdef")
	var all []byte
	for {
		data, end, err := c.ReadChunk()
		if err == io.EOF {
			break
		}
		if end || err != nil {
			t.Fatalf("ReadChunk = %q, %v, %v", data, end, err)
		}
		all = append(all, data...)
	}
	if string(all) != "abcdef" {
		t.Errorf("ReadChunk gave %q", all)
	}

	c = contentOf(t, "abcdef")
	all = nil
	for {
		data, err := c.ReadAny()
		if err == io.EOF {
			break
		}
		if err != nil || len(data) == 0 {
			t.Fatalf("ReadAny = %q, %v", data, err)
		}
		all = append(all, data...)
	}
	if string(all) != "abcdef" {
		t.Errorf("ReadAny gave %q", all)
	}
}

func TestStreamReadChunkDecodedHasNoFlag(t *testing.T) {
	gz := string(gzipBody(t, []byte("decoded")))
	r, _ := newBodyResponse(&chunkedRaw{chunks: []string{gz[:5], gz[5:]}}, "Content-Encoding", "gzip")
	data, end, err := r.Content().ReadChunk()
	if err != nil || end || len(data) == 0 {
		t.Errorf("ReadChunk of a decoded body = %q, %v, %v", data, end, err)
	}
}

func TestStreamReadExactly(t *testing.T) {
	c := contentOf(t, "0123456789")
	if b, err := c.ReadExactly(0); b != nil || err != nil {
		t.Errorf("ReadExactly(0) = %q, %v", b, err)
	}
	c.ReadN(1) // something buffered first
	b, err := c.ReadExactly(6)
	if err != nil || string(b) != "123456" {
		t.Fatalf("ReadExactly(6) = %q, %v", b, err)
	}
	b, err = c.ReadExactly(5)
	if string(b) != "789" || !errors.Is(err, ErrClientPayload) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short ReadExactly = %q, %v", b, err)
	}
	if !strings.Contains(err.Error(), "3 bytes read on a total of 5 expected bytes") {
		t.Errorf("message %q", err)
	}
	// Large counts grow as the data comes.
	big := strings.Repeat("z", 3*maxPrealloc+7)
	c = contentOf(t, big)
	if b, err := c.ReadExactly(len(big)); err != nil || string(b) != big {
		t.Errorf("ReadExactly(big) = %d bytes, %v", len(b), err)
	}
	// Errors other than the end come as they are.
	r, _ := newBodyResponse(io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(&Error{Kind: ErrSocketTimeout})))
	if b, err := r.Content().ReadExactly(4); string(b) != "ab" || !errors.Is(err, ErrSocketTimeout) {
		t.Errorf("ReadExactly with a timeout = %q, %v", b, err)
	}
}

func TestStreamReadLineAndUntil(t *testing.T) {
	c := contentOf(t, "one\ntwo\r\n\nlast")
	var lines []string
	for {
		b, err := c.ReadLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	if strings.Join(lines, "|") != "one\n|two\r\n|\n|last" {
		t.Errorf("lines %q", lines)
	}
	c = contentOf(t, "a--b--c-")
	var parts []string
	for {
		b, err := c.ReadUntil([]byte("--"))
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, string(b))
	}
	if strings.Join(parts, "|") != "a--|b--|c-" {
		t.Errorf("parts %q", parts)
	}
	// A separator split across reads.
	r, _ := newBodyResponse(iotest.OneByteReader(strings.NewReader("xx\r\n\r\nyy")))
	if b, err := r.Content().ReadUntil([]byte("\r\n\r\n")); err != nil || string(b) != "xx\r\n\r\n" {
		t.Errorf("ReadUntil across reads = %q, %v", b, err)
	}
	if _, err := r.Content().ReadUntil(nil); err == nil {
		t.Error("empty separator accepted")
	}
	// Errors after part of a line.
	r, _ = newBodyResponse(io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(io.ErrUnexpectedEOF)))
	if b, err := r.Content().ReadLine(); b != nil || !errors.Is(err, ErrClientPayload) {
		t.Errorf("ReadLine with a broken body = %q, %v", b, err)
	}
}

func TestStreamLineTooLong(t *testing.T) {
	long := strings.Repeat("x", 3000) + "\nshort\n"
	r, _ := newBodyResponse(halfBody(long))
	r.opts.readBufSize = 1000 // lines up to 2000 bytes
	c := r.Content()
	if b, err := c.ReadLine(); !errors.Is(err, ErrChunkTooBig) || b != nil {
		t.Fatalf("long line: %d bytes, %v", len(b), err)
	}
	// The bytes stay for the other reads.
	rest, err := io.ReadAll(c)
	if err != nil || string(rest) != long {
		t.Errorf("after ErrChunkTooBig read %d bytes, %v", len(rest), err)
	}
	// No separator at all.
	r, _ = newBodyResponse(halfBody(strings.Repeat("z", 50000)))
	r.opts.readBufSize = 1000
	if b, err := r.Content().ReadUntil([]byte("END")); !errors.Is(err, ErrChunkTooBig) || b != nil {
		t.Errorf("no separator: %d bytes, %v", len(b), err)
	}
	// A line that grows the buffer past its pooled size is fine.
	long = strings.Repeat("y", 3*streamBufSize) + "\n"
	c = contentOf(t, long+"tail")
	if b, err := c.ReadLine(); err != nil || string(b) != long {
		t.Errorf("long line: %d bytes, %v", len(b), err)
	}
	if b, err := c.ReadLine(); err != nil || string(b) != "tail" {
		t.Errorf("tail = %q, %v", b, err)
	}
}

func TestStreamManyLines(t *testing.T) {
	// Lines straddle the end of the buffer: it compacts and grows.
	var body strings.Builder
	for i := range 500 {
		body.WriteString(strings.Repeat(string(rune('a'+i%26)), 50+i*7%3000))
		body.WriteByte('\n')
	}
	c := contentOf(t, body.String())
	var got strings.Builder
	n := 0
	for line, err := range c.Lines() {
		if err != nil {
			t.Fatal(err)
		}
		if line[len(line)-1] != '\n' || strings.Count(string(line), string(line[:1])) != len(line)-1 {
			t.Fatalf("line %d mangled: %q", n, line)
		}
		got.Write(line)
		n++
	}
	if n != 500 || got.String() != body.String() {
		t.Errorf("%d lines, %d bytes", n, got.Len())
	}
}

func TestRawBodyNotReadAfterEnd(t *testing.T) {
	r, d := newBodyResponse(iotest.ErrReader(io.EOF))
	for range 3 {
		if n, err := (*rawBody)(r).Read(make([]byte, 8)); n != 0 || err != io.EOF {
			t.Fatalf("raw Read = %d, %v", n, err)
		}
		r.raw = iotest.ErrReader(errors.New("read after the end"))
	}
	r.settle(false) // as the read holding the body does when it gives it back
	d.once(t, false)
}

func TestStreamIterators(t *testing.T) {
	body := "l1\nl2\nl3\nl4"
	collect := func(seq func(func([]byte, error) bool)) (out []string) {
		for b, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
		}
		return out
	}
	if got := collect(contentOf(t, body).Lines()); strings.Join(got, "|") != "l1\n|l2\n|l3\n|l4" {
		t.Errorf("Lines %q", got)
	}
	if got := collect(contentOf(t, body).IterChunked(3)); strings.Join(got, "") != body {
		t.Errorf("IterChunked %q", got)
	} else {
		for _, p := range got {
			if len(p) > 3 {
				t.Errorf("IterChunked(3) piece %q", p)
			}
		}
	}
	if got := collect(contentOf(t, body).IterChunked(-1)); len(got) != 1 || got[0] != body {
		t.Errorf("IterChunked(-1) %q", got)
	}
	if got := collect(contentOf(t, body).IterChunked(0)); len(got) != 0 {
		t.Errorf("IterChunked(0) %q", got)
	}
	if got := collect(contentOf(t, body).IterAny()); strings.Join(got, "") != body {
		t.Errorf("IterAny %q", got)
	}
	if got := collect(contentOf(t, body).IterChunks()); strings.Join(got, "") != body {
		t.Errorf("IterChunks %q", got)
	}
	if got := collect(contentOf(t, "").Lines()); len(got) != 0 {
		t.Errorf("Lines of nothing %q", got)
	}

	// Stopping early leaves the rest readable.
	c := contentOf(t, body)
	n := 0
	for line, err := range c.Lines() {
		if err != nil || string(line) != "l1\n" {
			t.Fatalf("line %q, %v", line, err)
		}
		n++
		break
	}
	if rest, _ := io.ReadAll(c); n != 1 || string(rest) != "l2\nl3\nl4" {
		t.Errorf("after break: %d lines, rest %q", n, rest)
	}

	// A failure is yielded once, then the iteration ends.
	r, d := newBodyResponse(io.MultiReader(strings.NewReader("ok\nbro"), iotest.ErrReader(io.ErrUnexpectedEOF)))
	var lines []string
	var errs []error
	for line, err := range r.Content().Lines() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lines = append(lines, string(line))
	}
	if len(lines) != 1 || len(errs) != 1 || !errors.Is(errs[0], ErrClientPayload) {
		t.Errorf("lines %q, errors %v", lines, errs)
	}
	d.once(t, true)
	if b, err := r.Content().ReadAny(); string(b) != "bro" || err != nil {
		t.Errorf("after the failure, the partial line: %q, %v", b, err)
	}
	for _, seq := range []func(func([]byte, error) bool){r.Content().IterAny(), r.Content().IterChunked(5), r.Content().IterChunks()} {
		count := 0
		for _, err := range seq {
			if err == nil {
				t.Error("data after a failure")
			}
			count++
			break
		}
		if count != 1 {
			t.Errorf("%d yields after a failure", count)
		}
	}
}

// stuckBody returns nothing, forever.
type stuckBody struct{}

func (stuckBody) Read([]byte) (int, error) { return 0, nil }

func TestStreamStuckSource(t *testing.T) {
	r, d := newBodyResponse(stuckBody{})
	if _, err := r.Content().ReadAny(); !errors.Is(err, ErrClientPayload) || !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("ReadAny of a stuck body: %v", err)
	}
	d.once(t, true)
}

func TestStreamLargeBodyPaths(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320 KB: several buffers
	readers := map[string]func(c *StreamReader) ([]byte, error){
		"ReadAll": func(c *StreamReader) ([]byte, error) { return io.ReadAll(c) },
		"ReadN": func(c *StreamReader) ([]byte, error) {
			var out []byte
			for b, err := range c.IterChunked(10000) {
				if err != nil {
					return out, err
				}
				out = append(out, b...)
			}
			return out, nil
		},
		"ReadExactly": func(c *StreamReader) ([]byte, error) {
			a, err := c.ReadExactly(100000)
			if err != nil {
				return a, err
			}
			b, err := c.ReadN(-1)
			return append(a, b...), err
		},
	}
	for name, read := range readers {
		for _, cl := range []string{"", "320000"} {
			r, d := newBodyResponse(iotest.HalfReader(bytes.NewReader(body)), "Content-Length", cl)
			got, err := read(r.Content())
			if err != nil || !bytes.Equal(got, body) {
				t.Errorf("%s (Content-Length %q): %d bytes, %v", name, cl, len(got), err)
			}
			d.once(t, false)
			r.Close()
			d.once(t, false)
		}
	}
}
