package web

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/field"
)

// Router maps request methods and paths to routes (aiohttp's
// UrlDispatcher, app.router).
//
// Patterns follow aiohttp: a pattern starts with "/" and is matched
// against the percent-decoded path. Literal text matches itself; {name}
// matches one non-empty part of a segment, `[^{}/]+`, and may sit
// mid-segment ("/files/{name}.{ext}"); {name:regex} matches what the Go
// regexp matches, slashes included ("/static/{path:.+}"). Trailing slashes
// are significant: "/users" and "/users/" are different routes, and
// nothing redirects from one to the other.
//
// When several patterns match a path, the router prefers, at each point
// of the path where they differ: literal text, then a {name} parameter,
// then a {name:regex} parameter; regex routes whose regex parameters
// start at the same point are tried in registration order. A {name} parameter takes the longest
// part of its segment that lets the rest of the pattern match, as
// aiohttp's regexps do ("/files/{name}.{ext}" splits "a.tar.gz" into
// "a.tar" and "gz"), but literal text that follows it within the segment
// wins over the segment's end: "/files/{name}.json" beats "/files/{name}"
// for "/files/x.json". Regex parameters are likewise as long as they can
// be, even when their regexp is lazy. Several {name} parameters in one
// segment ("/{a}.{b}.{c}") may need backtracking; after 4096 steps in one
// request the router skips the splits it has not tried, so that no path
// can make matching slow.
//
// The method is chosen once the path matched: a route registered for the
// request's method wins, then a GET route for HEAD, then an Any route. If
// the best path match has no route for the method, matching goes on with
// the next best; if none has one, the request gets 405 Method Not Allowed
// with an Allow header listing the methods of every pattern that matched,
// and a path no pattern matches gets 404 Not Found. The routes of a
// mounted sub-application take part in the same matching, under their
// prefix.
//
// Register every route before the application starts; the router is
// frozen then, and registering afterwards panics, as do invalid patterns,
// duplicate routes and duplicate names. Once frozen, the router is safe
// for concurrent use and matching does not allocate.
type Router struct {
	app     *Application         // the application whose router this is; routes copy it
	entries []entry              // routes and mounted routers, in registration order
	shapes  map[string]*resource // own routes by pattern shape, to refuse duplicates
	names   map[string]*Route    // own named routes
	frozen  bool
	mounted bool

	root    *node    // built by freeze
	methods []string // method names by bit, sorted; built by freeze
}

// entry is a route, or a router mounted under a prefix.
type entry struct {
	route *Route
	sub   *Router
}

// NewRouter returns an empty router.
func NewRouter() *Router {
	return &Router{
		shapes: make(map[string]*resource),
		names:  make(map[string]*Route),
		root:   new(node),
	}
}

// Get registers a GET route, which also answers HEAD unless
// AllowHead(false) is given (aiohttp's add_get).
func (rt *Router) Get(path string, h Handler, opts ...RouteOption) *Route {
	return rt.Handle("GET", path, h, opts...)
}

// Post registers a POST route.
func (rt *Router) Post(path string, h Handler, opts ...RouteOption) *Route {
	return rt.Handle("POST", path, h, opts...)
}

// Put registers a PUT route.
func (rt *Router) Put(path string, h Handler, opts ...RouteOption) *Route {
	return rt.Handle("PUT", path, h, opts...)
}

// Patch registers a PATCH route.
func (rt *Router) Patch(path string, h Handler, opts ...RouteOption) *Route {
	return rt.Handle("PATCH", path, h, opts...)
}

// Delete registers a DELETE route.
func (rt *Router) Delete(path string, h Handler, opts ...RouteOption) *Route {
	return rt.Handle("DELETE", path, h, opts...)
}

// Head registers a HEAD route. A GET route on the same pattern answers
// HEAD already, so it needs AllowHead(false).
func (rt *Router) Head(path string, h Handler, opts ...RouteOption) *Route {
	return rt.Handle("HEAD", path, h, opts...)
}

// Options registers an OPTIONS route.
func (rt *Router) Options(path string, h Handler, opts ...RouteOption) *Route {
	return rt.Handle("OPTIONS", path, h, opts...)
}

