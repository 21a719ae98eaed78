package field

import "testing"

func TestToken(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c < 0x80 && c != 0 && containsByte("!#$%&'*+-.^_`|~", byte(c))
		if IsTokenChar(byte(c)) != want {
			t.Errorf("IsTokenChar(%#x) = %v", c, !want)
		}
	}
	for s, want := range map[string]bool{"GET": true, "X-Id": true, "": false, "a b": false, "é": false, "a:": false} {
		if IsToken(s) != want {
			t.Errorf("IsToken(%q) = %v", s, !want)
		}
	}
	if tok, rest := Token("max_window_bits=10"); tok != "max_window_bits" || rest != "=10" {
		t.Errorf("Token: %q %q", tok, rest)
	}
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

func TestTrimOWS(t *testing.T) {
	for in, want := range map[string]string{" \ta \t": "a", "a": "a", "": "", " \t ": "", " a b ": "a b", "\ra\n": "\ra\n"} {
		if got := TrimOWS(in); got != want {
			t.Errorf("TrimOWS(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHasToken(t *testing.T) {
	for _, c := range []struct {
		v, tok string
		want   bool
	}{
		{"keep-alive, Upgrade", "upgrade", true},
		{"Upgrade", "upgrade", true},
		{" upgrade ,x", "UPGRADE", true},
		{"upgrader", "upgrade", false},
		{"", "upgrade", false},
		{"x,,\tupgrade\t", "upgrade", true},
	} {
		if HasToken(c.v, c.tok) != c.want {
			t.Errorf("HasToken(%q, %q) = %v", c.v, c.tok, !c.want)
		}
	}
}

func TestMediaType(t *testing.T) {
	for in, want := range map[string]string{
		"Text/HTML; charset=utf-8": "text/html",
		" application/json ":       "application/json",
		"application/json;":        "application/json",
		"":                         "text/plain",
		"json":                     "text/plain",
		"a/b/c":                    "text/plain",
		"text/":                    "text/plain",
		"te xt/html":               "text/plain",
	} {
		if got := MediaType(in); got != want {
			t.Errorf("MediaType(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzMediaType(f *testing.F) {
	for _, s := range []string{"text/html; charset=utf-8", "a/b/c", "", "APPLICATION/JSON"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		m := MediaType(v)
		if m != LowerASCII(m) || MediaType(m) != m {
			t.Fatalf("MediaType(%q) = %q: not lower case, or not stable", v, m)
		}
	})
}
