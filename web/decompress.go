package web

import (
	"errors"
	"io"
	"math"
	"strconv"

	"github.com/aiohttp-go/aiohttp/internal/compress"
)

// ErrDecompressTooLarge is the cause of the 413 a request body with a
// content coding fails with once its decoded size passes the
// application's client_max_size (a decompression bomb): reading stops
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
// application's client_max_size on the decoded size.
type decodedBody struct {
	dec   compress.Reader
	limit int64 // the bound dec enforces, for the 413's text
	err   error // sticky: the error that ended the body, io.EOF included
}

// bodyReader returns the body as handlers read it: decoded when the
// request has a Content-Encoding, as sent otherwise. A coding the server
// does not know fails every read with 415, a body that does not decode
// with 400 and one that decodes past client_max_size with 413.
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
	decoding, err := d.dec.Reset(r.Header().GetAll("Content-Encoding"), r.body, limit)
	if err != nil {
		text := "Unsupported Content-Encoding"
		var unknown *compress.UnknownCodingError
		if errors.As(err, &unknown) {
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
	switch {
	case err == io.EOF, errors.As(err, &be):
		// The end, or the raw body broke its framing: as it is.
	case errors.Is(err, compress.ErrTooLarge):
		err = &BodyError{Err: err, HTTP: NewHTTPError(413).WithText(
			"Maximum request body size " + strconv.FormatInt(d.limit, 10) + " exceeded by the decompressed body")}
	default:
		err = &BodyError{Err: err, HTTP: HTTPBadRequest().WithText("Malformed compressed body: " + err.Error())}
	}
	d.err = err
	d.dec.Release()
}

// release gives the decoders back to their pools, whether or not the body
// was read to its end.
func (d *decodedBody) release() {
	d.dec.Release()
	d.err = nil
}
