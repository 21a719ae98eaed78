package aiohttp

import (
	"errors"
	"net/url"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/http1"
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
	if !s.opts.DisableRequoteRedirectURL {
		loc = requote(loc)
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

// requote normalizes the percent-encoding after the authority of a URL
// reference, as aiohttp's requote_redirect_url does through yarl: escapes
// of unreserved characters are decoded, the others get upper-case hex, a
// '%' that starts no escape becomes "%25", and bytes that may not appear
// in a URL (controls, space, non-ASCII, and `"<>\^{|}` and '`') are
// escaped.
func requote(ref string) string {
	var b []byte // nil while nothing changed
	for i := afterAuthority(ref); i < len(ref); {
		piece, n := requoteAt(ref, i)
		if b == nil && piece == ref[i:i+n] {
			i += n
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(ref)+16), ref[:i]...)
		}
		b = append(b, piece...)
		i += n
	}
	if b == nil {
		return ref
	}
	return string(b)
}

// afterAuthority returns where the path of a URL reference starts: after
// its scheme and authority, if any.
func afterAuthority(ref string) int {
	i := strings.Index(ref, "//")
	if i < 0 || strings.ContainsAny(ref[:i], "/?#") {
		return 0
	}
	if j := strings.IndexAny(ref[i+2:], "/?#"); j >= 0 {
		return i + 2 + j
	}
	return len(ref)
}

// requoteAt returns what the byte at ref[i] (with its escape) becomes and
// how many bytes of ref that replaces.
func requoteAt(ref string, i int) (string, int) {
	const hex = "0123456789ABCDEF"
	c := ref[i]
	if v, ok := http1.Unescape(ref, i); ok {
		if isUnreserved(v) {
			return string(rune(v)), 3
		}
		return string([]byte{'%', hex[v>>4], hex[v&15]}), 3
	}
	if c == '%' || c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
		return string([]byte{'%', hex[c>>4], hex[c&15]}), 1
	}
	return ref[i : i+1], 1
}

// isUnreserved reports whether c is an RFC 3986 unreserved character.
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
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
