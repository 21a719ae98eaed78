package aiohttp

import (
	"errors"
	"net/url"

	"github.com/aiohttp-go/aiohttp/multidict"
)

// redirect returns the next hop when resp redirects and redirects are
// followed, or nil (REFERENCE behaviours 9-12): 301 and 302 turn POST into
// a GET without body, 303 turns anything but HEAD into one, 307 and 308
// keep method and body (a body that cannot be sent again fails with
// ErrClientPayload); a redirect to another origin drops the credentials
// (Authorization, Cookie and Proxy-Authorization fields, explicit auth); a
// 3xx without Location is the final response.
func (s *Session) redirect(st *requestState, h *hop, req *ClientRequest, resp *Response) (*hop, error) {
	if st.cfg.noRedirects {
		return nil, nil
	}
	switch resp.Status {
	case 301, 302, 303, 307, 308:
	default:
		return nil, nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		loc = resp.Header.Get("URI")
	}
	if loc == "" {
		return nil, nil
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return nil, &Error{Kind: ErrInvalidURLRedirect, Method: req.Method, URL: loc, Err: err}
	}
	next := req.URL.ResolveReference(ref)
	uerr := checkURL(next)
	if uerr == nil && (next.Scheme == "ws" || next.Scheme == "wss") {
		uerr = &Error{Kind: ErrNonHTTPURLClient} // redirects go to http(s) only, as in aiohttp
	}
	if uerr != nil {
		if uerr.Kind == ErrNonHTTPURLClient {
			uerr.Kind = ErrNonHTTPURLRedirect
		} else {
			uerr.Kind = ErrInvalidURLRedirect
		}
		uerr.Method, uerr.URL = req.Method, loc
		return nil, uerr
	}
	n := &hop{method: h.method, url: next, body: h.body, auth: h.auth, header: h.header}
	if (resp.Status == 303 && h.method != "HEAD") || ((resp.Status == 301 || resp.Status == 302) && h.method == "POST") {
		n.method, n.body = "GET", nil
		n.header = dropFields(n.header, "Content-Length", "Content-Type", "Transfer-Encoding")
	} else if !n.body.replayable() {
		return nil, &Error{Kind: ErrClientPayload, Method: req.Method, URL: next.Redacted(),
			Err: errors.New("the request body is a stream that cannot be sent again for the redirect")}
	}
	if !sameOrigin(req.URL, next) {
		n.auth = nil
		n.header = dropFields(n.header, "Authorization", "Cookie", "Proxy-Authorization")
	}
	return n, nil
}

// dropFields returns a copy of h without the named fields, or h itself
// when it has none of them.
func dropFields(h multidict.CIMultiDict, names ...string) multidict.CIMultiDict {
	var out multidict.CIMultiDict
	for _, it := range h.Items() {
		drop := false
		for _, n := range names {
			drop = drop || multidict.EqualFold(it.Key, n)
		}
		if !drop {
			out.Add(it.Key, it.Value)
		}
	}
	return out
}
