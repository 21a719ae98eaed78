package aiohttp

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/charset"
	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/multipart"
)

// RequestInfo describes the request a response answers (aiohttp's
// request_info).
type RequestInfo struct {
	Method  string
	URL     *url.URL
	RealURL *url.URL // with the fragment, as the caller gave it
	Header  *multidict.CIMultiDict
}

// Response is an HTTP response (aiohttp's ClientResponse).
//
// Its body is read once: whole with [Response.Bytes], [Response.Text] or
// [Response.JSON] (Bytes caches it, so the three can be combined), or as
// it arrives through [Response.Content]. A body sent with a
// Content-Encoding the client knows (gzip, deflate, br, zstd, also
// stacked) is decoded on the fly, within a bound on its decoded size.
//
// Close the response when done with it, usually with defer: reading the
// body to its end gives the connection back to the pool by itself;
// closing a response whose body is still unread gives it back only when
// the rest is small (at most 64 KiB), and closes it otherwise.
//
// A Response is not safe for concurrent use, but for Close, which any
// goroutine may call at any time: a read of the body in progress then
// fails (as net/http's Body.Close ends a Read). Slices it returns belong
// to the caller.
type Response struct {
	Status  int                    // status code, like 200
	Reason  string                 // reason phrase, like "OK"
	Method  string                 // method of the request answered
	URL     *url.URL               // the URL of this response, without fragment
	RealURL *url.URL               // the URL as requested, with fragment
	Version Version                // HTTP version of the response
	Header  *multidict.CIMultiDict // header fields in received order, names as sent: aiohttp's headers and, through Items, raw_headers
	History []*Response            // responses of the redirects that led here, oldest first
	// Attempts is how many times RetryMiddleware sent the request, the
	// attempt answered here included; 0 when no RetryMiddleware ran.
	Attempts int
	Request  RequestInfo // the request answered
	// TLS is the state of the TLS connection the response came over (its
	// version, cipher suite, certificates, and DidResume when the
	// handshake resumed an earlier session), as net/http's Response.TLS
	// and aiohttp's connection.transport.get_extra_info("ssl_object");
	// nil for plain HTTP and for a response a middleware made. Every
	// response of one connection shares it: do not modify it.
	TLS *tls.ConnectionState

	// Body plumbing, set by the session when it builds the response.
	//
	// raw is the body as it arrives, framing removed (chunks decoded),
	// compression not; nil for a response without a body. Its errors are
	// *Error values for broken bodies and timeouts; others are reported
	// as ErrClientPayload. raw may also implement
	// [rawChunkBoundary] and [rawDiscarder].
	raw io.Reader
	// rel is told exactly once that the body is over, when the read (or
	// Close) that found it over gives the body back: rel.release(nil)
	// when raw has returned io.EOF (or its rest was drained),
	// rel.release(err) when reading it failed or the body was abandoned
	// (then err is errBodyAbandoned or the read error) and the connection
	// must not be reused. nil means nothing to tell.
	rel bodyReleaser
	// endCtx, when set, is the context of the request whose final
	// response this is: it ends with the body.
	endCtx *requestContext
	opts   bodyOptions
	ctnt   *StreamReader // nil until the stream is first read, then &stream

	stream  StreamReader // the reader ctnt points to, kept here to save an allocation
	rawN    int64        // raw body bytes read so far
	rawErr  error        // raw's final result once it ended: io.EOF or the error; sticky
	body    []byte       // the whole body, once Bytes has read it
	scratch []byte       // with Session.With: where to read the whole body, if it fits
	notes   headerNotes  // see noteHeader

	// state tells who may touch the body: see bodyIdle. The fields of
	// the body belong to whoever took it.
	state      atomic.Int32
	finished   bool // the body is over (see finish)
	relPending bool // rel is still to be told (see settle)
	closed     bool // the body has been closed (closeBody ran)
	bodyRead   bool // body holds the whole body
}

