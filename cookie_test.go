package aiohttp

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// cookieTestNow is the fixed clock of the cookie tests: after the expired
// and before the valid Expires dates of the http-state cases.
var cookieTestNow = time.Date(2012, time.January, 1, 0, 0, 0, 0, time.UTC)

func TestParseSetCookie(t *testing.T) {
	now := cookieTestNow
	tests := []struct {
		line string
		want Cookie
	}{
		{"a=1", Cookie{Name: "a", Value: "1"}},
		{"  a  =  1  ", Cookie{Name: "a", Value: "1"}},
		{"a=", Cookie{Name: "a"}},
		{`a="quoted; value"`, Cookie{Name: "a", Value: `"quoted`}},
		{"a=b=c", Cookie{Name: "a", Value: "b=c"}},
		{"a=1; Secure; HttpOnly", Cookie{Name: "a", Value: "1", Secure: true, HTTPOnly: true}},
		{"a=1; sEcUrE=no; HTTPONLY=yes", Cookie{Name: "a", Value: "1", Secure: true, HTTPOnly: true}},
		{"a=1; Domain=.Example.COM", Cookie{Name: "a", Value: "1", Domain: "example.com"}},
		{"a=1; Domain=example.com; Domain=", Cookie{Name: "a", Value: "1", Domain: "example.com"}},
		{"a=1; Domain=example.com; Domain=other.org", Cookie{Name: "a", Value: "1", Domain: "other.org"}},
		{"a=1; Path=/x", Cookie{Name: "a", Value: "1", Path: "/x"}},
		{"a=1; Path=/x; Path=relative", Cookie{Name: "a", Value: "1"}},
		{"a=1; Path=/x; Path=", Cookie{Name: "a", Value: "1"}},
		{"a=1; SameSite=lax", Cookie{Name: "a", Value: "1", SameSite: "Lax"}},
		{"a=1; SameSite=STRICT", Cookie{Name: "a", Value: "1", SameSite: "Strict"}},
		{"a=1; samesite=None", Cookie{Name: "a", Value: "1", SameSite: "None"}},
		{"a=1; SameSite=Lax; SameSite=bogus", Cookie{Name: "a", Value: "1"}},
		{"a=1; Partitioned", Cookie{Name: "a", Value: "1", Partitioned: true}},
		{"a=1; Unknown=x; Version=1", Cookie{Name: "a", Value: "1"}},
		{"a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
			Cookie{Name: "a", Value: "1", Expires: time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)}},
		{"a=1; expires=Thursday, 01-Jan-70 00:00:00 GMT", Cookie{Name: "a", Value: "1", Expires: cookieEpoch}},
		{"a=1; Expires=not a date", Cookie{Name: "a", Value: "1"}},
		{"a=1; Max-Age=60", Cookie{Name: "a", Value: "1", Expires: now.Add(time.Minute)}},
		{"a=1; Max-Age=0", Cookie{Name: "a", Value: "1", Expires: cookieEpoch}},
		{"a=1; Max-Age=-5", Cookie{Name: "a", Value: "1", Expires: cookieEpoch}},
		{"a=1; Max-Age=-99999999999999999999", Cookie{Name: "a", Value: "1", Expires: cookieEpoch}},
		{"a=1; Max-Age=99999999999999999999", Cookie{Name: "a", Value: "1", Expires: cookieMaxTime}},
		{"a=1; Max-Age=315537897599", Cookie{Name: "a", Value: "1", Expires: cookieMaxTime}},
		{"a=1; Max-Age=1.5", Cookie{Name: "a", Value: "1"}},
		{"a=1; Max-Age=+5", Cookie{Name: "a", Value: "1"}},
		{"a=1; Max-Age=-", Cookie{Name: "a", Value: "1"}},
		{"a=1; Max-Age=", Cookie{Name: "a", Value: "1"}},
		// Max-Age wins over Expires, whatever their order.
		{"a=1; Max-Age=60; Expires=Wed, 21 Oct 2015 07:28:00 GMT", Cookie{Name: "a", Value: "1", Expires: now.Add(time.Minute)}},
		{"a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=60", Cookie{Name: "a", Value: "1", Expires: now.Add(time.Minute)}},
		{"a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=bad", Cookie{Name: "a", Value: "1",
			Expires: time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)}},
		// Browsers cut the line at NUL, CR or LF.
		{"a=1\x00; Secure", Cookie{Name: "a", Value: "1"}},
		{"a=1; Path=/x\r\nSet-Cookie: b=2", Cookie{Name: "a", Value: "1", Path: "/x"}},
		// An attribute value over 1024 bytes is ignored.
		{"a=1; Path=/" + strings.Repeat("p", 1024), Cookie{Name: "a", Value: "1"}},
		{"a=1; Path=/" + strings.Repeat("p", 1023), Cookie{Name: "a", Value: "1", Path: "/" + strings.Repeat("p", 1023)}},
	}
	for _, tt := range tests {
		got, err := parseSetCookie(tt.line, now)
		if err != nil {
			t.Errorf("parseSetCookie(%q): %v", tt.line, err)
			continue
		}
		if !got.Expires.Equal(tt.want.Expires) {
			t.Errorf("parseSetCookie(%q).Expires = %v, want %v", tt.line, got.Expires, tt.want.Expires)
		}
		got.Expires, tt.want.Expires = time.Time{}, time.Time{}
		if *got != tt.want {
			t.Errorf("parseSetCookie(%q) = %+v, want %+v", tt.line, *got, tt.want)
		}
	}
}

