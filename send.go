package aiohttp

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp/multidict"
)

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
		resp.TLS = conn.tls
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
	ex.target.deadline = 0
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
