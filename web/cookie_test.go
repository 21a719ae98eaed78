package web

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/multidict"
)

func TestCookieString(t *testing.T) {
	expires := time.Date(2030, 6, 15, 10, 4, 5, 0, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		cookie Cookie
		want   string
	}{
		{Cookie{Name: "sid", Value: "42"}, "sid=42; Path=/"},
		{Cookie{Name: "empty"}, "empty=; Path=/"},
		{Cookie{Name: "q", Value: "a b"}, `q="a b"; Path=/`},
		{Cookie{Name: "q", Value: "a,b"}, `q="a,b"; Path=/`},
		{Cookie{Name: "chars", Value: "!#$%&'()*+-./:<=>?@[]^_`{|}~"}, "chars=!#$%&'()*+-./:<=>?@[]^_`{|}~; Path=/"},
		{Cookie{Name: "e", Value: "1", Expires: expires}, "e=1; Expires=Sat, 15 Jun 2030 08:04:05 GMT; Path=/"},
		{Cookie{Name: "m", Value: "1", MaxAge: 3600}, "m=1; Max-Age=3600; Path=/"},
		{Cookie{Name: "m", Value: "1", MaxAge: -1}, "m=1; Max-Age=0; Path=/"},
		{Cookie{Name: "d", Value: "1", Domain: ".example.com"}, "d=1; Domain=.example.com; Path=/"},
		{Cookie{Name: "p", Value: "1", Path: "/api/v1"}, "p=1; Path=/api/v1"},
		{Cookie{Name: "s", Value: "1", Secure: true}, "s=1; Path=/; Secure"},
		{Cookie{Name: "h", Value: "1", HTTPOnly: true}, "h=1; Path=/; HttpOnly"},
		{Cookie{Name: "ss", Value: "1", SameSite: SameSiteStrict}, "ss=1; Path=/; SameSite=Strict"},
		{Cookie{Name: "ss", Value: "1", SameSite: SameSiteLax}, "ss=1; Path=/; SameSite=Lax"},
		{Cookie{Name: "ss", Value: "1", SameSite: SameSiteNone, Secure: true}, "ss=1; Path=/; Secure; SameSite=None"},
		{Cookie{Name: "pt", Value: "1", Secure: true, Partitioned: true}, "pt=1; Path=/; Secure; Partitioned"},
		{
			Cookie{
				Name: "all", Value: "v", Expires: expires, MaxAge: 60, Domain: "example.com", Path: "/x",
				Secure: true, HTTPOnly: true, SameSite: SameSiteLax, Partitioned: true,
			},
			"all=v; Expires=Sat, 15 Jun 2030 08:04:05 GMT; Max-Age=60; Domain=example.com; Path=/x; Secure; HttpOnly; SameSite=Lax; Partitioned",
		},
	}
	for _, tt := range tests {
		if err := tt.cookie.Valid(); err != nil {
			t.Errorf("%+v: Valid() = %v", tt.cookie, err)
		}
		if got := tt.cookie.String(); got != tt.want {
			t.Errorf("String()\n got %s\nwant %s", got, tt.want)
		}
	}
}

func TestCookieInvalid(t *testing.T) {
	tests := []struct {
		cookie Cookie
		want   string // in the error
	}{
		{Cookie{Value: "1"}, "name"},
		{Cookie{Name: "a b"}, "name"},
		{Cookie{Name: "a;b"}, "name"},
		{Cookie{Name: "a=b"}, "name"},
		{Cookie{Name: "a,b"}, "name"},
		{Cookie{Name: "a\"b"}, "name"},
		{Cookie{Name: "a[0]"}, "name"},
		{Cookie{Name: "a\r\nX-Injected: 1"}, "name"},
		{Cookie{Name: "ünï"}, "name"},
		{Cookie{Name: "a", Value: "x;y"}, "value"},
		{Cookie{Name: "a", Value: `x"y`}, "value"},
		{Cookie{Name: "a", Value: `x\y`}, "value"},
		{Cookie{Name: "a", Value: "x\r\nSet-Cookie: evil=1"}, "value"},
		{Cookie{Name: "a", Value: "x\ty"}, "value"},
		{Cookie{Name: "a", Value: "é"}, "value"},
		{Cookie{Name: "a", Domain: "example.com; Secure"}, "domain"},
		{Cookie{Name: "a", Domain: "exa mple.com"}, "domain"},
		{Cookie{Name: "a", Path: "/x;HttpOnly"}, "path"},
		{Cookie{Name: "a", Path: "/\x7f"}, "path"},
		{Cookie{Name: "a", Expires: time.Date(1600, 12, 31, 0, 0, 0, 0, time.UTC)}, "expiry"},
		{Cookie{Name: "a", Expires: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "expiry"},
		{Cookie{Name: "a", SameSite: "lax"}, "SameSite"},
		{Cookie{Name: "a", SameSite: "Lax; Secure"}, "SameSite"},
	}
	for _, tt := range tests {
		err := tt.cookie.Valid()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: Valid() = %v, want an error about the %s", tt.cookie, err, tt.want)
		}
		if s := tt.cookie.String(); s != "" {
			t.Errorf("%+v: String() = %q, want \"\"", tt.cookie, s)
		}
	}
}