// Any registers a route that answers every method (aiohttp's method "*").
// A route registered for a specific method on the same pattern wins over
// it.
func (rt *Router) Any(path string, h Handler, opts ...RouteOption) *Route {
	return rt.Handle("*", path, h, opts...)
}

// Handle registers a route for method, in any case, or "*" for every
// method (aiohttp's add_route). A GET route also answers HEAD, as with
// [Router.Get].
func (rt *Router) Handle(method, path string, h Handler, opts ...RouteOption) *Route {
	return rt.add(method, path, h, collectOptions(opts))
}

// AddRoutes registers the routes of route tables, in order (aiohttp's
// add_routes).
func (rt *Router) AddRoutes(tables ...RouteTable) {
	for _, t := range tables {
		for _, d := range t {
			if d.View != nil {
				rt.View(d.Path, d.View, d.Options...)
			} else {
				rt.Handle(d.Method, d.Path, d.Handler, d.Options...)
			}
		}
	}
}

func (rt *Router) add(method, pattern string, h Handler, o routeOptions) *Route {
	if rt.frozen || rt.mounted {
		panic(fmt.Sprintf("web: router is frozen: cannot add %s %s (register routes before the application starts or is mounted)", method, pattern))
	}
	if h == nil {
		panic(fmt.Sprintf("web: nil handler for %s %s", method, pattern))
	}
	m, ok := normalizeMethod(method)
	if !ok {
		panic(fmt.Sprintf("web: invalid method %q for %s", method, pattern))
	}
	parts, err := parsePattern(pattern)
	if err != nil {
		panic(fmt.Sprintf("web: invalid route pattern %q: %v", pattern, err))
	}
	r := &Route{
		method:        m,
		pattern:       pattern,
		full:          pattern,
		name:          o.name,
		handler:       h,
		expectHandler: o.expectHandler,
		bodyRate:      o.bodyRate,
		responseRate:  o.responseRate,
		allowHead:     m == "GET" && o.allowHead,
		parts:         parts,
		app:           rt.app,
	}
	for _, p := range parts {
		if p.name != "" {
			r.params = append(r.params, p.name)
		}
	}
	if r.name != "" {
		if other := rt.names[r.name]; other != nil {
			panic(fmt.Sprintf("web: duplicate route name %q: %s %s and %s %s", r.name, other.method, other.full, r.method, r.full))
		}
	}
	key := shape(parts)
	res := rt.shapes[key]
	if res == nil {
		res = new(resource)
		rt.shapes[key] = res
	}
	res.add(r)
	if r.name != "" {
		rt.names[r.name] = r
	}
	rt.entries = append(rt.entries, entry{route: r})
	return r
}

// normalizeMethod upper-cases a method and checks that it is a token or
// "*".
func normalizeMethod(m string) (string, bool) {
	if m == "*" {
		return m, true
	}
	if !field.IsToken(m) {
		return "", false
	}
	return strings.ToUpper(m), true
}

// Routes returns every route in registration order, those of mounted
// routers included, in place of their mount.
func (rt *Router) Routes() []*Route {
	var routes []*Route
	rt.walk(func(_ *Router, r *Route) { routes = append(routes, r) })
	return routes
}

// ownRoutes returns the routes registered on rt itself, not those of the
// routers mounted in it.
func (rt *Router) ownRoutes() []*Route {
	var routes []*Route
	for _, e := range rt.entries {
		if e.route != nil {
			routes = append(routes, e.route)
		}
	}
	return routes
}

// walk calls f for every route in registration order, with the router it
// was registered on.
func (rt *Router) walk(f func(owner *Router, r *Route)) {
	for _, e := range rt.entries {
		if e.sub != nil {
			e.sub.walk(f)
		} else {
			f(rt, e.route)
		}
	}
}

// Named returns the route registered with [Name] under name, or nil. The
// router's own names come first, then those of mounted routers in mount
// order (each router has its own names, as aiohttp's do).
func (rt *Router) Named(name string) *Route {
	if r := rt.names[name]; r != nil {
		return r
	}
	for _, e := range rt.entries {
		if e.sub != nil {
			if r := e.sub.Named(name); r != nil {
				return r
			}
		}
	}
	return nil
}

