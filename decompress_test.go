package aiohttp

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aiohttp-go/aiohttp/internal/compress"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// bodyEncoders make the bodies of the tests, by content coding, at their
// default level or, when fast, at their fastest.
var bodyEncoders = map[string]func(w io.Writer, fast bool) io.WriteCloser{
	"gzip": func(w io.Writer, fast bool) io.WriteCloser {
		zw, _ := gzip.NewWriterLevel(w, pickLevel(fast, gzip.DefaultCompression, gzip.BestSpeed))
		return zw
	},
	"zlib": func(w io.Writer, fast bool) io.WriteCloser {
		zw, _ := zlib.NewWriterLevel(w, pickLevel(fast, zlib.DefaultCompression, zlib.BestSpeed))
		return zw
	},
	"raw deflate": func(w io.Writer, fast bool) io.WriteCloser {
		fw, _ := flate.NewWriter(w, pickLevel(fast, flate.DefaultCompression, flate.BestSpeed))
		return fw
	},
	"br": func(w io.Writer, fast bool) io.WriteCloser {
		return brotli.NewWriterLevel(w, pickLevel(fast, brotli.DefaultCompression, brotli.BestSpeed))
	},
	"zstd": func(w io.Writer, fast bool) io.WriteCloser {
		zw, _ := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderLevel(pickLevel(fast, zstd.SpeedDefault, zstd.SpeedFastest)))
		return zw
	},
}

func pickLevel[L any](fast bool, normal, fastest L) L {
	if fast {
		return fastest
	}
	return normal
}

func encodeBody(t testing.TB, coding string, data []byte) []byte {
	t.Helper()
	return encodeBodyLevel(t, coding, data, false)
}

func encodeBodyLevel(t testing.TB, coding string, data []byte, fast bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := bodyEncoders[coding](&buf, fast)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBody(t testing.TB, data []byte) []byte { return encodeBody(t, "gzip", data) }

func TestDecompress(t *testing.T) {
	plain := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 2000))
	tests := []struct {
		header string   // Content-Encoding
		layers []string // bodyEncoders applied in order
	}{
		{"gzip", []string{"gzip"}},
		{"x-gzip", []string{"gzip"}},
		{"GZip", []string{"gzip"}},
		{"deflate", []string{"zlib"}},
		{"deflate", []string{"raw deflate"}},
		{"br", []string{"br"}},
		{"zstd", []string{"zstd"}},
		{"identity", nil},
		{"identity, gzip", []string{"gzip"}},
		{"gzip, br", []string{"gzip", "br"}},
		{"deflate,zstd , gzip", []string{"zlib", "zstd", "gzip"}},
		{"br, br, gzip, deflate", []string{"br", "br", "gzip", "raw deflate"}},
	}
	for _, tt := range tests {
		body := plain
		for _, c := range tt.layers {
			body = encodeBody(t, c, body)
		}
		name := tt.header + " " + strings.Join(tt.layers, "+")
		for round := range 3 { // later rounds reuse pooled decoders
			r, d := newBodyResponse(iotest.HalfReader(bytes.NewReader(body)), "Content-Encoding", tt.header, "Content-Length", "1")
			got, err := r.Bytes()
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("%s, round %d: Read() = %d bytes, %v", name, round, len(got), err)
			}
			d.once(t, false)
		}
		// Streaming gives the same.
		r, d := newBodyResponse(iotest.OneByteReader(bytes.NewReader(body)), "Content-Encoding", tt.header)
		var got []byte
		for b, err := range r.Content().IterChunked(1000) {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got = append(got, b...)
		}
		if !bytes.Equal(got, plain) {
			t.Errorf("%s: streamed %d bytes", name, len(got))
		}
		d.once(t, false)
	}
}

