package http1

import (
	"encoding/binary"

	"github.com/aiohttp-go/aiohttp/internal/field"
)

// Byte classes used by the parsers, one lookup per byte.
const (
	classToken  = 1 << iota // tchar (RFC 9110 5.6.2)
	classValue              // field-value byte: HTAB, SP, VCHAR, obs-text
	classTarget             // request-target byte: VCHAR, obs-text
	classReason             // reason-phrase byte: HTAB, SP, VCHAR, obs-text
	classQdtext             // quoted-string qdtext (RFC 9110 5.6.4)
)

var classes = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		vchar := c > 0x20 && c < 0x7f
		obs := c >= 0x80
		if vchar || obs || c == ' ' || c == '\t' {
			t[c] |= classValue | classReason
		}
		if vchar || obs {
			t[c] |= classTarget
		}
		if (vchar || obs || c == ' ' || c == '\t') && c != '"' && c != '\\' {
			t[c] |= classQdtext
		}
		if field.IsTokenChar(byte(c)) {
			t[c] |= classToken
		}
	}
	return t
}()

// hexValue maps a hex digit to its value and every other byte to 0xff.
var hexValue = func() (t [256]uint8) {
	for c := range t {
		t[c] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = uint8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = uint8(c - 'a' + 10)
		t[c-'a'+'A'] = uint8(c - 'a' + 10)
	}
	return t
}()

// Unescape returns the byte that the percent-escape "%XX" starting at
// s[i] stands for, and false when no such escape starts there.
func Unescape(s string, i int) (byte, bool) {
	if i+2 >= len(s) || s[i] != '%' {
		return 0, false
	}
	hi, lo := hexValue[s[i+1]], hexValue[s[i+2]]
	if hi == 0xff || lo == 0xff {
		return 0, false
	}
	return hi<<4 | lo, true
}

// toLower folds ASCII letters to lower case.
var toLower = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
		if c >= 'A' && c <= 'Z' {
			t[c] = byte(c + 'a' - 'A')
		}
	}
	return t
}()

// equalFold reports whether b equals the lower-case ASCII string s, ignoring
// the case of b.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if toLower[b[i]] != s[i] {
			return false
		}
	}
	return true
}

// SWAR constants: the low and the high bit of every byte of a word.
const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
)

// scanValue returns the index of the first byte at or after i that cannot
// appear in a field value. Eight bytes at a time it skips words without a
// byte below 0x20 or equal to 0x7f; the byte loop settles the rest.
func scanValue(b []byte, i int) int {
	for ; len(b)-i >= 8; i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		y := x ^ (lsbs * 0x7f)
		if ((x-lsbs*0x20)&^x|(y-lsbs)&^y)&msbs != 0 {
			break
		}
	}
	for i < len(b) && classes[b[i]]&classValue != 0 {
		i++
	}
	return i
}

// scanTarget returns the index of the first byte at or after i that cannot
// appear in a request target: a CTL, SP or DEL.
func scanTarget(b []byte, i int) int {
	for ; len(b)-i >= 8; i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		y := x ^ (lsbs * 0x7f)
		if ((x-lsbs*0x21)&^x|(y-lsbs)&^y)&msbs != 0 {
			break
		}
	}
	for i < len(b) && classes[b[i]]&classTarget != 0 {
		i++
	}
	return i
}
