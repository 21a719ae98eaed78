package aiohttp

import (
	"cmp"
	"context"
	"errors"
	"github.com/aiohttp-go/aiohttp/internal/field"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
)

// newRequest builds the ClientRequest of a hop: its URL without fragment
// and credentials, and every header field that will be sent, in aiohttp's
// order: Host, the caller's fields, Accept, Accept-Encoding, User-Agent,
// Cookie, Content-Encoding, Authorization, Content-Type, Content-Length or
// Transfer-Encoding, Expect.
func (s *Session) newRequest(ctx context.Context, st *requestState, h *hop) (*ClientRequest, error) {
	u, realURL := h.url, h.url
	userinfo := u.User
	if userinfo != nil || u.Fragment != "" || u.RawFragment != "" {
		c := *u
		c.User = nil
		realURL = &c
		u = realURL
		if c.Fragment != "" || c.RawFragment != "" {
			d := c
			d.Fragment, d.RawFragment = "", ""
			u = &d
		}
	}
	user := &h.header
	cfg := st.cfg
	var req *ClientRequest
	var items []multidict.Item
	if !st.req0Used {
		st.req0Used = true
		req, items = &st.req0, st.items0[:1] // grows out of items0 past its room
	} else {
		req, items = new(ClientRequest), make([]multidict.Item, 1, user.Len()+10)
	}
	*req = ClientRequest{Method: h.method, URL: u, Session: s, realURL: realURL, body: h.body, st: st}
	req.Header = &req.header

	authz, err := s.authorization(u, userinfo, h.auth, user)
	if err != nil {
		return req, &Error{Kind: ErrClient, Err: err}
	}
	cookie := s.cookieHeader(u, user, cfg)

	items[0] = multidict.Item{Key: "Host", Value: hostHeader(u)}
	for _, it := range user.Items() {
		switch {
		case multidict.EqualFold(it.Key, "Host"):
			items[0].Value = it.Value
		case multidict.EqualFold(it.Key, "Cookie"):
			// merged into cookie
		default:
			items = append(items, it)
		}
	}
	hdr := &req.header
	*hdr = *multidict.NewCI(items...)
	auto := func(name, value string) {
		if !user.Has(name) && !st.skip(name) {
			hdr.Add(name, value)
		}
	}
	auto("Accept", "*/*")
	auto("Accept-Encoding", "gzip, deflate, br, zstd")
	auto("User-Agent", DefaultUserAgent)
	if cookie != "" {
		hdr.Add("Cookie", cookie)
	}
	// Compression and chunking apply to a body; after a redirect to a GET
	// there is none.
	chunked := h.body != nil && (cfg.chunked || cfg.compress != "")
	if cfg.compress != "" && h.body != nil {
		if user.Has("Content-Encoding") {
			return req, &Error{Kind: ErrClient, Err: errors.New("compress can not be set if a Content-Encoding header is set")}
		}
		if cfg.compress != "deflate" && cfg.compress != "gzip" {
			return req, &Error{Kind: ErrClient, Err: errors.New("unsupported compression " + strconv.Quote(cfg.compress))}
		}
		hdr.Add("Content-Encoding", cfg.compress)
	}
	if authz != "" {
		hdr.Add("Authorization", authz)
	}
	if b := h.body; b != nil {
		if b.contentType != "" {
			auto("Content-Type", b.contentType)
		}
		chunked = chunked || b.length < 0
	}
	switch {
	case user.Has("Transfer-Encoding"):
	case chunked:
		if user.Has("Content-Length") {
			return req, &Error{Kind: ErrClient, Err: errors.New("chunked can not be set if a Content-Length header is set")}
		}
		hdr.Add("Transfer-Encoding", "chunked")
	case user.Has("Content-Length"):
	case h.body != nil:
		hdr.Add("Content-Length", strconv.FormatInt(h.body.length, 10))
	case !bodylessMethod(h.method):
		hdr.Add("Content-Length", "0")
	}
	if cfg.expect100 && !user.Has("Expect") {
		hdr.Add("Expect", "100-continue")
	}
	return req, nil
}

// skip reports whether an automatic header field is not to be sent.
func (st *requestState) skip(name string) bool {
	for _, n := range st.s.opts.SkipAutoHeaders {
		if multidict.EqualFold(n, name) {
			return true
		}
	}
	for _, n := range st.cfg.skipAuto {
		if multidict.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// bodylessMethod reports whether a request without body needs no
// Content-Length: 0 (aiohttp's GET_METHODS).
func bodylessMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "OPTIONS", "TRACE", "CONNECT":
		return true
	}
	return false
}

// idempotent reports whether a request may be sent twice (RFC 9110 9.2.2).
func idempotent(m string) bool {
	switch m {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return true
	}
	return false
}

// hostHeader returns the Host field for u: its host and port, without the
// scheme's default port.
func hostHeader(u *url.URL) string {
	host := u.Host
	if p := u.Port(); p != "" && p == defaultPort(u.Scheme) {
		host = host[:len(host)-len(p)-1]
	}
	return host
}

func defaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}

