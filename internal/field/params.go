package field

import (
	"net/url"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/charset"
)

// Header parameters, shared by Content-Type, Content-Disposition and
// Link on both sides.

// ForEachParam calls f with the lower-case name and the value (a token
// or an unquoted quoted-string) of each parameter in s, a list like
// `; a=1; b="x y"` (RFC 9110 section 5.6.6), until f returns false. A
// parameter without "=" has an empty value; bytes that are no parameter
// are skipped. With stopAtComma it stops at a comma outside quotes and
// returns the rest from there (a Link header's next link); else it
// returns "".
func ForEachParam(s string, stopAtComma bool, f func(name, value string) bool) string {
	stops := ";"
	if stopAtComma {
		stops = ";,"
	}
	for {
		s = strings.TrimLeft(s, " \t")
		switch {
		case s == "":
			return ""
		case s[0] == ',' && stopAtComma:
			return s
		case s[0] != ';':
			s = SkipToAny(s, stops)
			continue
		}
		s = strings.TrimLeft(s[1:], " \t")
		i := strings.IndexAny(s, "="+stops)
		if i < 0 {
			i = len(s)
		}
		name := strings.ToLower(strings.TrimRight(s[:i], " \t"))
		s = s[i:]
		value := ""
		if s != "" && s[0] == '=' {
			s = strings.TrimLeft(s[1:], " \t")
			if s != "" && s[0] == '"' {
				value, s = quotedString(s)
			} else {
				j := strings.IndexAny(s, stops)
				if j < 0 {
					j = len(s)
				}
				value, s = strings.TrimRight(s[:j], " \t"), s[j:]
			}
		}
		if name != "" && !f(name, value) {
			return ""
		}
	}
}

// SkipToAny returns s from the first byte of stops outside a
// quoted-string, "" when there is none.
func SkipToAny(s, stops string) string {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			_, rest := quotedString(s[i:])
			return SkipToAny(rest, stops)
		case strings.IndexByte(stops, c) >= 0:
			return s[i:]
		}
	}
	return ""
}

// quotedString reads the quoted-string s starts with and returns its
// content, unescaped, and what follows. An unterminated one runs to the
// end.
func quotedString(s string) (value, rest string) {
	var b []byte // the unescaped content, once an escape is met
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '"':
			if b == nil {
				return s[1:i], s[i+1:]
			}
			return string(b), s[i+1:]
		case '\\':
			if b == nil {
				b = append(make([]byte, 0, len(s)), s[1:i]...)
			}
			if i+1 < len(s) {
				i++
			}
			b = append(b, s[i])
		default:
			if b != nil {
				b = append(b, s[i])
			}
		}
	}
	if b == nil {
		return s[1:], ""
	}
	return string(b), ""
}

// Param returns the value of the parameter name (lower case) of a header
// value such as a Content-Type, "" when it has none.
func Param(v, name string) string {
	i := strings.IndexByte(v, ';')
	if i < 0 {
		return ""
	}
	value := ""
	ForEachParam(v[i:], false, func(n, v string) bool {
		if n == name {
			value = v
			return false
		}
		return true
	})
	return value
}

// DecodeExtValue decodes an RFC 8187 ext-value: charset'language'value
// with percent-encoded octets. An empty charset means UTF-8.
func DecodeExtValue(v string) (string, bool) {
	cs, rest, ok := strings.Cut(v, "'")
	if !ok {
		return "", false
	}
	_, value, ok := strings.Cut(rest, "'")
	if !ok {
		return "", false
	}
	raw, err := url.PathUnescape(value)
	if err != nil {
		return "", false
	}
	if cs == "" {
		cs = "utf-8"
	}
	e, ok := charset.Lookup(cs)
	if !ok {
		return "", false
	}
	return e.DecodeString(raw)
}
