package web

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// requestWithHeader returns a Request carrying only the given header field,
// for the parsers of request header values.
func requestWithHeader(name, value string) *Request {
	return &Request{header: multidict.NewCI(multidict.Item{Key: name, Value: value})}
}

func FuzzHTTPRange(f *testing.F) {
	for _, s := range []string{"bytes=0-499", "bytes=500-", "bytes=-200", "bytes=9-3", "bytes=0-9223372036854775807", "bytes=-0", "bytes= 1-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r, ok, err := requestWithHeader("Range", v).HTTPRange()
		switch {
		case !ok:
			if strings.TrimSpace(v) != "" || err != nil {
				t.Fatalf("%q: not ok, err %v", v, err)
			}
		case err != nil:
			if !errors.Is(err, ErrBadRange) {
				t.Fatalf("%q: %v", v, err)
			}
		case r.Start < 0: // a suffix
			if r.End != -1 {
				t.Fatalf("%q: suffix %+v", v, r)
			}
		case r.End != -1 && r.End <= r.Start:
			t.Fatalf("%q: empty or inverted range %+v", v, r)
		}
	})
}

func FuzzETags(f *testing.F) {
	for _, s := range []string{`"abc", W/"weak" , "x"`, "*", `W/""`, `"a",`, `"a" "b"`, `W/`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		tags := parseETags(v)
		if len(tags) == 0 || tags[0].Value == "*" {
			return
		}
		// What parsed renders back into a header that parses the same.
		var b strings.Builder
		for i, tag := range tags {
			if strings.Contains(tag.Value, `"`) {
				t.Fatalf("%q: tag %q holds a quote", v, tag.Value)
			}
			if i > 0 {
				b.WriteString(", ")
			}
			if tag.Weak {
				b.WriteString("W/")
			}
			b.WriteString(`"` + tag.Value + `"`)
		}
		if again := parseETags(b.String()); !slices.Equal(again, tags) {
			t.Fatalf("%q parsed as %v; rendered %q parses as %v", v, tags, b.String(), again)
		}
	})
}

// FuzzETagSetterAgreesWithParser checks that the response setter and the
// request parser accept the same entity tags: a tag the setter takes
// renders into a header that parses back to it, and a tag it refuses does
// not.
func FuzzETagSetterAgreesWithParser(f *testing.F) {
	for _, s := range []string{"v1", "", `a"b`, "a b", "é", "*", "a,b", `a", "b`, "\x7f", "W/"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, v string, weak bool) {
		if v == "*" {
			return // "any", which the setter sends bare, as aiohttp does
		}
		tag := ETag{Value: v, Weak: weak}
		h := multidict.NewCI()
		err := setETag(h, tag)
		parsed := parseETags(tag.String())
		if ok := slices.Equal(parsed, []ETag{tag}); ok != (err == nil) {
			t.Fatalf("%+v: setter error %v, but %q parses as %v", tag, err, tag.String(), parsed)
		}
		if got, ok := etagOf(h); err == nil && (!ok || got != tag) {
			t.Fatalf("%+v: set, read back as %v %v", tag, got, ok)
		}
	})
}

func FuzzForwarded(f *testing.F) {
	for _, s := range []string{`for=192.0.2.60;proto=http;by=203.0.113.43`, `for="[2001:db8::1]:80", for=x`, `a="b\"c";d=e`, `=x`, `for="unterminated`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, elem := range requestWithHeader("Forwarded", v).Forwarded() {
			for name := range elem {
				if name != strings.ToLower(name) || name == "" {
					t.Fatalf("%q: parameter name %q", v, name)
				}
			}
		}
	})
}

// FuzzURLEncoded checks field.ParseURLEncoded against net/url wherever net/url
// accepts the input; where it does not, it keeps what does not
// unescape as sent.
func FuzzURLEncoded(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "a=1&a=2&&c", "x=%41+b", "=v&k=", "bad=%zz", "k%20=v%2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := field.ParseURLEncoded(s)
		want, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		n := 0
		for k, vs := range want {
			n += len(vs)
			if g := got.GetAll(k); !slices.Equal(g, vs) {
				t.Fatalf("%q: %q = %q, net/url gives %q", s, k, g, vs)
			}
		}
		if got.Len() != n {
			t.Fatalf("%q: %d pairs, net/url gives %d", s, got.Len(), n)
		}
	})
}

func FuzzParseRanges(f *testing.F) {
	for _, s := range []string{"bytes=0-499", "bytes=0-1, 5-7,-2,,30-31", "Bytes=1-", "bytes=-0", "bytes=,", "bytes=1-2,3", "bytes=9223372036854775806-9223372036854775807", strings.Repeat("0-0,", 120)} {
		f.Add(s, int64(36))
	}
	f.Fuzz(func(t *testing.T, v string, size int64) {
		ranges, err := parseRanges(v)
		switch {
		case err != nil:
			if ranges != nil || !errors.Is(err, ErrBadRange) && !errors.Is(err, ErrTooManyRanges) {
				t.Fatalf("%q: %v with %v", v, err, ranges)
			}
			return
		case len(ranges) == 0 || len(ranges) > MaxRanges:
			t.Fatalf("%q: %d ranges", v, len(ranges))
		}
		for _, r := range ranges {
			if r.Start < 0 && r.End != -1 || r.End != -1 && r.End <= r.Start {
				t.Fatalf("%q: invalid range %+v", v, r)
			}
		}
		if size < 0 {
			return
		}
		spans, ok := resolveRanges(ranges, size)
		var sum int64
		for _, s := range spans {
			if s.start < 0 || s.length <= 0 || s.start+s.length > size {
				t.Fatalf("%q over %d bytes: span %+v", v, size, s)
			}
			sum += s.length
		}
		if ok && len(spans) > 1 && sum > size || !ok && spans != nil {
			t.Fatalf("%q over %d bytes: %v %v", v, size, spans, ok)
		}
	})
}

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"a.txt", "../x", "sub/../../x", "/etc/passwd", `..\x`, "a\x00b", "./a//b/", "..", "...", "a/..", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		clean, err := cleanName(name)
		if err != nil {
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != 403 && he.Status != 404 {
				t.Fatalf("%q: %v", name, err)
			}
			return
		}
		switch {
		case clean == ".." || strings.HasPrefix(clean, "../") || strings.HasPrefix(clean, "/"),
			strings.ContainsAny(clean, "\\\x00"),
			clean != "." && slices.Contains(strings.Split(clean, "/"), ".."),
			clean == "":
			t.Fatalf("%q cleaned to %q", name, clean)
		}
	})
}