// cookieHeader returns the Cookie field for a request to u: the caller's
// Cookie field, the jar's cookies, the session's Cookies of other names,
// then the request's Cookies replacing any of the same name.
func (s *Session) cookieHeader(u *url.URL, user *multidict.CIMultiDict, cfg *requestConfig) string {
	jar := s.jar.CookieHeader(u)
	given, hasGiven := user.Lookup("Cookie")
	if !hasGiven && len(s.opts.Cookies) == 0 && len(cfg.cookies) == 0 {
		return jar
	}
	var pairs []multidict.Item
	set := func(name, value string, replace bool) {
		for i := range pairs {
			if pairs[i].Key == name {
				if replace {
					pairs[i].Value = value
				}
				return
			}
		}
		pairs = append(pairs, multidict.Item{Key: name, Value: value})
	}
	parse := func(h string) {
		for part := range strings.SplitSeq(h, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
			if name != "" {
				set(name, value, true)
			}
		}
	}
	parse(given)
	parse(jar)
	for _, k := range sortedKeys(s.opts.Cookies) {
		set(k, s.opts.Cookies[k], false)
	}
	for _, k := range sortedKeys(cfg.cookies) {
		set(k, cfg.cookies[k], true)
	}
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Key)
		b.WriteByte('=')
		b.WriteString(p.Value)
	}
	return b.String()
}

// errStale reports a reused connection that the server had closed: the
// request goes again on another connection.
var errStale = errors.New("stale pooled connection")

// send is the innermost Handler: it sends req over a connection from the
// connector and returns the response once its head has arrived.
func (s *Session) send(req *ClientRequest) (*Response, error) {
	st := req.st
	if st == nil || st.s != s {
		return nil, &Error{Kind: ErrClient, Method: req.Method, Err: errForeignRequest}
	}
	for {
		if s.closed.Load() {
			return nil, req.error(ErrSessionClosed, nil)
		}
		var ex *exchange
		if st.ex0Used {
			ex = new(exchange)
		} else {
			st.ex0Used = true
			ex = &st.ex0
		}
		*ex = exchange{req: req, st: st, fields: scanRequestFields(req.Header)}
		if err := ex.setTarget(); err != nil {
			return nil, err
		}
		conn, err := s.acquire(ex)
		if err != nil {
			return nil, err
		}
		ex.conn = conn
		var resp *Response
		if conn.h2 != nil {
			resp, err = ex.roundTripH2()
		} else {
			resp, err = ex.roundTrip()
		}
		if err == errStale {
			continue
		}
		if err != nil {
			return nil, err
		}
		if resp.setsCookies() {
			s.jar.UpdateCookies(resp.Header.GetAll("Set-Cookie"), resp.URL)
		}
		return resp, nil
	}
}

// error returns an error of kind about req.
func (req *ClientRequest) error(kind, err error) *Error {
	return &Error{Kind: kind, Method: req.Method, URL: req.URL.String(), Err: err}
}

// exchange is one request sent over one connection and the response read
// from it; for HTTP/1.1 it is also the response body's source.
type exchange struct {
	req    *ClientRequest
	st     *requestState
	target dialTarget
	conn   *clientConn // its head is the response's, being read
	body   http1.Body
	stop   func() bool // stops the watch on the request's context
	fields requestFields

	keepAlive bool // the connection can carry another request after this one
	released  bool
	aborted   atomic.Bool // the Response's Close interrupted the connection
}

// requestFields are the header fields of a request that its exchange acts
// on, found in one pass over the header as sent.
type requestFields struct {
	te, cl       string // the first Transfer-Encoding and Content-Length
	hasTE, hasCL bool
	expect100    bool // Expect: 100-continue
	upgrade      bool // an Upgrade field
	close        bool // Connection: close
}

// scanRequestFields finds the requestFields of h.
func scanRequestFields(h *multidict.CIMultiDict) requestFields {
	var f requestFields
	for _, it := range h.Items() {
		k := it.Key
		switch {
		case multidict.EqualFold(k, "Transfer-Encoding"):
			if !f.hasTE {
				f.te, f.hasTE = it.Value, true
			}
		case multidict.EqualFold(k, "Content-Length"):
			if !f.hasCL {
				f.cl, f.hasCL = it.Value, true
			}
		case multidict.EqualFold(k, "Expect"):
			f.expect100 = f.expect100 || multidict.EqualFold(it.Value, "100-continue")
		case multidict.EqualFold(k, "Upgrade"):
			f.upgrade = true
		case multidict.EqualFold(k, "Connection"):
			f.close = f.close || multidict.EqualFold(it.Value, "close")
		}
	}
	return f
}

// httpScheme maps the WebSocket schemes onto the HTTP ones they run over.
func httpScheme(scheme string) string {
	switch scheme {
	case "ws":
		return "http"
	case "wss":
		return "https"
	}
	return scheme
}

// setTarget fills in what the connection is for.
func (ex *exchange) setTarget() error {
	req, st := ex.req, ex.st
	u := req.URL
	if err := checkURL(u); err != nil {
		err.Method, err.URL = req.Method, u.String()
		return err
	}
	t := &ex.target
	t.scheme = httpScheme(u.Scheme)
	t.host, t.port = st.cached0.origin(u)
	t.tls = st.cfg.tls
	t.idempotent = idempotent(req.Method) && req.body.replayable()
	t.trace = st.trace
	// HTTP/2 has no Upgrade: a request asking for one goes over HTTP/1.1.
	t.forceHTTP1 = st.s.opts.ForceHTTP1 || ex.fields.upgrade
	t.dialTimeout = st.to.sockConnect
	p, err := st.proxyFor(u)
	if err != nil {
		return err
	}
	t.proxy = p
	return nil
}

