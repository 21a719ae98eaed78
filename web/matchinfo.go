package web

import (
	"iter"
	"strings"
)

// MatchInfo is what routing found for a request (aiohttp's match_info):
// the matched route and the values of its path parameters. The zero value
// is no match: no route and no parameters.
//
// Values are taken from the percent-decoded path. Every value returned is
// a fresh string that stays valid after the handler returns; a MatchInfo
// itself belongs to its request and is reused with it.
type MatchInfo struct {
	route *Route
	path  string // the matched path; may be a view of a reused buffer
	spans [maxParams]span
}

// span is where a parameter's value lies in the path.
type span struct{ start, end int }

// Route returns the matched route, or nil.
func (m *MatchInfo) Route() *Route { return m.route }

// Len returns the number of path parameters.
func (m *MatchInfo) Len() int {
	if m.route == nil {
		return 0
	}
	return len(m.route.params)
}

// Get returns the value of the path parameter name, or "" when the route
// has no such parameter.
func (m *MatchInfo) Get(name string) string {
	v, _ := m.Lookup(name)
	return v
}

// Lookup returns the value of the path parameter name and whether the
// route has that parameter.
func (m *MatchInfo) Lookup(name string) (string, bool) {
	if m.route == nil {
		return "", false
	}
	for i, n := range m.route.params {
		if n == name {
			return m.value(i), true
		}
	}
	return "", false
}

// All returns the path parameters as name/value pairs, in pattern order.
func (m *MatchInfo) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		if m.route == nil {
			return
		}
		for i, n := range m.route.params {
			if !yield(n, m.value(i)) {
				return
			}
		}
	}
}

// value returns a copy of the i-th parameter's value, with the "%2F" and
// "%25" that routing kept encoded decoded, as aiohttp does.
func (m *MatchInfo) value(i int) string {
	s := m.spans[i]
	v := m.path[s.start:s.end]
	if strings.IndexByte(v, '%') >= 0 {
		v, _ = unescapePath(v, nil, false)
		return v
	}
	return strings.Clone(v)
}

// reset forgets the match, so that m holds no view of the path any more.
func (m *MatchInfo) reset() {
	m.route, m.path = nil, ""
}
