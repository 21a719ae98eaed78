package aiohttp

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"slices"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/multipart"
)

// RequestOption configures one request (aiohttp's keyword arguments of
// ClientSession.request). Options apply in order; a later one overrides an
// earlier one of the same kind, except Header and ParamList, which add.
type RequestOption interface{ applyRequest(*requestConfig) }

// requestOptionFunc makes a function a RequestOption.
type requestOptionFunc func(*requestConfig)

func (f requestOptionFunc) applyRequest(c *requestConfig) { f(c) }

// requestConfig is the sum of a request's options. The zero value is a
// request without options; it is read-only once the request starts.
type requestConfig struct {
	params  []multidict.Item
	header  multidict.CIMultiDict
	cookies Cookies
	body    *payload
	json    any
	hasJSON bool
	err     error // a conflict between options, reported when the request starts

	auth           *BasicAuth
	noRedirects    bool
	maxRedirects   int
	hasMaxRedirect bool
	compress       string
	chunked        bool
	expect100      bool
	timeout        *ClientTimeout
	raise          *bool
	raiseFunc      func(*Response) error
	tls            *TLSOptions

	proxy       string
	proxyAuth   *BasicAuth
	proxyHeader Headers

	skipAuto        []string
	readBufSize     int
	limits          http1.Limits // the parser limits set; 0 keeps the session's
	decompress      bool         // with hasDecompress: AutoDecompress's choice
	hasDecompress   bool
	readUntilEOF    bool // with hasReadUntilEOF: ReadUntilEOF's choice
	hasReadUntilEOF bool
	progress        func(sent, total int64)

	middlewares    []Middleware
	hasMiddlewares bool
}

// zeroConfig is the configuration of a request without options.
var zeroConfig requestConfig

// setBody records a body, refusing a second one.
func (c *requestConfig) setBody(p *payload) {
	if c.body != nil || c.hasJSON {
		c.err = errors.New("a request takes one body: data and json can not be used at the same time")
		return
	}
	c.body = p
}

// Params are query parameters appended to the URL's query, in key order
// (aiohttp's params as a dict). Use ParamList for an order of your own or
// repeated keys.
type Params map[string]string

func (p Params) applyRequest(c *requestConfig) {
	for _, k := range sortedKeys(p) {
		c.params = append(c.params, multidict.Item{Key: k, Value: p[k]})
	}
}

// ParamList are query parameters appended, in order, to the URL's query;
// keys may repeat.
type ParamList []multidict.Item

func (p ParamList) applyRequest(c *requestConfig) { c.params = append(c.params, p...) }

// Headers are request header fields (aiohttp's headers). As a request
// option each replaces the session's fields of the same name; as
// SessionOptions.Headers they are sent with every request. Fields go out in
// name order; use Header for an order of your own or repeated fields.
type Headers map[string]string

func (h Headers) applyRequest(c *requestConfig) {
	for _, k := range sortedKeys(h) {
		c.header.Set(k, h[k])
	}
}

// Header adds a request header field; it may repeat.
func Header(name, value string) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.header.Add(name, value) })
}

// Cookies are cookies sent with a request, name to value. Per request they
// override the session's and the jar's cookies of the same name; they are
// not stored in the jar.
type Cookies map[string]string

func (k Cookies) applyRequest(c *requestConfig) {
	if c.cookies == nil {
		c.cookies = make(Cookies, len(k))
	}
	for n, v := range k {
		c.cookies[n] = v
	}
}

// Body sends what r yields as the request body, streamed. Its length is
// known for a *bytes.Reader, *strings.Reader, *bytes.Buffer, a regular
// *os.File (anything with Len or Stat) and a *multipart.Writer whose parts'
// lengths are known; otherwise the body is sent chunked.
// A body that is also an io.Seeker can be sent again (a 307/308 redirect, a
// retry); any other cannot. Content-Type defaults to
// application/octet-stream (a *multipart.Writer's own for one).
func Body(r io.Reader) BodyOption {
	return bodyOptionFunc(func(c *requestConfig) { c.setBody(newReaderPayload(r)) })
}

// Bytes sends b as the request body (application/octet-stream unless a
// Content-Type header says otherwise). b must not change until the request
// is done.
func Bytes(b []byte) BodyOption {
	return bodyOptionFunc(func(c *requestConfig) {
		c.setBody(&payload{data: b, length: int64(len(b)), contentType: "application/octet-stream"})
	})
}