// proxyFor returns the proxy a request to u goes through, or nil: the
// request's, the session's, or with TrustEnv the environment's.
func (st *requestState) proxyFor(u *url.URL) (*proxyTarget, error) {
	s, cfg := st.s, st.cfg
	pu, fromEnv := s.proxy, false
	if cfg.proxy != "" {
		p, err := parseProxy(cfg.proxy)
		if err != nil {
			return nil, err
		}
		pu = p
	} else if pu == nil && s.opts.TrustEnv {
		var err error
		if pu, err = proxyFromEnvironment(u); err != nil {
			return nil, &Error{Kind: ErrInvalidURL, URL: u.String(), Err: err}
		}
		fromEnv = true
	}
	if pu == nil {
		return nil, nil
	}
	p := &proxyTarget{url: pu}
	auth := cfg.proxyAuth
	if auth == nil && pu.User != nil {
		pw, _ := pu.User.Password()
		auth = &BasicAuth{Login: pu.User.Username(), Password: pw}
	}
	if auth == nil && fromEnv {
		// As aiohttp: a proxy from the environment without credentials
		// takes its host's from netrc.
		if login, password, ok := netrcAuth(pu.Hostname()); ok {
			auth = &BasicAuth{Login: login, Password: password}
		}
	}
	if auth == nil {
		auth = s.opts.ProxyAuth
	}
	if auth != nil {
		v, err := auth.Encode()
		if err != nil {
			return nil, &Error{Kind: ErrClient, URL: u.String(), Err: err}
		}
		p.auth = v
	}
	if len(cfg.proxyHeader) > 0 {
		p.header = multidict.NewCI()
		for _, k := range sortedKeys(cfg.proxyHeader) {
			p.header.Add(k, cfg.proxyHeader[k])
		}
	}
	return p, nil
}

// acquire gets a connection for ex, bounded by the connect timeout (and
// by the total timeout when it counts the queue), and moves the total
// deadline later by the time spent queued when ExcludeQueue is set.
func (s *Session) acquire(ex *exchange) (*clientConn, error) {
	st, req := ex.st, ex.req
	ctx := req.watched()
	if err := ctx.Err(); err != nil {
		return nil, req.error(ctxErrorKind(err), err)
	}
	var deadline time.Time
	totalBound := false
	if st.to.connect > 0 {
		deadline = time.Now().Add(st.to.connect)
	}
	total := st.ctx.deadlineTime()
	if !total.IsZero() {
		// The first exchange starts as the deadline is set: no need to
		// read the clock for it.
		left := st.to.total
		if ex != &st.ex0 {
			if left = time.Until(total); left <= 0 {
				return nil, req.error(ErrServerTimeout, context.DeadlineExceeded)
			}
		} else if !st.ctx.shared {
			// Nothing ran between the start and now (no middleware): the
			// pool may take the start for the time now.
			ex.target.start = total.Sub(processStart) - st.to.total
		}
		if ex.target.dialTimeout == 0 || left < ex.target.dialTimeout {
			ex.target.dialTimeout = left
		}
		if st.to.countQueue && (deadline.IsZero() || total.Before(deadline)) {
			deadline, totalBound = total, true
		}
	}
	if !deadline.IsZero() {
		ex.target.deadline = deadline.Sub(processStart)
	}
	// Unless it counts the queue, the total deadline pauses while the
	// request waits for a slot (for whoever watches the context), and
	// moves later by the time queued.
	uncounted := !total.IsZero() && !st.to.countQueue
	paused := uncounted && st.ctx.pause()
	conn, err := s.connector.acquire(ctx, &ex.target)
	if uncounted && (paused || err == nil && conn.queued > 0) {
		var queued time.Duration
		if err == nil {
			queued = conn.queued
		}
		st.ctx.resume(paused, queued)
	}
	if err != nil {
		// A wait for a slot says how long, for which host, behind which
		// limit; it wraps the context's error.
		var waited *slotWaitError
		errors.As(err, &waited)
		if cerr := contextEnded(ctx); cerr != nil {
			return nil, req.error(ctxErrorKind(cerr), causeOr(waited, cerr))
		}
		if !deadline.IsZero() && errors.Is(err, context.DeadlineExceeded) {
			kind := ErrConnectionTimeout
			if totalBound {
				kind = ErrServerTimeout
			}
			return nil, req.error(kind, causeOr(waited, context.DeadlineExceeded))
		}
		return nil, connectorError(req, err)
	}
	return conn, nil
}

// connectorError completes an error of the connector with the request:
// an *Error naming the request's origin names the request's URL and
// method instead (one naming a proxy keeps the proxy's URL); a
// *ClientResponseError (a proxy refusing a tunnel) stays as it is.
func connectorError(req *ClientRequest, err error) error {
	var re *ClientResponseError
	if errors.As(err, &re) {
		return err
	}
	var e *Error
	if !errors.As(err, &e) {
		return req.error(ErrClientConnector, err)
	}
	u := req.URL
	if e.URL == "" || strings.EqualFold(e.URL, u.Scheme+"://"+net.JoinHostPort(u.Hostname(), portOf(u))) {
		e.URL = u.String()
	}
	if e.Method == "" {
		e.Method = req.Method
	}
	return err
}

