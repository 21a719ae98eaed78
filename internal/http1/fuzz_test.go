package http1

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"testing/iotest"
)

// addSeeds adds the raw messages in testdata/seeds/dir to the corpus.
func addSeeds(f *testing.F, dir string, add func(data []byte)) {
	files, err := filepath.Glob(filepath.Join("testdata", "seeds", dir, "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/seeds/%s: %v", dir, err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		add(data)
	}
}

// requestSummary renders everything ParseRequestHead reports.
func requestSummary(h *RequestHead) string {
	return fmt.Sprintf("%q %q %d %q body=%d cl=%d close=%v upgrade=%v host=%q/%v expect=%q/%v",
		h.Method, h.Target, h.Minor, h.Fields, h.Body, h.ContentLength, h.Close, h.Upgrade, h.Host, h.Host == nil, h.Expect, h.Expect == nil)
}

func responseSummary(h *ResponseHead) string {
	return fmt.Sprintf("%d %d %q/%v %q cl=%d chunked=%v close=%v upgrade=%v",
		h.Minor, h.Status, h.Reason, h.Reason == nil, h.Fields, h.ContentLength, h.Chunked, h.Close, h.Upgrade)
}

func FuzzParseRequestHead(f *testing.F) {
	addSeeds(f, "request", func(b []byte) { f.Add(b, uint8(0)) })
	f.Add([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), uint8(1))
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\nX: "+string(bytes.Repeat([]byte("x"), 40))+"\r\n\r\n"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		lim := fuzzLimits(mode)
		var h RequestHead
		n, err := ParseRequestHead(data, &h, lim)
		if n < 0 || n > len(data) || (n > 0 && err != nil) {
			t.Fatalf("n=%d err=%v", n, err)
		}
		var pe *ParseError
		if err != nil && err != ErrHTTP2Preface && (!errors.As(err, &pe) || pe.Reason == "" || pe.Status < 400) {
			t.Fatalf("unexpected error %#v", err)
		}
		// The Reader agrees, however the bytes arrive.
		var rh RequestHead
		rerr := NewReader(fuzzSource(data, mode)).ReadRequestHead(&rh, lim)
		if n > 0 {
			if rerr != nil || requestSummary(&rh) != requestSummary(&h) {
				t.Fatalf("Reader: %v\n%s\nParse:\n%s", rerr, requestSummary(&rh), requestSummary(&h))
			}
		} else if rerr == nil {
			t.Fatalf("Reader accepted what ParseRequestHead did not (%v): %s", err, requestSummary(&rh))
		}
		if n == 0 {
			return
		}
		// Written back, the head parses the same (with the default limits:
		// AppendField adds a space after the colon).
		enc := AppendRequestLine(nil, string(h.Method), string(h.Target), h.Minor)
		for _, fl := range h.Fields {
			enc = AppendField(enc, string(fl.Name), string(fl.Value))
		}
		enc = append(enc, "\r\n"...)
		var h2 RequestHead
		n2, err := ParseRequestHead(enc, &h2, Limits{})
		if err != nil || n2 != len(enc) || requestSummary(&h2) != requestSummary(&h) {
			t.Fatalf("re-encoded %q: %d, %v\n%s\nwant\n%s", enc, n2, err, requestSummary(&h2), requestSummary(&h))
		}
	})
}

