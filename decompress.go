package aiohttp

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// ErrDecompressTooLarge is the cause of the ErrClientPayload error a body
// returns once its decoded size exceeds the session's bound (aiohttp's
// DecompressSizeError): what looks like a decompression bomb is cut off
// after at most that many bytes, the connection closed.
var ErrDecompressTooLarge = errors.New("decompressed body too large")

// errTooManyCodings is the cause of the ErrClientPayload error of a body
// sent with more stacked content codings than the client decodes.
var errTooManyCodings = errors.New("too many content codings")

// coding is a content coding the client decodes.
type coding uint8

const (
	codingGzip    coding = iota // gzip, x-gzip (RFC 9110 8.4.1.3)
	codingDeflate               // deflate: zlib (RFC 1950), or raw deflate as browsers accept
	codingBrotli                // br (RFC 7932)
	codingZstd                  // zstd (RFC 9659)
	numCodings
)

const (
	// maxCodings is how many stacked codings a body may have.
	maxCodings = 4
	// zstdMaxWindow is the largest window a zstd body may need (RFC
	// 9659 section 3).
	zstdMaxWindow = 8 << 20
	// codecBufSize is the size of a decoder's input buffer.
	codecBufSize = 8 << 10
)

// decoder reads a body decoded from its content codings, failing with
// ErrDecompressTooLarge past limit bytes. Its zero value decodes nothing.
type decoder struct {
	layers [maxCodings]*codecReader // layers[0] reads the raw body
	n      int                      // layers in use
	left   int64                    // bytes it may still return
}

// reset prepares d to decode src as the Content-Encoding field values
// say, returning whether there is anything to decode. Unknown codings
// leave the body as sent (as aiohttp does); identity codings are
// skipped.
func (d *decoder) reset(contentEncoding []string, src io.Reader, limit int64) (bool, error) {
	var codings [maxCodings]coding
	n := 0
	for _, v := range contentEncoding {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			var c coding
			switch {
			case name == "" || strings.EqualFold(name, "identity"):
				continue
			case strings.EqualFold(name, "gzip") || strings.EqualFold(name, "x-gzip"):
				c = codingGzip
			case strings.EqualFold(name, "deflate"):
				c = codingDeflate
			case strings.EqualFold(name, "br"):
				c = codingBrotli
			case strings.EqualFold(name, "zstd"):
				c = codingZstd
			default:
				return false, nil
			}
			if n == maxCodings {
				return false, errTooManyCodings
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

// Read reads decoded bytes.
func (d *decoder) Read(p []byte) (int, error) {
	if int64(len(p)) > d.left {
		p = p[:d.left+1] // one byte more tells a body that goes on
	}
	n, err := d.layers[d.n-1].Read(p)
	if int64(n) > d.left {
		n, d.left = int(d.left), 0
		return n, ErrDecompressTooLarge
	}
	d.left -= int64(n)
	return n, err
}

// release gives the decoders back to their pools.
func (d *decoder) release() {
	for i := range d.n {
		d.layers[i].release()
		d.layers[i] = nil
	}
	d.n = 0
}

// codecReader decodes one content coding. It is pooled per coding, with
// the decoder it created on first use.
type codecReader struct {
	c  coding
	in *bufio.Reader // the encoded input; an io.ByteReader, so flate reads no further than it needs
	r  io.Reader     // the decoder, once started

	gz   *gzip.Reader
	zl   io.ReadCloser // zlib, also a zlib.Resetter
	fl   io.ReadCloser // raw deflate, also a flate.Resetter
	brr  *brotli.Reader
	zstd *zstd.Decoder
}

var codecPools [numCodings]sync.Pool // of *codecReader

func getCodec(c coding, src io.Reader) *codecReader {
	cr, ok := codecPools[c].Get().(*codecReader)
	if !ok {
		return &codecReader{c: c, in: bufio.NewReaderSize(src, codecBufSize)}
	}
	cr.in.Reset(src)
	return cr
}

// release drops the references to the input and pools cr.
func (cr *codecReader) release() {
	cr.in.Reset(nil)
	cr.r = nil
	if cr.zstd != nil {
		_ = cr.zstd.Reset(nil) // always nil: it only forgets its input
	}
	codecPools[cr.c].Put(cr)
}

func (cr *codecReader) Read(p []byte) (int, error) {
	if cr.r == nil {
		if err := cr.start(); err != nil {
			return 0, err
		}
	}
	return cr.r.Read(p)
}

// start sets up the decoder on the input. An empty input is an empty
// body, whatever its coding.
func (cr *codecReader) start() error {
	if _, err := cr.in.Peek(1); err != nil {
		if err == io.EOF {
			cr.r = http.NoBody
		}
		return err
	}
	switch cr.c {
	case codingGzip:
		if cr.gz == nil {
			cr.gz = new(gzip.Reader)
		}
		if err := cr.gz.Reset(cr.in); err != nil {
			return err
		}
		cr.r = cr.gz
	case codingDeflate:
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
	case codingBrotli:
		if cr.brr == nil {
			cr.brr = brotli.NewReader(cr.in)
		} else if err := cr.brr.Reset(cr.in); err != nil {
			return err
		}
		cr.r = cr.brr
	case codingZstd:
		if cr.zstd == nil {
			d, err := zstd.NewReader(cr.in,
				zstd.WithDecoderConcurrency(1), // decode on the caller's goroutine
				zstd.WithDecoderMaxWindow(zstdMaxWindow),
				zstd.WithDecoderMaxMemory(zstdMaxWindow))
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

// isZlibHeader reports whether b starts with a zlib header (RFC 1950
// section 2.2) without a preset dictionary, which HTTP cannot use: a
// deflate body without one is raw deflate, as some servers send it.
func isZlibHeader(b []byte) bool {
	return len(b) == 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && b[1]&0x20 == 0 &&
		(uint16(b[0])<<8|uint16(b[1]))%31 == 0
}