func TestDecompressHeaders(t *testing.T) {
	plain := []byte("stacked over two header lines")
	body := encodeBody(t, "br", encodeBody(t, "gzip", plain))
	r, _ := newBodyResponse(bytes.NewReader(body), "Content-Encoding", "gzip", "Content-Encoding", "br")
	if got, err := r.Bytes(); err != nil || !bytes.Equal(got, plain) {
		t.Errorf("two header lines: %q, %v", got, err)
	}

	gz := gzipBody(t, plain)
	// Unknown codings, and auto-decompression off, leave the body as sent.
	for _, h := range []string{"compress", "gzip, compress", "aes128gcm"} {
		r, _ := newBodyResponse(bytes.NewReader(gz), "Content-Encoding", h)
		if got, err := r.Bytes(); err != nil || !bytes.Equal(got, gz) {
			t.Errorf("%s: body changed: %v", h, err)
		}
	}
	r, _ = newBodyResponse(bytes.NewReader(gz), "Content-Encoding", "gzip")
	r.opts.autoDecompress = false
	if got, err := r.Bytes(); err != nil || !bytes.Equal(got, gz) {
		t.Errorf("autoDecompress off: body changed: %v", err)
	}
	// Too many layers is an error, not a resource sink.
	r, d := newBodyResponse(bytes.NewReader(gz), "Content-Encoding", "gzip, gzip, gzip, gzip, gzip")
	if _, err := r.Bytes(); !errors.Is(err, ErrClientPayload) || !errors.Is(err, compress.ErrTooManyCodings) {
		t.Errorf("five codings: %v", err)
	}
	d.once(t, true)
	// An empty body is empty whatever its coding (HEAD, 204, 304).
	for _, h := range []string{"gzip", "deflate", "br", "zstd", "gzip, br"} {
		for name, raw := range map[string]io.Reader{"nil": nil, "empty": strings.NewReader("")} {
			r, d := newBodyResponse(raw, "Content-Encoding", h)
			if got, err := r.Bytes(); err != nil || len(got) != 0 {
				t.Errorf("%s, %s body: %q, %v", h, name, got, err)
			}
			d.once(t, false)
		}
	}
}

func TestDecompressCorrupt(t *testing.T) {
	plain := bytes.Repeat([]byte("corrupt me "), 1000)
	gz := gzipBody(t, plain)
	flipped := bytes.Clone(gz)
	flipped[len(flipped)/2] ^= 0xff
	badCRC := bytes.Clone(gz)
	badCRC[len(badCRC)-6] ^= 0xff
	br := encodeBody(t, "br", plain)
	zs := encodeBody(t, "zstd", plain)
	zl := encodeBody(t, "zlib", plain)
	badAdler := bytes.Clone(zl)
	badAdler[len(badAdler)-1] ^= 0xff
	tests := []struct {
		name, coding string
		body         []byte
	}{
		{"gzip garbage", "gzip", []byte("this is not gzip at all")},
		{"gzip flipped byte", "gzip", flipped},
		{"gzip bad checksum", "gzip", badCRC},
		{"gzip truncated", "gzip", gz[:len(gz)/2]},
		{"gzip header only", "gzip", gz[:5]},
		{"gzip trailing garbage", "gzip", append(bytes.Clone(gz), "junk"...)},
		{"zlib bad checksum", "deflate", badAdler},
		{"zlib truncated", "deflate", zl[:len(zl)-10]},
		{"br truncated", "br", br[:len(br)/2]},
		{"br garbage", "br", []byte("\xff\xff\xff\xff not brotli")},
		{"zstd truncated", "zstd", zs[:len(zs)/2]},
		{"zstd garbage", "zstd", []byte("definitely not zstd")},
	}
	for _, tt := range tests {
		r, d := newBodyResponse(bytes.NewReader(tt.body), "Content-Encoding", tt.coding)
		_, err := r.Bytes()
		if !errors.Is(err, ErrClientPayload) {
			t.Errorf("%s: Read() error %v, want ErrClientPayload", tt.name, err)
		}
		var e *Error
		if !errors.As(err, &e) || e.URL != "http://example.com:8080/a/b" {
			t.Errorf("%s: error %#v", tt.name, err)
		}
		// The connection closes unless its framing ended cleanly before
		// the decoder found the damage.
		if d.calls != 1 || (d.err == nil) != (r.rawErr == io.EOF) {
			t.Errorf("%s: done called %d times, with %v", tt.name, d.calls, d.err)
		}
		r.Close()
		if d.calls != 1 {
			t.Errorf("%s: done called %d times", tt.name, d.calls)
		}
	}
	// A session error under the coding comes through as it is.
	raw := io.MultiReader(bytes.NewReader(gz[:20]), iotest.ErrReader(&Error{Kind: ErrSocketTimeout}))
	r, d := newBodyResponse(raw, "Content-Encoding", "gzip")
	if _, err := r.Bytes(); !errors.Is(err, ErrSocketTimeout) {
		t.Errorf("timeout under gzip: %v", err)
	}
	d.once(t, true)
}

func TestDecompressTrailingBytesDrained(t *testing.T) {
	// A zlib stream ends before the raw body does: the rest (here junk,
	// usually nothing) is drained so that the connection is reused.
	plain := []byte("short")
	body := append(encodeBody(t, "zlib", plain), "trailing"...)
	r, d := newBodyResponse(bytes.NewReader(body), "Content-Encoding", "deflate")
	if got, err := r.Bytes(); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Read() = %q, %v", got, err)
	}
	d.once(t, false)

	// Unless the rest is long.
	body = append(encodeBody(t, "zlib", plain), bytes.Repeat([]byte("x"), 2*drainLimit)...)
	r, d = newBodyResponse(bytes.NewReader(body), "Content-Encoding", "deflate")
	if got, err := r.Bytes(); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Read() = %q, %v", got, err)
	}
	d.once(t, true)
}