// writeBufPool recycles the buffers request heads are written into.
var writeBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// putWriteBuf gives the buffer of a request head back to writeBufPool,
// unless it grew too big to keep.
func putWriteBuf(bufp *[]byte, buf []byte) {
	if cap(buf) <= 4*inlineBody {
		*bufp = buf[:0]
		writeBufPool.Put(bufp)
	}
}

// inlineBody is the size up to which an in-memory body goes out in the
// same write as the head.
const inlineBody = 64 << 10

// roundTrip sends the request over an HTTP/1.1 connection and reads the
// response head.
func (ex *exchange) roundTrip() (*Response, error) {
	req, st, c := ex.req, ex.st, ex.conn
	if err := c.setDeadline(st.socketDeadline()); err != nil {
		return nil, ex.fail(ErrClientOS, err)
	}
	if ctx := req.watched(); ctx.Done() != nil {
		ex.stop = context.AfterFunc(ctx, ex.interrupt)
	}
	length, chunked, err := ex.framing()
	if err != nil {
		return nil, ex.fail(ErrClient, err)
	}
	expect := ex.fields.expect100
	body := req.body

	bufp := writeBufPool.Get().(*[]byte)
	var via *proxyHead
	if c.proxied {
		via = &proxyHead{auth: c.proxyAuth}
		if p := ex.target.proxy; p != nil {
			via.header = p.header
		}
	}
	buf, err := appendRequestHead((*bufp)[:0], req.Method, req.URL, req.Header, via)
	if err != nil {
		writeBufPool.Put(bufp)
		return nil, ex.fail(ErrClient, err)
	}
	inline := body != nil && body.r == nil && !chunked && !expect && len(body.data) <= inlineBody && st.cfg.progress == nil
	switch {
	case inline:
		buf = append(buf, body.data...)
	case body == nil && chunked:
		buf = append(buf, "0\r\n\r\n"...) // a chunked body was announced: an empty one
	}
	sendBody := body != nil && !inline
	// With nothing more to send before the answer, a plain socket sends
	// the request from within the read of the answer, saving a system
	// call (see sockReader); not when traced, as the trace hooks say the
	// request has left.
	deferred := c.sock != nil && st.trace == nil && !sendBody && !expect && c.r.Buffered() == 0
	if deferred {
		c.sock.send(buf)
	} else {
		_, err = c.nc.Write(buf)
		putWriteBuf(bufp, buf)
		if err != nil {
			return nil, ex.ioError(err, true)
		}
	}
	st.trace.requestHeadersSent(TraceRequest{Method: req.Method, URL: req.URL, Header: req.Header})
	if inline && len(body.data) > 0 {
		st.trace.requestChunkSent(TraceChunk{Method: req.Method, URL: req.URL, Chunk: body.data})
	}

	haveHead := false
	ex.keepAlive = true
	if expect {
		if err := ex.readHead(true); err != nil {
			return nil, ex.ioError(err, false)
		}
		if c.head.Status != 100 {
			// A final answer without the body: the server may still be
			// waiting for it, so the connection cannot carry on.
			haveHead, sendBody, ex.keepAlive = true, false, false
		}
	}
	if sendBody {
		if err := ex.writeBody(length, chunked); err != nil {
			var se *sourceError
			if errors.As(err, &se) {
				return nil, ex.fail(ErrClientPayload, se.err)
			}
			// The server may have answered before reading the whole body.
			ex.keepAlive = false
			if ex.readHead(false) != nil {
				return nil, ex.ioError(err, false)
			}
			haveHead = true
		}
	}
	if !haveHead {
		err := ex.readHead(false)
		if deferred {
			// Before the response may hand the connection to another
			// request: unsent when the read failed before it began.
			c.sock.send(nil)
			putWriteBuf(bufp, buf)
		}
		if err != nil {
			return nil, ex.ioError(err, c.sock.failedWriting())
		}
	}
	return ex.response(), nil
}

// framing returns how the body goes: its Content-Length, or chunked, as the
// header fields say, checked against the body.
func (ex *exchange) framing() (length int64, chunked bool, err error) {
	f, body := &ex.fields, ex.req.body
	if f.hasTE {
		if !multidict.EqualFold(strings.TrimSpace(f.te), "chunked") {
			return 0, false, errors.New("unsupported Transfer-Encoding " + strconv.Quote(f.te))
		}
		return -1, true, nil
	}
	if f.hasCL {
		n, err := strconv.ParseInt(f.cl, 10, 64)
		if err != nil || n < 0 {
			return 0, false, errors.New("invalid Content-Length " + strconv.Quote(f.cl))
		}
		if (body == nil && n > 0) || (body != nil && body.length >= 0 && body.length != n) {
			return 0, false, errors.New("the Content-Length header does not match the body")
		}
		return n, false, nil
	}
	if body != nil && body.length != 0 {
		return 0, false, errors.New("a request body needs Content-Length or Transfer-Encoding")
	}
	return 0, false, nil
}

// proxyHead is what a plain-HTTP request through an HTTP proxy adds to
// its head: the Proxy-Authorization value and the proxy header fields.
type proxyHead struct {
	auth   string
	header *multidict.CIMultiDict
}