// bodyReleaser is what a Response tells that its body is over: the
// exchange it came from, which gives the connection back. abort, which
// Close calls from any goroutine while a read holds the body, and so
// before release, makes that read fail at once if it waits for the
// network, and the connection unfit for reuse.
type bodyReleaser interface {
	release(err error)
	abort()
}

// rawChunkBoundary is implemented by a raw body that knows its HTTP/1.1
// chunks: EndOfChunk reports whether the bytes the last Read returned end
// a chunk. [StreamReader.ReadChunk] reports it (aiohttp's
// end_of_http_chunk) for a body that is not decoded.
type rawChunkBoundary interface{ EndOfChunk() bool }

// rawDiscarder is implemented by a raw body read from the network:
// Discard drops the rest of the body, at most max bytes, waiting at most
// wait for bytes not received yet (none when wait is 0), and reports
// whether it reached the end. Closing a response whose rest is small then
// keeps the connection, even when its length is unknown (chunked) if the
// rest has already arrived, and never stalls on a server that stopped
// sending.
type rawDiscarder interface {
	Discard(max int, wait time.Duration) bool
}

// Version is an HTTP version.
type Version struct{ Major, Minor int }

// String returns the version as in a status line, like "HTTP/1.1".
func (v Version) String() string {
	return "HTTP/" + strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor)
}

// bodyOptions are the session's settings for reading a body.
type bodyOptions struct {
	autoDecompress  bool
	maxDecompressed int64 // bound on a decompressed body (bomb protection); <=0: default
	readBufSize     int   // <=0: default; lines read from Content may be twice as long
	trace           *tracer
	charsetResolver func(r *Response, body []byte) string
}

const (
	// defaultReadBufSize is aiohttp's read_bufsize.
	defaultReadBufSize = 256 << 10
	// defaultMaxDecompressed bounds a decoded body when the session sets
	// no bound.
	defaultMaxDecompressed = 256 << 20
	// drainLimit is how much of an unread body Close reads to keep the
	// connection, and drainWait how long it waits for it.
	drainLimit = 64 << 10
	drainWait  = 100 * time.Millisecond
)

// errBodyAbandoned is what rel receives when the rest of the raw body
// is left unread (the response was closed early, or the decoded body
// ended long before it), so that the connection must close.
var errBodyAbandoned = errors.New("response body abandoned")

// errResponseClosed is the cause of the error reading a closed response
// returns (aiohttp's ClientConnectionError "Connection closed").
var errResponseClosed = errors.New("response closed")

// OK reports whether Status is below 400.
func (r *Response) OK() bool { return r.Status < 400 }

// header returns the first value of a response header field, "" when
// there is none.
func (r *Response) header(name string) string {
	if r.Header == nil {
		return ""
	}
	return r.Header.Get(name)
}

// ContentType returns the media type of the Content-Type header in lower
// case, without parameters. Like aiohttp it is
// "application/octet-stream" when the header is absent and "text/plain"
// when it is malformed.
func (r *Response) ContentType() string {
	v, ok := "", false
	if r.Header != nil {
		v, ok = r.Header.Lookup("Content-Type")
	}
	if !ok {
		return "application/octet-stream"
	}
	return field.MediaType(v)
}

// Charset returns the charset parameter of the Content-Type header as
// sent, "" when there is none.
func (r *Response) Charset() string {
	return field.Param(r.header("Content-Type"), "charset")
}

// ContentLength returns the value of the Content-Length header, -1 when
// it is absent or invalid.
func (r *Response) ContentLength() int64 {
	return parseContentLength(r.header("Content-Length"))
}

// headerNotes are what the body plumbing needs of the header as
// received, found in one pass over it.
type headerNotes struct {
	length  int64 // Content-Length, -1 when absent or invalid
	done    bool
	cookies bool // there are Set-Cookie fields
	encoded bool // there are Content-Encoding fields
}

