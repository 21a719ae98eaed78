package web

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/charset"
	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// Request is one HTTP request as a handler sees it (aiohttp's
// web.Request).
//
// Lifetime: the *Request itself belongs to the handler only until the
// handler returns; the server reuses it for the connection's next request.
// Everything read from it (strings, header dictionaries, bodies) is a copy
// that stays valid afterwards. Accessors compute their result the first
// time they are called, so a handler pays only for what it uses.
type Request struct {
	app   *Application
	out   outbound
	match MatchInfo
	allow string // Allow value when the path exists for other methods only

	method    string
	target    string // raw request target; a view of the read buffer for engine requests
	rawPath   string // escaped path part of target; a view like target
	rawQuery  string // query part of target, without "?"; a view like target
	path      string // path used for routing: decoded but for %2F and %25; a view or an owned copy
	major     uint8  // 0 means 1
	minor     uint8
	keepAlive bool
	tls       *tls.ConnectionState
	scheme    string // set by Clone only: overrides the scheme TLS implies
	netConn   net.Conn
	netAddr   string // the client's address when there is no netConn

	head *http1.RequestHead // engine requests: fields are views of the read buffer
	std  headerSource       // bridged requests: the header fields

	header  *multidict.CIMultiDict
	query   *multidict.MultiDict
	cookies *multidict.MultiDict
	owned   ownedStrings
	url     *url.URL
	state   []stateEntry // values stored with RequestKey.Set

	body       io.Reader
	bodyLength int64 // -1 when unknown
	bodyExists bool
	coding     bodyCoding  // whether the body is read through decoded
	decoded    decodedBody // the body decoded from its Content-Encoding
	read       []byte      // the body once Bytes consumed it
	readErr    error
	readDone   bool
	maxSize    int64 // SetClientMaxSize's, when hasMaxSize
	hasMaxSize bool
	// bodyRate and responseRate are the minimum data rates the handler
	// set; zero for its route's.
	bodyRate, responseRate MinDataRate
	post                   *postForm // a multipart/form-data body read by Post or Files
	spooled                []string  // temporary files of uploads, removed when the request ends

	compress *compression // what CompressionMiddleware set, or nil
	sendHead responseHead // the head of a response sent through writeVarying

	own   *BodyResponse // the response Respond hands out, reused by the connection
	ctx   *reqContext
	start time.Time // when the request arrived, kept for the access log only
	dirty bool      // a cache above was filled in: reset must clear them
}

// headerSource gives the header fields of a request that did not come from
// the engine (the net/http bridge).
type headerSource interface {
	fields(yield func(name, value string) bool)
}

// ownedStrings caches the copies of views handed out to users.
type ownedStrings struct {
	target, rawPath, rawQuery, path, host string
	haveTarget, havePath, haveHost        bool
}

// reset prepares r for the next request of a connection. The engine sets
// every per-request field anew, so reset clears only the caches a handler
// filled in: cheaper than zeroing the whole struct, whose pointer fields
// would each cost a write barrier while the GC runs.
func (r *Request) reset() {
	if r.dirty {
		r.header, r.query, r.cookies, r.url = nil, nil, nil, nil
		r.owned = ownedStrings{}
		r.read, r.readErr, r.readDone = nil, nil, false
		r.hasMaxSize, r.post = false, nil
		r.bodyRate, r.responseRate = MinDataRate{}, MinDataRate{}
		if r.coding == codingDecoded {
			r.decoded.release()
		}
		r.coding = codingUnchecked
		r.compress = nil
		clear(r.state)
		r.state = r.state[:0]
		r.dirty = false
	}
	if r.allow != "" {
		r.allow = ""
	}
	// A context no handler obtained was never watched nor cancelled: it
	// can serve again as it is.
	if r.ctx == nil || r.ctx.handedOut {
		r.ctx = new(reqContext)
	}
}

// App returns the application the matched route belongs to (a
// sub-application for routes mounted under a prefix).
func (r *Request) App() *Application { return r.app }

// Method returns the request method ("GET", "POST", ...).
func (r *Request) Method() string { return r.method }

// Version returns the HTTP version.
func (r *Request) Version() Version { return Version{max(1, int(r.major)), int(r.minor)} }

// MatchInfo returns what routing found: the route and its path parameters.
func (r *Request) MatchInfo() *MatchInfo { return &r.match }

// Path returns the URL path, percent-decoded.
func (r *Request) Path() string {
	if !r.owned.havePath {
		r.dirty = true
		r.owned.path, _ = unescapePath(r.rawPath, nil, false)
		r.owned.path = strings.Clone(r.owned.path)
		r.owned.rawPath = strings.Clone(r.rawPath)
		r.owned.rawQuery = strings.Clone(r.rawQuery)
		r.owned.havePath = true
	}
	return r.owned.path
}