func FuzzParseResponseHead(f *testing.F) {
	addSeeds(f, "response", func(b []byte) { f.Add(b, uint8(0)) })
	f.Add([]byte("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		lim := fuzzLimits(mode)
		var h ResponseHead
		n, err := ParseResponseHead(data, &h, lim)
		if n < 0 || n > len(data) {
			t.Fatalf("n=%d err=%v", n, err)
		}
		var pe *ParseError
		if err != nil && (!errors.As(err, &pe) || pe.Reason == "") {
			t.Fatalf("unexpected error %#v", err)
		}
		var rh ResponseHead
		rerr := NewReader(fuzzSource(data, mode)).ReadResponseHead(&rh, lim)
		if n > 0 {
			if rerr != nil || responseSummary(&rh) != responseSummary(&h) {
				t.Fatalf("Reader: %v\n%s\nParse:\n%s", rerr, responseSummary(&rh), responseSummary(&h))
			}
		} else if rerr == nil {
			t.Fatalf("Reader accepted what ParseResponseHead did not (%v)", err)
		}
		if n == 0 {
			return
		}
		for _, method := range []string{"GET", "HEAD", "CONNECT"} {
			switch kind := ResponseBodyKind(&h, method); {
			case kind == BodyChunked && !h.Chunked, kind == BodyLength && h.ContentLength <= 0:
				t.Fatalf("body kind %d for %s", kind, responseSummary(&h))
			}
		}
		enc := []byte("HTTP/1." + strconv.Itoa(int(h.Minor)) + " " + strconv.Itoa(h.Status))
		if h.Reason != nil {
			enc = append(append(enc, ' '), h.Reason...)
		}
		enc = append(enc, "\r\n"...)
		for _, fl := range h.Fields {
			enc = AppendField(enc, string(fl.Name), string(fl.Value))
		}
		enc = append(enc, "\r\n"...)
		var h2 ResponseHead
		n2, err := ParseResponseHead(enc, &h2, Limits{})
		if err != nil || n2 != len(enc) || responseSummary(&h2) != responseSummary(&h) {
			t.Fatalf("re-encoded %q: %d, %v\n%s\nwant\n%s", enc, n2, err, responseSummary(&h2), responseSummary(&h))
		}
	})
}

func FuzzChunkedBody(f *testing.F) {
	addSeeds(f, "chunked", func(b []byte) { f.Add(b, uint8(0)) })
	f.Add([]byte("3\r\nabc\r\n0\r\n\r\n"), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		lim := fuzzLimits(mode)
		// Whatever the input, decoding it either fails or gives a body
		// that, encoded again, decodes to the same.
		body, trailers, err := decodeChunked(data, mode, lim)
		if err == nil {
			enc := AppendChunk(nil, body)
			enc = AppendLastChunk(enc, trailers)
			body2, trailers2, err := decodeChunked(enc, mode, Limits{})
			if err != nil || !bytes.Equal(body, body2) || fmt.Sprintf("%q", trailers) != fmt.Sprintf("%q", trailers2) {
				t.Fatalf("re-encoded %q: %q %q %v", enc, body2, trailers2, err)
			}
		} else {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("unexpected error %#v", err)
			}
		}
		// Data cut into chunks of the sizes its bytes say round-trips.
		var enc []byte
		for rest := data; len(rest) > 0; {
			n := min(len(rest), int(rest[0])+1)
			enc = AppendChunk(enc, rest[:n])
			rest = rest[n:]
		}
		enc = AppendLastChunk(enc, []Field{{Name: []byte("X-Sum"), Value: []byte(strconv.Itoa(len(data)))}})
		got, tr, err := decodeChunked(enc, mode, Limits{})
		if err != nil || !bytes.Equal(got, data) || len(tr) != 1 || string(tr[0].Value) != strconv.Itoa(len(data)) {
			t.Fatalf("round trip of %q: %q %q %v", data, got, tr, err)
		}
	})
}

// decodeChunked reads a chunked body, after a head that fills most of the
// buffer when mode asks for it.
func decodeChunked(enc []byte, mode uint8, lim Limits) ([]byte, []Field, error) {
	head := chunkedHead
	if mode&8 != 0 {
		head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nX: " + string(bytes.Repeat([]byte("p"), 4000)) + "\r\n\r\n"
	}
	r := NewReader(fuzzSource(append([]byte(head), enc...), mode))
	var h RequestHead
	if err := r.ReadRequestHead(&h, Limits{}); err != nil {
		return nil, nil, err
	}
	r.lim = lim.resolve()
	var b Body
	b.Reset(r, h.Body, h.ContentLength)
	p := make([]byte, 1+int(mode>>4)*300)
	var out []byte
	for {
		n, err := b.Read(p)
		out = append(out, p[:n]...)
		if err == io.EOF {
			return out, b.Trailers(), nil
		}
		if err != nil {
			return out, nil, err
		}
	}
}

// fuzzLimits picks small limits for some modes, so the fuzzer reaches them.
func fuzzLimits(mode uint8) Limits {
	if mode&3 == 3 {
		return Limits{MaxLineSize: 40, MaxFieldSize: 30, MaxHeaders: 4}
	}
	return Limits{}
}

// fuzzSource serves data whole or in small pieces.
func fuzzSource(data []byte, mode uint8) io.Reader {
	switch mode & 3 {
	case 1:
		return iotest.OneByteReader(bytes.NewReader(data))
	case 2:
		return iotest.HalfReader(bytes.NewReader(data))
	}
	return bytes.NewReader(data)
}
