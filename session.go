package aiohttp

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
	"golang.org/x/net/idna"
)

// DefaultUserAgent is the User-Agent header a session sends unless a
// Headers entry or SkipAutoHeaders says otherwise.
const DefaultUserAgent = "aiohttp-go/0.1.0"

// DefaultMaxRedirects is how many redirects a request follows unless
// MaxRedirects says otherwise, as in aiohttp.
const DefaultMaxRedirects = 10

// SessionOptions configure a Session (aiohttp's ClientSession arguments).
// The zero value is aiohttp's default session.
type SessionOptions struct {
	// BaseURL is an absolute URL that relative request URLs are resolved
	// against (RFC 3986: "http://h/api/" and "users" give
	// "http://h/api/users"); absolute request URLs ignore it.
	BaseURL string
	// Connector supplies connections; nil means a new TCPConnector with
	// the default options. The session closes it on Close unless
	// KeepConnectorOpen is set (aiohttp's connector_owner=False), so that
	// several sessions can share one.
	Connector         Connector
	KeepConnectorOpen bool

	// Headers are sent with every request; a request's Headers replace
	// fields of the same name.
	Headers Headers
	// SkipAutoHeaders names automatic fields not to send: Accept,
	// Accept-Encoding, User-Agent, Content-Type.
	SkipAutoHeaders []string
	// Cookies are sent with every request, after the jar's cookies of
	// other names.
	Cookies Cookies
	// CookieJar stores the cookies responses set and supplies those sent;
	// nil means NewCookieJar(JarOptions{}). Use DummyCookieJar{} to
	// ignore cookies.
	CookieJar CookieJar
	// Auth authenticates every request to the origin of BaseURL (every
	// request when BaseURL is empty).
	Auth *BasicAuth
	// JSONEncoder encodes the JSON request option; nil means
	// encoding/json.Marshal.
	JSONEncoder func(any) ([]byte, error)

	// RaiseForStatus turns a final status >= 400 into a
	// *ClientResponseError; RaiseForStatusFunc checks responses with a
	// function of yours instead.
	RaiseForStatus     bool
	RaiseForStatusFunc func(*Response) error

	Timeout ClientTimeout
	// DisableAutoDecompress hands bodies over without decoding their
	// Content-Encoding.
	DisableAutoDecompress bool
	// DisableRequoteRedirectURL follows a Location as sent instead of
	// normalizing its percent-encoding first (aiohttp's
	// requote_redirect_url=False). Normalizing decodes the escapes of
	// unreserved characters, upper-cases the others, and escapes a lone
	// '%' and the bytes a URL may not hold (space, controls, non-ASCII...).
	DisableRequoteRedirectURL bool
	// DisableReadUntilEOF gives a response framed by neither
	// Content-Length nor chunked encoding an empty body, and closes its
	// connection, instead of reading the body until the server closes
	// (aiohttp's read_until_eof=False).
	DisableReadUntilEOF bool
	// TrustEnv takes proxies from HTTP_PROXY, HTTPS_PROXY, WS_PROXY,
	// WSS_PROXY and NO_PROXY, and credentials from ~/.netrc (or $NETRC):
	// a request's when it has none, and such a proxy's when its URL has
	// none.
	TrustEnv bool

	// Middlewares wrap every request (see Middleware), outermost first.
	Middlewares  []Middleware
	TraceConfigs []*TraceConfig

	// Limits of the response parser: the status line and each header field
	// line (8190 bytes by default) and the number of header fields (128).
	MaxLineSize, MaxFieldSize, MaxHeaders int
	// ReadBufSize is the size of a response body's read buffer (256 KiB).
	ReadBufSize int
	// MaxDecompressedSize bounds a decompressed response body; 0 means the
	// Response's default bound.
	MaxDecompressedSize int64
	// FallbackCharsetResolver names the charset of a text body whose
	// Content-Type has none.
	FallbackCharsetResolver func(r *Response, body []byte) string

	// Proxy sends every request through this proxy (see the Proxy request
	// option), authenticated with ProxyAuth.
	Proxy     string
	ProxyAuth *BasicAuth
	// ForceHTTP1 keeps to HTTP/1.1 where a server offers HTTP/2.
	ForceHTTP1 bool

	// Logger receives what the session cannot return as an error: a
	// Response the garbage collector found unclosed, whose connection it
	// then closed (aiohttp's "Unclosed response" warning). nil means
	// slog.Default().
	Logger *slog.Logger
}