// RawPath returns the URL path as the client sent it, still escaped.
func (r *Request) RawPath() string {
	r.Path()
	return r.owned.rawPath
}

// QueryString returns the query part of the URL without "?", still escaped.
func (r *Request) QueryString() string {
	r.Path()
	return r.owned.rawQuery
}

// PathQS returns the raw path and query, as in the request line of an
// origin-form target ("/search?q=go").
func (r *Request) PathQS() string {
	if q := r.QueryString(); q != "" {
		return r.RawPath() + "?" + q
	}
	return r.RawPath()
}

// Target returns the request target exactly as the request line had it.
func (r *Request) Target() string {
	if !r.owned.haveTarget {
		r.dirty = true
		r.owned.target = strings.Clone(r.target)
		r.owned.haveTarget = true
	}
	return r.owned.target
}

// Query returns the query parameters in order (aiohttp's request.query).
// Malformed pairs are skipped, as browsers and aiohttp do.
func (r *Request) Query() *multidict.MultiDict {
	if r.query == nil {
		r.dirty = true
		r.query = field.ParseURLEncoded(r.QueryString())
	}
	return r.query
}

// Header returns the request header fields, names in the casing the client
// sent (aiohttp's request.headers and raw_headers at once).
func (r *Request) Header() *multidict.CIMultiDict {
	if r.header == nil {
		r.dirty = true
		r.header = r.materializeHeader()
	}
	return r.header
}

// materializeHeader copies every field into one string and builds the
// dictionary from substrings of it: two allocations for any number of
// fields.
func (r *Request) materializeHeader() *multidict.CIMultiDict {
	if r.std != nil {
		h := multidict.NewCI()
		r.std.fields(func(name, value string) bool {
			h.Add(name, value)
			return true
		})
		return h
	}
	fields := r.head.Fields
	n := 0
	for _, f := range fields {
		n += len(f.Name) + len(f.Value)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.Write(f.Name)
		b.Write(f.Value)
	}
	all := b.String()
	items := make([]multidict.Item, len(fields))
	off := 0
	for i, f := range fields {
		name := all[off : off+len(f.Name)]
		off += len(f.Name)
		items[i] = multidict.Item{Key: name, Value: all[off : off+len(f.Value)]}
		off += len(f.Value)
	}
	return multidict.NewCI(items...)
}

// headerView returns the first value of a header field without
// materializing the dictionary; for engine requests the result is a view
// of the read buffer, so callers must copy before handing it out.
func (r *Request) headerView(name string) string {
	if r.head == nil {
		return r.Header().Get(name)
	}
	for _, f := range r.head.Fields {
		if multidict.EqualFold(bytesView(f.Name), name) {
			return bytesView(f.Value)
		}
	}
	return ""
}

// Host returns the Host header, or the local address when the client sent
// none (HTTP/1.0).
func (r *Request) Host() string {
	if !r.owned.haveHost {
		r.dirty = true
		h := strings.Clone(r.headerView("Host"))
		if h == "" && r.netConn != nil {
			h = r.netConn.LocalAddr().String()
		}
		r.owned.host, r.owned.haveHost = h, true
	}
	return r.owned.host
}

