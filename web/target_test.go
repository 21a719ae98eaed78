package web

import "testing"

func TestUnescapePath(t *testing.T) {
	for _, c := range []struct {
		raw        string
		safe, full string
	}{
		{"/plain", "/plain", "/plain"},
		{"/a%20b", "/a b", "/a b"},
		{"/a%2Fb", "/a%2Fb", "/a/b"},
		{"/a%2fb", "/a%2fb", "/a/b"},
		{"/a%252Fb", "/a%252Fb", "/a%2Fb"},
		{"/a%zzb", "/a%zzb", "/a%zzb"},
		{"/a%", "/a%", "/a%"},
		{"/%E4%BD%A0", "/你", "/你"},
	} {
		safe, _ := unescapePath(c.raw, nil, true)
		full, _ := unescapePath(c.raw, nil, false)
		if safe != c.safe || full != c.full {
			t.Errorf("%q: safe %q full %q, want %q %q", c.raw, safe, full, c.safe, c.full)
		}
		if back, _ := unescapePath(safe, nil, false); back != c.full {
			t.Errorf("%q: decoding the routing path gives %q, want %q", c.raw, back, c.full)
		}
	}
}

func TestSplitTarget(t *testing.T) {
	for _, c := range []struct{ target, path, query string }{
		{"/a?b=1", "/a", "b=1"},
		{"/a#frag", "/a", ""},
		{"/a?b#frag", "/a", "b"},
		{"*", "*", ""},
		{"example.com:443", "", ""},
		{"http://example.com", "/", ""},
		{"http://example.com?x", "/", "x"},
		{"http://example.com/p/q?x=1", "/p/q", "x=1"},
	} {
		p, q := splitTarget(c.target)
		if p != c.path || q != c.query {
			t.Errorf("splitTarget(%q) = %q, %q; want %q, %q", c.target, p, q, c.path, c.query)
		}
	}
}