// appendRequestHead appends the request line and header section of a
// request to dst, checking every field. Through an HTTP proxy (via not
// nil) the target is the absolute URL and the proxy's fields follow the
// request's.
func appendRequestHead(dst []byte, method string, u *url.URL, h *multidict.CIMultiDict, via *proxyHead) ([]byte, error) {
	if !field.IsToken(method) {
		return dst, errors.New("invalid method " + strconv.Quote(method))
	}
	dst = append(dst, method...)
	dst = append(dst, ' ')
	if via != nil {
		dst = append(dst, httpScheme(u.Scheme)...)
		dst = append(dst, "://"...)
		dst = append(dst, u.Host...)
	}
	if p := u.EscapedPath(); p != "" {
		dst = append(dst, p...)
	} else {
		dst = append(dst, '/')
	}
	if u.RawQuery != "" || u.ForceQuery {
		dst = append(dst, '?')
		dst = append(dst, u.RawQuery...)
	}
	dst = append(dst, " HTTP/1.1\r\n"...)
	var err error
	if dst, err = appendFields(dst, h, nil); err != nil {
		return dst, err
	}
	if via != nil {
		if via.auth != "" && !h.Has("Proxy-Authorization") {
			dst = http1.AppendField(dst, "Proxy-Authorization", via.auth)
		}
		if via.header != nil {
			if dst, err = appendFields(dst, via.header, h); err != nil {
				return dst, err
			}
		}
	}
	return append(dst, "\r\n"...), nil
}

// appendFields appends the fields of h, checked, except those whose name
// skip has.
func appendFields(dst []byte, h, skip *multidict.CIMultiDict) ([]byte, error) {
	for _, it := range h.Items() {
		if !field.IsToken(it.Key) || !http1.ValidFieldValue(it.Value) {
			return dst, errors.New("invalid header field " + strconv.Quote(it.Key))
		}
		if skip != nil && skip.Has(it.Key) {
			continue
		}
		dst = http1.AppendField(dst, it.Key, it.Value)
	}
	return dst, nil
}

// readHead reads the response head, skipping interim responses other than
// 101, and 100 when stopAt100 is set.
func (ex *exchange) readHead(stopAt100 bool) error {
	r := ex.conn.r
	for {
		ex.armRead()
		if err := r.ReadResponseHead(&ex.conn.head, ex.st.limits()); err != nil {
			return err
		}
		s := ex.conn.head.Status
		if s >= 200 || s == 101 || (s == 100 && stopAt100) {
			return nil
		}
	}
}

// limits returns the parser limits of the request: the session's, but
// those the request sets.
func (st *requestState) limits() http1.Limits {
	l, set := st.s.limits, st.cfg.limits
	if set == (http1.Limits{}) {
		return l
	}
	return http1.Limits{
		MaxLineSize:  cmp.Or(set.MaxLineSize, l.MaxLineSize),
		MaxFieldSize: cmp.Or(set.MaxFieldSize, l.MaxFieldSize),
		MaxHeaders:   cmp.Or(set.MaxHeaders, l.MaxHeaders),
	}
}

// armRead sets the read deadline of the socket-read timeout before a read.
func (ex *exchange) armRead() {
	st := ex.st
	if st.to.sockRead <= 0 {
		return
	}
	d := time.Now().Add(st.to.sockRead)
	if total := st.ctx.deadlineTime(); !total.IsZero() && total.Before(d) {
		d = total
	}
	ex.conn.setReadDeadline(d)
}

// interrupt ends blocked reads and writes when the request's context is
// done.
func (ex *exchange) interrupt() { ex.conn.nc.SetDeadline(aLongTimeAgo) }

// sourceError is an error of the reader a request body comes from.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }

// bodyBufPool recycles the buffers streamed bodies are sent through.
var bodyBufPool = sync.Pool{New: func() any { b := make([]byte, chunkRoom+32<<10+2); return &b }}

// chunkRoom is the room kept before the data in a body buffer for a
// chunk-size line.
const chunkRoom = 18

// writeBody sends the request body: length bytes, or chunked, compressed
// when asked.
func (ex *exchange) writeBody(length int64, chunked bool) error {
	req, st := ex.req, ex.st
	nc := ex.conn.nc
	if b := req.body; b.r == nil && !chunked && st.cfg.progress == nil {
		if _, err := nc.Write(b.data); err != nil {
			return err
		}
		st.trace.requestChunkSent(TraceChunk{Method: req.Method, URL: req.URL, Chunk: b.data})
		return nil
	}
	src, err := ex.bodyReader()
	if err != nil {
		return &sourceError{err}
	}
	bufp := bodyBufPool.Get().(*[]byte)
	defer bodyBufPool.Put(bufp)
	buf := *bufp
	if enc := st.cfg.compress; enc != "" {
		cw := &chunkWriter{ex: ex}
		zw := compressor(enc, cw)
		if err := ex.copyBody(zw, src, buf[:len(buf)-chunkRoom-2], -1); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if cw.err != nil {
			return cw.err
		}
		_, err := nc.Write([]byte("0\r\n\r\n"))
		return err
	}
	if !chunked {
		return ex.copyBody(nc, src, buf[:len(buf)-chunkRoom-2], length)
	}
	data := buf[chunkRoom : len(buf)-2]
	var line [chunkRoom]byte
	for {
		n, rerr := src.Read(data)
		if n > 0 {
			st.trace.requestChunkSent(TraceChunk{Method: req.Method, URL: req.URL, Chunk: data[:n]})
			size := http1.AppendChunkHeader(line[:0], n)
			start := chunkRoom - len(size)
			copy(buf[start:], size)
			end := chunkRoom + n
			buf[end], buf[end+1] = '\r', '\n'
			if _, err := nc.Write(buf[start : end+2]); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			_, err := nc.Write([]byte("0\r\n\r\n"))
			return err
		}
		if rerr != nil {
			return &sourceError{rerr}
		}
	}
}

