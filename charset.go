package aiohttp

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// textEncoding is a character encoding a body can be decoded from.
type textEncoding struct {
	enc  encoding.Encoding // nil for UTF-8, which needs no transformation
	name string            // canonical name, like "utf-8", "gbk", "shift_jis"
}

var utf8Encoding = textEncoding{name: "utf-8"}

// latin1Labels are the labels of ISO-8859-1. WHATWG maps them to
// windows-1252; the client decodes them as what they say, as aiohttp
// does.
var latin1Labels = map[string]bool{
	"iso-8859-1": true, "iso8859-1": true, "iso88591": true, "iso_8859-1": true,
	"iso_8859-1:1987": true, "iso-ir-100": true, "l1": true, "latin1": true,
	"latin-1": true, "latin": true, "cp819": true, "ibm819": true, "csisolatin1": true,
	"8859": true,
}

// pythonLabels are encoding names Python (so aiohttp) knows and WHATWG
// does not, mapped to WHATWG labels.
var pythonLabels = map[string]string{
	"cp936": "gbk", "ms936": "gbk", "936": "gbk",
	"cp932": "shift_jis", "932": "shift_jis", "mskanji": "shift_jis",
	"shiftjis": "shift_jis", "s_jis": "shift_jis",
	"eucjp": "euc-jp", "ujis": "euc-jp", "u-jis": "euc-jp",
	"cp949": "euc-kr", "949": "euc-kr", "uhc": "euc-kr", "euckr": "euc-kr",
	"cp950": "big5", "950": "big5", "big5hkscs": "big5",
	"u8": "utf-8", "utf": "utf-8", "cp65001": "utf-8",
	"utf_16_le": "utf-16le", "utf_16_be": "utf-16be",
}

// lookupEncoding finds the encoding a label names: a WHATWG label, a
// latin-1 name, or a common Python name; '_' may stand for '-'.
func lookupEncoding(label string) (textEncoding, bool) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if label == "" {
		return textEncoding{}, false
	}
	if alias, ok := pythonLabels[label]; ok {
		label = alias
	}
	if latin1Labels[label] {
		return textEncoding{enc: charmap.ISO8859_1, name: "iso-8859-1"}, true
	}
	e, err := htmlindex.Get(label)
	if err != nil {
		if e, err = htmlindex.Get(strings.ReplaceAll(label, "_", "-")); err != nil {
			return textEncoding{}, false
		}
	}
	name, _ := htmlindex.Name(e) // e comes from the index: it has a name
	if name == "utf-8" {
		return utf8Encoding, true
	}
	return textEncoding{enc: e, name: name}, true
}

// decodeText decodes b from e. Invalid bytes become U+FFFD; a leading
// byte order mark is dropped.
func decodeText(b []byte, e textEncoding) (string, error) {
	if e.enc == nil {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		if utf8.Valid(b) {
			return string(b), nil
		}
		e.enc = unicode.UTF8
	}
	out, err := e.enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(string(out), "\ufeff"), nil
}

// detectEncoding guesses the encoding of a body whose response names
// none: a byte order mark, else UTF-8 when it is valid, else the charset
// an HTML meta tag or an XML declaration in its first KiB declares, else
// UTF-8 (invalid bytes then become U+FFFD).
func detectEncoding(body []byte) textEncoding {
	switch {
	case bytes.HasPrefix(body, []byte("\xef\xbb\xbf")):
		return utf8Encoding
	case bytes.HasPrefix(body, []byte("\xfe\xff")):
		e, _ := lookupEncoding("utf-16be")
		return e
	case bytes.HasPrefix(body, []byte("\xff\xfe")):
		e, _ := lookupEncoding("utf-16le")
		return e
	}
	if utf8.Valid(body) {
		return utf8Encoding
	}
	if e, ok := lookupEncoding(declaredCharset(body[:min(len(body), 1024)])); ok && !strings.HasPrefix(e.name, "utf-16") {
		return e // a document that declares UTF-16 in ASCII is not UTF-16 (WHATWG)
	}
	return utf8Encoding
}

// declaredCharset returns the encoding an XML declaration or an HTML meta
// tag at the start of a document declares, "" when it finds none.
func declaredCharset(b []byte) string {
	b = bytes.ToLower(b)
	if bytes.HasPrefix(b, []byte("<?xml")) {
		if end := bytes.Index(b, []byte("?>")); end > 0 {
			if v := attrValue(b[:end], "encoding"); v != "" {
				return v
			}
		}
	}
	for {
		i := bytes.Index(b, []byte("<meta"))
		if i < 0 {
			return ""
		}
		b = b[i+len("<meta"):]
		tag := b
		if end := bytes.IndexByte(tag, '>'); end >= 0 {
			tag = tag[:end]
		}
		if v := attrValue(tag, "charset"); v != "" {
			return v
		}
	}
}

// attrValue returns the value after the first `name =` in b, unquoted,
// "" when there is none. It finds charset both as an attribute and inside
// a content="text/html; charset=..." one.
func attrValue(b []byte, name string) string {
	for {
		i := bytes.Index(b, []byte(name))
		if i < 0 {
			return ""
		}
		b = bytes.TrimLeft(b[i+len(name):], " \t\r\n\f")
		if len(b) == 0 || b[0] != '=' {
			continue
		}
		b = bytes.TrimLeft(b[1:], " \t\r\n\f")
		if len(b) > 0 && (b[0] == '"' || b[0] == '\'') {
			b = b[1:]
		}
		end := bytes.IndexAny(b, "\"' \t\r\n\f;>/")
		if end < 0 {
			end = len(b)
		}
		return string(b[:end])
	}
}

// mediaType returns the media type of a Content-Type value in lower case,
// "text/plain" when it is malformed (as aiohttp, through Python's email
// parser).
func mediaType(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSpace(v)
	if strings.Count(v, "/") != 1 {
		return "text/plain"
	}
	return strings.ToLower(v)
}

// headerParam returns the value of the parameter name (lower case) of a
// header value such as a Content-Type, "" when it has none.
func headerParam(v, name string) string {
	i := strings.IndexByte(v, ';')
	if i < 0 {
		return ""
	}
	value := ""
	forEachParam(v[i:], false, func(n, v string) bool {
		if n == name {
			value = v
			return false
		}
		return true
	})
	return value
}