// Session makes HTTP requests over a pool of connections, keeping cookies
// and default settings (aiohttp's ClientSession). It is safe for
// concurrent use; make one and share it. Close it when done.
type Session struct {
	opts          SessionOptions
	base          *url.URL
	connector     Connector
	ownsConnector bool
	jar           CookieJar
	header        multidict.CIMultiDict
	auth          *BasicAuth
	authValue     string
	proxy         *url.URL
	timeout       timeouts
	limits        http1.Limits
	jsonEncode    func(any) ([]byte, error)
	closed        atomic.Bool
	closeOnce     sync.Once
	closeErr      error // what Close returned

	urlMu sync.RWMutex
	urls  map[string]*cachedURL // request URLs as parsed, resolved and checked
}

// maxCachedURLs bounds the URLs a session keeps parsed.
const maxCachedURLs = 256

// NewSession returns a session with opts, or an *Error of kind
// ErrInvalidURL (a bad BaseURL or Proxy) or ErrClient (Auth credentials
// that cannot be encoded) when an option is wrong.
func NewSession(opts SessionOptions) (*Session, error) {
	s := &Session{
		opts:          opts,
		connector:     opts.Connector,
		ownsConnector: opts.Connector == nil || !opts.KeepConnectorOpen,
		jar:           opts.CookieJar,
		timeout:       opts.Timeout.resolve(),
		limits:        http1.Limits{MaxLineSize: opts.MaxLineSize, MaxFieldSize: opts.MaxFieldSize, MaxHeaders: opts.MaxHeaders},
		jsonEncode:    opts.JSONEncoder,
	}
	if opts.BaseURL != "" {
		u, err := url.Parse(opts.BaseURL)
		if err == nil && (!u.IsAbs() || u.Host == "") {
			err = errors.New("the base URL must be absolute")
		}
		if err != nil {
			return nil, &Error{Kind: ErrInvalidURL, URL: opts.BaseURL, Err: err}
		}
		s.base = u
	}
	if opts.Auth != nil {
		a := *opts.Auth
		v, err := a.Encode()
		if err != nil {
			return nil, &Error{Kind: ErrClient, Err: err}
		}
		s.auth, s.authValue = &a, v
	}
	if opts.Proxy != "" {
		u, err := parseProxy(opts.Proxy)
		if err != nil {
			return nil, err
		}
		s.proxy = u
	}
	if s.connector == nil {
		s.connector = NewTCPConnector(TCPConnectorOptions{})
	}
	if s.jar == nil {
		s.jar, _ = NewCookieJar(JarOptions{}) // no option that can fail
	}
	if s.jsonEncode == nil {
		s.jsonEncode = json.Marshal
	}
	for _, k := range sortedKeys(opts.Headers) {
		s.header.Add(k, opts.Headers[k])
	}
	return s, nil
}

// Get sends a GET request; see Request.
func (s *Session) Get(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, "GET", url, opts...)
}

// Post sends a POST request; see Request.
func (s *Session) Post(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, "POST", url, opts...)
}

// Put sends a PUT request; see Request.
func (s *Session) Put(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, "PUT", url, opts...)
}

// Patch sends a PATCH request; see Request.
func (s *Session) Patch(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, "PATCH", url, opts...)
}

// Delete sends a DELETE request; see Request.
func (s *Session) Delete(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, "DELETE", url, opts...)
}

// Head sends a HEAD request; see Request.
func (s *Session) Head(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, "HEAD", url, opts...)
}

// Options sends an OPTIONS request; see Request.
func (s *Session) Options(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, "OPTIONS", url, opts...)
}

// Request sends a request and returns the response once its head has
// arrived, following redirects unless told not to. The caller reads the
// body with the Response's methods and closes it; the connection goes
// back to the pool when the body has been read or closed. ctx bounds the
// whole request, the reading of the body included.
//
// Errors are *Error (errors.Is with the Err* kinds, and with
// context.Canceled or context.DeadlineExceeded when ctx or the total
// timeout ended the request) or *ClientResponseError (a status raised, too
// many redirects, a response the parser rejected).
func (s *Session) Request(ctx context.Context, method, rawURL string, opts ...RequestOption) (*Response, error) {
	return s.request(ctx, new(requestState), method, rawURL, opts)
}

