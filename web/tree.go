package web

import (
	"fmt"
	"regexp"
	"strings"
)

// The matching tree is a radix tree over the path. A static node matches
// literal text; its static children are found by their first byte. A
// node's param child matches a {name} parameter, `[^{}/]+`. Patterns with
// a {name:regex} parameter go into the tree up to the literal text before
// their first regex parameter (or before the {name} parameters directly
// in front of it) and hang at that node as resources with a tail, matched
// with the anchored regexps of its pieces. Resources, not routes, sit in
// the tree: a resource gathers the routes of one pattern shape, one per
// method.

// maxSteps bounds the backtracking of one match through {name}
// parameters. Only a pattern with several parameters in one segment can
// need many steps, for a path with many separators in that segment; past
// the bound, the alternatives not tried yet are skipped.
const maxSteps = 1 << 12

// node is a node of the matching tree: a static node, or the param child
// of one.
type node struct {
	prefix    string  // literal text matched by a static node; "" for a param node
	indices   string  // first bytes of the static children
	children  []*node // static children, in the order of indices
	param     *node   // the {name} child
	inSegment bool    // some static child starts with a byte other than '/'
	res       *resource
	regex     []*resource // resources whose tail starts here, in registration order
}

// resource is the set of routes of one pattern shape.
type resource struct {
	routes  []*Route // routes of specific methods
	headGet *Route   // the GET route that answers HEAD
	any     *Route   // the route of method "*"
	mask    uint64   // bits of the methods the routes answer (router.methods)
	allow   string   // the methods of mask, sorted and ", "-joined

	tree []part      // the part of the pattern the tree matches
	tail []tailPiece // the rest, matched piece by piece; nil without regexps
}

// tailPiece is a parameter of a resource's tail and the literal text
// after it.
type tailPiece struct {
	param part
	lit   string
	rest  *regexp.Regexp // matches this piece and those after it; nil for the last
}

// fits reports whether path[pos:] matches the pieces of t.
func fits(t []tailPiece, path string, pos int) bool {
	if len(t) > 1 {
		return t[0].rest.MatchString(path[pos:])
	}
	p := &t[0]
	e := len(path) - len(p.lit)
	return e >= pos && path[e:] == p.lit && p.param.match(path[pos:e])
}

// newResource splits the parts of a pattern between the tree and the tail.
func newResource(parts []part) *resource {
	k := len(parts)
	for i, p := range parts {
		if p.rx != nil {
			k = i
			break
		}
	}
	for k < len(parts) && k > 0 && parts[k-1].name != "" {
		k--
	}
	res := &resource{tree: parts[:k]}
	for _, p := range parts[k:] {
		if p.name == "" {
			res.tail[len(res.tail)-1].lit = p.lit
		} else {
			res.tail = append(res.tail, tailPiece{param: p})
		}
	}
	for i := range res.tail[:max(len(res.tail)-1, 0)] {
		var b strings.Builder
		b.WriteString("^")
		for _, p := range res.tail[i:] {
			if p.param.rx == nil {
				b.WriteString("[^{}/]+")
			} else {
				b.WriteString("(?:" + p.param.re + ")")
			}
			b.WriteString(regexp.QuoteMeta(p.lit))
		}
		b.WriteString("$")
		res.tail[i].rest = regexp.MustCompile(b.String())
	}
	return res
}

// add adds a route to the resource, panicking when the resource already
// answers its method.
func (res *resource) add(r *Route) {
	var other *Route
	switch {
	case r.method == "*":
		other = res.any
	case r.method == "HEAD" && res.headGet != nil:
		other = res.headGet
	default:
		for _, o := range res.routes {
			if o.method == r.method || r.allowHead && o.method == "HEAD" {
				other = o
				break
			}
		}
	}
	if other != nil {
		msg := fmt.Sprintf("web: route %s %s conflicts with %s %s", r.method, r.full, other.method, other.full)
		if r.allowHead || other.allowHead {
			msg += " (a GET route answers HEAD unless registered with AllowHead(false))"
		}
		panic(msg)
	}
	switch {
	case r.method == "*":
		res.any = r
	default:
		res.routes = append(res.routes, r)
		if r.allowHead {
			res.headGet = r
		}
	}
}

// route returns the route of the resource for method, or nil.
func (res *resource) route(method string) *Route {
	for _, r := range res.routes {
		if r.method == method {
			return r
		}
	}
	if res.headGet != nil && method == "HEAD" {
		return res.headGet
	}
	return res.any
}

// setAllow computes the method mask and the Allow value of the resource
// from the router's sorted method names.
func (res *resource) setAllow(methods []string) {
	var names []string
	for i, m := range methods {
		for _, r := range res.routes {
			if r.method == m || m == "HEAD" && r.allowHead {
				res.mask |= 1 << i
				names = append(names, m)
				break
			}
		}
	}
	res.allow = strings.Join(names, ", ")
}

// insert puts a resource into the tree rooted at n.
func (n *node) insert(res *resource) {
	for _, p := range res.tree {
		if p.name == "" {
			n = n.insertStatic(p.lit)
			continue
		}
		if n.param == nil {
			n.param = new(node)
		}
		n = n.param
	}
	if res.tail != nil {
		n.regex = append(n.regex, res)
		return
	}
	// Resources are grouped by shape, so the node has no other.
	n.res = res
}

