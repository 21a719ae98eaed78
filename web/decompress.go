package web

import (
	"bytes"
	"errors"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/aiohttp-go/aiohttp/internal/compress"
)

// ErrDecompressTooLarge is the cause of the 413 a request body with a
// content coding fails with once its decoded size passes the
// request's ClientMaxSize (a decompression bomb): reading stops
// there, nothing more is inflated. It is aiohttp.ErrDecompressTooLarge,
// the client's error for the same thing.
var ErrDecompressTooLarge = compress.ErrTooLarge

// bodyCoding says whether a request body has content codings to undo.
type bodyCoding uint8

const (
	codingUnchecked bodyCoding = iota // Content-Encoding not looked at yet
	codingNone                        // the body is read as sent
	codingDecoded                     // the body is read through dec
)

// decodedBody is a request body read through the decoders of its content
// codings (Content-Encoding gzip, deflate, br, zstd), bounded by the
// request's ClientMaxSize on the decoded size.
type decodedBody struct {
	dec   compress.Reader
	limit int64 // the bound dec enforces, for the 413's text
	err   error // sticky: the error that ended the body, io.EOF included
}

// bodyReader returns the body as handlers read it: decoded when the
// request has a Content-Encoding, as sent otherwise. A coding the server
// does not know fails every read with 415, a body that does not decode
// with 400 and one that decodes past ClientMaxSize with 413.
func (r *Request) bodyReader() io.Reader {
	switch r.coding {
	case codingNone:
		return r.body
	case codingDecoded:
		return &r.decoded
	}
	r.coding, r.dirty = codingNone, true
	if !r.bodyExists || r.headerView("Content-Encoding") == "" {
		return r.body
	}
	limit := r.ClientMaxSize()
	if limit < 0 {
		limit = math.MaxInt64 - 1 // the decoder asks for one byte more
	}
	d := &r.decoded
	d.limit, d.err = limit, nil
	var values [4]string
	fields := values[:0]
	r.eachHeaderValue("Content-Encoding", func(v string) { fields = append(fields, v) })
	decoding, err := d.dec.Reset(fields, r.body, limit) // keeps no view of the fields
	if err != nil {
		text := "Unsupported Content-Encoding"
		var unknown *compress.UnknownCodingError
		if errors.As(err, &unknown) {
			unknown.Coding = strings.Clone(unknown.Coding) // a view of the read buffer
			text += ": " + unknown.Coding
		}
		d.err = &BodyError{Err: err, HTTP: HTTPUnsupportedMediaType().WithText(text)}
		decoding = true
	}
	if decoding {
		r.coding = codingDecoded
		return d
	}
	return r.body
}

func (d *decodedBody) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	n, err := d.dec.Read(p)
	if err != nil {
		d.end(err)
		err = d.err
	}
	return n, err
}

// end records why the body ended and gives the decoders back.
func (d *decodedBody) end(err error) {
	var be *BodyError
	var ne net.Error
	switch {
	case err == io.EOF, errors.As(err, &be), errors.As(err, &ne):
		// The end, the raw body broke its framing, or the connection
		// failed: as it is.
	case errors.Is(err, compress.ErrTooLarge):
		err = &BodyError{Err: err, HTTP: NewHTTPError(413).WithText(
			"Maximum request body size " + strconv.FormatInt(d.limit, 10) + " exceeded by the decompressed body")}
	default:
		err = &BodyError{Err: err, HTTP: HTTPBadRequest().WithText("Malformed compressed body: " + err.Error())}
	}
	d.err = err
	d.dec.Release()
}

// readAll reads the rest of the body into pooled scratch space and
// returns a copy of exactly its size: one allocation, however the
// decoded size compares with what was sent.
func (d *decodedBody) readAll() ([]byte, error) {
	scratch := readScratch.Get().(*appendWriter)
	defer func() {
		if cap(scratch.b) <= maxPooledCompressBuffer {
			scratch.b = scratch.b[:0]
			readScratch.Put(scratch)
		}
	}()
	b := scratch.b[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := d.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			scratch.b = b
			return bytes.Clone(b), nil
		}
		if err != nil {
			scratch.b = b
			return nil, err
		}
	}
}

// readScratch holds the buffers readAll decodes into.
var readScratch = sync.Pool{New: func() any { return new(appendWriter) }}

// release gives the decoders back to their pools, whether or not the body
// was read to its end.
func (d *decodedBody) release() {
	d.dec.Release()
	d.err = nil
}
