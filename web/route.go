package web

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// maxParams is the most parameters a route pattern may have; MatchInfo
// keeps their spans in a fixed array so that routing never allocates.
const maxParams = 16

// Route is one registered route: a method, a path pattern and the handler
// that answers them (aiohttp's ResourceRoute). Routes are created by the
// [Router]'s registration methods and are read-only afterwards.
type Route struct {
	method        string // upper case, or "*" for any method
	pattern       string // as registered
	prefix        string // mount prefixes, outermost first
	full          string // prefix + pattern
	name          string
	handler       Handler
	expectHandler Handler // answers "Expect:" requests before handler runs; nil for the default
	allowHead     bool    // a GET route that also answers HEAD
	// bodyRate and responseRate are the route's minimum data rates, zero
	// for the server's.
	bodyRate, responseRate MinDataRate
	parts                  []part
	params                 []string // parameter names, in pattern order

	// app is the application whose router the route was registered on;
	// mounting the router elsewhere does not change it.
	app *Application
	// chain is handler wrapped in the middlewares that apply to the
	// route, built by the application when it freezes.
	chain Handler
	// static is the directory a route made by [Router.Static] serves.
	static *staticDir
}

// Method returns the route's method in upper case, or "*" for a route that
// answers every method.
func (r *Route) Method() string { return r.method }

// Pattern returns the route's path pattern, including the prefixes of the
// routers it is mounted under ("/admin/users/{id}").
func (r *Route) Pattern() string { return r.full }

// Name returns the route's name, or "" for an unnamed route.
func (r *Route) Name() string { return r.name }

// Handler returns the handler the route was registered with.
func (r *Route) Handler() Handler { return r.handler }

// URLFor builds the URL of the route from its parameters, given as
// name/value pairs (aiohttp's url_for): URLFor("id", "42"). A route made
// by [Router.Static] with AppendVersion adds the file's version to the
// query ("?v=..."). Every parameter
// needs a value and every value must match its parameter's pattern
// (`[^{}/]+` for {name}); the values are percent-encoded as path segments,
// except that the slashes a {name:regex} value is allowed to contain stay
// slashes. The URL has only a path, mount prefixes included;
// [Route.URLForQuery] adds a query.
func (r *Route) URLFor(params ...string) (*url.URL, error) {
	if len(params)%2 != 0 {
		return nil, errors.New("web: URLFor needs parameter name/value pairs")
	}
	for i := 0; i < len(params); i += 2 {
		name := params[i]
		if !r.hasParam(name) {
			return nil, fmt.Errorf("web: route %s has no parameter %q", r.full, name)
		}
		for j := 0; j < i; j += 2 {
			if params[j] == name {
				return nil, fmt.Errorf("web: parameter %q given twice", name)
			}
		}
	}
	var path, raw strings.Builder
	path.WriteString(r.prefix)
	raw.WriteString(escapeLiteral(r.prefix))
	for _, p := range r.parts {
		if p.name == "" {
			path.WriteString(p.lit)
			raw.WriteString(escapeLiteral(p.lit))
			continue
		}
		v, ok := paramValue(params, p.name)
		if !ok {
			return nil, fmt.Errorf("web: route %s needs a value for parameter %q", r.full, p.name)
		}
		if !p.match(v) {
			return nil, fmt.Errorf("web: value %q of parameter %q does not match %s", v, p.name, p.describe())
		}
		path.WriteString(v)
		if p.rx == nil {
			raw.WriteString(url.PathEscape(v))
		} else {
			for i, seg := range strings.Split(v, "/") {
				if i > 0 {
					raw.WriteByte('/')
				}
				raw.WriteString(url.PathEscape(seg))
			}
		}
	}
	u := &url.URL{Path: path.String()}
	if e := raw.String(); e != u.EscapedPath() {
		u.RawPath = e
	}
	if r.static != nil && r.static.opts.AppendVersion {
		name, _ := paramValue(params, "filename")
		if v := r.static.version(name); v != "" {
			u.RawQuery = "v=" + v
		}
	}
	return u, nil
}

// URLForQuery builds the URL of the route as URLFor does, with query as
// its query string (aiohttp's url_for(...).with_query(...)):
//
//	u, err := route.URLForQuery(url.Values{"page": {"2"}}, "id", "42") // /users/42?page=2
//
// The query is encoded as [url.Values.Encode] does, sorted by key; an
// empty one adds nothing.
func (r *Route) URLForQuery(query url.Values, params ...string) (*url.URL, error) {
	u, err := r.URLFor(params...)
	if err != nil {
		return nil, err
	}
	if q := query.Encode(); q != "" && u.RawQuery != "" {
		u.RawQuery = q + "&" + u.RawQuery // a static file's version last
	} else if q != "" {
		u.RawQuery = q
	}
	return u, nil
}

func (r *Route) hasParam(name string) bool {
	for _, n := range r.params {
		if n == name {
			return true
		}
	}
	return false
}

// paramValue returns the value given for name in name/value pairs.
func paramValue(pairs []string, name string) (string, bool) {
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i] == name {
			return pairs[i+1], true
		}
	}
	return "", false
}

// escapeLiteral percent-encodes literal pattern text as a URL path,
// keeping its slashes.
func escapeLiteral(s string) string {
	return (&url.URL{Path: s}).EscapedPath()
}

// RouteOption configures a route at registration.
type RouteOption func(*routeOptions)

type routeOptions struct {
	name          string
	allowHead     bool
	expectHandler Handler
	// bodyRate and responseRate are the minimum data rates of the
	// route's requests; zero for the server's.
	bodyRate, responseRate MinDataRate
}

