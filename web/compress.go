package web

import (
	"strings"
	"sync"
	"unsafe"

	"github.com/aiohttp-go/aiohttp/internal/compress"
	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// DefaultCompressionMinSize is the smallest body [CompressionMiddleware]
// compresses unless told otherwise: below 1 KiB the coding's header and
// the CPU cost outweigh what is saved.
const DefaultCompressionMinSize = 1 << 10

// CompressionOptions configure [CompressionMiddleware]. The zero value
// offers zstd, br, gzip and deflate for compressible bodies of 1 KiB or
// more.
type CompressionOptions struct {
	// Codings are the codings offered, among "zstd", "br", "gzip" and
	// "deflate", in the order of preference used when the client accepts
	// several equally (the same q-value). Empty means all four in that
	// order: zstd and br compress text better than gzip at the speeds
	// chosen, gzip is what every client decodes. An unknown name panics.
	Codings []string
	// MinSize is the smallest body compressed, in bytes: 0 means
	// DefaultCompressionMinSize, a negative size any size. A streamed
	// body of unknown length is compressed whatever its size.
	MinSize int64
	// Compressible reports whether a media type (lower case, without
	// parameters) is worth compressing; nil means [Compressible].
	Compressible func(mediaType string) bool
}

// compression is the prepared form of CompressionOptions.
type compression struct {
	offered      []compress.Coding
	minSize      int64
	compressible func(mediaType string) bool
}

// defaultCodings is the default order of preference.
var defaultCodings = []compress.Coding{compress.Zstd, compress.Brotli, compress.Gzip, compress.Deflate}

// defaultCompression is what a response's EnableCompression negotiates
// with when no middleware configured compression.
var defaultCompression = compression{offered: defaultCodings, minSize: DefaultCompressionMinSize, compressible: Compressible}

// CompressionMiddleware returns a middleware that compresses responses
// (aiohttp's enable_compression, for a whole application): a
// [*BodyResponse] or a [*StreamResponse] (Write goes through the encoder,
// Flush flushes it, and the body is sent chunked) is compressed with the
// coding the request's Accept-Encoding prefers (q-values, "*" and identity
// as RFC 9110 section 12.5.3 says; q=0 refuses a coding), when
//
//   - its media type is compressible (see [Compressible]) and its length,
//     when known, at least MinSize;
//   - it has no Content-Encoding yet (a handler that serves precompressed
//     files sets its own) nor Content-Range, and its status has a body
//     (not 1xx, 204, 206, 304); HEAD requests are never compressed;
//   - the handler did not call DisableCompression on it.
//
// Such a response gets "Vary: Accept-Encoding" whatever the coding chosen,
// and a compressed one "Content-Encoding" (a BodyResponse is sent as is
// when compressing would not make it smaller). Where the middleware sits
// in the chain does not matter: the choice is made when the response's
// head is sent, after the OnResponsePrepare handlers.
//
// The encoders are pooled and tuned for speed (gzip and deflate at
// klauspost/compress level 1, brotli at quality 1, zstd at its fastest
// with a 256 KiB window): a 10 KiB JSON body costs tens of microseconds.
func CompressionMiddleware(opts CompressionOptions) Middleware {
	c := &compression{offered: defaultCodings, minSize: opts.MinSize, compressible: opts.Compressible}
	if len(opts.Codings) > 0 {
		c.offered = make([]compress.Coding, len(opts.Codings))
		for i, name := range opts.Codings {
			c.offered[i] = mustCoding(name)
		}
	}
	if c.minSize == 0 {
		c.minSize = DefaultCompressionMinSize
	}
	if c.compressible == nil {
		c.compressible = Compressible
	}
	return func(req *Request, next Handler) (Response, error) {
		req.compress, req.dirty = c, true
		return next(req)
	}
}

// mustCoding returns the coding a name given to the API names.
func mustCoding(name string) compress.Coding {
	c, ok := compress.Lookup(name)
	if !ok {
		panic("web: unknown content coding " + name + ` (want "zstd", "br", "gzip" or "deflate")`)
	}
	return c
}

// Compressible reports whether a media type (lower case, without
// parameters) is worth compressing: text (but text/event-stream, whose
// events must reach the client one by one), JSON, JavaScript, XML, SVG,
// WebAssembly and other structured text, and the font and image formats
// that are not compressed already. Images, audio, video and archives are
// not.
func Compressible(mediaType string) bool {
	if typ, ok := strings.CutPrefix(mediaType, "text/"); ok {
		return typ != "event-stream"
	}
	switch {
	case strings.HasSuffix(mediaType, "+json"), strings.HasSuffix(mediaType, "+xml"):
		return true
	}
	switch mediaType {
	case "application/json", "application/x-ndjson", "application/ld+json",
		"application/javascript", "application/x-javascript", "application/ecmascript",
		"application/xml", "application/xml-dtd", "application/wasm",
		"application/graphql", "application/x-www-form-urlencoded",
		"application/rtf", "application/x-sh",
		"application/vnd.ms-fontobject", "application/x-font-ttf", "application/x-font-otf",
		"font/ttf", "font/otf", "font/eot", "font/collection",
		"image/bmp", "image/x-icon", "image/vnd.microsoft.icon":
		return true
	}
	return false
}

// compressMode is what a handler asked of a response's compression.
type compressMode uint8

const (
	compressDefault compressMode = iota // as the middleware says
	compressOff                         // DisableCompression
	compressOn                          // EnableCompression(): negotiated, whatever the type and size
	compressForced                      // EnableCompression(coding): compressForced+coding
)

// enableMode returns the mode EnableCompression(force...) sets.
func enableMode(force []string) compressMode {
	if len(force) == 0 || force[0] == "" {
		return compressOn
	}
	return compressForced + compressMode(mustCoding(force[0]))
}

// EnableCompression compresses r whatever its media type and size
// (aiohttp's enable_compression), with the coding the client prefers, or
// with the coding named ("gzip", "deflate", "br" or "zstd") whatever the
// client accepts, as aiohttp's force does. HEAD requests, statuses
// without a body and a response that already has a Content-Encoding are
// still sent as they are. An unknown coding panics. It returns r.
func (r *BodyResponse) EnableCompression(force ...string) *BodyResponse {
	r.compression = enableMode(force)
	return r
}

// DisableCompression sends r uncompressed whatever [CompressionMiddleware]
// would do, and returns r.
func (r *BodyResponse) DisableCompression() *BodyResponse {
	r.compression = compressOff
	return r
}

// EnableCompression compresses the stream as [BodyResponse.EnableCompression]
// says; call it before Prepare.
func (s *StreamResponse) EnableCompression(force ...string) { s.compression = enableMode(force) }

// DisableCompression sends the stream uncompressed whatever
// [CompressionMiddleware] would do; call it before Prepare.
func (s *StreamResponse) DisableCompression() { s.compression = compressOff }

// compressing reports whether a response in the given mode may be
// compressed or get a Vary field: the cheap test that keeps the usual
// response off the compression path.
func (req *Request) compressing(mode compressMode) bool {
	return mode >= compressOn || mode == compressDefault && req.compress != nil
}

// chooseCoding decides how a response with head h, in the given mode, is
// sent to req: whether it varies by Accept-Encoding, and whether and with
// which coding it is compressed.
func (req *Request) chooseCoding(mode compressMode, h *responseHead) (c compress.Coding, compressed, vary bool) {
	if !req.compressing(mode) || req.method == "HEAD" || !bodyAllowed(h.status) || h.status == 206 ||
		h.header.Has("Content-Encoding") || h.header.Has("Content-Range") {
		return 0, false, false
	}
	if mode >= compressForced {
		return compress.Coding(mode - compressForced), true, false
	}
	cfg := req.compress
	if cfg == nil {
		cfg = &defaultCompression
	}
	if mode == compressDefault {
		ct := h.contentType
		if v, ok := h.header.Lookup("Content-Type"); ok {
			ct = v
		}
		if h.length >= 0 && h.length < cfg.minSize || ct == "" || !cfg.compressible(field.MediaType(ct)) {
			return 0, false, false
		}
	}
	var accepted compress.Accepted
	req.eachHeaderValue("Accept-Encoding", accepted.Parse)
	c, compressed = accepted.Choose(cfg.offered)
	return c, compressed, true
}

// eachHeaderValue calls fn with the value of each header field of the
// request with the given name, in order. The values of engine requests
// are views of the read buffer: fn must not keep them.
func (r *Request) eachHeaderValue(name string, fn func(value string)) {
	if r.head == nil {
		for _, v := range r.Header().GetAll(name) {
			fn(v)
		}
		return
	}
	for _, f := range r.head.Fields {
		if multidict.EqualFold(bytesView(f.Name), name) {
			fn(bytesView(f.Value))
		}
	}
}

// writeCompressible sends a BodyResponse that may be compressed: as it is
// when chooseCoding says so, or else through the streaming path with a
// Vary field and, when that makes it smaller, its body compressed.
func (req *Request) writeCompressible(r *BodyResponse) error {
	h := r.head()
	c, compressed, vary := req.chooseCoding(r.compression, &h)
	if !compressed && !vary {
		return req.out.writeResponse(req, r)
	}
	h.vary = vary
	// The outbound takes the head by pointer through an interface: kept
	// in the request, which outlives the call, it need not be allocated.
	req.sendHead = h
	defer func() { req.sendHead = responseHead{} }() // keeps nothing of r
	return req.writeVarying(r, &req.sendHead, c, compressed)
}

// writeVarying sends a BodyResponse that varies by Accept-Encoding with
// head h, its body compressed with c when compressed is set and that
// makes it smaller.
func (req *Request) writeVarying(r *BodyResponse, h *responseHead, c compress.Coding, compressed bool) error {
	body := r.body
	if r.isText {
		body = unsafe.Slice(unsafe.StringData(r.text), len(r.text)) // only read
	}
	if compressed {
		buf := compressBuffers.Get().(*appendWriter)
		defer putCompressBuffer(buf)
		if err := compressBody(c, body, buf); err != nil {
			return err
		}
		if len(buf.b) < len(body) || !h.vary { // forced: sent compressed whatever the size
			body, h.coding, h.length = buf.b, c.String(), int64(len(buf.b))
		}
	}
	if err := req.out.writeHead(req, h); err != nil {
		return err
	}
	if err := req.out.write(body); err != nil {
		return err
	}
	return req.out.end()
}

// compressBody appends body compressed with c to buf.
func compressBody(c compress.Coding, body []byte, buf *appendWriter) error {
	w := compress.NewWriter(c, buf)
	defer w.Release()
	if _, err := w.Write(body); err != nil {
		return err
	}
	return w.Close()
}

// compressBuffers holds the buffers bodies are compressed into.
var compressBuffers = sync.Pool{New: func() any { return new(appendWriter) }}

// maxPooledCompressBuffer bounds the buffers kept for reuse: one huge
// response must not pin its buffer.
const maxPooledCompressBuffer = 1 << 20

func putCompressBuffer(buf *appendWriter) {
	if cap(buf.b) <= maxPooledCompressBuffer {
		buf.b = buf.b[:0]
		compressBuffers.Put(buf)
	}
}

// outWriter is the io.Writer a stream's encoder writes to: the response's
// outbound.
type outWriter struct{ out outbound }

func (w outWriter) Write(p []byte) (int, error) {
	if err := w.out.write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}