// With sends a request, calls fn with its response, and releases the
// response when fn returns: the Go form of aiohttp's
// `async with session.request(method, url) as resp:`. It returns the
// request's error (fn is not called then) or fn's.
//
// The *Response, its Header and the body Bytes returns are valid only
// until fn returns: With reuses their memory for later requests, so that
// in the steady state a request allocates nothing (over HTTP/2, nothing
// but what net/http's ClientConn allocates). Copy the body if it
// must outlive fn. Strings are never reused: a reason or header value
// kept from fn stays the same forever (a head that repeats the last one
// on its connection shares that head's strings instead of making new
// ones). What Text returns and what JSON decodes are copies too. Memory
// that a middleware, a trace hook, an error or the cookie jar may hold on
// to is never reused.
func (s *Session) With(ctx context.Context, method, rawURL string, fn func(*Response) error, opts ...RequestOption) error {
	st := getRequestState()
	st.with = true
	resp, err := s.request(ctx, st, method, rawURL, opts)
	if err != nil {
		return err
	}
	returned := false // fn did not panic
	defer func() {
		resp.Close()
		if returned && err == nil && st.reusable(resp) {
			putRequestState(st, resp)
		}
	}()
	err = fn(resp)
	returned = true
	return err
}

// request is Request with the state to make it in.
func (s *Session) request(ctx context.Context, st *requestState, method, rawURL string, opts []RequestOption) (*Response, error) {
	if s.closed.Load() {
		return nil, &Error{Kind: ErrSessionClosed, Method: method, URL: rawURL}
	}
	method = upperMethod(method)
	if !field.IsToken(method) {
		return nil, &Error{Kind: ErrClient, Method: method, URL: rawURL, Err: errors.New("the method is not a token")}
	}
	cfg := &zeroConfig
	if len(opts) > 0 {
		cfg = new(requestConfig)
		for _, o := range opts {
			if o != nil {
				o.applyRequest(cfg)
			}
		}
		if cfg.err != nil {
			return nil, &Error{Kind: ErrClient, Method: method, URL: rawURL, Err: cfg.err}
		}
	}
	resp, err := s.do(ctx, st, method, rawURL, cfg)
	if err != nil {
		st.ctx.end()
		return nil, err
	}
	if st.ctx.shared {
		st.endWith(resp)
	}
	return resp, nil
}

// Close closes the session and, unless KeepConnectorOpen is set, its
// connector. Requests made afterwards fail with ErrSessionClosed. A
// second call, from any goroutine, returns once the first is done, with
// its result.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.ownsConnector {
			s.closeErr = s.connector.Close()
		}
	})
	return s.closeErr
}

// Closed reports whether Close was called.
func (s *Session) Closed() bool { return s.closed.Load() }

// CookieJar returns the session's cookie jar.
func (s *Session) CookieJar() CookieJar { return s.jar }

// Connector returns the session's connector.
func (s *Session) Connector() Connector { return s.connector }

// requestState is what one call of Request carries through redirects,
// middlewares and retries.
type requestState struct {
	s     *Session
	cfg   *requestConfig
	to    timeouts
	ctx   requestContext // the context of its requests, with the total deadline
	trace *tracer
	body  bodyOptions

	// Storage for the URL, the first request, the first exchange and
	// the first response, which most calls need alone, saving
	// allocations.
	url0      url.URL
	req0      ClientRequest
	items0    [8]multidict.Item
	ex0       exchange
	cached0   *cachedURL // what url0 was copied from, if the session's cache
	resp0     responseAlloc
	req0Used  bool
	ex0Used   bool
	resp0Used bool

	// For Session.With: whether it makes the request (and closes its
	// response), and whether the state may be reused. (The buffer bodies
	// are read into, kept from one request to the next, is resp0's
	// scratch.)
	with        bool
	interrupted bool // a context's watch on an exchange could not be stopped
}

// requestStates recycles the states of Session.With.
var requestStates sync.Pool

// maxKeptBody bounds the body buffer a recycled state keeps.
const maxKeptBody = 64 << 10