func collectOptions(opts []RouteOption) routeOptions {
	o := routeOptions{allowHead: true}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Name names a route so that [Router.Named] and [Router.URLFor] find it.
// Names are unique within a router: registering a second route with the
// same name panics.
func Name(name string) RouteOption {
	return func(o *routeOptions) { o.name = name }
}

// AllowHead says whether a GET route also answers HEAD (it does unless
// AllowHead(false); aiohttp's allow_head). Other methods ignore it.
func AllowHead(allow bool) RouteOption {
	return func(o *routeOptions) { o.allowHead = allow }
}

// ExpectHandler sets the handler that answers a request carrying an
// "Expect:" header before the route's handler runs (aiohttp's
// expect_handler). It returns a nil Response to let the request through,
// or a response (such as a 417) that ends it. Without it the server
// answers "Expect: 100-continue" with 100 Continue and any other
// expectation with 417.
func ExpectHandler(h Handler) RouteOption {
	return func(o *routeOptions) { o.expectHandler = h }
}

// part is one piece of a parsed route pattern: literal text, or a
// parameter.
type part struct {
	lit  string         // literal text; "" for a parameter
	name string         // parameter name; "" for literal text
	re   string         // regexp source of a {name:regex} parameter
	rx   *regexp.Regexp // re anchored at both ends; nil for {name}
}

// match reports whether v is a value the parameter accepts.
func (p *part) match(v string) bool {
	switch {
	case p.rx == nil:
		return isSegmentPart(v)
	case p.re == ".*": // the common {tail:.*}: what the regexp matches, without running it
		return strings.IndexByte(v, '\n') < 0
	}
	return p.rx.MatchString(v)
}

func (p *part) describe() string {
	if p.rx == nil {
		return "[^{}/]+"
	}
	return p.re
}

// isSegmentPart reports whether s matches `[^{}/]+`, what a {name}
// parameter accepts.
func isSegmentPart(s string) bool {
	return s != "" && segmentEnd(s, 0) == len(s)
}

// segmentEnd returns the index of the first '/', '{' or '}' at or after
// i, or len(path): where a {name} parameter starting at i must end.
func segmentEnd(path string, i int) int {
	for ; i < len(path); i++ {
		switch path[i] {
		case '/', '{', '}':
			return i
		}
	}
	return i
}

// parsePattern splits a route pattern into literal text and parameters,
// with aiohttp's syntax: {name} or {name:regex}, names being
// [_a-zA-Z][_a-zA-Z0-9]*. The empty pattern is allowed: in a mounted
// router it stands for the mount prefix itself.
func parsePattern(pattern string) ([]part, error) {
	if pattern != "" && pattern[0] != '/' {
		return nil, errors.New(`a pattern must start with "/"`)
	}
	var parts []part
	nparams := 0
	for i := 0; i < len(pattern); {
		switch pattern[i] {
		case '}':
			return nil, fmt.Errorf(`unbalanced "}" at offset %d`, i)
		case '{':
			j := closingBrace(pattern, i)
			if j < 0 {
				return nil, fmt.Errorf(`unbalanced "{" at offset %d`, i)
			}
			p, err := parseParam(pattern[i+1 : j])
			if err != nil {
				return nil, err
			}
			for _, q := range parts {
				if q.name == p.name {
					return nil, fmt.Errorf("duplicate parameter %q", p.name)
				}
			}
			if nparams++; nparams > maxParams {
				return nil, fmt.Errorf("more than %d parameters", maxParams)
			}
			parts = append(parts, p)
			i = j + 1
		default:
			j := strings.IndexAny(pattern[i:], "{}")
			if j < 0 {
				j = len(pattern) - i
			}
			parts = append(parts, part{lit: pattern[i : i+j]})
			i += j
		}
	}
	return parts, nil
}

// closingBrace returns the index of the "}" that closes the "{" at i,
// allowing balanced braces and backslash escapes inside a regexp
// ({id:\d{3}}), or -1.
func closingBrace(pattern string, i int) int {
	depth := 0
	for j := i; j < len(pattern); j++ {
		switch pattern[j] {
		case '\\':
			j++
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return j
			}
		}
	}
	return -1
}

// parseParam parses the inside of a {...} parameter.
func parseParam(body string) (part, error) {
	name, re, hasRe := strings.Cut(body, ":")
	if !validParamName(name) {
		return part{}, fmt.Errorf("invalid parameter name %q in {%s}", name, body)
	}
	p := part{name: name}
	if !hasRe {
		return p, nil
	}
	if re == "" {
		return part{}, fmt.Errorf("empty regexp for parameter %q", name)
	}
	// Compile the regexp alone first so that one with unbalanced
	// parentheses cannot escape the anchoring group.
	if _, err := regexp.Compile(re); err != nil {
		return part{}, fmt.Errorf("bad regexp for parameter %q: %v", name, err)
	}
	p.re, p.rx = re, regexp.MustCompile(`^(?:`+re+`)$`)
	return p, nil
}

func validParamName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// shape returns the pattern with parameter names left out: patterns of
// one shape match exactly the same paths.
func shape(parts []part) string {
	var b strings.Builder
	for _, p := range parts {
		switch {
		case p.name == "":
			b.WriteString(p.lit)
		case p.rx == nil:
			b.WriteString("{}")
		default:
			b.WriteString("{:" + p.re + "}")
		}
	}
	return b.String()
}

// withPrefix returns parts with a literal prefix put in front, merged
// into the first literal.
func withPrefix(prefix string, parts []part) []part {
	if prefix == "" {
		return parts
	}
	if len(parts) > 0 && parts[0].name == "" {
		return append([]part{{lit: prefix + parts[0].lit}}, parts[1:]...)
	}
	return append([]part{{lit: prefix}}, parts...)
}