func TestParseSetCookieRejects(t *testing.T) {
	for _, line := range []string{
		"",
		"   ",
		"novalue",
		"novalue; a=b",
		"=value",
		"  =value",
		"a\x01b=c",
		"a=b\x7fc",
		"a=b\x1bc",
		strings.Repeat("n", 2048) + "=" + strings.Repeat("v", 2049),
	} {
		if c, err := ParseSetCookie(line); err == nil {
			t.Errorf("ParseSetCookie(%q) = %+v, want an error", line, c)
		}
	}
	// Exactly 4096 bytes of name and value are allowed, and a tab is not a
	// control character here.
	for _, line := range []string{strings.Repeat("n", 2048) + "=" + strings.Repeat("v", 2048), "a=b\tc"} {
		if _, err := ParseSetCookie(line); err != nil {
			t.Errorf("ParseSetCookie(%.20q...): %v", line, err)
		}
	}
}

func TestParseSetCookieMaxAgeUsesWallClock(t *testing.T) {
	before := time.Now()
	c, err := ParseSetCookie("a=1; Max-Age=3600")
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := before.Add(time.Hour-time.Second), time.Now().Add(time.Hour+time.Second); c.Expires.Before(lo) || c.Expires.After(hi) {
		t.Errorf("Expires = %v, want about an hour from now", c.Expires)
	}
}

// cookieTestDateLayout is the layout of the dates in dates-examples.json.
const cookieTestDateLayout = "Mon, 02 Jan 2006 15:04:05 GMT"

func TestParseCookieDateHTTPState(t *testing.T) {
	var cases []struct {
		Test     string
		Expected *string
	}
	readCookieTestData(t, "dates-examples.json", &cases)
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, tc := range cases {
		got, ok := parseCookieDate(tc.Test)
		switch {
		case tc.Expected == nil && ok:
			t.Errorf("parseCookieDate(%q) = %v, want no date", tc.Test, got)
		case tc.Expected == nil:
		case !ok:
			t.Errorf("parseCookieDate(%q) failed, want %s", tc.Test, *tc.Expected)
		case got.Format(cookieTestDateLayout) != *tc.Expected:
			t.Errorf("parseCookieDate(%q) = %s, want %s", tc.Test, got.Format(cookieTestDateLayout), *tc.Expected)
		}
	}
}

func TestParseCookieDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339, "" for no date
	}{
		{"Sun, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z"},
		{"Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z"},
		{"Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z"},
		{"06 November 1994 08:49:37", "1994-11-06T08:49:37Z"},
		{"1994 Nov 6 8:9:7", "1994-11-06T08:09:07Z"},
		{"6 nov 69 00:00:00", "2069-11-06T00:00:00Z"},
		{"6 nov 70 00:00:00", "1970-11-06T00:00:00Z"},
		{"6 nov 99 00:00:00", "1999-11-06T00:00:00Z"},
		{"6 nov 00 00:00:00", "2000-11-06T00:00:00Z"},
		{"6 nov 1601 00:00:00", "1601-11-06T00:00:00Z"},
		{"31 dec 9999 23:59:59", "9999-12-31T23:59:59Z"},
		{"29 feb 2012 12:00:00", "2012-02-29T12:00:00Z"},
		{"06 Nov 1994 08:49:37 +0500", "1994-11-06T08:49:37Z"},
		{"06 Nov 1994 08:49:37xyz", "1994-11-06T08:49:37Z"},
		{"06th Nov 1994 08:49:37", "1994-11-06T08:49:37Z"},
		{"6 nov 1600 00:00:00", ""},  // before 1601
		{"6 nov 994 00:00:00", ""},   // a 3-digit year is read, then too early
		{"29 feb 2011 12:00:00", ""}, // no such date
		{"31 apr 2011 12:00:00", ""},
		{"0 nov 2011 12:00:00", ""},
		{"32 nov 2011 12:00:00", ""},
		{"6 nov 2011 24:00:00", ""},
		{"6 nov 2011 23:60:00", ""},
		{"6 nov 2011 23:00:60", ""},
		{"6 nov 2011 123:00:00", ""},
		{"6 nov 2011 12:00", ""},
		{"6 nov 2011", ""},
		{"nov 2011 12:00:00", ""},
		{"6 2011 12:00:00", ""},
		{"6 no 2011 12:00:00", ""},
		{"6 nov 12:00:00", ""},
		{"6 nov 12345 12:00:00", ""},
		{"", ""},
		{";;;", ""},
	}
	for _, tt := range tests {
		got, ok := parseCookieDate(tt.in)
		switch {
		case tt.want == "" && ok:
			t.Errorf("parseCookieDate(%q) = %v, want no date", tt.in, got)
		case tt.want == "":
		case !ok:
			t.Errorf("parseCookieDate(%q) failed, want %s", tt.in, tt.want)
		case got.Format(time.RFC3339) != tt.want:
			t.Errorf("parseCookieDate(%q) = %s, want %s", tt.in, got.Format(time.RFC3339), tt.want)
		}
	}
}

func FuzzParseSetCookie(f *testing.F) {
	var cases []struct{ Received []string }
	data, err := os.ReadFile("testdata/cookies/parser.json")
	if err != nil {
		f.Fatal(err)
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		f.Fatal(err)
	}
	for _, tc := range cases {
		for _, line := range tc.Received {
			f.Add(line)
		}
	}
	f.Add("a=1; Max-Age=99999999999999999999; Domain=.www.example.com; Path=/a; Secure; SameSite=Lax")
	f.Add("__Host-a=1; Secure; Path=/; Expires=Thu, 31 Dec 23:55:55 2037 GMT")
	from, to := mustCookieURL(f, "https://www.example.com/a/b"), mustCookieURL(f, "https://www.example.com/a/b/c")
	f.Fuzz(func(t *testing.T, line string) {
		c, err := ParseSetCookie(line)
		if err == nil {
			if c.Name == "" || strings.ContainsAny(c.Name+c.Value, ";\x00\r\n") {
				t.Fatalf("ParseSetCookie(%q) = name %q value %q", line, c.Name, c.Value)
			}
			if c.SameSite != canonicalSameSite(c.SameSite) {
				t.Fatalf("ParseSetCookie(%q).SameSite = %q", line, c.SameSite)
			}
		}
		jar := newTestJar(t, JarOptions{Now: func() time.Time { return cookieTestNow }})
		jar.UpdateCookies([]string{line}, from)
		if h := jar.CookieHeader(to); strings.ContainsAny(h, "\x00\r\n") {
			t.Fatalf("Cookie header %q", h)
		}
		if err != nil && jar.Len() != 0 {
			t.Fatalf("jar stored a cookie ParseSetCookie rejected: %q", line)
		}
	})
}

// readCookieTestData decodes the JSON file name of testdata/cookies into v.
func readCookieTestData(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile("testdata/cookies/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}