// copyBody copies src to w through buf: length bytes, or everything when
// length < 0.
func (ex *exchange) copyBody(w io.Writer, src io.Reader, buf []byte, length int64) error {
	req, st := ex.req, ex.st
	for length != 0 {
		p := buf
		if length > 0 && int64(len(p)) > length {
			p = p[:length]
		}
		n, rerr := src.Read(p)
		if n > 0 {
			st.trace.requestChunkSent(TraceChunk{Method: req.Method, URL: req.URL, Chunk: p[:n]})
			if _, err := w.Write(p[:n]); err != nil {
				return err
			}
			if length > 0 {
				length -= int64(n)
			}
		}
		if rerr == io.EOF {
			if length > 0 {
				return &sourceError{errors.New("the request body is shorter than its Content-Length")}
			}
			return nil
		}
		if rerr != nil {
			return &sourceError{rerr}
		}
	}
	return nil
}

// chunkWriter sends what is written to it as chunks; a compressor writes
// into it.
type chunkWriter struct {
	ex  *exchange
	buf []byte
	err error
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	if w.err != nil || len(p) == 0 {
		return len(p), w.err
	}
	w.buf = http1.AppendChunk(w.buf[:0], p)
	_, w.err = w.ex.conn.nc.Write(w.buf)
	return len(p), w.err
}

// fail gives the connection up and returns an error of kind.
func (ex *exchange) fail(kind, err error) error {
	ex.release(err)
	return ex.req.error(kind, err)
}

// ioError gives the connection up after a failed read or write and turns
// err into the client error it means: errStale for a reused connection
// the server closed before answering an idempotent request, a timeout, a
// cancellation, a disconnection, or a response the parser rejected.
func (ex *exchange) ioError(err error, writing bool) error {
	ex.release(err)
	req := ex.req
	var pe *http1.ParseError
	cerr := req.watched().Err()
	switch {
	case errors.As(err, &pe):
		return &ClientResponseError{Kind: ErrClientResponse, Request: req.info(), Status: 400, Message: pe.Reason, Err: pe}
	case cerr != nil:
		return req.error(ctxErrorKind(cerr), cerr)
	case isTimeout(err):
		return ex.timeoutError(err)
	case ex.conn.reused && ex.conn.r.Buffered() == 0 && idempotent(req.Method) && req.body.replayable():
		return errStale
	case writing:
		return req.error(ErrClientConnectionReset, err)
	case err == io.EOF:
		err = &describedError{"the server closed the connection without a response", err}
	case err == io.ErrUnexpectedEOF:
		err = &describedError{"the server closed the connection inside the response head", err}
	}
	return req.error(ErrServerDisconnected, err)
}

// timeoutError tells a total timeout from a socket-read timeout.
func (ex *exchange) timeoutError(err error) error {
	if d := ex.st.ctx.deadlineTime(); !d.IsZero() && !time.Now().Before(d) {
		return ex.req.error(ErrServerTimeout, totalTimeout(ex.st.to.total))
	}
	return ex.req.error(ErrSocketTimeout, sockReadTimeout(ex.st.to.sockRead, err))
}

// response makes the Response of the head read, with the body to follow.
func (ex *exchange) response() *Response {
	req, head := ex.req, &ex.conn.head
	kind := http1.ResponseBodyKind(head, req.Method)
	cfg := ex.st.cfg
	if kind == http1.BodyUntilClose && !choose(cfg.hasReadUntilEOF, cfg.readUntilEOF, !ex.st.s.opts.DisableReadUntilEOF) {
		kind, ex.keepAlive = http1.BodyNone, false
	}
	if head.Close || head.Status == 101 || kind == http1.BodyUntilClose || ex.fields.close {
		ex.keepAlive = false
	}
	resp := newResponse(ex.st.responseAlloc(), req, &ex.conn.strs, head.Status, head.Reason, head.Fields)
	resp.Version = Version{1, int(head.Minor)}
	resp.noteHeader()
	if head.Status == 101 && ex.fields.upgrade {
		// The connection now speaks the protocol asked for: it stays
		// with the Response, for Session.WSConnect to take over, and
		// closes when the Response is closed otherwise.
		resp.raw, resp.rel = &upgraded{ex}, ex
		return resp
	}
	if kind == http1.BodyNone {
		ex.release(nil)
		return resp
	}
	ex.body.Reset(ex.conn.r, kind, head.ContentLength)
	resp.raw, resp.rel = ex, ex
	if !ex.st.with {
		ex.watchUnclosed(resp)
	}
	return resp
}