// noteHeader fills in r.notes, once: the session does when the response
// arrives, before anything could change the header.
func (r *Response) noteHeader() {
	n := &r.notes
	if n.done {
		return
	}
	*n = headerNotes{done: true, length: -1}
	if r.Header == nil {
		return
	}
	haveLength := false
	for _, it := range r.Header.Items() {
		switch {
		case multidict.EqualFold(it.Key, "Content-Length"):
			if !haveLength {
				haveLength, n.length = true, parseContentLength(it.Value)
			}
		case multidict.EqualFold(it.Key, "Set-Cookie"):
			n.cookies = true
		case multidict.EqualFold(it.Key, "Content-Encoding"):
			n.encoded = true
		}
	}
}

// bodyLength returns the Content-Length received, -1 for none.
func (r *Response) bodyLength() int64 {
	r.noteHeader()
	return r.notes.length
}

// encoded reports whether the header has Content-Encoding fields.
func (r *Response) encoded() bool {
	r.noteHeader()
	return r.notes.encoded
}

// setsCookies reports whether the header has Set-Cookie fields.
func (r *Response) setsCookies() bool {
	r.noteHeader()
	return r.notes.cookies
}

// parseContentLength returns the value of a Content-Length field, -1 when
// it is invalid.
func parseContentLength(v string) int64 {
	v = strings.TrimSpace(v)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || v[0] == '+' {
		return -1
	}
	return n
}

// Host returns the host name of the response URL, without port.
func (r *Response) Host() string {
	if r.URL == nil {
		return ""
	}
	return r.URL.Hostname()
}

// Cookies returns the cookies the response sets with Set-Cookie, in
// header order; invalid ones are left out.
func (r *Response) Cookies() []*Cookie {
	if r.Header == nil {
		return nil
	}
	var cookies []*Cookie
	for _, line := range r.Header.GetAll("Set-Cookie") {
		if c, err := ParseSetCookie(line); err == nil {
			cookies = append(cookies, c)
		}
	}
	return cookies
}

// ContentDisposition returns the parsed Content-Disposition header, nil
// when there is none. A header that cannot be parsed gives a value with
// an empty Type.
func (r *Response) ContentDisposition() *ContentDisposition {
	if r.Header == nil {
		return nil
	}
	v, ok := r.Header.Lookup("Content-Disposition")
	if !ok {
		return nil
	}
	return multipart.ParseContentDisposition(v)
}

// Links returns the links of the Link headers (RFC 8288) in order, their
// targets resolved against the response URL.
func (r *Response) Links() []Link {
	if r.Header == nil {
		return nil
	}
	return parseLinks(r.Header.GetAll("Link"), r.URL)
}

// Content returns the body as a stream (aiohttp's resp.content). Reading
// from it and reading with Bytes share one body: what one consumed, the
// other does not see.
func (r *Response) Content() *StreamReader {
	if r.stream.resp == nil {
		r.stream.resp = r // the stream sets itself up on its first read
	}
	return &r.stream
}

// Bytes reads the whole (decoded) body and returns it (aiohttp's read);
// later calls return the same bytes. After reading from Content it
// returns the rest. A body
// that fails to arrive closes the connection and gives the error, with
// the bytes read until then.
func (r *Response) Bytes() ([]byte, error) {
	if r.bodyRead {
		return r.body, nil
	}
	taken, err := r.Content().begin()
	if err != nil {
		return nil, err
	}
	defer r.give(taken)
	body, err := r.ctnt.readAll()
	if err != nil {
		r.closeBody()
		return body, err
	}
	r.body, r.bodyRead = body, true
	return body, nil
}

// Text reads the body and decodes it to a string. The encoding is the
// charset of the Content-Type header when it names one the client knows;
// else UTF-8 for JSON; else what the session's charset resolver returns;
// else it is detected: a byte order mark, valid UTF-8, an HTML meta
// charset or an XML encoding declaration in the first KiB, and UTF-8 as
// the last resort. Bytes invalid in the encoding become U+FFFD; a leading
// byte order mark is dropped.
func (r *Response) Text() (string, error) {
	body, err := r.Bytes()
	if err != nil {
		return "", err
	}
	return r.resolveEncoding(body).Decode(body)
}

