package aiohttp

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/aiohttp-go/aiohttp/internal/charset"
)

// detectEncoding guesses the encoding of a body whose response names
// none: a byte order mark, else UTF-8 when it is valid, else the charset
// an HTML meta tag or an XML declaration in its first KiB declares, else
// UTF-8 (invalid bytes then become U+FFFD).
func detectEncoding(body []byte) charset.Encoding {
	switch {
	case bytes.HasPrefix(body, []byte("\xef\xbb\xbf")):
		return charset.UTF8
	case bytes.HasPrefix(body, []byte("\xfe\xff")):
		e, _ := charset.Lookup("utf-16be")
		return e
	case bytes.HasPrefix(body, []byte("\xff\xfe")):
		e, _ := charset.Lookup("utf-16le")
		return e
	}
	if utf8.Valid(body) {
		return charset.UTF8
	}
	if e, ok := charset.Lookup(declaredCharset(body[:min(len(body), 1024)])); ok && !strings.HasPrefix(e.Name(), "utf-16") {
		return e // a document that declares UTF-16 in ASCII is not UTF-16 (WHATWG)
	}
	return charset.UTF8
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
