package aiotest

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/mockreq"
	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/web"
)

// RequestOption sets a part of a mocked request (aiohttp's keyword
// arguments to make_mocked_request).
type RequestOption func(*requestConfig)

type requestConfig struct {
	header       multidict.CIMultiDict
	match        []string
	app          *web.Application
	body         io.Reader
	remote       string
	tls          *tls.ConnectionState
	maxSize      int64
	hasMaxSize   bool
	major, minor int
	ctx          context.Context
}

// WithHeader adds a request header field; given several times for one
// name, it adds a field each time. A Host field sets what Host reports
// ("example.com" otherwise).
func WithHeader(name, value string) RequestOption {
	return func(c *requestConfig) { c.header.Add(name, value) }
}

// WithMatchInfo sets the path parameters routing would have found, as
// name/value pairs: WithMatchInfo("id", "42"). MatchInfo().Route() is
// then a route with these parameters and no handler. It panics on an odd
// number of strings or more than 16 parameters.
func WithMatchInfo(params ...string) RequestOption {
	return func(c *requestConfig) { c.match = append(c.match, params...) }
}

// WithApp makes the request belong to app: App returns it, so that the
// handler finds the application's state ([web.AppKey]), its
// ClientMaxSize limits the body, its OnResponsePrepare handlers run when
// a response is prepared, and [Serve] answers errors with its error
// handler. The application is not started.
func WithApp(app *web.Application) RequestOption {
	return func(c *requestConfig) { c.app = app }
}

// WithBody sets the request body to what r yields; its length is known
// (Content-Length) for a *bytes.Reader, *bytes.Buffer or *strings.Reader,
// and unknown otherwise, as for a chunked request.
func WithBody(r io.Reader) RequestOption {
	return func(c *requestConfig) { c.body = r }
}

// WithBodyBytes sets the request body to b, with its Content-Length.
func WithBodyBytes(b []byte) RequestOption { return WithBody(bytes.NewReader(b)) }

// WithBodyString sets the request body to s, with its Content-Length.
func WithBodyString(s string) RequestOption { return WithBody(strings.NewReader(s)) }

// WithRemote sets the client's address, "203.0.113.7:4711" or an IP
// address alone ("192.0.2.1:1234" otherwise).
func WithRemote(addr string) RequestOption {
	return func(c *requestConfig) { c.remote = addr }
}

// WithTLSState makes the request one that came over TLS with state cs:
// Scheme reports "https" and TLS returns cs. A target starting with
// "https://" does so too, with an empty state.
func WithTLSState(cs *tls.ConnectionState) RequestOption {
	return func(c *requestConfig) { c.tls = cs }
}

// WithClientMaxSize sets the largest body the request's Bytes, Text, JSON
// and Post accept (413 past it), as Request.SetClientMaxSize does;
// negative for no limit. Without it the application's limit holds, or
// none without an application.
func WithClientMaxSize(n int64) RequestOption {
	return func(c *requestConfig) { c.maxSize, c.hasMaxSize = n, true }
}

// WithVersion sets the HTTP version (1.1 otherwise).
func WithVersion(major, minor int) RequestOption {
	return func(c *requestConfig) { c.major, c.minor = major, minor }
}

// WithContext sets the context the request's Context ends with
// (context.Background otherwise). Pass t.Context() so that a handler
// waiting on its request ends with the test.
func WithContext(ctx context.Context) RequestOption {
	return func(c *requestConfig) { c.ctx = ctx }
}

// recorderKey keeps a mocked request's recorder with the request.
var recorderKey = web.NewRequestKey[*mocked]("aiotest.recorder")

// mocked is what aiotest keeps of a mocked request.
type mocked struct {
	rec    *ResponseRecorder
	finish func(resp any) error
}