// TextEncoding reads the body and decodes it from the named encoding (a
// WHATWG label such as "gbk", "shift_jis" or "windows-1251", or a common
// Python name such as "latin-1" or "cp936"), whatever the response says.
func (r *Response) TextEncoding(enc string) (string, error) {
	e, ok := charset.Lookup(enc)
	if !ok {
		return "", errors.New("aiohttp: unknown encoding " + strconv.Quote(enc))
	}
	body, err := r.Bytes()
	if err != nil {
		return "", err
	}
	return e.Decode(body)
}

// Encoding reads the body and returns the name of the encoding Text
// decodes it from (aiohttp's get_encoding), such as "utf-8" or "gbk".
func (r *Response) Encoding() (string, error) {
	body, err := r.Bytes()
	if err != nil {
		return "", err
	}
	return r.resolveEncoding(body).Name(), nil
}

// resolveEncoding chooses the encoding of body for Text.
func (r *Response) resolveEncoding(body []byte) charset.Encoding {
	if e, ok := charset.Lookup(r.Charset()); ok {
		return e
	}
	if isJSONType(r.ContentType()) {
		return charset.UTF8
	}
	if f := r.opts.charsetResolver; f != nil {
		if e, ok := charset.Lookup(f(r, body)); ok {
			return e
		}
	}
	return detectEncoding(body)
}

// JSONOption changes how [Response.JSON] decodes: AnyContentType,
// JSONContentType, JSONUnmarshal. Like RequestOption, it is an option of
// one call.
type JSONOption interface{ applyJSON(*jsonOptions) }

// jsonOptionFunc makes a function a JSONOption.
type jsonOptionFunc func(*jsonOptions)

func (f jsonOptionFunc) applyJSON(o *jsonOptions) { f(o) }

type jsonOptions struct {
	contentType string // "" accepts any
	unmarshal   func(data []byte, v any) error
}

// AnyContentType turns off the check of the Content-Type (aiohttp's
// content_type=None).
func AnyContentType() JSONOption {
	return jsonOptionFunc(func(o *jsonOptions) { o.contentType = "" })
}

// JSONContentType makes JSON accept a response whose media type contains
// ct instead of requiring a JSON one.
func JSONContentType(ct string) JSONOption {
	return jsonOptionFunc(func(o *jsonOptions) { o.contentType = strings.ToLower(ct) })
}

// JSONUnmarshal decodes with f instead of encoding/json's Unmarshal
// (aiohttp's loads).
func JSONUnmarshal(f func(data []byte, v any) error) JSONOption {
	return jsonOptionFunc(func(o *jsonOptions) { o.unmarshal = f })
}

