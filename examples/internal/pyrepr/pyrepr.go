// Package pyrepr prints JSON the way Python prints what json.loads returns,
// so that a client example can show a response exactly as its Python
// original does with print(await resp.json()): objects as dicts in document
// order ({'key': 'value', 'number': 123}), true/false/null as
// True/False/None, strings in Python's quotes and escapes, integers of any
// size and floats in Python's shortest form (1.0, 1e+16, 1e-05).
package pyrepr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// Print returns what Python's print shows for json.loads(data): str() of
// the value, which is its repr except that a string prints bare.
func Print(data []byte) (string, error) {
	v, err := decode(data)
	if err != nil {
		return "", err
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	var b strings.Builder
	repr(&b, v)
	return b.String(), nil
}

// Repr returns Python's repr of json.loads(data).
func Repr(data []byte) (string, error) {
	v, err := decode(data)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	repr(&b, v)
	return b.String(), nil
}

// Quote returns Python's repr of the string s: single quotes, or double
// quotes when s holds a single quote and no double quote, with Python's
// escapes for the quote, backslash and unprintable characters.
func Quote(s string) string {
	var b strings.Builder
	quote(&b, s)
	return b.String()
}

// dict is a JSON object as Python's dict holds it: keys in the order they
// first appeared, a repeated key keeping its first place and its last
// value.
type dict struct {
	keys []string
	vals map[string]any
}

// float and integer keep numbers apart as json.loads does.
type (
	float   float64
	integer struct{ *big.Int }
)

// decode parses one JSON value, with nothing but white space after it.
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := value(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("pyrepr: extra data after the JSON value")
	}
	return v, nil
}

func value(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			d := &dict{vals: make(map[string]any)}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key := k.(string) // the decoder returns only string keys
				v, err := value(dec)
				if err != nil {
					return nil, err
				}
				if _, seen := d.vals[key]; !seen {
					d.keys = append(d.keys, key)
				}
				d.vals[key] = v
			}
			_, err := dec.Token() // '}'
			return d, err
		case '[':
			list := []any{}
			for dec.More() {
				v, err := value(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token() // ']'
			return list, err
		}
		return nil, fmt.Errorf("pyrepr: unexpected %v", t)
	case json.Number:
		return number(string(t))
	default: // string, bool, nil
		return t, nil
	}
}

// number converts a JSON number as json.loads does: an int when it has no
// fraction or exponent, a float (perhaps inf) otherwise.
func number(s string) (any, error) {
	if !strings.ContainsAny(s, ".eE") {
		n, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, fmt.Errorf("pyrepr: bad number %q", s)
		}
		return integer{n}, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, err
	}
	return float(f), nil // ParseFloat gives ±Inf or 0 out of range, as Python does
}

func repr(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if v {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case string:
		quote(b, v)
	case integer:
		b.WriteString(v.String())
	case float:
		b.WriteString(floatRepr(float64(v)))
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			repr(b, e)
		}
		b.WriteByte(']')
	case *dict:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			quote(b, k)
			b.WriteString(": ")
			repr(b, v.vals[k])
		}
		b.WriteByte('}')
	}
}

// floatRepr formats f as Python's repr(float): the shortest digits that
// read back as f, in positional notation when the decimal exponent is
// from -4 to 15 (with ".0" on whole numbers), in scientific notation with
// at least two exponent digits otherwise.
func floatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // like "1.5e-05", "1e+16"
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}

// quote writes Python's repr of a str (CPython's unicode_repr).
func quote(b *strings.Builder, s string) {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(b, `\x%02x`, r)
		case r < 0x7f:
			b.WriteRune(r)
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			fmt.Fprintf(b, `\U%08x`, r)
		}
	}
	b.WriteByte(q)
}
