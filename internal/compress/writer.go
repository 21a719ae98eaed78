package compress

import (
	"io"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// The levels a [Writer] encodes at, chosen for speed: a server compresses
// every response anew, so a fast level that still gets most of the ratio
// beats a slow one that gets a few percent more.
const (
	// GzipLevel is gzip's and deflate's level: klauspost/compress level 1,
	// its fastest with Huffman and matching (hundreds of MB/s per core).
	GzipLevel = gzip.BestSpeed
	// BrotliLevel is brotli's quality: 1, the fastest that still finds
	// matches with a hash chain (0 barely compresses text).
	BrotliLevel = 1
	// ZstdLevel is zstd's level: SpeedFastest (zstd level 1).
	ZstdLevel = zstd.SpeedFastest
	// ZstdWindow is the zstd window: 256 KiB bounds an encoder's memory
	// (and the decoder's, on the other side) while covering any response
	// worth compressing in one window.
	ZstdWindow = 256 << 10
)

// encoder is what the codings' writers have in common.
type encoder interface {
	io.WriteCloser
	Flush() error
	Reset(w io.Writer)
}

// Writer compresses what is written to it with one coding, into the
// io.Writer it was made for. Get one with [NewWriter]; Close ends the
// compressed stream, Release hands the Writer back to its pool.
type Writer struct {
	c   Coding
	enc encoder
}

var writerPools [numCodings]sync.Pool // of *Writer

// NewWriter returns a pooled Writer compressing with c into dst.
func NewWriter(c Coding, dst io.Writer) *Writer {
	if w, ok := writerPools[c].Get().(*Writer); ok {
		w.enc.Reset(dst)
		return w
	}
	return &Writer{c: c, enc: newEncoder(c, dst)}
}

func newEncoder(c Coding, dst io.Writer) encoder {
	switch c {
	case Gzip:
		w, _ := gzip.NewWriterLevel(dst, GzipLevel) // the level is valid: no error
		return w
	case Deflate:
		w, _ := zlib.NewWriterLevel(dst, GzipLevel)
		return w
	case Brotli:
		return brotli.NewWriterLevel(dst, BrotliLevel)
	}
	w, _ := zstd.NewWriter(dst, // the options are valid: no error
		zstd.WithEncoderLevel(ZstdLevel),
		zstd.WithEncoderConcurrency(1), // encode on the caller's goroutine
		zstd.WithWindowSize(ZstdWindow),
		zstd.WithLowerEncoderMem(true))
	return w
}

// Coding returns the coding w compresses with.
func (w *Writer) Coding() Coding { return w.c }

// Write compresses p.
func (w *Writer) Write(p []byte) (int, error) { return w.enc.Write(p) }

// Flush writes out what was written so far, so that the reader can decode
// all of it, at some cost in ratio.
func (w *Writer) Flush() error { return w.enc.Flush() }

// Close writes out the rest of the compressed stream and its trailer. It
// does not close the underlying writer.
func (w *Writer) Close() error { return w.enc.Close() }

// Release drops the reference to the underlying writer and pools w,
// which must not be used afterwards.
func (w *Writer) Release() {
	w.enc.Reset(io.Discard)
	writerPools[w.c].Put(w)
}