// responseAlloc holds a Response and its header in one allocation, with
// room for a few fields.
type responseAlloc struct {
	resp   Response
	header multidict.CIMultiDict
	items  [8]multidict.Item
}

// newResponse makes the Response of req from a head's status, reason and
// fields, taking their strings from the connection's last head where they
// repeat it (see headStrings).
func newResponse(a *responseAlloc, req *ClientRequest, strs *headStrings, status int, reason []byte, fields []http1.Field) *Response {
	items := a.items[:0]
	if len(fields) > len(a.items) {
		items = make([]multidict.Item, 0, len(fields))
	}
	r := &a.resp
	r.Reason, items = strs.strings(items, status, reason, fields)
	a.header = *multidict.NewCI(items...)
	r.Status = status
	r.Method = req.Method
	r.URL = req.URL
	r.RealURL = req.realURL
	r.Header = &a.header
	r.Request = req.info()
	r.opts = req.st.body
	return r
}

// Read reads the response body, as the Response's raw stream.
func (ex *exchange) Read(p []byte) (int, error) {
	if ex.released {
		return 0, io.EOF
	}
	ex.armRead()
	n, err := ex.body.Read(p)
	if err != nil && err != io.EOF {
		err = ex.bodyError(err)
	}
	return n, err
}

// EndOfChunk reports whether the bytes the last Read returned end a chunk
// of a chunked body; the Response's StreamReader tells it in ReadChunk.
func (ex *exchange) EndOfChunk() bool { return ex.body.EndOfChunk() }

// bodyError turns a failed body read into the client error it means.
func (ex *exchange) bodyError(err error) error {
	req := ex.req
	cerr := req.watched().Err()
	switch {
	case ex.aborted.Load():
		return req.error(ErrClientConnection, errResponseClosed)
	case cerr != nil:
		return req.error(ctxErrorKind(cerr), cerr)
	case isTimeout(err):
		return ex.timeoutError(err)
	}
	return req.error(ErrClientPayload, err)
}

// release gives the connection back, to the pool when the whole response
// was read cleanly and the connection can carry another request. It is
// the Response's bodyReleaser.
func (ex *exchange) release(err error) {
	if ex.released {
		return
	}
	ex.released = true
	c := ex.conn
	c.unclosed.cleanup.Stop()
	interrupted := ex.stop != nil && !ex.stop()
	if interrupted {
		ex.st.interrupted = true
	}
	reuse := err == nil && !interrupted && ex.keepAlive && ex.body.Done() && c.r.Buffered() == 0
	ex.st.s.connector.release(c, reuse)
}

// abort implements bodyReleaser: it interrupts the connection's reads.
// The Response calls it only before it releases the connection.
func (ex *exchange) abort() {
	ex.aborted.Store(true)
	ex.interrupt()
}

// Discard implements rawDiscarder for the Response.
func (ex *exchange) Discard(max int, wait time.Duration) bool {
	if ex.released || ex.aborted.Load() {
		return false
	}
	if ex.body.Done() {
		return true
	}
	// A deadline in the past makes any read that would touch the network
	// fail at once, so that only what is buffered is discarded.
	c, total := ex.conn, ex.st.socketDeadline()
	dl := aLongTimeAgo
	if wait > 0 {
		if dl = time.Now().Add(wait); !total.IsZero() && total.Before(dl) {
			dl = total
		}
	}
	c.setReadDeadline(dl)
	drained, err := ex.body.Discard(int64(max))
	c.setReadDeadline(total)
	return err == nil && drained
}

// bodyReader returns the request body to send, from its start, reporting
// its progress when the request asks.
func (ex *exchange) bodyReader() (io.Reader, error) {
	body := ex.req.body
	src, err := body.reader()
	if f := ex.st.cfg.progress; f != nil && err == nil {
		src = &progressReader{r: src, total: body.length, f: f}
	}
	return src, err
}

// compressor returns a writer compressing into w with enc, "gzip" or
// "deflate" (zlib).
func compressor(enc string, w io.Writer) io.WriteCloser {
	if enc == "gzip" {
		return gzip.NewWriter(w)
	}
	return zlib.NewWriter(w)
}

// errSockReadTimeout is the cause of an HTTP/2 request's context ended by
// the socket-read timeout.
var errSockReadTimeout = errors.New("socket read timeout")

