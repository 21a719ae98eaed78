package aiohttp

import (
	"context"
	"errors"
	"net/url"
	"time"

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

	ctx     context.Context // given by WithContext; nil: the request's own (see Context)
	realURL *url.URL        // the URL as given, with fragment
	body    *payload        // nil: no body
	st      *requestState
	header  multidict.CIMultiDict // Header's storage
}

// Context returns the request's context: the context of the call that
// made the request, with the deadline of the total timeout
// (ClientTimeout.Total), which covers redirects, middlewares, retries and
// the reading of the body. next stops when it is done; a wait of a
// middleware should stop too (see Queue). Its Err, once the total
// timeout has passed, is context.DeadlineExceeded; the session's errors
// for it are of kind ErrServerTimeout and match context.DeadlineExceeded.
//
// When ClientTimeout.ExcludeQueue is set, the time the request waits
// for a connection slot, or in Queue, does not count: the deadline
// pauses meanwhile, then moves later by the time waited, the one case
// where Deadline changes. The context ends when the request does (the
// body of its final response is over, or it failed).
func (r *ClientRequest) Context() context.Context {
	switch {
	case r.ctx != nil:
		return r.ctx
	case r.st != nil:
		return &r.st.ctx
	}
	return context.Background()
}

// WithContext returns a shallow copy of r with its context changed to
// ctx, for a middleware to pass to next (a context carrying values, or a
// shorter deadline for one attempt): the copy shares r's Header and
// body. Derive ctx from r.Context(), which keeps the caller's
// cancellation: the session stops sending when ctx is done, and enforces
// the total timeout on the connection whatever ctx says. A nil ctx keeps
// r's.
func (r *ClientRequest) WithContext(ctx context.Context) *ClientRequest {
	c := *r
	if ctx != nil {
		c.ctx = ctx
	}
	return &c
}

// Queue runs wait, which holds the request back before it is sent (a
// rate limit, a semaphore of yours), with the request's context, and
// returns its error. Like the session's own wait for a connection slot,
// the time spent in wait counts in the total timeout unless
// ClientTimeout.ExcludeQueue is set; then the total deadline pauses while
// wait runs, and ctx's Deadline reports the caller's alone. wait
// must return when ctx is done: an error that is the context's
// (context.DeadlineExceeded or context.Canceled, wrapped or not) becomes
// an *Error of kind ErrServerTimeout or ErrCanceled.
func (r *ClientRequest) Queue(wait func(ctx context.Context) error) error {
	ctx := r.Context()
	var err error
	if st := r.st; st != nil && !st.to.countQueue && !st.ctx.at.IsZero() {
		start := time.Now()
		paused := st.ctx.pause()
		err = wait(ctx)
		st.ctx.resume(paused, time.Since(start))
	} else {
		err = wait(ctx)
	}
	if err == nil || errors.As(err, new(*Error)) || !(errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		return err
	}
	return r.error(ctxErrorKind(err), err)
}

// watched returns the context the session watches while it sends r: the
// one a middleware gave with WithContext, or else the caller's. The total
// timeout is enforced on the connection, which keeps the request's own
// context free until someone asks for its Done channel.
func (r *ClientRequest) watched() context.Context {
	if r.ctx == nil && r.st != nil {
		return r.st.ctx.parent
	}
	return r.Context()
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
