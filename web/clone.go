package web

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// CloneOptions are the changes [Request.Clone] makes (aiohttp's keyword
// arguments to request.clone); a field left zero keeps the original's
// value.
type CloneOptions struct {
	// Method replaces the request method; it must be a token ("GET",
	// "PURGE").
	Method string
	// RelURL replaces the path and query with an origin-form target, as a
	// request line carries it: "/users/7?tab=posts", percent-encoded.
	RelURL string
	// Header replaces the header fields. The clone keeps a copy: changing
	// the dictionary afterwards does not change the clone. Its Host field,
	// if any, becomes the clone's Host unless Host is set too.
	Header *multidict.CIMultiDict
	// Scheme replaces what Scheme reports (and so Secure and URL): "http"
	// or "https", as a proxy you trust tells it.
	Scheme string
	// Host replaces what Host reports.
	Host string
	// Remote replaces the client's address that Remote reports, as a
	// proxy you trust tells it.
	Remote string
}

// Clone returns a copy of the request with the given changes (aiohttp's
// request.clone), for a middleware that hands its handler a rewritten
// request:
//
//	clone, err := req.Clone(web.CloneOptions{Scheme: "https", Remote: realIP})
//	if err != nil {
//		return nil, err
//	}
//	return next(clone)
//
// The clone and the original share no mutable state: the clone's header
// dictionary, query, cookies, per-request state ([RequestKey]) and a body
// already read are its own copies, so a change to one leaves the other as
// it was. The clone keeps the original's route match and application
// (routing does not run again) and its context, and it answers on the
// original's connection: what a response sent for the clone says about
// the connection (keep-alive, framing, a HEAD request's missing body) is
// decided by the request the client sent. A body not read yet is one
// stream for both: read it through one of them. The clone belongs to the
// handler as the original does, until the request ends.
//
// Clone fails when Method is not a token, RelURL is not an origin-form
// target or Scheme is neither "http" nor "https".
func (r *Request) Clone(opts CloneOptions) (*Request, error) {
	if opts.Method != "" && !field.IsToken(opts.Method) {
		return nil, fmt.Errorf("web: clone: invalid method %q", opts.Method)
	}
	if opts.RelURL != "" && !validOriginForm(opts.RelURL) {
		return nil, fmt.Errorf("web: clone: %q is not a path and query starting with \"/\"", opts.RelURL)
	}
	if opts.Scheme != "" && opts.Scheme != "http" && opts.Scheme != "https" {
		return nil, fmt.Errorf("web: clone: scheme %q is neither http nor https", opts.Scheme)
	}
	c := &Request{
		app:        r.app,
		out:        cloneOutbound{outbound: r.origin().out, origin: r.origin()},
		match:      r.match,
		allow:      r.allow,
		method:     r.method,
		target:     r.Target(),
		rawPath:    r.RawPath(),
		rawQuery:   r.QueryString(),
		major:      r.major,
		minor:      r.minor,
		keepAlive:  r.keepAlive,
		tls:        r.tls,
		scheme:     r.scheme,
		netAddr:    r.remoteAddr(),
		state:      slices.Clone(r.state),
		body:       r.bodyReader(), // decoded once, by r
		coding:     codingNone,
		compress:   r.compress,
		bodyLength: r.bodyLength,
		bodyExists: r.bodyExists,
		ctx:        r.ctx,
		start:      r.start,
	}
	c.match.path = strings.Clone(r.match.path)
	if r.readDone {
		c.read, c.readErr, c.readDone = bytes.Clone(r.read), r.readErr, true
	}
	if opts.Method != "" {
		c.method = opts.Method
	}
	if opts.RelURL != "" {
		c.target = strings.Clone(opts.RelURL)
		c.rawPath, c.rawQuery = splitTarget(c.target)
	}
	c.path = routingPath(c.rawPath)
	header := r.Header()
	if opts.Header != nil {
		header = opts.Header
	}
	c.header = header.Clone()
	switch {
	case opts.Host != "":
		c.owned.host = opts.Host
	case opts.Header != nil && c.header.Get("Host") != "":
		c.owned.host = c.header.Get("Host")
	default:
		c.owned.host = r.Host()
	}
	c.owned.haveHost = true
	if opts.Scheme != "" {
		c.scheme = opts.Scheme
	}
	if opts.Remote != "" {
		c.netAddr = opts.Remote
	}
	return c, nil
}

// validOriginForm reports whether s is a request target in origin form:
// "/" followed by the bytes a request line allows.
func validOriginForm(s string) bool {
	if s == "" || s[0] != '/' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// origin returns the request the client sent: r itself, or the request r
// was cloned from.
func (r *Request) origin() *Request {
	if o, ok := r.out.(cloneOutbound); ok {
		return o.origin
	}
	return r
}

// cloneOutbound is a clone's outbound: the original request's, written as
// the original's response, since the original is the exchange the client
// sees (its HTTP version, its method, its keep-alive decision).
type cloneOutbound struct {
	outbound
	origin *Request
}

func (o cloneOutbound) writeResponse(req *Request, r *BodyResponse) error {
	o.closeIfClosing(req)
	return o.outbound.writeResponse(o.origin, r)
}

func (o cloneOutbound) writeHead(req *Request, h *responseHead) error {
	o.closeIfClosing(req)
	return o.outbound.writeHead(o.origin, h)
}

// closeIfClosing passes on to the original a decision to close the
// connection taken on the clone (a response's ForceClose).
func (o cloneOutbound) closeIfClosing(clone *Request) {
	if !clone.keepAlive {
		o.origin.keepAlive = false
	}
}
