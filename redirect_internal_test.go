package aiohttp

import "testing"

func TestRequote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/plain/path?q=1#f", "/plain/path?q=1#f"},
		{"/a%7eb%7E", "/a~b~"},
		{"/a%2fb%3a", "/a%2Fb%3A"},
		{"/100%", "/100%25"},
		{"/%zz", "/%25zz"},
		{"/a b?c d", "/a%20b?c%20d"},
		{"/ä", "/%C3%A4"},
		{`/"<>\^{|}` + "`", "/%22%3C%3E%5C%5E%7B%7C%7D%60"},
		{"http://user:p%41ss@h%41st:80/p%41th", "http://user:p%41ss@h%41st:80/pAth"},
		{"//host/%7e", "//host/~"},
		{"http://host", "http://host"},
		{"rel/a%7e//b", "rel/a~//b"},
	} {
		if got := requote(tt.in); got != tt.want {
			t.Errorf("requote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzRequote(f *testing.F) {
	for _, s := range []string{"/a%7eb", "http://h/%zz ä", "//x/%", "%4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := requote(s)
		if twice := requote(once); twice != once {
			t.Fatalf("requote is not idempotent: %q -> %q -> %q", s, once, twice)
		}
	})
}