// JSON reads the body and decodes it as JSON into v. The media type must
// be application/json or a +json type (see [AnyContentType] and
// [JSONContentType]); another one gives a *ClientResponseError of kind
// ErrContentType (aiohttp's ContentTypeError). An empty or blank body
// leaves v untouched and returns nil, as aiohttp returns None.
func (r *Response) JSON(v any, opts ...JSONOption) error {
	o := jsonOptions{contentType: "application/json", unmarshal: json.Unmarshal}
	for _, opt := range opts {
		if opt != nil {
			opt.applyJSON(&o)
		}
	}
	body, err := r.Bytes()
	if err != nil {
		return err
	}
	if o.contentType != "" && !expectedContentType(r.ContentType(), o.contentType) {
		return &ClientResponseError{
			Kind:    ErrContentType,
			Request: r.Request,
			Status:  r.Status,
			Message: "Attempt to decode JSON with unexpected mimetype: " + r.ContentType(),
			Header:  r.Header,
			History: r.History,
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if e := r.resolveEncoding(body); e.Name() != "utf-8" {
		text, err := e.Decode(body)
		if err != nil {
			return err
		}
		body = []byte(text)
	}
	return o.unmarshal(body, v)
}

// expectedContentType reports whether the media type ct is what JSON
// accepts for expected, as aiohttp's is_expected_content_type.
func expectedContentType(ct, expected string) bool {
	if expected == "application/json" {
		return isJSONType(ct)
	}
	return strings.Contains(ct, expected)
}

// isJSONType reports whether the media type ct matches aiohttp's
// ^application/(?:[\w.+-]+?\+)?json.
func isJSONType(ct string) bool {
	rest, ok := strings.CutPrefix(ct, "application/")
	if !ok {
		return false
	}
	if strings.HasPrefix(rest, "json") {
		return true
	}
	i := strings.Index(rest, "+json")
	if i <= 0 {
		return false
	}
	for _, c := range []byte(rest[:i]) {
		if !(c == '_' || c == '.' || c == '+' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// RaiseForStatus returns a *ClientResponseError of kind
// ErrClientResponse carrying the status, reason, headers and history
// when Status is 400 or more, nil otherwise. Unlike aiohttp it does not
// release the response, so the error body can still be read; Close it as
// always.
func (r *Response) RaiseForStatus() error {
	if r.OK() {
		return nil
	}
	return &ClientResponseError{
		Kind:    ErrClientResponse,
		Request: r.Request,
		Status:  r.Status,
		Message: r.Reason,
		Header:  r.Header,
		History: r.History,
	}
}

// requestState returns the state of the request whose exchange the body
// comes from, nil for none.
func (r *Response) requestState() *requestState {
	switch rel := r.rel.(type) {
	case *exchange:
		return rel.st
	case *h2Body:
		return rel.ex.st
	}
	return nil
}

// drain tries to consume the rest of the raw body, not yet ended, cheaply
// and reports whether it reached its end.
func (r *Response) drain() bool {
	small := r.raw == nil
	if n := r.bodyLength(); n >= 0 && n-r.rawN <= drainLimit {
		small = true
	}
	if d, ok := r.raw.(rawDiscarder); ok {
		wait := time.Duration(0) // what has arrived, for a rest of unknown size
		if small {
			wait = drainWait
		}
		if !d.Discard(drainLimit, wait) {
			return false
		}
		r.rawErr = io.EOF
		return true
	}
	return small && r.drainRest()
}

// rawBody reads the raw body of a Response, counting its bytes and
// telling the session when it ends.
type rawBody Response

func (b *rawBody) Read(p []byte) (int, error) {
	r := (*Response)(b)
	if r.rawErr != nil {
		return 0, r.rawErr
	}
	if r.raw == nil {
		r.rawErr = io.EOF
		r.finish()
		return 0, io.EOF
	}
	n, err := r.raw.Read(p)
	r.rawN += int64(n)
	switch {
	case err == io.EOF:
		r.rawErr = err
		r.finish()
	case err != nil:
		err = r.payloadError(err)
		r.rawErr = err
		r.finish()
	}
	return n, err
}

// payloadError returns err as an *Error: itself when it is one, else a
// payload error caused by it.
func (r *Response) payloadError(err error) error {
	e, ok := errors.AsType[*Error](err)
	if !ok {
		return r.newError(ErrClientPayload, err)
	}
	if e.URL == "" && r.URL != nil { // name the URL, on a copy: e may be shared
		c := *e
		c.Method, c.URL = r.Method, r.URL.String()
		return &c
	}
	return e
}

// newError returns an error of kind k about this response.
func (r *Response) newError(k, cause error) *Error {
	e := &Error{Kind: k, Method: r.Method, Err: cause}
	if r.URL != nil {
		e.URL = r.URL.String()
	}
	return e
}

// streamBufSize is the size of the pooled buffers bodies are read into.
const streamBufSize = 32 << 10

var streamBufPool sync.Pool // of *[]byte, streamBufSize long

func getStreamBuf() *[]byte {
	if p, ok := streamBufPool.Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, streamBufSize)
	return &b
}
