package aiohttp

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/aiohttp-go/aiohttp/multidict"
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