// NewMockedRequest returns a request that no connection carries, for
// unit-testing handlers and middlewares without a server (aiohttp's
// make_mocked_request):
//
//	req := aiotest.NewMockedRequest("GET", "/users/42?tab=posts",
//		aiotest.WithMatchInfo("id", "42"), aiotest.WithHeader("Accept", "application/json"))
//	resp, err := showUser(req)
//
// target is a path with an optional query, or an absolute URL ("https://"
// makes a TLS request). A handler's [web.BodyResponse] is inspected as
// it is returned; what a response prepared on the request writes
// (a [web.StreamResponse], an [web.EventSourceResponse]) goes to the
// request's [ResponseRecorder]. [Serve] runs a handler as the server
// does and ends the request; a request never passed to Serve ends with
// the context of [WithContext].
//
// NewMockedRequest panics on a method or target that an HTTP request
// line cannot carry, as httptest.NewRequest does.
func NewMockedRequest(method, target string, opts ...RequestOption) *web.Request {
	c := requestConfig{major: 1, minor: 1}
	for _, o := range opts {
		o(&c)
	}
	hr := httptest.NewRequest(method, target, c.body)
	if c.ctx != nil {
		hr = hr.WithContext(c.ctx)
	}
	hr.ProtoMajor, hr.ProtoMinor = c.major, c.minor
	hr.Proto = "HTTP/" + strconv.Itoa(c.major) + "." + strconv.Itoa(c.minor)
	hr.Close = c.major == 1 && c.minor == 0
	if hr.ContentLength > 0 && c.header.Get("Content-Length") == "" {
		hr.Header.Set("Content-Length", strconv.FormatInt(hr.ContentLength, 10))
	}
	for _, it := range c.header.Items() {
		if multidict.EqualFold(it.Key, "Host") {
			hr.Host = it.Value
			continue
		}
		hr.Header.Add(it.Key, it.Value)
	}
	if c.remote != "" {
		hr.RemoteAddr = c.remote
		if _, _, err := net.SplitHostPort(c.remote); err != nil {
			hr.RemoteAddr = net.JoinHostPort(c.remote, "1234")
		}
	}
	if c.tls != nil {
		hr.TLS = c.tls
	}
	rec := new(ResponseRecorder)
	m := mockreq.New(mockreq.Spec{
		Request:          hr,
		Writer:           &recorderWriter{rec: rec, header: make(http.Header)},
		App:              c.app,
		MatchInfo:        c.match,
		ClientMaxSize:    c.maxSize,
		HasClientMaxSize: c.hasMaxSize,
	})
	req := m.Request.(*web.Request)
	recorderKey.Set(req, &mocked{rec: rec, finish: m.Finish})
	return req
}

// Recorder returns the recorder of a request made by [NewMockedRequest]
// (or a clone of one), or nil for any other request.
func Recorder(req *web.Request) *ResponseRecorder {
	if m := recorderKey.Get(req); m != nil {
		return m.rec
	}
	return nil
}

// Serve runs h on a mocked request as the server runs a handler, and
// returns what the client would have received:
//   - an error becomes the error response of the request's application
//     ([web.Application.ErrorResponse]) or, without one,
//     [web.DefaultErrorHandler]'s; no response and no error is
//     [web.ErrNoResponse];
//   - the response then writes what it has not yet written to the
//     recorder: a BodyResponse its head and body, a StreamResponse the end
//     of its body, an EventSourceResponse the end of its stream;
//   - the request ends: its context is cancelled and the temporary files
//     of its uploads are removed.
//
// A panic in h is not recovered: the test sees it with its stack. The
// error returned is that of writing the response (an OnResponsePrepare
// handler that failed), not h's. Serve panics for a request that
// NewMockedRequest did not make.
func Serve(req *web.Request, h web.Handler) (*ResponseRecorder, error) {
	m := recorderKey.Get(req)
	if m == nil {
		panic("aiotest: Serve needs a request made by NewMockedRequest")
	}
	resp, err := h(req)
	if err == nil && resp == nil {
		err = web.ErrNoResponse
	}
	if err != nil {
		if app := req.App(); app != nil {
			resp = app.ErrorResponse(req, err)
		} else {
			resp = web.DefaultErrorHandler(req, err)
		}
	}
	return m.rec, m.finish(resp)
}