// Remote returns the client's IP address (aiohttp's request.remote), or the
// whole address when it has no port (a Unix socket).
func (r *Request) Remote() string {
	addr := r.remoteAddr()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// Scheme returns "https" for a request that came over TLS and "http"
// otherwise, unless a clone was told otherwise ([CloneOptions]).
// Forwarded headers are not trusted; see Forwarded.
func (r *Request) Scheme() string {
	if r.scheme != "" {
		return r.scheme
	}
	if r.tls != nil {
		return "https"
	}
	return "http"
}

// Secure reports whether Scheme is "https".
func (r *Request) Secure() bool { return r.Scheme() == "https" }

// TLS returns the connection's TLS state, or nil.
func (r *Request) TLS() *tls.ConnectionState { return r.tls }

// KeepAlive reports whether the connection stays open after this request.
func (r *Request) KeepAlive() bool { return r.keepAlive }

// URL returns the absolute URL of the request: scheme, host, path and query.
func (r *Request) URL() *url.URL {
	if r.url == nil {
		r.dirty = true
		u := &url.URL{Scheme: r.Scheme(), Host: r.Host(), Path: r.Path(), RawQuery: r.QueryString()}
		if r.RawPath() != r.Path() {
			u.RawPath = r.RawPath()
		}
		r.url = u
	}
	u := *r.url
	return &u
}

// RelURL returns the URL without scheme and host (aiohttp's rel_url).
func (r *Request) RelURL() *url.URL {
	u := r.URL()
	u.Scheme, u.Host = "", ""
	return u
}

// Cookies returns the cookies the client sent.
func (r *Request) Cookies() *multidict.MultiDict {
	if r.cookies == nil {
		r.dirty = true
		r.cookies = new(multidict.MultiDict)
		parseCookieHeader(strings.Join(r.Header().GetAll("Cookie"), "; "), r.cookies)
	}
	return r.cookies
}

// Cookie returns the value of the named cookie, or "".
func (r *Request) Cookie(name string) string { return r.Cookies().Get(name) }

// ContentType returns the media type of the body, lower-cased and without
// parameters ("application/octet-stream" when the client sent none, as in
// aiohttp).
func (r *Request) ContentType() string {
	ct := r.headerView("Content-Type")
	if ct == "" {
		return "application/octet-stream"
	}
	return strings.Clone(field.MediaType(ct))
}

// Charset returns the charset parameter of the Content-Type, or "".
func (r *Request) Charset() string {
	_, params, err := mime.ParseMediaType(r.headerView("Content-Type"))
	if err != nil {
		return ""
	}
	// The parameter may be a view of the read buffer, and ToLower returns
	// a lower-case string as it is: copy it first.
	return strings.ToLower(strings.Clone(params["charset"]))
}

// ContentLength returns the Content-Length of the body, or -1 when the
// client did not send one.
func (r *Request) ContentLength() int64 { return r.bodyLength }

// CanReadBody reports whether there is a body left to read.
func (r *Request) CanReadBody() bool { return r.bodyExists && !r.readDone }

// BodyExists reports whether the request has a body at all.
func (r *Request) BodyExists() bool { return r.bodyExists }

// Body returns the body as a stream (aiohttp's request.content). A body
// sent as it is has no size limit here; Bytes, Text, JSON and Post enforce
// the application's client_max_size.
//
// A body sent with a Content-Encoding (gzip, deflate, br, zstd, stacked
// or not) is decoded, for Body as for Bytes, Text, JSON, Post and
// Multipart, and its decoded size is bounded by ClientMaxSize whatever the
// accessor: past it reads fail with a [*BodyError] wrapping 413 and
// [ErrDecompressTooLarge]. An unknown coding fails reads with 415, a body
// that does not decode with 400. ContentLength stays the length as sent.
func (r *Request) Body() io.Reader { return r.bodyReader() }

// Bytes returns the whole body (aiohttp's read). A body over the
// request's ClientMaxSize (the application's client_max_size unless
// SetClientMaxSize changed it) fails with 413 Request Entity Too Large;
// return that error from the handler. Calling Bytes again returns the
// same bytes.
func (r *Request) Bytes() ([]byte, error) {
	if r.readDone {
		return r.read, r.readErr
	}
	r.readDone, r.dirty = true, true
	limit := r.ClientMaxSize()
	body := r.bodyReader()
	if r.coding == codingDecoded { // bounded by its decoder, whatever it was sent as
		r.read, r.readErr = r.decoded.readAll()
		return r.read, r.readErr
	}
	if limit >= 0 && r.bodyLength > limit {
		r.readErr = HTTPRequestEntityTooLarge(limit, r.bodyLength)
		return nil, r.readErr
	}
	var buf []byte
	if r.bodyLength > 0 {
		// Past 64 KiB, what a client announces is allocated as it
		// arrives: many streams announcing a megabyte each and sending
		// nothing hold little.
		buf = make([]byte, 0, min(r.bodyLength, 64<<10))
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if limit >= 0 && int64(len(buf)) > limit {
			r.readErr = HTTPRequestEntityTooLarge(limit, int64(len(buf)))
			return nil, r.readErr
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			r.readErr = err
			return nil, err
		}
	}
	r.read = buf
	return buf, nil
}

// Text returns the body decoded to a string by its charset (UTF-8 when the
// Content-Type names none); GBK, Shift_JIS, ISO-8859-1 and the other WHATWG
// encodings are understood.
func (r *Request) Text() (string, error) {
	body, err := r.Bytes()
	if err != nil {
		return "", err
	}
	cs := r.Charset()
	enc := charset.UTF8
	if cs != "" {
		var ok bool
		if enc, ok = charset.Lookup(cs); !ok {
			return "", HTTPBadRequest().WithText("unknown charset " + cs)
		}
	}
	s, err := enc.Decode(body)
	if err != nil {
		return "", HTTPBadRequest().WithText("body is not valid " + cs)
	}
	return s, nil
}

// JSON decodes the body as JSON into v, as [json.Unmarshal] does unless
// options say otherwise:
//
//	err := req.JSON(&order, web.DisallowUnknownFields())
//
// A body that is not one JSON value, or that the options refuse, is an
// error that wraps a 400 Bad Request, so a handler can return it as is.
func (r *Request) JSON(v any, opts ...JSONOption) error {
	body, err := r.Bytes()
	if err != nil {
		return err
	}
	if err := decodeJSON(body, v, opts); err != nil {
		return &BodyError{Err: err, HTTP: HTTPBadRequest().WithText("invalid JSON body: " + err.Error())}
	}
	return nil
}

// JSONOption configures the decoder of [Request.JSON]; any function of a
// *json.Decoder will do, such as (*json.Decoder).UseNumber.
type JSONOption func(*json.Decoder)

// DisallowUnknownFields makes [Request.JSON] refuse an object with a key
// that matches no field of the struct it decodes into.
func DisallowUnknownFields() JSONOption { return (*json.Decoder).DisallowUnknownFields }

// decodeJSON decodes body, which must hold one JSON value and nothing
// else but white space, into v.
func decodeJSON(body []byte, v any, opts []JSONOption) error {
	if len(opts) == 0 {
		return json.Unmarshal(body, v)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for _, o := range opts {
		o(dec)
	}
	if err := dec.Decode(v); err != nil {
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the JSON value at offset %d", end)
	}
	return nil
}

// Post returns the fields of an application/x-www-form-urlencoded or
// multipart/form-data body (aiohttp's request.post): for multipart, the
// parts that are not files, text decoded by its charset (the bytes as
// they are for a part whose Content-Type is not text/*), while the
// files are read too, for [Request.Files] (in memory up to [MaxMemory],
// in temporary files past it). Other content types give an empty
// dictionary, as in aiohttp. The body is bounded by ClientMaxSize (413)
// and multipart.Limits' defaults (413); a malformed or truncated one is a
// 400 error.
func (r *Request) Post() (*multidict.MultiDict, error) {
	switch r.ContentType() {
	case "application/x-www-form-urlencoded":
		body, err := r.Bytes()
		if err != nil {
			return nil, err
		}
		return field.ParseURLEncoded(string(body)), nil
	case "multipart/form-data":
		form := r.readForm()
		return form.fields, form.err
	}
	return new(multidict.MultiDict), nil
}

// Context returns the request's context. It ends when the client goes away
// mid-request and when the server, shutting down, cancels the handlers
// still running after its shutdown timeout. Until Done is called on it, it
// costs nothing.
func (r *Request) Context() context.Context {
	r.ctx.handedOut = true
	return r.ctx
}

// Respond returns an empty 200 response that belongs to the request: the
// connection reuses it for its next request, so answering with it
// allocates nothing. Set its body with SetText or SetBody and return it;
// do not keep it, or return it from another request, after the handler
// returned. [Text], [Bytes] and [JSON] are the allocating, carefree way.
//
//	return req.Respond().SetText("Hello, World!"), nil
func (r *Request) Respond() *BodyResponse {
	if r.own == nil {
		r.own = new(BodyResponse)
	}
	r.own.reset()
	return r.own
}

// Hijack takes the connection over from the server, for another protocol
// (WebSocketResponse uses it): it returns the connection and a reader that
// first yields what the client already sent after the request's head. The
// server writes nothing more on it and never closes it: that is the
// caller's job. A handler that hijacked returns a nil response. Under
// HTTP/2 it fails, as net/http's Hijack does.
func (r *Request) Hijack() (net.Conn, io.Reader, error) { return r.out.hijack() }

// ErrHijacked reports a second Hijack of one connection.
var ErrHijacked = errors.New("web: connection already hijacked")

// BodyError is a malformed request body: Err says what was wrong and HTTP
// is the 4xx response it turns into when a handler returns it.
type BodyError struct {
	Err  error
	HTTP *HTTPError
}

func (e *BodyError) Error() string { return "web: " + e.Err.Error() }

// Unwrap returns both the cause and the HTTP error.
func (e *BodyError) Unwrap() []error { return []error{e.Err, e.HTTP} }

// Version is an HTTP version.
type Version struct{ Major, Minor int }

// String returns "HTTP/1.1" and the like.
func (v Version) String() string {
	return "HTTP/" + string(rune('0'+v.Major)) + "." + string(rune('0'+v.Minor))
}