// getRequestState returns a recycled state, or a new one.
func getRequestState() *requestState {
	if st, ok := requestStates.Get().(*requestState); ok {
		return st
	}
	return new(requestState)
}

// reusable reports whether nothing can still refer to st, resp (its
// final response, closed) or their memory: no redirect, middleware or
// trace hook saw them, no Set-Cookie went into the jar, no exchange's
// context watch is still running, nobody watches the requests' context,
// and net/http is done with a request it carried over HTTP/2.
func (st *requestState) reusable(resp *Response) bool {
	return resp == &st.resp0.resp && st.trace == nil && st.ex0.released &&
		!st.interrupted && st.ctx.watch.Load() == nil && st.ex0.conn != nil &&
		len(st.s.opts.Middlewares) == 0 && !st.cfg.hasMiddlewares &&
		!resp.setsCookies()
}

// putRequestState clears st for its next request, keeping the buffer
// resp's body was read into, and recycles it and the acquisition of an
// HTTP/2 connection it used.
func putRequestState(st *requestState, resp *Response) {
	buf := resp.scratch // still unused, or given to the body
	if c := cap(resp.body); c > cap(buf) && c <= maxKeptBody {
		buf = resp.body
	}
	recycleShare(st.ex0.conn)
	*st = requestState{}
	st.resp0.resp.scratch = buf[:0]
	requestStates.Put(st)
}

// responseAlloc returns the storage of a new Response: the state's own
// the first time.
func (st *requestState) responseAlloc() *responseAlloc {
	if st.resp0Used {
		return new(responseAlloc)
	}
	st.resp0Used = true
	return &st.resp0
}

// do sends the request and follows its redirects.
func (s *Session) do(ctx context.Context, st *requestState, method, rawURL string, cfg *requestConfig) (*Response, error) {
	st.s, st.cfg, st.to, st.trace = s, cfg, s.timeout, newTracer(ctx, s.opts.TraceConfigs)
	u, uerr := s.buildURL(rawURL, cfg.params, &st.url0, &st.cached0)
	if uerr != nil {
		uerr.Method = method
		return nil, uerr
	}
	if cfg.timeout != nil {
		st.to = cfg.timeout.resolve()
	}
	st.ctx.init(ctx, st.to.total, len(st.middlewares()) > 0)
	st.body = bodyOptions{
		autoDecompress:  choose(cfg.hasDecompress, cfg.decompress, !s.opts.DisableAutoDecompress),
		maxDecompressed: s.opts.MaxDecompressedSize,
		readBufSize:     s.opts.ReadBufSize,
		trace:           st.trace,
		charsetResolver: s.opts.FallbackCharsetResolver,
	}
	if cfg.readBufSize > 0 {
		st.body.readBufSize = cfg.readBufSize
	}

	body := cfg.body
	if cfg.hasJSON {
		data, err := s.jsonEncode(cfg.json)
		if err != nil {
			return nil, &Error{Kind: ErrClient, Method: method, URL: u.Redacted(), Err: err}
		}
		body = &payload{data: data, length: int64(len(data)), contentType: "application/json"}
	}

	h := &hop{method: method, url: u, body: body, auth: cfg.auth, header: s.mergeHeaders(cfg)}
	maxRedirects := DefaultMaxRedirects
	if cfg.hasMaxRedirect {
		maxRedirects = cfg.maxRedirects
	}
	var history []*Response
	for {
		req, err := s.newRequest(ctx, st, h)
		if err != nil {
			return nil, st.fail(h, req, err, history)
		}
		if history == nil {
			st.trace.requestStart(TraceRequest{Method: req.Method, URL: req.URL, Header: req.Header})
		}
		resp, err := st.handle(req)
		if err != nil {
			return nil, st.fail(h, req, err, history)
		}
		next, err := s.redirect(st, h, req, resp)
		if err != nil {
			resp.Close()
			return nil, st.fail(h, req, err, history)
		}
		if next == nil {
			resp.History = history
			st.trace.requestEnd(TraceResponse{Method: req.Method, URL: req.URL, Header: req.Header, Response: resp})
			return st.raiseForStatus(resp)
		}
		history = append(history, resp)
		st.trace.requestRedirect(TraceResponse{Method: req.Method, URL: req.URL, Header: req.Header, Response: resp})
		resp.Close()
		if maxRedirects > 0 && len(history) >= maxRedirects {
			return nil, st.fail(h, req, &ClientResponseError{
				Kind: ErrTooManyRedirects, Request: history[0].Request, Status: resp.Status,
				Message: "too many redirects", Header: resp.Header, History: history,
			}, history)
		}
		h = next
	}
}

