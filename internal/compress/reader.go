package compress

import (
	"bufio"
	"io"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

const (
	// MaxCodings is how many stacked codings a body may have.
	MaxCodings = 4
	// ZstdMaxWindow is the largest window a zstd body may need (RFC 9659
	// section 3), and so what one zstd decoder may hold.
	ZstdMaxWindow = 8 << 20
	// codecBufSize is the size of a decoder's input buffer.
	codecBufSize = 8 << 10
)

// Reader reads a body decoded from its content codings, failing with
// [ErrTooLarge] past a bound. Its zero value decodes nothing; [Reader.Reset]
// sets it up, [Reader.Release] gives its decoders back to their pools.
// It does not allocate once the pools are warm.
type Reader struct {
	layers [MaxCodings]*codecReader // layers[0] reads the raw body
	n      int                      // layers in use
	left   int64                    // bytes it may still return
}

// Reset prepares d to decode src as the Content-Encoding field values say,
// returning at most limit decoded bytes, and reports whether there is
// anything to decode: identity codings are skipped. A coding it does not
// know is an *[UnknownCodingError], more than [MaxCodings] codings
// [ErrTooManyCodings]; d then decodes nothing.
func (d *Reader) Reset(contentEncoding []string, src io.Reader, limit int64) (bool, error) {
	d.Release()
	var codings [MaxCodings]Coding
	n := 0
	for _, v := range contentEncoding {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" || strings.EqualFold(name, "identity") {
				continue
			}
			c, ok := Lookup(name)
			if !ok {
				return false, &UnknownCodingError{Coding: name}
			}
			if n == MaxCodings {
				return false, ErrTooManyCodings
			}
			codings[n] = c
			n++
		}
	}
	// The last coding listed was applied last: it is undone first.
	for i := range n {
		cr := getCodec(codings[n-1-i], src)
		d.layers[i] = cr
		src = cr
	}
	d.n, d.left = n, limit
	return n > 0, nil
}

// Decoding reports whether d has codings to undo.
func (d *Reader) Decoding() bool { return d.n > 0 }

// Left returns how many more bytes d may return before it fails.
func (d *Reader) Left() int64 { return d.left }

// Read reads decoded bytes.
func (d *Reader) Read(p []byte) (int, error) {
	if d.n == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > d.left {
		p = p[:d.left+1] // one byte more tells a body that goes on
	}
	n, err := d.layers[d.n-1].Read(p)
	if int64(n) > d.left {
		n, d.left = int(d.left), 0
		return n, ErrTooLarge
	}
	d.left -= int64(n)
	return n, err
}

// Release gives the decoders back to their pools; d then decodes nothing.
// Calling it again does nothing.
func (d *Reader) Release() {
	for i := range d.n {
		d.layers[i].release()
		d.layers[i] = nil
	}
	d.n = 0
}

// codecReader decodes one content coding. It is pooled per coding, with
// the decoder it created on first use.
type codecReader struct {
	c    Coding
	in   *bufio.Reader // the encoded input; an io.ByteReader, so flate reads no further than it needs
	r    io.Reader     // the decoder, once started
	done bool          // r reached the end of its stream cleanly

	gz   *gzip.Reader
	zl   io.ReadCloser // zlib, also a zlib.Resetter
	fl   io.ReadCloser // raw deflate, also a flate.Resetter
	brr  *brotli.Reader
	zstd *zstd.Decoder
}

var codecPools [numCodings]sync.Pool // of *codecReader

func getCodec(c Coding, src io.Reader) *codecReader {
	cr, ok := codecPools[c].Get().(*codecReader)
	if !ok {
		return &codecReader{c: c, in: bufio.NewReaderSize(src, codecBufSize)}
	}
	cr.in.Reset(src)
	return cr
}

// release drops the references to the input and pools cr, unless its
// decoder was left mid-stream or failed: not every decoder's Reset
// recovers from that (brotli's does not), so such a one is dropped.
func (cr *codecReader) release() {
	unfinished := cr.r != nil && !cr.done
	cr.in.Reset(nil)
	cr.r, cr.done = nil, false
	if cr.zstd != nil {
		_ = cr.zstd.Reset(nil) // always nil: it only forgets its input
		if unfinished {
			cr.zstd.Close() // ends its goroutines, if any
		}
	}
	if !unfinished {
		codecPools[cr.c].Put(cr)
	}
}

func (cr *codecReader) Read(p []byte) (int, error) {
	if cr.r == nil {
		if err := cr.start(); err != nil {
			return 0, err
		}
	}
	n, err := cr.r.Read(p)
	if err == io.EOF {
		cr.done = true
	}
	return n, err
}

// start sets up the decoder on the input. An empty input is an empty
// body, whatever its coding.
func (cr *codecReader) start() error {
	if _, err := cr.in.Peek(1); err != nil {
		if err == io.EOF {
			cr.r, cr.done = eofReader{}, true
		}
		return err
	}
	switch cr.c {
	case Gzip:
		if cr.gz == nil {
			cr.gz = new(gzip.Reader)
		}
		if err := cr.gz.Reset(cr.in); err != nil {
			return err
		}
		cr.r = cr.gz
	case Deflate:
		if hdr, _ := cr.in.Peek(2); !isZlibHeader(hdr) {
			if cr.fl == nil {
				cr.fl = flate.NewReader(cr.in)
			} else if err := cr.fl.(flate.Resetter).Reset(cr.in, nil); err != nil {
				return err
			}
			cr.r = cr.fl
			break
		}
		if cr.zl == nil {
			zl, err := zlib.NewReader(cr.in)
			if err != nil {
				return err
			}
			cr.zl = zl
		} else if err := cr.zl.(zlib.Resetter).Reset(cr.in, nil); err != nil {
			return err
		}
		cr.r = cr.zl
	case Brotli:
		if cr.brr == nil {
			cr.brr = brotli.NewReader(cr.in)
		} else if err := cr.brr.Reset(cr.in); err != nil {
			return err
		}
		cr.r = cr.brr
	case Zstd:
		if cr.zstd == nil {
			d, err := zstd.NewReader(cr.in,
				zstd.WithDecoderConcurrency(1), // decode on the caller's goroutine
				zstd.WithDecoderMaxWindow(ZstdMaxWindow),
				zstd.WithDecoderMaxMemory(ZstdMaxWindow))
			if err != nil {
				return err
			}
			cr.zstd = d
		} else if err := cr.zstd.Reset(cr.in); err != nil {
			return err
		}
		cr.r = cr.zstd
	}
	return nil
}

// eofReader is an empty body.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// isZlibHeader reports whether b starts with a zlib header (RFC 1950
// section 2.2) without a preset dictionary, which HTTP cannot use: a
// deflate body without one is raw deflate, as some servers send it.
func isZlibHeader(b []byte) bool {
	return len(b) == 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && b[1]&0x20 == 0 &&
		(uint16(b[0])<<8|uint16(b[1]))%31 == 0
}