// insertStatic descends from n along the literal text s, splitting and
// adding static nodes as needed, and returns the node where s ends.
func (n *node) insertStatic(s string) *node {
	for s != "" {
		i := strings.IndexByte(n.indices, s[0])
		if i < 0 {
			child := &node{prefix: s}
			n.indices += s[:1]
			n.children = append(n.children, child)
			if s[0] != '/' {
				n.inSegment = true
			}
			return child
		}
		c := n.children[i]
		l := commonPrefix(c.prefix, s)
		if l < len(c.prefix) {
			split := &node{prefix: c.prefix[:l], indices: c.prefix[l : l+1], children: []*node{c}, inSegment: c.prefix[l] != '/'}
			c.prefix = c.prefix[l:]
			n.children[i] = split
			c = split
		}
		s = s[l:]
		n = c
	}
	return n
}

// child returns the static child of n whose text starts with c, or nil.
// A loop beats strings.IndexByte on the few bytes of indices.
func (n *node) child(c byte) *node {
	for i := 0; i < len(n.indices); i++ {
		if n.indices[i] == c {
			return n.children[i]
		}
	}
	return nil
}

func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// search is the state of one match.
type search struct {
	method string
	path   string
	m      *MatchInfo
	steps  int
	mask   uint64 // methods of the resources whose path matched
	allow  string // their Allow value while it is that of one resource
}

// step counts a backtracking step and reports whether the budget allows
// it.
func (s *search) step() bool {
	s.steps++
	return s.steps <= maxSteps
}

// pick returns the route of a resource whose path matched, or records its
// methods for the Allow header.
func (s *search) pick(res *resource) *Route {
	if r := res.route(s.method); r != nil {
		return r
	}
	switch {
	case s.mask == 0:
		s.allow = res.allow
	case s.mask|res.mask != s.mask:
		s.allow = ""
	}
	s.mask |= res.mask
	return nil
}

// static matches the rest of the path, from pos, below the static node n
// whose text ends at pos; np parameters are matched so far.
func (s *search) static(n *node, pos, np int) *Route {
	path := s.path
	if pos == len(path) {
		if n.res != nil {
			if r := s.pick(n.res); r != nil {
				return r
			}
		}
	} else {
		if c := n.child(path[pos]); c != nil && strings.HasPrefix(path[pos:], c.prefix) {
			if r := s.static(c, pos+len(c.prefix), np); r != nil {
				return r
			}
		}
		if n.param != nil {
			if r := s.param(n.param, pos, np); r != nil {
				return r
			}
		}
	}
	for _, res := range n.regex {
		if s.tail(res.tail, pos, np) {
			if r := s.pick(res); r != nil {
				return r
			}
		}
	}
	return nil
}

// param matches the {name} parameter n starting at pos and the rest of
// the path below it. The parameter takes the longest part of the segment
// after which literal text matches; then the whole segment when the path
// ends there; then the longest part after which another parameter
// matches.
func (s *search) param(n *node, pos, np int) *Route {
	path := s.path
	end := segmentEnd(path, pos)
	if end == pos {
		return nil
	}
	sp := &s.m.spans[np]
	if end < len(path) {
		if c := n.child(path[end]); c != nil && strings.HasPrefix(path[end:], c.prefix) {
			sp.start, sp.end = pos, end
			if r := s.static(c, end+len(c.prefix), np+1); r != nil {
				return r
			}
		}
	}
	if n.inSegment {
		for e := end - 1; e > pos; e-- {
			c := n.child(path[e])
			if c == nil || !strings.HasPrefix(path[e:], c.prefix) {
				continue
			}
			if !s.step() {
				break
			}
			sp.start, sp.end = pos, e
			if r := s.static(c, e+len(c.prefix), np+1); r != nil {
				return r
			}
		}
	}
	if end == len(path) && n.res != nil {
		sp.start, sp.end = pos, end
		if r := s.pick(n.res); r != nil {
			return r
		}
	}
	if n.param != nil {
		for e := end - 1; e > pos && s.step(); e-- {
			sp.start, sp.end = pos, e
			if r := s.param(n.param, e, np+1); r != nil {
				return r
			}
		}
	}
	return nil
}

// tail reports whether the rest of the path, from pos, matches the tail
// pieces t, and fills the spans of their parameters from index np. Each
// parameter takes the longest value that lets the rest match; the rest
// regexps make every choice final, so matching takes polynomial time.
func (s *search) tail(t []tailPiece, pos, np int) bool {
	path := s.path
	if !fits(t, path, pos) {
		return false
	}
	for i := range t[:len(t)-1] {
		p := &t[i]
		hi := len(path)
		if p.param.rx == nil {
			hi = segmentEnd(path, pos)
		}
		limit := min(hi+len(p.lit), len(path))
		for {
			k := strings.LastIndex(path[pos:limit], p.lit)
			if k < 0 {
				return false
			}
			e := pos + k
			if p.param.match(path[pos:e]) && fits(t[i+1:], path, e+len(p.lit)) {
				s.m.spans[np+i] = span{pos, e}
				pos = e + len(p.lit)
				break
			}
			if limit = e + len(p.lit) - 1; limit < pos {
				return false
			}
		}
	}
	s.m.spans[np+len(t)-1] = span{pos, len(path) - len(t[len(t)-1].lit)}
	return true
}