// socketDeadline returns the deadline of the total timeout for the
// connection: the request's, rounded up to a whole second when the
// timeout is at least its ceil threshold; zero for none.
func (st *requestState) socketDeadline() time.Time {
	d := st.ctx.deadlineTime()
	if st.to.ceil && !d.IsZero() {
		return ceilSecond(d)
	}
	return d
}

// endWith ends the requests' shared context once the body of resp, the
// final response, is over: at once when it has none left to read. The
// context of a request whose middleware answered with a response of
// another request (one it made itself, whose body may depend on this
// context) ends at its deadline.
func (st *requestState) endWith(resp *Response) {
	if _, upgraded := resp.raw.(*upgraded); upgraded || resp.finished || resp.rel == nil {
		st.ctx.end()
		return
	}
	if resp.requestState() == st {
		resp.endCtx = &st.ctx
	}
}

// fail traces a request's failure and completes its error with what it
// concerns.
func (st *requestState) fail(h *hop, req *ClientRequest, err error, history []*Response) error {
	var e *Error
	if errors.As(err, &e) {
		if e.URL == "" {
			e.URL = h.url.Redacted()
		}
		if e.Method == "" {
			e.Method = h.method
		}
	}
	var re *ClientResponseError
	if errors.As(err, &re) && re.History == nil {
		re.History = history
	}
	p := TraceException{Method: h.method, URL: h.url, Err: err}
	if req != nil {
		p.Header = req.Header
	}
	st.trace.requestException(p)
	return err
}

// handle sends req through the middlewares.
func (st *requestState) handle(req *ClientRequest) (*Response, error) {
	ms := st.middlewares()
	if len(ms) == 0 {
		return st.s.send(req)
	}
	return chain(ms, st.s.send)(req)
}

// middlewares returns the middlewares of the request: its own, or the
// session's.
func (st *requestState) middlewares() []Middleware {
	if st.cfg.hasMiddlewares {
		return st.cfg.middlewares
	}
	return st.s.opts.Middlewares
}

// raiseForStatus applies the request's or the session's status check to
// the final response.
func (st *requestState) raiseForStatus(resp *Response) (*Response, error) {
	check := st.s.opts.RaiseForStatusFunc
	raise := st.s.opts.RaiseForStatus
	switch {
	case st.cfg.raise != nil:
		check, raise = nil, *st.cfg.raise
	case st.cfg.raiseFunc != nil:
		check = st.cfg.raiseFunc
	}
	var err error
	switch {
	case check != nil:
		err = check(resp)
	case raise:
		err = resp.RaiseForStatus()
	}
	if err != nil {
		resp.Close()
		return nil, err
	}
	return resp, nil
}

// hop is one request of a redirect chain, before middlewares see it.
type hop struct {
	method string
	url    *url.URL // with fragment and credentials, as given
	body   *payload
	auth   *BasicAuth            // explicit credentials still valid for this hop
	header multidict.CIMultiDict // the caller's fields: the session's merged with the request's
}

// mergeHeaders returns the session's fields with the request's: a request
// field replaces the session's fields of its name; repeated request fields
// all go.
func (s *Session) mergeHeaders(cfg *requestConfig) multidict.CIMultiDict {
	if cfg.header.Len() == 0 {
		return s.header
	}
	if s.header.Len() == 0 {
		return cfg.header
	}
	var h multidict.CIMultiDict
	req := cfg.header.Items()
	for _, it := range s.header.Items() {
		if !cfg.header.Has(it.Key) {
			h.Add(it.Key, it.Value)
		}
	}
	for _, it := range req {
		h.Add(it.Key, it.Value)
	}
	return h
}

// cachedURL is a URL of the session's cache with its host name and port.
type cachedURL struct {
	u          url.URL
	host, port string
}

