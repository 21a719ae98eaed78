package cors

import (
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/web"
)

// prepareResponse sets the CORS fields of the response of an added
// route (the W3C CORS recommendation's section 6.1).
func (c *CORS) prepareResponse(req *web.Request, resp web.Response) error {
	cfg := c.routes[req.MatchInfo().Route()]
	if cfg == nil {
		return nil
	}
	h := resp.Header()
	addVary(h, "Origin")
	origin := req.Header().Get("Origin")
	if origin == "" {
		return nil
	}
	opts := cfg.lookup(origin)
	if opts == nil {
		return nil
	}
	switch {
	case opts.exposeAll && !opts.credentials:
		h.Set("Access-Control-Expose-Headers", "*")
	case opts.exposeAll:
		if names := exposable(h); names != "" {
			h.Set("Access-Control-Expose-Headers", names)
		}
	case opts.expose != "":
		h.Set("Access-Control-Expose-Headers", opts.expose)
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if opts.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	return nil
}

// addVary adds name to the response's Vary unless it is there.
func addVary(h *multidict.CIMultiDict, name string) {
	for _, v := range h.GetAll("Vary") {
		if field.HasToken(v, name) || field.HasToken(v, "*") {
			return
		}
	}
	h.Add("Vary", name)
}

// safelisted are the response fields a page may always read.
var safelisted = []string{"cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma"}

// exposable lists the fields of h a page may not read without being
// told, for ExposeHeaders "*" with credentials, where a literal "*" would
// be taken as a field name.
func exposable(h *multidict.CIMultiDict) string {
	var names []string
	for _, it := range h.Items() {
		name := strings.ToLower(it.Key)
		if contains(safelisted, name) || contains(names, name) ||
			name == "vary" || name == "set-cookie" || strings.HasPrefix(name, "access-control-") {
			continue
		}
		names = append(names, it.Key)
	}
	return strings.Join(names, ", ")
}
