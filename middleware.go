package aiohttp

import (
	"context"
	"errors"
	"net/url"

	"github.com/aiohttp-go/aiohttp/multidict"
)

// Middleware wraps the sending of each request of a session (aiohttp's
// client middlewares): it may change req, call next any number of times
// (to retry, or to answer an authentication challenge), make requests of
// its own with req.Session, or answer without calling next. Middlewares run
// for every request of a redirect chain; next sends one request and
// returns its response without following redirects.
//
// A middleware that makes requests of its own through the same session
// should pass WithMiddlewares() to them, or it runs again for them. A
// middleware may call next several times, but one call at a time.
type Middleware func(req *ClientRequest, next Handler) (*Response, error)

// Handler sends a request; see Middleware.
type Handler func(req *ClientRequest) (*Response, error)

// ClientRequest is a request on its way to the server, as middlewares see
// it. Its Header holds every field that will be sent, automatic ones
// included (Host, User-Agent, Cookie, Content-Type, Content-Length ...);
// changes to Method, URL and Header apply to what next sends. Its body is
// sent again each time next is called, when it can be: see
// BodyReplayable.
type ClientRequest struct {
	Method string
	// URL is the request URL, without fragment and credentials.
	URL     *url.URL
	Header  *multidict.CIMultiDict
	Session *Session
	// Context is the context of the call that made the request; next
	// stops when it is done.
	Context context.Context

	realURL *url.URL // the URL as given, with fragment
	body    *payload // nil: no body
	st      *requestState
	header  multidict.CIMultiDict // Header's storage
}

// BodyReplayable reports whether the request body can be sent now: it has
// none, it is in memory (Bytes, String, Form, JSON), it can rewind (an
// io.Seeker given to Body), or it is a stream not sent yet.
func (r *ClientRequest) BodyReplayable() bool { return r.body.replayable() }

// info returns what a response records of the request.
func (r *ClientRequest) info() RequestInfo {
	return RequestInfo{Method: r.Method, URL: r.URL, RealURL: r.realURL, Header: r.Header}
}

// errForeignRequest reports a ClientRequest a session did not make.
var errForeignRequest = errors.New("the ClientRequest was not made by a Session")

// chain returns a handler that runs ms, outermost first, around final.
func chain(ms []Middleware, final Handler) Handler {
	h := final
	for i := len(ms) - 1; i >= 0; i-- {
		m, next := ms[i], h
		h = func(req *ClientRequest) (*Response, error) { return m(req, next) }
	}
	return h
}
