package compress

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/flate"
)

var allCodings = []Coding{Gzip, Deflate, Brotli, Zstd}

// encode compresses data with c through a pooled Writer.
func encode(t testing.TB, c Coding, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(c, &buf)
	defer w.Release()
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decode(body []byte, contentEncoding string, limit int64) ([]byte, error) {
	var d Reader
	defer d.Release()
	if _, err := d.Reset([]string{contentEncoding}, iotest.HalfReader(bytes.NewReader(body)), limit); err != nil {
		return nil, err
	}
	return io.ReadAll(&d)
}

func TestRoundTrip(t *testing.T) {
	plain := []byte(strings.Repeat(`{"name":"aiohttp-go","tags":["fast","safe"]},`, 500))
	for _, c := range allCodings {
		for round := range 3 { // later rounds reuse pooled encoders and decoders
			body := encode(t, c, plain)
			if len(body) >= len(plain)/4 {
				t.Errorf("%s: %d bytes for %d", c, len(body), len(plain))
			}
			got, err := decode(body, c.String(), 1<<20)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("%s round %d: %d bytes, %v", c, round, len(got), err)
			}
		}
	}
}

func TestWriterFlush(t *testing.T) {
	// What was flushed decodes before the stream ends.
	for _, c := range allCodings {
		var buf bytes.Buffer
		w := NewWriter(c, &buf)
		if _, err := w.Write([]byte("first event\n")); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		var d Reader
		if _, err := d.Reset([]string{c.String()}, bytes.NewReader(buf.Bytes()), 1<<20); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 64)
		n, err := io.ReadAtLeast(&d, got, len("first event\n"))
		if err != nil || string(got[:n]) != "first event\n" {
			t.Errorf("%s: flushed part decodes as %q, %v", c, got[:n], err)
		}
		d.Release()
		w.Release()
	}
}

func TestReaderErrors(t *testing.T) {
	var d Reader
	var unknown *UnknownCodingError
	if ok, err := d.Reset([]string{"gzip, compress"}, strings.NewReader(""), 10); ok || !errors.As(err, &unknown) || unknown.Coding != "compress" {
		t.Errorf("unknown coding: %v, %v", ok, err)
	}
	if ok, err := d.Reset([]string{"gzip, br", "zstd, deflate, gzip"}, strings.NewReader(""), 10); ok || !errors.Is(err, ErrTooManyCodings) {
		t.Errorf("five codings: %v, %v", ok, err)
	}
	if ok, err := d.Reset([]string{"identity", " "}, strings.NewReader("x"), 10); ok || err != nil || d.Decoding() {
		t.Errorf("identity: %v, %v", ok, err)
	}
	if n, err := d.Read(make([]byte, 4)); n != 0 || err != io.EOF {
		t.Errorf("Read with nothing to decode: %d, %v", n, err)
	}
	d.Release()
	d.Release() // idempotent
}

func TestReaderLimit(t *testing.T) {
	plain := bytes.Repeat([]byte("a"), 1000)
	for _, c := range allCodings {
		body := encode(t, c, plain)
		for _, limit := range []int64{0, 999, 1000, 1001} {
			got, err := decode(body, c.String(), limit)
			if limit < 1000 {
				if !errors.Is(err, ErrTooLarge) || int64(len(got)) != limit {
					t.Errorf("%s limit %d: %d bytes, %v", c, limit, len(got), err)
				}
			} else if err != nil || len(got) != 1000 {
				t.Errorf("%s limit %d: %d bytes, %v", c, limit, len(got), err)
			}
		}
	}
}

func TestReaderRawDeflate(t *testing.T) {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	fw.Write([]byte("raw deflate, as some servers and clients send it"))
	fw.Close()
	got, err := decode(buf.Bytes(), "deflate", 1<<10)
	if err != nil || string(got) != "raw deflate, as some servers and clients send it" {
		t.Errorf("raw deflate: %q, %v", got, err)
	}
}

func TestIsZlibHeader(t *testing.T) {
	zl := encode(t, Deflate, []byte("x"))
	if !isZlibHeader(zl[:2]) {
		t.Errorf("zlib header %x not recognised", zl[:2])
	}
	for _, h := range [][]byte{nil, {0x78}, {0x78, 0x00}, {0x78, 0xbb}, {0x88, 0x98}, {0x79, 0x9c}} {
		if isZlibHeader(h) {
			t.Errorf("%x taken for a zlib header", h)
		}
	}
}

func TestLookup(t *testing.T) {
	for name, want := range map[string]Coding{"gzip": Gzip, "X-GZIP": Gzip, "Deflate": Deflate, "br": Brotli, "ZSTD": Zstd} {
		if c, ok := Lookup(name); !ok || c != want {
			t.Errorf("Lookup(%q) = %v, %v", name, c, ok)
		}
	}
	for _, name := range []string{"", "identity", "compress", "gzip2"} {
		if _, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) found a coding", name)
		}
	}
}
