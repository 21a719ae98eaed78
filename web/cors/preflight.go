package cors

import (
	"fmt"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/web"
)

// refuse is the answer to a preflight CORS does not allow.
func refuse(format string, args ...any) error {
	return web.HTTPForbidden().WithText("CORS preflight request failed: " + fmt.Sprintf(format, args...))
}

// preflight answers an OPTIONS request for the resource's path: a
// preflight request, by the CORS protocol (Fetch, "CORS-preflight
// fetch"; the W3C CORS recommendation's section 6.2).
func (res *resource) preflight(req *web.Request) (web.Response, error) {
	h := req.Header()
	origin := h.Get("Origin")
	if origin == "" {
		return nil, refuse("origin header is not specified in the request")
	}
	method := h.Get("Access-Control-Request-Method")
	if method == "" {
		return nil, refuse("'Access-Control-Request-Method' header is not specified")
	}
	if !field.IsToken(method) {
		return nil, refuse("invalid 'Access-Control-Request-Method' %q", method)
	}
	cfg := res.methods[method]
	if cfg == nil && method == "HEAD" {
		cfg = res.methods["GET"]
	}
	if cfg == nil {
		cfg = res.anyMethodConfig(origin)
	}
	if cfg == nil {
		return nil, refuse("request method %q is not allowed for %q origin", method, origin)
	}
	if cfg.empty() {
		return nil, refuse("no origins are allowed")
	}
	opts := cfg.lookup(origin)
	if opts == nil {
		return nil, refuse("origin %q is not allowed", origin)
	}
	if opts.methods != nil && !contains(opts.methods, method) {
		return nil, refuse("request method %q is not allowed for %q origin", method, origin)
	}
	asked := requestedHeaders(h.GetAll("Access-Control-Request-Headers"))
	if !opts.allowAll {
		var refused []string
		for _, name := range asked {
			if _, ok := opts.allowHeaders[name]; !ok {
				refused = append(refused, name)
			}
		}
		if refused != nil {
			return nil, refuse("headers are not allowed: %s", strings.Join(refused, ", "))
		}
	}

	resp := web.NewResponse(200)
	out := resp.Header()
	out.Set("Access-Control-Allow-Origin", origin)
	if opts.credentials {
		out.Set("Access-Control-Allow-Credentials", "true")
	}
	if opts.maxAge != "" {
		out.Set("Access-Control-Max-Age", opts.maxAge)
	}
	switch {
	case opts.anyMethod:
		out.Set("Access-Control-Allow-Methods", method)
	case opts.methods != nil:
		out.Set("Access-Control-Allow-Methods", strings.Join(opts.methods, ", "))
	default:
		out.Set("Access-Control-Allow-Methods", res.allow)
	}
	if len(asked) > 0 {
		out.Set("Access-Control-Allow-Headers", strings.Join(asked, ", "))
	}
	out.Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
	return resp, nil
}

// anyMethodConfig returns the configuration of a route of the resource
// whose options for origin allow any method (AllowMethods "*"), for a
// preflight asking for a method no route has; nil when there is none.
func (res *resource) anyMethodConfig(origin string) *config {
	for _, cfg := range res.methods {
		if o := cfg.lookup(origin); o != nil && o.anyMethod {
			return cfg
		}
	}
	return nil
}

// requestedHeaders parses Access-Control-Request-Headers values into
// lower-case names.
func requestedHeaders(values []string) []string {
	var names []string
	for _, v := range values {
		for name := range strings.SplitSeq(v, ",") {
			if name = field.TrimOWS(name); name != "" {
				names = append(names, strings.ToLower(name))
			}
		}
	}
	return names
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