func TestDeleteCookie(t *testing.T) {
	tests := []struct {
		name, domain, path string
		want               string
	}{
		{"sid", "", "", "sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"},
		{"sid", "example.com", "/app", "sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Domain=example.com; Path=/app"},
	}
	for _, tt := range tests {
		if got := deleteCookie(tt.name, tt.domain, tt.path).String(); got != tt.want {
			t.Errorf("deleteCookie(%q, %q, %q)\n got %s\nwant %s", tt.name, tt.domain, tt.path, got, tt.want)
		}
	}
}

func TestParseCookieHeader(t *testing.T) {
	tests := []struct {
		header string
		want   []multidict.Item
	}{
		{"", nil},
		{"a=1", []multidict.Item{{Key: "a", Value: "1"}}},
		{"a=1; b=2", []multidict.Item{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}},
		{"a=1;b=2;", []multidict.Item{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}},
		{" \ta = 1 \t;  b=2  ", []multidict.Item{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}},
		{"a=", []multidict.Item{{Key: "a", Value: ""}}},
		{"flag; a=1", []multidict.Item{{Key: "flag", Value: ""}, {Key: "a", Value: "1"}}},
		{"a=x=y==", []multidict.Item{{Key: "a", Value: "x=y=="}}},
		{"a=one two", []multidict.Item{{Key: "a", Value: "one two"}}},
		{`a="quoted"`, []multidict.Item{{Key: "a", Value: "quoted"}}},
		{`a=""`, []multidict.Item{{Key: "a", Value: ""}}},
		{`a="with space"; b=2`, []multidict.Item{{Key: "a", Value: "with space"}, {Key: "b", Value: "2"}}},
		{`a="unmatched; b=2`, []multidict.Item{{Key: "a", Value: `"unmatched`}, {Key: "b", Value: "2"}}},
		{`a="`, []multidict.Item{{Key: "a", Value: `"`}}},
		{`a=x"y"`, []multidict.Item{{Key: "a", Value: `x"y"`}}},
		// Python's http.cookies escapes, undone as aiohttp does.
		{`a="x\"y\\z"`, []multidict.Item{{Key: "a", Value: `x"y\z`}}},
		{`a="a\054b\073c\351"`, []multidict.Item{{Key: "a", Value: "a,b;cé"}}},
		{`a="\400\08\z\"`, []multidict.Item{{Key: "a", Value: `40008z\`}}},
		{`a=un\"quoted`, []multidict.Item{{Key: "a", Value: `un\"quoted`}}},
		// Duplicates: one pair per name, at the first position, with the
		// last value, as aiohttp's request.cookies.
		{"a=1; b=2; a=3", []multidict.Item{{Key: "a", Value: "3"}, {Key: "b", Value: "2"}}},
		{"a=1; A=2", []multidict.Item{{Key: "a", Value: "1"}, {Key: "A", Value: "2"}}},
		// Names aiohttp accepts beyond tokens, and those it refuses.
		{"user[id]=7; {x}=1; a:b=2", []multidict.Item{{Key: "user[id]", Value: "7"}, {Key: "{x}", Value: "1"}, {Key: "a:b", Value: "2"}}},
		{"=1; a b=2; a,b=3; a\"b=4; a\\b=5; ok=6", []multidict.Item{{Key: "ok", Value: "6"}}},
		{"\x01a=1; é=2; ok=3", []multidict.Item{{Key: "ok", Value: "3"}}},
		// Attribute names are plain cookies in a Cookie field.
		{"Path=/; Secure; $Version=1", []multidict.Item{{Key: "Path", Value: "/"}, {Key: "Secure", Value: ""}, {Key: "$Version", Value: "1"}}},
		{";;; ;", nil},
	}
	for _, tt := range tests {
		var d multidict.MultiDict
		parseCookieHeader(tt.header, &d)
		if got := d.Items(); !slices.Equal(got, tt.want) {
			t.Errorf("parseCookieHeader(%q)\n got %q\nwant %q", tt.header, got, tt.want)
		}
	}
}

func TestParseCookieHeaderAppends(t *testing.T) {
	var d multidict.MultiDict
	parseCookieHeader("a=1; b=2", &d)
	parseCookieHeader("c=3; a=4", &d)
	want := []multidict.Item{{Key: "a", Value: "4"}, {Key: "b", Value: "2"}, {Key: "c", Value: "3"}}
	if got := d.Items(); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseCookieHeaderManyDuplicates(t *testing.T) {
	var b strings.Builder
	var want []multidict.Item
	for i := range 1000 {
		name, value := "n"+string(rune('a'+i%26)), string(rune('0'+i%10))
		b.WriteString(name + "=" + value + "; ")
		if i < 26 {
			want = append(want, multidict.Item{Key: name})
		}
		want[i%26].Value = value
	}
	var d multidict.MultiDict
	parseCookieHeader(b.String(), &d)
	if got := d.Items(); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestParseCookieHeaderManyDistinct(t *testing.T) {
	var b strings.Builder
	var want []multidict.Item
	for i := range 40 {
		name := "c" + strconv.Itoa(i)
		b.WriteString(name + "=" + name + ";")
		want = append(want, multidict.Item{Key: name, Value: name})
	}
	var d multidict.MultiDict
	parseCookieHeader(b.String(), &d)
	if got := d.Items(); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestParseCookieHeaderAllocs(t *testing.T) {
	var d multidict.MultiDict
	allocs := testing.AllocsPerRun(100, func() {
		d.Reset()
		parseCookieHeader("session=abc123; theme=dark; lang=en", &d)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per parse into a reused dict, want 0", allocs)
	}
}

func FuzzParseCookieHeader(f *testing.F) {
	for _, seed := range []string{
		"", "a=1; b=2", `a="x\"y\\z\351"; b`, "a=1; a=2; a=3", " ; =; a=;b= c ",
		`a="unmatched; b=2`, "user[id]=7; {x}=1", "\x00\xff=1; é=2", `a="\`, `a="\3"`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, h string) {
		var d multidict.MultiDict
		parseCookieHeader(h, &d)
		if d.Len() > strings.Count(h, ";")+1 {
			t.Fatalf("%d cookies from %d pairs", d.Len(), strings.Count(h, ";")+1)
		}
		seen := map[string]bool{}
		for _, it := range d.Items() {
			if it.Key == "" || !allBytesIn(it.Key, cookieName) {
				t.Fatalf("bad name %q", it.Key)
			}
			if seen[it.Key] {
				t.Fatalf("duplicate name %q", it.Key)
			}
			seen[it.Key] = true
		}
	})
}

// FuzzCookieRoundTrip checks that what String sends for a valid cookie is
// parsed back to the same name and value.
func FuzzCookieRoundTrip(f *testing.F) {
	for _, seed := range [][2]string{{"a", "1"}, {"sid", "a b,c"}, {"x", ""}, {"y", " lead"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		c := Cookie{Name: name, Value: value, MaxAge: 10, HTTPOnly: true}
		s := c.String()
		if c.Valid() != nil {
			if s != "" {
				t.Fatalf("invalid cookie rendered as %q", s)
			}
			return
		}
		if strings.ContainsAny(s, "\r\n\x00") {
			t.Fatalf("control character in %q", s)
		}
		pair, _, _ := strings.Cut(s, "; Max-Age=")
		var d multidict.MultiDict
		parseCookieHeader(pair, &d)
		if want := []multidict.Item{{Key: name, Value: value}}; !slices.Equal(d.Items(), want) {
			t.Fatalf("%q parsed as %q, want %q", pair, d.Items(), want)
		}
	})
}
