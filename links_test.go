package aiohttp

import (
	"maps"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseLinks(t *testing.T) {
	base, _ := url.Parse("https://api.example.com/v1/items?page=1")
	type link struct {
		url    string
		rel    string
		params map[string]string
	}
	tests := []struct {
		name   string
		values []string
		want   []link
	}{
		{"none", nil, nil},
		{"empty", []string{""}, nil},
		{"one", []string{`<https://api.example.com/v1/items?page=2>; rel="next"`},
			[]link{{"https://api.example.com/v1/items?page=2", "next", nil}}},
		{"relative targets resolve", []string{`</v1/items?page=3>; rel=last, <?page=0>; rel=first, <../up>; rel=up`},
			[]link{
				{"https://api.example.com/v1/items?page=3", "last", nil},
				{"https://api.example.com/v1/items?page=0", "first", nil},
				{"https://api.example.com/up", "up", nil},
			}},
		{"GitHub pagination", []string{`<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last"`},
			[]link{
				{"https://api.github.com/repositories/1/issues?page=2", "next", nil},
				{"https://api.github.com/repositories/1/issues?page=5", "last", nil},
			}},
		{"several header lines", []string{`</a>; rel=a`, `</b>; rel=b`},
			[]link{{"https://api.example.com/a", "a", nil}, {"https://api.example.com/b", "b", nil}}},
		{"params", []string{`</style.css>; REL="preload stylesheet"; as=style; crossorigin; type="text/css"`},
			[]link{{"https://api.example.com/style.css", "preload stylesheet", map[string]string{"as": "style", "crossorigin": "", "type": "text/css"}}}},
		{"comma and semicolon inside quotes", []string{`</x>; title="a, b; c"; rel=next, </y>; rel=prev`},
			[]link{
				{"https://api.example.com/x", "next", map[string]string{"title": "a, b; c"}},
				{"https://api.example.com/y", "prev", nil},
			}},
		{"escapes in quotes", []string{`</x>; title="say \"hi\" \\ bye"`},
			[]link{{"https://api.example.com/x", "", map[string]string{"title": `say "hi" \ bye`}}}},
		{"later rel ignored, other duplicates too", []string{`</x>; rel=first; rel=second; hreflang=de; hreflang=en`},
			[]link{{"https://api.example.com/x", "first", map[string]string{"hreflang": "de"}}}},
		{"RFC 8187 title*", []string{`</d>; rel="next"; title*=UTF-8'de'n%c3%a4chstes%20Kapitel`},
			[]link{{"https://api.example.com/d", "next", map[string]string{"title*": "nächstes Kapitel"}}}},
		{"bad title* dropped", []string{`</d>; title*=nonsense; rel=x`},
			[]link{{"https://api.example.com/d", "x", nil}}},
		{"garbage between links", []string{`junk, </ok>; rel=ok, "quoted, junk", </ok2>`},
			[]link{{"https://api.example.com/ok", "ok", nil}, {"https://api.example.com/ok2", "", nil}}},
		{"garbage at the end", []string{`</ok>; rel=a, junk "with, quotes"`},
			[]link{{"https://api.example.com/ok", "a", nil}}},
		{"bad URL skipped", []string{`<http://[::1>; rel=bad, </good>; rel=good`},
			[]link{{"https://api.example.com/good", "good", nil}}},
		{"unterminated target", []string{`</ok>; rel=a, <http://nowhere`},
			[]link{{"https://api.example.com/ok", "a", nil}}},
		{"whitespace", []string{"  < /spaced >  ;  rel = next  ,  "},
			[]link{{"https://api.example.com/spaced", "next", nil}}},
		{"anchor kept as a param", []string{`<#frag>; rel=x; anchor="#a"`},
			[]link{{"https://api.example.com/v1/items?page=1#frag", "x", map[string]string{"anchor": "#a"}}}},
	}
	for _, tt := range tests {
		got := parseLinks(tt.values, base)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %d links %+v, want %d", tt.name, len(got), got, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			g := got[i]
			if g.URL.String() != w.url || g.Rel != w.rel || !maps.Equal(g.Params, w.params) {
				t.Errorf("%s: link %d = {%s %q %v}, want {%s %q %v}", tt.name, i, g.URL, g.Rel, g.Params, w.url, w.rel, w.params)
			}
		}
	}
	// Without a base the target stays as sent.
	if got := parseLinks([]string{"</rel>; rel=x"}, nil); len(got) != 1 || got[0].URL.String() != "/rel" {
		t.Errorf("no base: %+v", got)
	}
}

func FuzzLinkHeader(f *testing.F) {
	for _, s := range []string{
		`<https://example.com/2>; rel="next", <https://example.com/9>; rel="last"`,
		`</a>; title*=UTF-8'en'%e2%82%ac; rel=x; t="q\"uote"`,
		`<>; rel=, ;;, <`, `"<x>", <y>; a="unterminated`, `<//host/p>; anchor=#a`,
	} {
		f.Add(s)
	}
	base, _ := url.Parse("http://example.com/dir/page")
	f.Fuzz(func(t *testing.T, header string) {
		links := parseLinks([]string{header}, base)
		if len(links) > strings.Count(header, "<") {
			t.Fatalf("%d links from %d '<'", len(links), strings.Count(header, "<"))
		}
		for _, l := range links {
			if l.URL == nil {
				t.Fatal("a link without URL")
			}
			for name, v := range l.Params {
				if name == "" || name == "rel" || strings.ToLower(name) != name {
					t.Fatalf("param name %q", name)
				}
				if strings.HasSuffix(name, "*") && !utf8.ValidString(v) {
					t.Fatalf("decoded %s is not UTF-8: %q", name, v)
				}
			}
		}
	})
}
