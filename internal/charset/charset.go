// Package charset finds and decodes the character encodings that HTTP
// bodies and parameters name, the same way for the client and the server:
// WHATWG labels, latin-1 as itself (not windows-1252), and the Python
// names aiohttp users write.
package charset

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// Encoding is a character encoding text can be decoded from.
type Encoding struct {
	enc  encoding.Encoding // nil for UTF-8, which needs no transformation
	name string
}

// UTF8 is the UTF-8 encoding.
var UTF8 = Encoding{name: "utf-8"}

// Name returns the encoding's canonical name, like "utf-8", "gbk",
// "shift_jis".
func (e Encoding) Name() string { return e.name }

// latin1Labels are the labels of ISO-8859-1. WHATWG maps them to
// windows-1252; both sides decode them as what they say, as aiohttp
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

// Lookup finds the encoding a label names: a WHATWG label, a latin-1
// name, or a common Python name; '_' may stand for '-'. Surrounding
// spaces and quotes are ignored.
func Lookup(label string) (Encoding, bool) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if label == "" {
		return Encoding{}, false
	}
	if alias, ok := pythonLabels[label]; ok {
		label = alias
	}
	if latin1Labels[label] {
		return Encoding{enc: charmap.ISO8859_1, name: "iso-8859-1"}, true
	}
	e, err := htmlindex.Get(label)
	if err != nil {
		if e, err = htmlindex.Get(strings.ReplaceAll(label, "_", "-")); err != nil {
			return Encoding{}, false
		}
	}
	name, _ := htmlindex.Name(e) // e comes from the index: it has a name
	if name == "utf-8" {
		return UTF8, true
	}
	return Encoding{enc: e, name: name}, true
}

// Decode decodes b from e. Invalid bytes become U+FFFD; a leading byte
// order mark is dropped.
func (e Encoding) Decode(b []byte) (string, error) {
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

// DecodeString decodes s from e, strictly: it reports false when s is not
// valid in e (UTF-8 included).
func (e Encoding) DecodeString(s string) (string, bool) {
	if e.enc == nil {
		return s, utf8.ValidString(s)
	}
	out, err := e.enc.NewDecoder().String(s)
	return out, err == nil
}
