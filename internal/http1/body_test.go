package http1

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

const chunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

// readChunked reads the chunked body enc after a request head and returns
// the data and trailers.
func readChunked(t *testing.T, enc string, lim Limits) (string, error) {
	t.Helper()
	data, _, err := readChunkedTrailers(t, enc, lim)
	return data, err
}

func readChunkedTrailers(t *testing.T, enc string, lim Limits) (string, []Field, error) {
	t.Helper()
	r := NewReader(strings.NewReader(chunkedHead + enc))
	var h RequestHead
	if err := r.ReadRequestHead(&h, lim); err != nil {
		t.Fatal(err)
	}
	var b Body
	b.Reset(r, h.Body, h.ContentLength)
	data, err := io.ReadAll(&b)
	if err == nil && !b.Done() {
		t.Fatal("EOF but not Done")
	}
	return string(data), b.Trailers(), err
}

func TestChunkedBody(t *testing.T) {
	cases := []struct {
		name string
		enc  string
		want string // body, when accepted
		err  error  // nil: accepted
	}{
		{"Chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", nil},
		{"LowerCaseHex", "a\r\n0123456789\r\n0\r\n\r\n", "0123456789", nil},
		{"UpperCaseHex", "A\r\n0123456789\r\n0\r\n\r\n", "0123456789", nil},
		{"LeadingZeros", "0005\r\nhello\r\n000\r\n\r\n", "hello", nil},
		{"NoChunks", "0\r\n\r\n", "", nil},
		{"ExtensionToken", "5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello", nil},
		{"ExtensionNoValue", "5;name\r\nhello\r\n0\r\n\r\n", "hello", nil},
		{"ExtensionsSeveral", "5;a=1;b;c=\"x\"\r\nhello\r\n0\r\n\r\n", "hello", nil},
		{"ExtensionQuoted", "5;a=\"I \\\"love\\\"; \\\\ext; = \"\r\nhello\r\n0\r\n\r\n", "hello", nil},
		{"ExtensionBWS", "5 ; a = b ;\tc\r\nhello\r\n0\r\n\r\n", "hello", nil},
		{"ExtensionEmptyName", "5;\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"ExtensionEmptyNameBeforeEquals", "5;=x\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"ExtensionEmptyValue", "5;a=\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"ExtensionInvalidChar", "5;a=b c\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"ExtensionUnbalancedQuote", "5;a=\"b\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"ExtensionQuotedPairCTL", "5;a=\"b\\\x01\"\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"ExtensionQuotedCTL", "5;a=\"b\x01\"\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"ExtensionWithoutSemicolon", "5 a\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"SpaceAfterSize", "5 \r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"EmptySize", "\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"NonHexSize", "g\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"SignedSize", "+5\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"HexPrefixSize", "0x5\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"SizeOverflow", "8000000000000000\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"SizeOverflowLeadingZeros", "0000000000000000000010000000000000000\r\nx\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"SizeMaxIsIncomplete", "7fffffffffffffff\r\nhello", "", ErrTransferEncoding},
		{"BareLFAfterSize", "5\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"CRWithoutLFAfterSize", "5\rhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"DataTooLong", "5\r\nhelloX\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"BareLFAfterData", "5\r\nhello\n0\r\n\r\n", "", ErrTransferEncoding},
		{"MissingLastChunk", "5\r\nhello\r\n", "", ErrTransferEncoding},
		{"MissingFinalCRLF", "5\r\nhello\r\n0\r\n", "", ErrTransferEncoding},
		{"CutInData", "5\r\nhel", "", ErrTransferEncoding},
		{"CutAfterData", "5\r\nhello", "", ErrTransferEncoding},
		{"CutAfterDataCR", "5\r\nhello\r", "", ErrTransferEncoding},
		{"SizeLineTooLong", "5;a=" + strings.Repeat("b", 9000) + "\r\nhello\r\n0\r\n\r\n", "", ErrTransferEncoding},
		{"Trailers", "5\r\nhello\r\n0\r\nX-A: 1\r\nX-B:  two \r\n\r\n", "hello", nil},
		{"TrailerObsFold", "5\r\nhello\r\n0\r\nX-A: 1\r\n 2\r\n\r\n", "", ErrInvalidHeader},
		{"TrailerBareLF", "5\r\nhello\r\n0\r\nX-A: 1\n\r\n", "", ErrInvalidHeader},
		{"TrailerBareLFEnd", "5\r\nhello\r\n0\r\nX-A: 1\r\n\n", "", ErrInvalidHeader},
		{"TrailerInvalidName", "5\r\nhello\r\n0\r\nX A: 1\r\n\r\n", "", ErrInvalidHeader},
		{"TrailerWhitespaceBeforeColon", "5\r\nhello\r\n0\r\nX : 1\r\n\r\n", "", ErrInvalidHeader},
		{"TrailerInvalidValue", "5\r\nhello\r\n0\r\nX: a\x00b\r\n\r\n", "", ErrInvalidHeader},
		{"TrailerCut", "5\r\nhello\r\n0\r\nX: a", "", ErrTransferEncoding},
		{"TrailerTooLong", "5\r\nhello\r\n0\r\nX: " + strings.Repeat("a", 9000) + "\r\n\r\n", "", ErrLineTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := readChunked(t, c.enc, Limits{})
			if c.err == nil {
				if err != nil || got != c.want {
					t.Fatalf("got %q, %v; want %q", got, err, c.want)
				}
				return
			}
			if !errors.Is(err, c.err) {
				t.Fatalf("got %q, %v; want %v", got, err, c.err)
			}
		})
	}
}

func TestChunkedTrailersCopied(t *testing.T) {
	in := chunkedHead + "5\r\nhello\r\n0\r\nX-A: 1\r\nX-Bb: two\r\n\r\n" + "GET /next HTTP/1.1\r\nHost: zzzzzzzzzzzzzzzzzzzzzzzzzzzz\r\nZZZZZZZZZ: zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\r\n\r\n"
	r := NewReader(strings.NewReader(in))
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); err != nil {
		t.Fatal(err)
	}
	var b Body
	b.Reset(r, h.Body, h.ContentLength)
	if data, err := io.ReadAll(&b); err != nil || string(data) != "hello" {
		t.Fatalf("%q %v", data, err)
	}
	tr := b.Trailers()
	// The next head overwrites the buffer where the trailers were read.
	if err := r.ReadRequestHead(&h, Limits{}); err != nil {
		t.Fatal(err)
	}
	r.Release()
	if len(tr) != 2 || string(tr[0].Name) != "X-A" || string(tr[0].Value) != "1" || string(tr[1].Name) != "X-Bb" || string(tr[1].Value) != "two" {
		t.Fatalf("trailers %q", tr)
	}
	if cap(tr[0].Name) != len(tr[0].Name) {
		t.Fatal("trailer slices must not allow appending into the storage")
	}
}