// String sends s as the request body, as text/plain; charset=utf-8 unless
// a Content-Type header says otherwise (aiohttp's StringPayload).
func String(s string) BodyOption {
	return bodyOptionFunc(func(c *requestConfig) {
		c.setBody(&payload{data: []byte(s), length: int64(len(s)), contentType: "text/plain; charset=utf-8"})
	})
}

// Form sends form fields urlencoded (application/x-www-form-urlencoded), in
// key order. Use FormList for an order of your own or repeated fields.
type Form map[string]string

func (Form) setsBody() {}

func (f Form) applyRequest(c *requestConfig) {
	items := make([]multidict.Item, 0, len(f))
	for _, k := range sortedKeys(f) {
		items = append(items, multidict.Item{Key: k, Value: f[k]})
	}
	FormList(items).applyRequest(c)
}

// FormList sends form fields urlencoded, in order; names may repeat.
type FormList []multidict.Item

func (FormList) setsBody() {}

func (f FormList) applyRequest(c *requestConfig) {
	s := field.EncodeURLEncoded(f)
	c.setBody(&payload{data: []byte(s), length: int64(len(s)), contentType: "application/x-www-form-urlencoded"})
}

// JSON sends v encoded as JSON (application/json) with the session's
// JSONEncoder. It excludes any other body.
func JSON(v any) BodyOption {
	return bodyOptionFunc(func(c *requestConfig) {
		if c.body != nil || c.hasJSON {
			c.err = errors.New("a request takes one body: data and json can not be used at the same time")
			return
		}
		c.json, c.hasJSON = v, true
	})
}

// AllowRedirects turns following redirects on (the default) or off.
func AllowRedirects(allow bool) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.noRedirects = !allow })
}

// MaxRedirects sets how many redirects are followed before the request
// fails with ErrTooManyRedirects (10 by default); n <= 0 means no limit,
// as in aiohttp.
func MaxRedirects(n int) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.maxRedirects, c.hasMaxRedirect = n, true })
}

// Compress compresses the request body with encoding, "deflate" (zlib, as
// aiohttp's compress=True) or "gzip", and sends it chunked with
// Content-Encoding set.
func Compress(encoding string) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.compress = encoding })
}

// Chunked sends the request body with chunked transfer coding even when
// its length is known.
func Chunked() RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.chunked = true })
}

// Expect100 sends "Expect: 100-continue" and the body only once the server
// answered 100 Continue; a final response instead ends the request without
// the body.
func Expect100() RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.expect100 = true })
}

// RaiseForStatus overrides the session's SessionOptions.RaiseForStatus for
// one request: a final status >= 400 becomes a *ClientResponseError.
func RaiseForStatus(raise bool) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.raise, c.raiseFunc = &raise, nil })
}

// RaiseForStatusFunc checks the final response of one request with f
// instead of the session's check; an error from f is returned and the
// response closed.
func RaiseForStatusFunc(f func(*Response) error) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.raise, c.raiseFunc = nil, f })
}

// applyRequest makes TLSOptions a request option (aiohttp's ssl and
// server_hostname arguments) for HTTPS requests.
func (o TLSOptions) applyRequest(c *requestConfig) { c.tls = &o }

// Proxy sends the request through the proxy at proxyURL: http://
// (CONNECT for https targets), https:// or socks5:// (socks5h:// resolves
// names at the proxy). Credentials in the URL authenticate to the proxy.
func Proxy(proxyURL string) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.proxy = proxyURL })
}

// ProxyAuth authenticates to the proxy with Basic credentials.
func ProxyAuth(auth BasicAuth) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.proxyAuth = &auth })
}

// ProxyHeaders are header fields sent to an HTTP proxy (on CONNECT, or with
// a plain-HTTP request through it).
func ProxyHeaders(h Headers) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.proxyHeader = h })
}

// SkipAutoHeaders suppresses automatic header fields (Accept,
// Accept-Encoding, User-Agent, Content-Type) for one request, in addition
// to the session's SkipAutoHeaders.
func SkipAutoHeaders(names ...string) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.skipAuto = append(c.skipAuto, names...) })
}