// endlessBomb returns an endless stream of zeros compressed with gzip,
// made as it is read, and a function that stops its writer.
func endlessBomb() (io.Reader, func()) {
	pr, pw := io.Pipe()
	go func() {
		w, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
		zeros := make([]byte, 64<<10)
		for {
			if _, err := w.Write(zeros); err != nil {
				return
			}
		}
	}()
	return pr, func() { pr.Close() }
}

func TestDecompressBomb(t *testing.T) {
	const limit = 16 << 20
	zeros := make([]byte, 2*limit)
	for _, coding := range []string{"gzip", "zlib", "raw deflate", "br", "zstd"} {
		header := map[string]string{"zlib": "deflate", "raw deflate": "deflate"}[coding]
		if header == "" {
			header = coding
		}
		body := encodeBodyLevel(t, coding, zeros, true)
		t.Run(coding, func(t *testing.T) {
			raw := &countingBody{r: bytes.NewReader(body)}
			r, d := newBodyResponse(raw, "Content-Encoding", header)
			r.opts.maxDecompressed = limit
			buf := make([]byte, 32<<10)

			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r.Content()}, buf)
			runtime.ReadMemStats(&after)

			if !errors.Is(err, ErrDecompressTooLarge) || !errors.Is(err, ErrClientPayload) {
				t.Fatalf("error %v, want ErrDecompressTooLarge", err)
			}
			if n != limit {
				t.Errorf("delivered %d bytes, want exactly the limit %d", n, limit)
			}
			if len(body) > 1<<20 && raw.n == len(body) {
				t.Errorf("read all %d compressed bytes: not failing fast", raw.n)
			}
			// Streaming holds no decoded body: what is allocated is the
			// decoders' state (a zstd window is up to 8 MiB).
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > compress.ZstdMaxWindow+4<<20 {
				t.Errorf("allocated %d bytes while decoding %d", alloc, limit)
			}
			d.once(t, true)
		})
	}
	// Read (the whole body) of an endless bomb fails the same way, with
	// what came before.
	src, stop := endlessBomb()
	defer stop()
	raw := &countingBody{r: src}
	r, d := newBodyResponse(raw, "Content-Encoding", "gzip")
	r.opts.maxDecompressed = 1 << 20
	got, err := r.Bytes()
	if !errors.Is(err, ErrDecompressTooLarge) || len(got) != 1<<20 {
		t.Errorf("Read() = %d bytes, %v", len(got), err)
	}
	if raw.n > 64<<10 {
		t.Errorf("read %d compressed bytes for 1 MiB", raw.n)
	}
	d.once(t, true)
}

func TestDecompressLimitExact(t *testing.T) {
	plain := bytes.Repeat([]byte("a"), 1000)
	for _, limit := range []int64{999, 1000, 1001} {
		r, _ := newBodyResponse(bytes.NewReader(gzipBody(t, plain)), "Content-Encoding", "gzip")
		r.opts.maxDecompressed = limit
		got, err := r.Bytes()
		if limit < 1000 {
			if !errors.Is(err, ErrDecompressTooLarge) {
				t.Errorf("limit %d: %d bytes, %v", limit, len(got), err)
			}
		} else if err != nil || len(got) != 1000 {
			t.Errorf("limit %d: %d bytes, %v", limit, len(got), err)
		}
	}
	// The default bound applies when none is set.
	r, _ := newBodyResponse(bytes.NewReader(gzipBody(t, plain)), "Content-Encoding", "gzip")
	r.Content().AtEOF() // sets the stream up
	if r.stream.dec.Left() != defaultMaxDecompressed {
		t.Errorf("default bound %d", r.stream.dec.Left())
	}
}

func TestDecompressNoGoroutines(t *testing.T) {
	body := encodeBody(t, "zstd", bytes.Repeat([]byte("goroutine-free "), 100000))
	before := runtime.NumGoroutine()
	for range 3 {
		r, _ := newBodyResponse(iotest.HalfReader(bytes.NewReader(body)), "Content-Encoding", "zstd")
		if _, err := io.Copy(io.Discard, r.Content()); err != nil {
			t.Fatal(err)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Errorf("%d goroutines while decoding, %d before", n, before)
		}
	}
}

func BenchmarkDecompressGzip(b *testing.B) {
	plain := bytes.Repeat([]byte(`{"id":1,"name":"benchmark","tags":["a","b"]},`), 200)
	body := gzipBody(b, plain)
	var raw bytes.Reader
	b.ReportAllocs()
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		raw.Reset(body)
		r, _ := newBodyResponse(&raw, "Content-Encoding", "gzip")
		if got, err := r.Bytes(); err != nil || len(got) != len(plain) {
			b.Fatal(len(got), err)
		}
	}
}