func TestChunkSizeLineLimit(t *testing.T) {
	// The whole line is buffered at once, or arrives byte by byte.
	for _, src := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.OneByteReader} {
		r := NewReader(src(strings.NewReader(chunkedHead + "5;" + strings.Repeat("a", 40) + "\r\nhello\r\n0\r\n\r\n")))
		var h RequestHead
		if err := r.ReadRequestHead(&h, Limits{MaxLineSize: 30}); err != nil {
			t.Fatal(err)
		}
		var b Body
		b.Reset(r, h.Body, h.ContentLength)
		if _, err := io.ReadAll(&b); !errors.Is(err, ErrTransferEncoding) {
			t.Fatalf("%v", err)
		}
	}
}

func TestChunkedTooManyTrailers(t *testing.T) {
	_, err := readChunked(t, "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", Limits{MaxHeaders: 2})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Status != 431 {
		t.Fatalf("%v", err)
	}
}

func TestBodyCutShortErrors(t *testing.T) {
	r := NewReader(strings.NewReader("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc"))
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); err != nil {
		t.Fatal(err)
	}
	var b Body
	b.Reset(r, h.Body, h.ContentLength)
	data, err := io.ReadAll(&b)
	var pe *ParseError
	if string(data) != "abc" || !errors.As(err, &pe) || pe.Kind != ErrContentLength || !errors.Is(err, io.ErrUnexpectedEOF) ||
		pe.Reason != "the connection closed after 3 of the 10 body bytes of its Content-Length" {
		t.Fatalf("%q %v", data, err)
	}
	if _, err2 := b.Read(make([]byte, 1)); err2 != err {
		t.Fatalf("error does not stick: %v", err2)
	}

	_, err = readChunked(t, "5\r\nhel", Limits{})
	if !errors.As(err, &pe) || pe.Kind != ErrTransferEncoding || !errors.Is(err, io.ErrUnexpectedEOF) ||
		pe.Reason != "the connection closed after 3 body bytes, 2 bytes short of the end of a chunk" {
		t.Fatalf("%v", err)
	}
}