// ReadBufSize sets the size of the response body's read buffer (256 KiB by
// default).
func ReadBufSize(n int) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.readBufSize = n })
}

// MaxLineSize bounds the status line of the response to one request
// (aiohttp's per-request max_line_size) instead of the session's
// MaxLineSize.
func MaxLineSize(n int) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.limits.MaxLineSize = n })
}

// MaxFieldSize bounds each header field line of the response to one
// request (aiohttp's per-request max_field_size) instead of the session's
// MaxFieldSize.
func MaxFieldSize(n int) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.limits.MaxFieldSize = n })
}

// MaxHeaders bounds the number of header fields of the response to one
// request (aiohttp's per-request max_headers) instead of the session's
// MaxHeaders.
func MaxHeaders(n int) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.limits.MaxHeaders = n })
}

// UploadProgress calls f as the request body goes out (aiohttp#800), with
// the bytes of the body taken to be sent so far and the body's length, -1
// when unknown; for a compressed body both count the bytes before
// compression. f runs on the goroutine sending the body each time it takes
// a piece (at most 32 KiB over HTTP/1.1), just before writing it; a body
// sent again (a 307 redirect, a retry) starts again from 0.
func UploadProgress(f func(sent, total int64)) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.progress = f })
}

// AutoDecompress decides for one request whether the response body is
// decoded from its Content-Encoding (aiohttp's per-request
// auto_decompress), whatever SessionOptions.DisableAutoDecompress says.
// AutoDecompress(false) hands the body over as it arrives.
func AutoDecompress(on bool) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.decompress, c.hasDecompress = on, true })
}

// ReadUntilEOF decides for one request whether a response framed by
// neither Content-Length nor chunked encoding is read until the server
// closes (aiohttp's per-request read_until_eof), whatever
// SessionOptions.DisableReadUntilEOF says. With false its body is empty.
func ReadUntilEOF(on bool) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.readUntilEOF, c.hasReadUntilEOF = on, true })
}

// WithMiddlewares replaces the session's middlewares for one request; with
// no argument the request runs without middlewares (what a middleware
// making its own requests may want).
func WithMiddlewares(m ...Middleware) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.middlewares, c.hasMiddlewares = m, true })
}

// payload is a request body.
type payload struct {
	data        []byte    // an in-memory body, when r is nil
	r           io.Reader // a streamed body
	seeker      io.Seeker // r, when it can rewind for a resend
	start       int64     // where r started
	length      int64     // -1 when unknown
	contentType string
	sent        bool // a streamed body that cannot rewind has been read
}

// newReaderPayload returns a streamed body, with its length and rewinding
// point when r tells them: Len gives what is left to read, Stat with Seek
// the rest of a regular file.
func newReaderPayload(r io.Reader) *payload {
	p := &payload{r: r, length: -1, contentType: "application/octet-stream"}
	if w, ok := r.(*multipart.Writer); ok {
		p.length, p.contentType = w.Size(), w.ContentType()
	}
	if l, ok := r.(interface{ Len() int }); ok {
		p.length = int64(l.Len())
	}
	if s, ok := r.(io.Seeker); ok {
		if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
			p.seeker, p.start = s, pos
			if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok && p.length < 0 {
				if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() >= pos {
					p.length = fi.Size() - pos
				}
			}
		}
	}
	return p
}

// replayable reports whether the body can be sent now: it is in memory,
// can rewind, or is a stream not read yet.
func (p *payload) replayable() bool {
	return p == nil || p.r == nil || p.seeker != nil || !p.sent
}

// reader returns the body from its start, ready to send.
func (p *payload) reader() (io.Reader, error) {
	if p.r == nil {
		return bytes.NewReader(p.data), nil
	}
	if p.sent {
		if p.seeker == nil {
			return nil, errStreamSent
		}
		if _, err := p.seeker.Seek(p.start, io.SeekStart); err != nil {
			return nil, err
		}
	}
	p.sent = true
	return p.r, nil
}

// progressReader reports to f how much of a request body has been read
// to be sent.
type progressReader struct {
	r           io.Reader
	sent, total int64
	f           func(sent, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.sent += int64(n)
		p.f(p.sent, p.total)
	}
	return n, err
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// choose returns a request's choice when it made one, the session's
// otherwise.
func choose(made, choice, session bool) bool {
	if made {
		return choice
	}
	return session
}
