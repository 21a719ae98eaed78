package aiohttp

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/charset"
	"github.com/aiohttp-go/aiohttp/internal/field"
)

// ContentDisposition is a parsed Content-Disposition header (RFC 6266;
// aiohttp's ContentDisposition).
type ContentDisposition struct {
	// Type is the disposition type in lower case, such as "attachment"
	// or "inline"; "" when the header is malformed.
	Type string
	// Filename is the file name the header suggests: from filename*
	// (RFC 8187, such as UTF-8''%e2%82%ac%20rates.txt) when it is there
	// and decodes, else from filename, else joined from RFC 2231
	// continuations (filename*0, filename*1*, ...); leading slashes and
	// backslashes are removed, as aiohttp does. It is still untrusted:
	// take filepath.Base of it, at least, before using it as a path.
	Filename string
	// Params holds the parameters by lower-case name, unquoted, the
	// first of each name; the values of extended ones (name*) are
	// decoded, those that do not decode left out.
	Params map[string]string
}

// parseContentDisposition parses a Content-Disposition value.
func parseContentDisposition(v string) *ContentDisposition {
	typ, params, _ := strings.Cut(v, ";")
	typ = strings.TrimSpace(typ)
	if !field.IsToken(typ) {
		return &ContentDisposition{}
	}
	cd := &ContentDisposition{Type: strings.ToLower(typ)}
	forEachParam(";"+params, false, func(name, value string) bool {
		if _, dup := cd.Params[name]; dup {
			return true
		}
		if strings.HasSuffix(name, "*") && !isContinuation(name) {
			var ok bool
			if value, ok = decodeExtValue(value); !ok {
				return true
			}
		}
		if cd.Params == nil {
			cd.Params = make(map[string]string)
		}
		cd.Params[name] = value
		return true
	})
	name, ok := cd.Params["filename*"]
	if !ok {
		if name, ok = cd.Params["filename"]; !ok {
			name = joinContinuations(cd.Params, "filename")
		}
	}
	cd.Filename = strings.TrimLeft(name, `/\`)
	return cd
}

// isContinuation reports whether a parameter name is a section of an RFC
// 2231 continuation: name*N or name*N*.
func isContinuation(name string) bool {
	name = strings.TrimSuffix(name, "*")
	i := strings.LastIndexByte(name, '*')
	if i <= 0 || i == len(name)-1 {
		return false
	}
	for _, c := range []byte(name[i+1:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// joinContinuations joins the sections base*0, base*1, ... of a value
// (RFC 2231 section 3), decoding those marked with a trailing "*" from
// the charset the first one names. It returns "" when there are none or
// they do not decode.
func joinContinuations(params map[string]string, base string) string {
	var b []byte
	charset := "utf-8"
	for k := 0; ; k++ {
		key := base + "*" + strconv.Itoa(k)
		if v, ok := params[key+"*"]; ok {
			if k == 0 {
				cs, rest, ok := strings.Cut(v, "'")
				if !ok {
					return ""
				}
				if _, v, ok = strings.Cut(rest, "'"); !ok {
					return ""
				}
				if cs != "" {
					charset = cs
				}
			}
			raw, err := url.PathUnescape(v)
			if err != nil {
				return ""
			}
			b = append(b, raw...)
		} else if v, ok := params[key]; ok {
			b = append(b, v...)
		} else {
			break
		}
	}
	s, ok := decodeCharset(charset, string(b))
	if !ok {
		return ""
	}
	return s
}

// decodeExtValue decodes an RFC 8187 ext-value: charset'language'value
// with percent-encoded octets. An empty charset means UTF-8.
func decodeExtValue(v string) (string, bool) {
	charset, rest, ok := strings.Cut(v, "'")
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
	if charset == "" {
		charset = "utf-8"
	}
	return decodeCharset(charset, raw)
}

// decodeCharset decodes s from the named charset; UTF-8 must be valid.
func decodeCharset(name, s string) (string, bool) {
	e, ok := charset.Lookup(name)
	if !ok {
		return "", false
	}
	return e.DecodeString(s)
}

// Header parameters, shared by Content-Type, Content-Disposition and
// Link.

// forEachParam calls f with the lower-case name and the value (a token
// or an unquoted quoted-string) of each parameter in s, a list like
// `; a=1; b="x y"` (RFC 9110 section 5.6.6), until f returns false. A
// parameter without "=" has an empty value; bytes that are no parameter
// are skipped. With stopAtComma it stops at a comma outside quotes and
// returns the rest from there (a Link header's next link); else it
// returns "".
func forEachParam(s string, stopAtComma bool, f func(name, value string) bool) string {
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
			s = skipToAny(s, stops)
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

// skipToAny returns s from the first byte of stops outside a
// quoted-string, "" when there is none.
func skipToAny(s, stops string) string {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			_, rest := quotedString(s[i:])
			return skipToAny(rest, stops)
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
