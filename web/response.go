package web

import (
	"encoding/json"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// Response is what a handler returns: a [*BodyResponse] built in memory
// ([Text], [Bytes], [JSON]) or a [*StreamResponse] it already started
// writing.
type Response interface {
	// Status returns the status code.
	Status() int
	// Header returns the response header fields, changeable until the
	// response is prepared (its head sent).
	Header() *multidict.CIMultiDict
	// finish sends whatever of the response is not sent yet.
	finish(req *Request) error
}

// BodyResponse is a response whose body is in memory (aiohttp's
// web.Response):
// it is sent in one go with a Content-Length once the handler returns it.
//
// Build it with [Text], [Bytes], [JSON] or [NewResponse]; set the status,
// headers and cookies before returning it. A BodyResponse may be returned
// by several handlers, but must not be changed while it is being sent.
type BodyResponse struct {
	status      int
	isText      bool
	forceClose  bool
	compression compressMode
	contentType string
	charset     string
	body        []byte
	text        string
	x           *responseExtra // what most responses never set, allocated on first use
}

// responseExtra holds the parts of a BodyResponse that most responses never
// set, so that a plain one is a small allocation.
type responseExtra struct {
	reason  string
	header  multidict.CIMultiDict
	cookies []Cookie
	w       appendWriter // SetJSON's encoder target
}

// extra returns r's extra part, allocating it on first use.
func (r *BodyResponse) extra() *responseExtra {
	if r.x == nil {
		r.x = new(responseExtra)
	}
	return r.x
}

// noHeader is the empty header of responses that set none; never changed.
var noHeader multidict.CIMultiDict

// head returns what r's head is made of.
func (r *BodyResponse) head() responseHead {
	h := responseHead{status: r.status, header: &noHeader, contentType: r.contentTypeValue(), length: int64(r.ContentLength())}
	if r.x != nil {
		h.reason, h.header, h.cookies = r.x.reason, &r.x.header, r.x.cookies
	}
	return h
}

// ResponseOption sets a part of a response as [Text], [Bytes], [JSON] or
// [NewResponse] builds it, as aiohttp's keyword arguments do
// (json_response(data, status=201)):
//
//	return web.JSON(user, web.WithStatus(201), web.WithHeader("Location", "/users/7"))
type ResponseOption func(*BodyResponse)

// WithStatus sets the status code.
func WithStatus(status int) ResponseOption {
	return func(r *BodyResponse) { r.status = status }
}

// WithReason sets a custom reason phrase for the status.
func WithReason(reason string) ResponseOption {
	return func(r *BodyResponse) { r.extra().reason = reason }
}

// WithHeader adds a header field; given several times for one name, it
// adds a field each time.
func WithHeader(name, value string) ResponseOption {
	return func(r *BodyResponse) { r.extra().header.Add(name, value) }
}

// WithContentType sets the media type (without parameters), as
// [BodyResponse.SetContentType] does.
func WithContentType(ct string) ResponseOption {
	return func(r *BodyResponse) { r.SetContentType(ct) }
}

// apply applies opts to r and returns r.
func (r *BodyResponse) apply(opts []ResponseOption) *BodyResponse {
	for _, o := range opts {
		o(r)
	}
	return r
}

// NewResponse returns an empty response with the given status.
func NewResponse(status int, opts ...ResponseOption) *BodyResponse {
	return (&BodyResponse{status: status}).apply(opts)
}

// Text returns a 200 response with a text body, served as text/plain with
// charset utf-8 unless options or setters say otherwise.
func Text(text string, opts ...ResponseOption) *BodyResponse {
	return (&BodyResponse{status: 200, text: text, isText: true, contentType: "text/plain", charset: "utf-8"}).apply(opts)
}

// Bytes returns a 200 response with a binary body, served as
// application/octet-stream unless options or setters say otherwise.
func Bytes(body []byte, opts ...ResponseOption) *BodyResponse {
	return (&BodyResponse{status: 200, body: body, contentType: "application/octet-stream"}).apply(opts)
}

// JSON returns a 200 response with v encoded as JSON (aiohttp's
// json_response), served as application/json unless options or setters
// say otherwise.
func JSON(v any, opts ...ResponseOption) (*BodyResponse, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return (&BodyResponse{status: 200, body: body, contentType: "application/json"}).apply(opts), nil
}

// SetJSON replaces the body by v encoded as JSON, served as
// application/json, and returns r. It encodes into the storage the body
// already has, so a response from Request.Respond answers JSON without
// allocating once its buffer has grown.
func (r *BodyResponse) SetJSON(v any) (*BodyResponse, error) {
	w := &r.extra().w // kept with the response, so it need not be allocated
	w.b = r.body[:0]
	if err := json.NewEncoder(w).Encode(v); err != nil {
		return nil, err
	}
	r.body, r.text, r.isText = w.b[:len(w.b)-1], "", false // Encode ends with a newline
	w.b = nil
	r.contentType, r.charset = "application/json", ""
	return r, nil
}

// appendWriter is an io.Writer appending to a byte slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// Status returns the status code.
func (r *BodyResponse) Status() int { return r.status }

// Reason returns the reason phrase sent with the status ("" means the
// standard phrase).
func (r *BodyResponse) Reason() string {
	if r.x == nil {
		return ""
	}
	return r.x.reason
}

// SetStatus sets the status code and, optionally, a custom reason phrase,
// and returns r.
func (r *BodyResponse) SetStatus(status int, reason ...string) *BodyResponse {
	r.status = status
	if len(reason) > 0 {
		r.extra().reason = reason[0]
	} else if r.x != nil {
		r.x.reason = ""
	}
	return r
}

// Header returns the header fields sent with the response.
func (r *BodyResponse) Header() *multidict.CIMultiDict { return &r.extra().header }

// SetHeader sets a header field and returns r.
func (r *BodyResponse) SetHeader(name, value string) *BodyResponse {
	r.extra().header.Set(name, value)
	return r
}

// ContentType returns the media type without parameters.
func (r *BodyResponse) ContentType() string {
	if r.x != nil {
		if ct, ok := r.x.header.Lookup("Content-Type"); ok {
			return field.MediaType(ct)
		}
	}
	return r.contentType
}

// SetContentType sets the media type (without parameters) and returns r.
func (r *BodyResponse) SetContentType(ct string) *BodyResponse {
	if r.x != nil {
		r.x.header.Del("Content-Type")
	}
	r.contentType = ct
	return r
}

// Charset returns the charset parameter of the content type.
func (r *BodyResponse) Charset() string { return r.charset }

// SetCharset sets the charset parameter of the content type and returns r.
func (r *BodyResponse) SetCharset(cs string) *BodyResponse {
	r.charset = cs
	return r
}

// Body returns the body bytes.
func (r *BodyResponse) Body() []byte {
	if r.isText {
		return []byte(r.text)
	}
	return r.body
}

// Text returns the body as a string.
func (r *BodyResponse) Text() string {
	if r.isText {
		return r.text
	}
	return string(r.body)
}

// SetBody replaces the body and returns r; a response without a content
// type becomes application/octet-stream.
func (r *BodyResponse) SetBody(body []byte) *BodyResponse {
	r.body, r.text, r.isText = body, "", false
	if r.contentType == "" {
		r.contentType = "application/octet-stream"
	}
	return r
}

// SetText replaces the body by text and returns r; a response without a
// content type becomes text/plain with charset utf-8.
func (r *BodyResponse) SetText(text string) *BodyResponse {
	r.body, r.text, r.isText = nil, text, true
	if r.contentType == "" {
		r.contentType, r.charset = "text/plain", "utf-8"
	}
	return r
}

// reset empties r for reuse, keeping the storage of its header and cookies.
func (r *BodyResponse) reset() {
	x := r.x
	if x != nil {
		x.header.Reset()
		clear(x.cookies)
		*x = responseExtra{header: x.header, cookies: x.cookies[:0]}
	}
	*r = BodyResponse{status: 200, x: x, body: r.body[:0]}
}

// ContentLength returns the length of the body.
func (r *BodyResponse) ContentLength() int {
	if r.isText {
		return len(r.text)
	}
	return len(r.body)
}

// SetCookie adds a Set-Cookie field for c and returns r.
func (r *BodyResponse) SetCookie(c Cookie) *BodyResponse {
	x := r.extra()
	x.cookies = append(x.cookies, c)
	return r
}

// DelCookie tells the client to delete a cookie (aiohttp's del_cookie):
// an empty value that expired long ago, for the given domain and path ("/"
// when empty).
func (r *BodyResponse) DelCookie(name, domain, path string) *BodyResponse {
	return r.SetCookie(deleteCookie(name, domain, path))
}

// ForceClose closes the connection after the response is sent.
func (r *BodyResponse) ForceClose() *BodyResponse {
	r.forceClose = true
	return r
}

func (r *BodyResponse) finish(req *Request) error {
	if err := req.runPrepareHooks(r); err != nil {
		return err
	}
	if r.forceClose {
		req.keepAlive = false
	}
	if req.compressing(r.compression) {
		return req.writeCompressible(r)
	}
	return req.out.writeResponse(req, r)
}

// contentTypeLine returns the Content-Type value for r's content type and
// charset, or "" when there is none.
func (r *BodyResponse) contentTypeValue() string {
	switch {
	case r.contentType == "":
		return ""
	case r.charset == "":
		return r.contentType
	case r.contentType == "text/plain" && r.charset == "utf-8":
		return textPlainUTF8
	}
	return r.contentType + "; charset=" + r.charset
}

const textPlainUTF8 = "text/plain; charset=utf-8"