// origin returns the host name and port of u, from c when c is the
// cached URL u was copied from and u still has its scheme and host (a
// middleware may have changed them).
func (c *cachedURL) origin(u *url.URL) (host, port string) {
	if c != nil && c.u.Host == u.Host && c.u.Scheme == u.Scheme {
		return c.host, c.port
	}
	return u.Hostname(), portOf(u)
}

// buildURL resolves rawURL against the base URL and appends params to its
// query. A URL seen before without params is copied from the session's
// cache into dst, and from is set to the cache's entry.
func (s *Session) buildURL(rawURL string, params []multidict.Item, dst *url.URL, from **cachedURL) (*url.URL, *Error) {
	if len(params) == 0 {
		s.urlMu.RLock()
		cached := s.urls[rawURL]
		s.urlMu.RUnlock()
		if cached != nil {
			*dst, *from = cached.u, cached
			return dst, nil
		}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, &Error{Kind: ErrInvalidURLClient, URL: rawURL, Err: err}
	}
	if s.base != nil && !u.IsAbs() {
		u = s.base.ResolveReference(u)
	}
	if err := checkURL(u); err != nil {
		err.URL = rawURL
		return nil, err
	}
	if len(params) == 0 {
		s.cacheURL(rawURL, u)
		return u, nil
	}
	q := []byte(u.RawQuery)
	for _, p := range params {
		if len(q) > 0 {
			q = append(q, '&')
		}
		q = appendQueryEscaped(q, p.Key)
		q = append(q, '=')
		q = appendQueryEscaped(q, p.Value)
	}
	u.RawQuery = string(q)
	return u, nil
}

// cacheURL keeps a copy of u, the URL rawURL gave, while the cache has
// room.
func (s *Session) cacheURL(rawURL string, u *url.URL) {
	s.urlMu.Lock()
	defer s.urlMu.Unlock()
	if s.urls == nil {
		s.urls = make(map[string]*cachedURL)
	}
	if len(s.urls) < maxCachedURLs {
		s.urls[rawURL] = &cachedURL{u: *u, host: u.Hostname(), port: portOf(u)}
	}
}

// checkURL accepts absolute http, https, ws and wss URLs with a host (as
// aiohttp, which sends ws and wss requests over http and https).
func checkURL(u *url.URL) *Error {
	switch u.Scheme {
	case "http", "https", "ws", "wss":
	case "":
		return &Error{Kind: ErrInvalidURLClient, Err: errors.New("the URL is not absolute")}
	default:
		if s := strings.ToLower(u.Scheme); s == "http" || s == "https" || s == "ws" || s == "wss" {
			u.Scheme = s
			break
		}
		return &Error{Kind: ErrNonHTTPURLClient}
	}
	host := u.Hostname()
	if host == "" {
		return &Error{Kind: ErrInvalidURLClient, Err: errors.New("the URL has no host")}
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= utf8.RuneSelf {
			ascii, err := idna.Lookup.ToASCII(host)
			if err != nil {
				return &Error{Kind: ErrInvalidURLClient, Err: err}
			}
			if p := u.Port(); p != "" {
				ascii += ":" + p
			}
			u.Host = ascii
			break
		}
	}
	return nil
}

// appendQueryEscaped appends s escaped for a query string as yarl does:
// unreserved characters and !$'()*,/:?@ stay, a space becomes '+',
// everything else is percent-encoded.
func appendQueryEscaped(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isUnreserved(c) || strings.IndexByte("!$'()*,/:?@", c) >= 0:
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}

// upperMethod returns method in upper case, allocating only when it is
// not already.
func upperMethod(m string) string {
	for i := 0; i < len(m); i++ {
		if 'a' <= m[i] && m[i] <= 'z' {
			return strings.ToUpper(m)
		}
	}
	return m
}

// parseProxy parses a proxy URL.
func parseProxy(raw string) (*url.URL, *Error) {
	u, err := url.Parse(raw)
	if err == nil && (u.Scheme == "" || u.Host == "") {
		err = errors.New("the proxy URL must be absolute")
	}
	if err != nil {
		return nil, &Error{Kind: ErrInvalidURL, URL: raw, Err: err}
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
		return u, nil
	}
	return nil, &Error{Kind: ErrInvalidURL, URL: u.Redacted(), Err: errors.New("unsupported proxy scheme " + u.Scheme)}
}