func TestBodyKinds(t *testing.T) {
	t.Run("Length", func(t *testing.T) {
		r := NewReader(strings.NewReader("hello world"))
		var b Body
		b.Reset(r, BodyLength, 5)
		data, err := io.ReadAll(&b)
		if string(data) != "hello" || err != nil || !b.Done() {
			t.Fatalf("%q %v %v", data, err, b.Done())
		}
		if rest, err := io.ReadAll(r); string(rest) != " world" || err != nil {
			t.Fatalf("rest %q %v", rest, err)
		}
	})
	t.Run("None", func(t *testing.T) {
		var b Body
		b.Reset(NewReader(strings.NewReader("x")), BodyNone, -1)
		if n, err := b.Read(make([]byte, 4)); n != 0 || err != io.EOF || !b.Done() {
			t.Fatalf("%d %v", n, err)
		}
	})
	t.Run("Zero", func(t *testing.T) {
		var b Body
		if n, err := b.Read(make([]byte, 4)); n != 0 || err != io.EOF || !b.Done() || b.Trailers() != nil {
			t.Fatalf("%d %v", n, err)
		}
		if drained, err := b.Discard(10); !drained || err != nil {
			t.Fatalf("%v %v", drained, err)
		}
		b.Reset(nil, BodyKind(42), 5)
		if n, err := b.Read(make([]byte, 4)); n != 0 || err != io.EOF {
			t.Fatalf("unknown kind: %d %v", n, err)
		}
	})
	t.Run("LengthZero", func(t *testing.T) {
		var b Body
		b.Reset(NewReader(strings.NewReader("x")), BodyLength, 0)
		if n, err := b.Read(make([]byte, 4)); n != 0 || err != io.EOF {
			t.Fatalf("%d %v", n, err)
		}
	})
	t.Run("UntilClose", func(t *testing.T) {
		r := NewReader(iotest.OneByteReader(strings.NewReader("HTTP/1.0 200 OK\r\n\r\nall of it")))
		var h ResponseHead
		if err := r.ReadResponseHead(&h, Limits{}); err != nil {
			t.Fatal(err)
		}
		var b Body
		b.Reset(r, ResponseBodyKind(&h, "GET"), h.ContentLength)
		data, err := io.ReadAll(&b)
		if string(data) != "all of it" || err != nil || !b.Done() {
			t.Fatalf("%q %v", data, err)
		}
	})
	t.Run("EmptyRead", func(t *testing.T) {
		var b Body
		b.Reset(NewReader(strings.NewReader("abc")), BodyLength, 3)
		if n, err := b.Read(nil); n != 0 || err != nil {
			t.Fatalf("%d %v", n, err)
		}
	})
}