// URLFor builds the URL of the route named name; see [Route.URLFor].
func (rt *Router) URLFor(name string, params ...string) (*url.URL, error) {
	return rt.URLForQuery(name, nil, params...)
}

// URLForQuery builds the URL of the route named name with a query string;
// see [Route.URLForQuery].
func (rt *Router) URLForQuery(name string, query url.Values, params ...string) (*url.URL, error) {
	r := rt.Named(name)
	if r == nil {
		return nil, fmt.Errorf("web: no route named %q", name)
	}
	return r.URLForQuery(query, params...)
}

// mount makes the routes of sub answer under prefix, which must start
// with "/" and not end with one: "/admin" covers "/admin" (a route with
// the empty pattern in sub) and "/admin/...". The routes' Pattern and
// URLFor include the prefix; they keep the application of the router they
// were registered on. sub is frozen by mounting it, as aiohttp freezes a
// sub-application: routes must be registered on it beforehand.
func (rt *Router) mount(prefix string, sub *Router) {
	if rt.frozen || rt.mounted {
		panic("web: router is frozen: cannot mount under " + prefix)
	}
	switch {
	case prefix == "" || prefix[0] != '/':
		panic(fmt.Sprintf(`web: mount prefix %q must start with "/"`, prefix))
	case prefix[len(prefix)-1] == '/':
		panic(fmt.Sprintf(`web: mount prefix %q must not end with "/"`, prefix))
	case strings.ContainsAny(prefix, "{}"):
		panic(fmt.Sprintf("web: mount prefix %q must not contain parameters", prefix))
	case sub == rt || sub.mounted || sub.frozen:
		panic("web: router is already mounted or frozen")
	}
	sub.mounted = true
	sub.walk(func(_ *Router, r *Route) {
		r.prefix = prefix + r.prefix
		r.full = r.prefix + r.pattern
	})
	rt.entries = append(rt.entries, entry{sub: sub})
}

// freeze builds the matching tree from every route, mounted ones
// included, and stops further registration. A route that conflicts with
// one of another router mounted beside it panics here. freeze is called
// once, when the application starts; calling it again does nothing.
func (rt *Router) freeze() {
	if rt.frozen {
		return
	}
	rt.frozen = true
	var order []*resource
	byShape := make(map[string]*resource)
	methods := make(map[string]bool)
	rt.walk(func(_ *Router, r *Route) {
		parts := withPrefix(r.prefix, r.parts)
		key := shape(parts)
		res := byShape[key]
		if res == nil {
			res = newResource(parts)
			byShape[key] = res
			order = append(order, res)
		}
		res.add(r)
		if r.method != "*" {
			methods[r.method] = true
		}
		if r.allowHead {
			methods["HEAD"] = true
		}
	})
	if len(methods) > 64 {
		panic(fmt.Sprintf("web: %d distinct methods; a router supports 64", len(methods)))
	}
	for m := range methods {
		rt.methods = append(rt.methods, m)
	}
	slices.Sort(rt.methods)
	for _, res := range order {
		res.setAllow(rt.methods)
		rt.root.insert(res)
	}
}

// allowFor returns the Allow value listing the methods of mask.
func (rt *Router) allowFor(mask uint64) string {
	var names []string
	for i, m := range rt.methods {
		if mask&(1<<i) != 0 {
			names = append(names, m)
		}
	}
	return strings.Join(names, ", ")
}

// resolve finds the route for a request. On a match it returns the route
// and fills m with path and the spans of the parameters in it; m keeps
// path as given, so path may be a view of a buffer as long as m is reset
// before the buffer is reused. When the path matches but not for method
// it returns nil and the Allow header value: the methods of the matching
// patterns, sorted and ", "-joined. When nothing matches it returns nil
// and "". It does not allocate, except to build an Allow value that
// combines several patterns.
func (rt *Router) resolve(method, path string, m *MatchInfo) (r *Route, allow string) {
	s := search{method: method, path: path, m: m}
	if r = s.static(rt.root, 0, 0); r != nil {
		m.route, m.path = r, path
		return r, ""
	}
	m.route, m.path = nil, ""
	switch {
	case s.mask == 0:
		return nil, ""
	case s.allow != "":
		return nil, s.allow
	}
	return nil, rt.allowFor(s.mask)
}
