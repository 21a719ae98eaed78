package websocket

import "encoding/binary"

// utf8Validator checks UTF-8 incrementally, so that a text message is
// rejected as soon as the first byte that cannot start or continue a valid
// sequence arrives, even in the middle of a fragment (RFC 6455, section 8.1;
// Autobahn cases 6.4.*). It follows the well-formed byte sequences of the
// Unicode standard, table 3-7: no overlong forms, no surrogates, nothing above
// U+10FFFF.
type utf8Validator struct {
	need   uint8 // continuation bytes still expected
	lo, hi byte  // the range the next continuation byte must fall in
}

// reset prepares v for a new message.
func (v *utf8Validator) reset() { v.need = 0 }

// complete reports whether the bytes seen so far end on a character boundary.
func (v *utf8Validator) complete() bool { return v.need == 0 }

// write feeds p to v and reports whether it is still a valid prefix.
func (v *utf8Validator) write(p []byte) bool {
	i := 0
	for i < len(p) {
		if v.need > 0 {
			b := p[i]
			if b < v.lo || b > v.hi {
				return false
			}
			v.lo, v.hi = 0x80, 0xBF
			v.need--
			i++
			continue
		}
		for len(p)-i >= 8 && binary.LittleEndian.Uint64(p[i:])&0x8080808080808080 == 0 {
			i += 8
		}
		if i == len(p) {
			break
		}
		b := p[i]
		i++
		switch {
		case b < 0x80:
			continue
		case b < 0xC2: // continuation byte or overlong 2-byte lead
			return false
		case b < 0xE0:
			v.need, v.lo, v.hi = 1, 0x80, 0xBF
		case b == 0xE0: // no overlong 3-byte forms
			v.need, v.lo, v.hi = 2, 0xA0, 0xBF
		case b == 0xED: // no surrogates
			v.need, v.lo, v.hi = 2, 0x80, 0x9F
		case b < 0xF0:
			v.need, v.lo, v.hi = 2, 0x80, 0xBF
		case b == 0xF0: // no overlong 4-byte forms
			v.need, v.lo, v.hi = 3, 0x90, 0xBF
		case b < 0xF4:
			v.need, v.lo, v.hi = 3, 0x80, 0xBF
		case b == 0xF4: // nothing above U+10FFFF
			v.need, v.lo, v.hi = 3, 0x80, 0x8F
		default:
			return false
		}
	}
	return true
}