// roundTripH2 sends the request over an HTTP/2 connection through
// net/http's ClientConn and returns the response once its head arrived.
func (ex *exchange) roundTripH2() (*Response, error) {
	req, st, c := ex.req, ex.st, ex.conn
	ctx, cancel := context.WithCancelCause(req.watched())
	b := &h2Body{ex: ex, ctx: ctx, cancel: cancel}
	if total := st.ctx.deadlineTime(); !total.IsZero() {
		b.total = time.AfterFunc(time.Until(total), func() { cancel(context.DeadlineExceeded) })
	}
	if st.to.sockRead > 0 {
		b.idle = time.AfterFunc(st.to.sockRead, func() { cancel(errSockReadTimeout) })
	}
	hreq, err := ex.h2Request(ctx)
	if err != nil {
		b.release(err)
		return nil, req.error(ErrClient, err)
	}
	st.trace.requestHeadersSent(TraceRequest{Method: req.Method, URL: req.URL, Header: req.Header})
	hresp, err := c.h2.RoundTrip(hreq)
	if err != nil {
		b.release(err)
		return nil, b.error(err, ErrServerDisconnected)
	}
	b.rc = hresp.Body
	items := make([]multidict.Item, 0, len(hresp.Header))
	for _, k := range headerKeys(hresp.Header) {
		for _, v := range hresp.Header[k] {
			items = append(items, multidict.Item{Key: k, Value: v})
		}
	}
	a := &responseAlloc{header: *multidict.NewCI(items...)}
	r := &a.resp
	r.Status = hresp.StatusCode
	r.Reason = strings.TrimSpace(strings.TrimPrefix(hresp.Status, strconv.Itoa(hresp.StatusCode)))
	r.Method, r.URL, r.RealURL = req.Method, req.URL, req.realURL
	r.Version = Version{2, 0}
	r.Header = &a.header
	r.Request = req.info()
	r.opts = st.body
	r.raw, r.rel = b, b
	r.noteHeader()
	return r, nil
}

// h2Request builds the net/http request of an HTTP/2 exchange.
func (ex *exchange) h2Request(ctx context.Context) (*http.Request, error) {
	req, st := ex.req, ex.st
	hreq := &http.Request{
		Method: req.Method, URL: req.URL, Header: make(http.Header, req.Header.Len()),
		Host: req.Header.Get("Host"), ProtoMajor: 2, Proto: "HTTP/2.0",
	}
	for _, it := range req.Header.Items() {
		switch strings.ToLower(it.Key) {
		case "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length":
			continue
		}
		if !field.IsToken(it.Key) || !http1.ValidFieldValue(it.Value) {
			return nil, errors.New("invalid header field " + strconv.Quote(it.Key))
		}
		hreq.Header.Add(it.Key, it.Value)
	}
	length, chunked, err := ex.framing()
	if err != nil || req.body == nil {
		return hreq.WithContext(ctx), err
	}
	src, err := ex.bodyReader()
	if err != nil {
		return nil, err
	}
	body := &tracedBody{req: req}
	if enc := st.cfg.compress; enc != "" {
		pr, pw := io.Pipe()
		body.closer = pr // ends the compressing goroutine if the stream fails
		go func(plain io.Reader) {
			zw := compressor(enc, pw)
			_, err := io.Copy(zw, plain)
			if err == nil {
				err = zw.Close()
			}
			pw.CloseWithError(err)
		}(src)
		src = pr
	}
	hreq.ContentLength = length
	if chunked {
		hreq.ContentLength = -1
	}
	body.r = src
	hreq.Body = body
	return hreq.WithContext(ctx), nil
}

// headerKeys returns the keys of h in order.
func headerKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// tracedBody is a request body that reports each piece read to the
// tracer as sent.
type tracedBody struct {
	r      io.Reader
	req    *ClientRequest
	closer io.Closer // what Close closes, when the body is ours
}

func (b *tracedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 {
		b.req.st.trace.requestChunkSent(TraceChunk{Method: b.req.Method, URL: b.req.URL, Chunk: p[:n]})
	}
	return n, err
}

// Close closes the body when it is a pipe of ours; the caller's reader
// stays open, as the caller owns it.
func (b *tracedBody) Close() error {
	if b.closer != nil {
		return b.closer.Close()
	}
	return nil
}

// h2Body is the body of an HTTP/2 response, and the state of its
// exchange: the context that ends the stream on a timeout and the timers
// of the total and socket-read timeouts.
type h2Body struct {
	ex     *exchange
	ctx    context.Context
	cancel context.CancelCauseFunc
	total  *time.Timer
	idle   *time.Timer
	rc     io.ReadCloser
	once   sync.Once
}

func (b *h2Body) Read(p []byte) (int, error) {
	if b.idle != nil {
		b.idle.Reset(b.ex.st.to.sockRead)
	}
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = b.error(err, ErrClientPayload)
	}
	return n, err
}

// error turns a failure of the stream into the client error it means, of
// kind when no timeout or cancellation caused it.
func (b *h2Body) error(err error, kind *errorKind) error {
	req := b.ex.req
	if cerr := req.watched().Err(); cerr != nil {
		return req.error(ctxErrorKind(cerr), cerr)
	}
	switch context.Cause(b.ctx) {
	case errResponseClosed:
		return req.error(ErrClientConnection, errResponseClosed)
	case errSockReadTimeout:
		return req.error(ErrSocketTimeout, sockReadTimeout(b.ex.st.to.sockRead, err))
	case context.DeadlineExceeded:
		return req.error(ErrServerTimeout, totalTimeout(b.ex.st.to.total))
	}
	return req.error(kind, err)
}

// abort implements bodyReleaser: it ends the stream, so that a read
// fails at once.
func (b *h2Body) abort() { b.cancel(errResponseClosed) }

// release ends the stream and releases the connection, once.
func (b *h2Body) release(error) {
	b.once.Do(func() {
		if b.rc != nil {
			b.rc.Close()
		}
		b.cancel(context.Canceled)
		if b.total != nil {
			b.total.Stop()
		}
		if b.idle != nil {
			b.idle.Stop()
		}
		c := b.ex.conn
		b.ex.st.s.connector.release(c, c.h2.Err() == nil)
	})
}
