package cors

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/web"
)

// ResourceOptions say what pages of an origin may do with a route
// (aiohttp-cors's ResourceOptions).
type ResourceOptions struct {
	// AllowCredentials lets the pages send cookies and HTTP
	// authentication, and read the responses to such requests.
	AllowCredentials bool
	// ExposeHeaders are the response fields the pages may read besides
	// the safelisted ones (Cache-Control, Content-Language,
	// Content-Length, Content-Type, Expires, Last-Modified, Pragma).
	// []string{"*"} exposes every field the response has.
	ExposeHeaders []string
	// AllowHeaders are the request fields the pages may send besides
	// the safelisted ones; []string{"*"} allows any.
	AllowHeaders []string
	// AllowMethods are the methods a preflight may ask for; nil means
	// those of the routes added for the path, []string{"*"} any.
	AllowMethods []string
	// MaxAge is how long a browser may keep a preflight's answer, in
	// whole seconds; 0 sends no Access-Control-Max-Age (the browser's
	// default, 5 s).
	MaxAge time.Duration
}

// Origins maps an origin ("https://example.com", or "*" for any) to what
// its pages may do.
type Origins map[string]ResourceOptions

// options are ResourceOptions prepared for requests.
type options struct {
	credentials  bool
	exposeAll    bool
	expose       string              // comma-separated, for the field
	allowAll     bool                // any request header
	allowHeaders map[string]struct{} // lower case
	methods      []string            // upper case; nil: the routes'
	anyMethod    bool
	maxAge       string
}

// prepare checks o and prepares it; invalid names panic.
func prepare(origin string, o ResourceOptions) *options {
	p := &options{credentials: o.AllowCredentials, allowHeaders: map[string]struct{}{}}
	if o.MaxAge > 0 {
		p.maxAge = strconv.FormatInt(int64(o.MaxAge/time.Second), 10)
	}
	if isStar(o.ExposeHeaders) {
		p.exposeAll = true
	} else {
		p.expose = strings.Join(mustTokens(origin, "ExposeHeaders", o.ExposeHeaders), ", ")
	}
	if isStar(o.AllowHeaders) {
		p.allowAll = true
	} else {
		for _, h := range mustTokens(origin, "AllowHeaders", o.AllowHeaders) {
			p.allowHeaders[strings.ToLower(h)] = struct{}{}
		}
	}
	switch {
	case isStar(o.AllowMethods):
		p.anyMethod = true
	case o.AllowMethods != nil:
		for _, m := range mustTokens(origin, "AllowMethods", o.AllowMethods) {
			p.methods = append(p.methods, strings.ToUpper(m))
		}
	}
	return p
}

func isStar(list []string) bool { return len(list) == 1 && list[0] == "*" }

// mustTokens returns list, or panics when a name in it is not a token.
func mustTokens(origin, what string, list []string) []string {
	for _, s := range list {
		if !field.IsToken(s) {
			panic(fmt.Sprintf("cors: %s of origin %q: %q is not a valid name", what, origin, s))
		}
	}
	return list
}

// config is the CORS configuration of a route: its own origins, then
// the application's defaults.
type config struct {
	own, defaults map[string]*options
}

// lookup returns the options for origin, nil when it is not allowed.
func (c *config) lookup(origin string) *options {
	if o := c.own[origin]; o != nil {
		return o
	}
	if o := c.defaults[origin]; o != nil {
		return o
	}
	if origin == "null" {
		return nil
	}
	if o := c.own["*"]; o != nil {
		return o
	}
	return c.defaults["*"]
}

// empty reports whether no origin is allowed.
func (c *config) empty() bool { return len(c.own) == 0 && len(c.defaults) == 0 }

func prepareOrigins(origins Origins) map[string]*options {
	m := make(map[string]*options, len(origins))
	for origin, o := range origins {
		if origin == "" {
			panic("cors: empty origin")
		}
		m[origin] = prepare(origin, o)
	}
	return m
}

// CORS is the CORS configuration of an application (aiohttp-cors's
// CorsConfig); make it with [Setup] and enable CORS route by route with
// Add, before the application starts.
type CORS struct {
	app       *web.Application
	defaults  map[string]*options
	routes    map[*web.Route]*config
	resources map[string]*resource // by path pattern
}

// resource is a path pattern with CORS routes, answered by one preflight
// route.
type resource struct {
	methods map[string]*config // the added routes' configurations by method
	allow   string             // the methods, for Access-Control-Allow-Methods
}

// Setup turns CORS on for app, with defaults for the origins of every
// route added, and returns the configuration to add routes to. It
// appends the OnResponsePrepare handler that sets the fields of actual
// requests.
func Setup(app *web.Application, defaults Origins) *CORS {
	c := &CORS{
		app:       app,
		defaults:  prepareOrigins(defaults),
		routes:    make(map[*web.Route]*config),
		resources: make(map[string]*resource),
	}
	app.OnResponsePrepare.Append(c.prepareResponse)
	return c
}

// Add enables CORS for route, registered on the application's router
// (or on that of a sub-application mounted in it), with the application's
// defaults overridden origin by origin by those given, and returns the
// route. The first route added for a path pattern registers the OPTIONS
// route that answers its preflights. It panics when the application is
// running, when route answers OPTIONS itself (an OPTIONS or Any route,
// or its path has an OPTIONS route), and when route is added twice.
func (c *CORS) Add(route *web.Route, origins ...Origins) *web.Route {
	if c.app.Frozen() {
		panic("cors: cannot add a route to a running application")
	}
	switch route.Method() {
	case "OPTIONS", "*":
		panic(fmt.Sprintf("cors: cannot enable CORS on a route that answers OPTIONS itself: %s %s", route.Method(), route.Pattern()))
	}
	if c.routes[route] != nil {
		panic(fmt.Sprintf("cors: route %s %s added twice", route.Method(), route.Pattern()))
	}
	own := Origins{}
	for _, o := range origins {
		maps.Copy(own, o)
	}
	cfg := &config{own: prepareOrigins(own), defaults: c.defaults}
	pattern := route.Pattern()
	res := c.resources[pattern]
	if res == nil {
		c.mustOwn(route)
		res = &resource{methods: make(map[string]*config)}
		c.resources[pattern] = res
		c.app.Router.Options(pattern, res.preflight)
	}
	c.routes[route] = cfg
	res.methods[route.Method()] = cfg
	methods := slices.Sorted(maps.Keys(res.methods))
	res.allow = strings.Join(methods, ", ")
	return route
}

// mustOwn panics unless route is one of the application's, on a path
// that has no OPTIONS route yet.
func (c *CORS) mustOwn(route *web.Route) {
	found := false
	for _, r := range c.app.Router.Routes() {
		found = found || r == route
		if r.Method() == "OPTIONS" && r.Pattern() == route.Pattern() {
			panic("cors: " + route.Pattern() + " has an OPTIONS route already: the preflight requests are its to answer")
		}
	}
	if !found {
		panic(fmt.Sprintf("cors: route %s %s is not registered on the application's router", route.Method(), route.Pattern()))
	}
}