func TestBodyDiscard(t *testing.T) {
	head := "POST / HTTP/1.1\r\nHost: a\r\n"
	next := "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"
	cases := []struct {
		name    string
		in      string
		max     int64
		drained bool
	}{
		{"LengthWithinMax", head + "Content-Length: 5\r\n\r\nhello" + next, 10, true},
		{"LengthExactlyMax", head + "Content-Length: 5\r\n\r\nhello" + next, 5, true},
		{"LengthOverMax", head + "Content-Length: 5\r\n\r\nhello" + next, 4, false},
		{"ChunkedWithinMax", head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\nT: x\r\n\r\n" + next, 8, true},
		{"ChunkedOverMax", head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n" + next, 7, false},
		{"NoBody", head + "\r\n" + next, 0, true},
		{"LargeLength", head + "Content-Length: 100000\r\n\r\n" + strings.Repeat("x", 100000) + next, 1 << 20, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(iotest.HalfReader(strings.NewReader(c.in)))
			var h RequestHead
			if err := r.ReadRequestHead(&h, Limits{}); err != nil {
				t.Fatal(err)
			}
			var b Body
			b.Reset(r, h.Body, h.ContentLength)
			drained, err := b.Discard(c.max)
			if err != nil || drained != c.drained || b.Done() != c.drained {
				t.Fatalf("Discard = %v, %v (Done %v); want %v", drained, err, b.Done(), c.drained)
			}
			if !drained {
				return
			}
			if err := r.ReadRequestHead(&h, Limits{}); err != nil || string(h.Target) != "/next" {
				t.Fatalf("next request: %q %v", h.Target, err)
			}
		})
	}
	t.Run("CutShort", func(t *testing.T) {
		r := NewReader(strings.NewReader(head + "Content-Length: 5\r\n\r\nhel"))
		var h RequestHead
		if err := r.ReadRequestHead(&h, Limits{}); err != nil {
			t.Fatal(err)
		}
		var b Body
		b.Reset(r, h.Body, h.ContentLength)
		if drained, err := b.Discard(10); drained || !errors.Is(err, ErrContentLength) {
			t.Fatalf("%v %v", drained, err)
		}
	})
	t.Run("BrokenChunked", func(t *testing.T) {
		r := NewReader(strings.NewReader(chunkedHead + "5\r\nhelloXX0\r\n\r\n"))
		var h RequestHead
		if err := r.ReadRequestHead(&h, Limits{}); err != nil {
			t.Fatal(err)
		}
		var b Body
		b.Reset(r, h.Body, h.ContentLength)
		drained, err := b.Discard(100)
		if drained || !errors.Is(err, ErrTransferEncoding) {
			t.Fatalf("%v %v", drained, err)
		}
		if drained, err2 := b.Discard(100); drained || err2 != err {
			t.Fatalf("error does not stick: %v %v", drained, err2)
		}
	})
	t.Run("UntilClose", func(t *testing.T) {
		var b Body
		b.Reset(NewReader(strings.NewReader("abcdef")), BodyUntilClose, -1)
		if drained, err := b.Discard(3); drained || err != nil {
			t.Fatalf("%v %v", drained, err)
		}
		if drained, err := b.Discard(10); !drained || err != nil {
			t.Fatalf("%v %v", drained, err)
		}
	})
}

// TestBodyReadSizes reads the same bodies with slices of many sizes, from
// a source that returns few bytes at a time, so that both the buffered and
// the direct path are taken.
func TestBodyReadSizes(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), 3000)
	var chunked []byte
	for rest := payload; len(rest) > 0; {
		n := min(len(rest), 7000)
		chunked = AppendChunk(chunked, rest[:n])
		rest = rest[n:]
	}
	chunked = AppendLastChunk(chunked, nil)
	inputs := map[string]string{
		"length":  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + strconv.Itoa(len(payload)) + "\r\n\r\n" + string(payload),
		"chunked": chunkedHead + string(chunked),
	}
	for name, in := range inputs {
		for _, size := range []int{1, 7, 512, 4096, 10000, 200000} {
			for _, src := range []func(io.Reader) io.Reader{iotest.HalfReader, iotest.DataErrReader, func(r io.Reader) io.Reader { return r }} {
				r := NewReader(src(strings.NewReader(in)))
				var h RequestHead
				if err := r.ReadRequestHead(&h, Limits{}); err != nil {
					t.Fatal(err)
				}
				var b Body
				b.Reset(r, h.Body, h.ContentLength)
				var got []byte
				p := make([]byte, size)
				for {
					n, err := b.Read(p)
					got = append(got, p[:n]...)
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("%s/%d: %v", name, size, err)
					}
				}
				if !bytes.Equal(got, payload) {
					t.Fatalf("%s/%d: body differs (%d bytes)", name, size, len(got))
				}
			}
		}
	}
}

func TestBodyReadDoesNotAllocate(t *testing.T) {
	skipAllocsUnderRace(t)
	src := &repeatReader{prefix: []byte(chunkedHead), data: AppendChunk(nil, bytes.Repeat([]byte("x"), 100))}
	r := NewReader(src)
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); err != nil {
		t.Fatal(err)
	}
	var b Body
	b.Reset(r, h.Body, h.ContentLength)
	p := make([]byte, 64)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := b.Read(p); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocs per Read", allocs)
	}
}

// repeatReader returns prefix once, then data over and over.
type repeatReader struct {
	prefix, data []byte
	off          int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if len(r.prefix) > 0 {
		n := copy(p, r.prefix)
		r.prefix = r.prefix[n:]
		return n, nil
	}
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}

// EndOfChunk tells the reads that end a chunk, whatever the sizes read.
func TestChunkedEndOfChunk(t *testing.T) {
	r := NewReader(strings.NewReader(chunkedHead + "3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n"))
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); err != nil {
		t.Fatal(err)
	}
	var b Body
	b.Reset(r, h.Body, h.ContentLength)
	type piece struct {
		data string
		end  bool
	}
	var got []piece
	buf := make([]byte, 4)
	for {
		n, err := b.Read(buf)
		if n > 0 {
			got = append(got, piece{string(buf[:n]), b.EndOfChunk()})
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []piece{{"abc", true}, {"defg", false}, {"h", true}}
	if len(got) != len(want) {
		t.Fatalf("pieces %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pieces %+v, want %+v", got, want)
		}
	}
	if b.EndOfChunk() {
		t.Error("EndOfChunk at the end of the body")
	}
	var length Body
	length.Reset(NewReader(strings.NewReader("abc")), BodyLength, 3)
	if n, _ := length.Read(buf); n != 3 || length.EndOfChunk() {
		t.Errorf("a Content-Length body: EndOfChunk %v", length.EndOfChunk())
	}
}
