package multipart

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

// ParseContentDisposition parses a Content-Disposition value. It never
// fails: a malformed value gives a ContentDisposition with an empty Type.
func ParseContentDisposition(v string) *ContentDisposition {
	typ, params, _ := strings.Cut(v, ";")
	typ = strings.TrimSpace(typ)
	if !field.IsToken(typ) {
		return &ContentDisposition{}
	}
	cd := &ContentDisposition{Type: strings.ToLower(typ)}
	field.ForEachParam(";"+params, false, func(name, value string) bool {
		if _, dup := cd.Params[name]; dup {
			return true
		}
		if strings.HasSuffix(name, "*") && !isContinuation(name) {
			var ok bool
			if value, ok = field.DecodeExtValue(value); !ok {
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

// decodeCharset decodes s from the named charset; UTF-8 must be valid.
func decodeCharset(name, s string) (string, bool) {
	e, ok := charset.Lookup(name)
	if !ok {
		return "", false
	}
	return e.DecodeString(s)
}
