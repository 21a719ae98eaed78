package websocket

import (
	"encoding/binary"
	"errors"
)

// opcode is the 4-bit frame type of RFC 6455, section 5.2.
type opcode byte

const (
	opContinuation opcode = 0x0
	opText         opcode = 0x1
	opBinary       opcode = 0x2
	opClose        opcode = 0x8
	opPing         opcode = 0x9
	opPong         opcode = 0xA
)

// isControl reports whether op is a control opcode (close, ping, pong or a
// reserved control opcode).
func (op opcode) isControl() bool { return op&0x8 != 0 }

// known reports whether op is one of the six opcodes RFC 6455 defines.
func (op opcode) known() bool {
	switch op {
	case opContinuation, opText, opBinary, opClose, opPing, opPong:
		return true
	}
	return false
}

const (
	bitFIN  = 0x80
	bitRSV1 = 0x40
	bitRSV2 = 0x20
	bitRSV3 = 0x10
	bitMask = 0x80

	// maxHeaderSize is the largest frame header: 2 bytes, an 8-byte
	// extended length and a 4-byte masking key.
	maxHeaderSize = 14

	// maxControlPayload is the largest payload of a control frame.
	maxControlPayload = 125
)

// header is a decoded frame header.
type header struct {
	fin    bool
	rsv    byte // the RSV1-3 bits as they appear in the first byte (0x70 mask)
	op     opcode
	masked bool
	key    [4]byte
	length int64
}

// errBadLength reports a 64-bit payload length with its most significant bit
// set, which RFC 6455 forbids.
var errBadLength = errors.New("websocket: frame length has its most significant bit set")

// headerSize returns the size of the header that starts with the bytes b0 and
// b1: 2 bytes, plus 2 or 8 for an extended length, plus 4 for a masking key.
func headerSize(b0, b1 byte) int {
	n := 2
	switch b1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&bitMask != 0 {
		n += 4
	}
	return n
}

// decodeHeader decodes a frame header from b, which holds exactly
// headerSize(b[0], b[1]) bytes. Non-minimal length encodings are accepted, as
// most implementations do; a 64-bit length with its top bit set is not.
func decodeHeader(b []byte) (header, error) {
	h := header{
		fin:    b[0]&bitFIN != 0,
		rsv:    b[0] & (bitRSV1 | bitRSV2 | bitRSV3),
		op:     opcode(b[0] & 0x0f),
		masked: b[1]&bitMask != 0,
	}
	i := 2
	switch l := b[1] & 0x7f; l {
	case 126:
		h.length = int64(binary.BigEndian.Uint16(b[2:]))
		i += 2
	case 127:
		u := binary.BigEndian.Uint64(b[2:])
		if u>>63 != 0 {
			return h, errBadLength
		}
		h.length = int64(u)
		i += 8
	default:
		h.length = int64(l)
	}
	if h.masked {
		copy(h.key[:], b[i:i+4])
	}
	return h, nil
}

// encodeHeader writes h into b, which must hold maxHeaderSize bytes, using
// the minimal length encoding, and returns the number of bytes written.
func encodeHeader(b []byte, h header) int {
	b0 := h.rsv | byte(h.op)
	if h.fin {
		b0 |= bitFIN
	}
	b[0] = b0
	var b1 byte
	if h.masked {
		b1 = bitMask
	}
	n := 2
	switch {
	case h.length <= 125:
		b[1] = b1 | byte(h.length)
	case h.length <= 0xffff:
		b[1] = b1 | 126
		binary.BigEndian.PutUint16(b[2:], uint16(h.length))
		n += 2
	default:
		b[1] = b1 | 127
		binary.BigEndian.PutUint64(b[2:], uint64(h.length))
		n += 8
	}
	if h.masked {
		n += copy(b[n:], h.key[:])
	}
	return n
}
