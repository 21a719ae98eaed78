package websocket

import (
	"encoding/binary"
	"math/bits"
)

// mask XORs b in place with the masking key, starting at byte pos of the key
// (RFC 6455, section 5.3), and returns the key position after b. Masking is
// its own inverse, so the same call unmasks.
//
// The loop works on 64-bit words, 32 bytes per round when it can; the
// compiler turns the little-endian loads and stores into single moves.
func mask(key [4]byte, pos int, b []byte) int {
	if len(b) < 8 {
		for i := range b {
			b[i] ^= key[(pos+i)&3]
		}
		return (pos + len(b)) & 3
	}
	k32 := bits.RotateLeft32(binary.LittleEndian.Uint32(key[:]), -8*(pos&3))
	k := uint64(k32) | uint64(k32)<<32
	i := 0
	for ; len(b)-i >= 32; i += 32 {
		p := b[i : i+32 : i+32]
		binary.LittleEndian.PutUint64(p[0:], binary.LittleEndian.Uint64(p[0:])^k)
		binary.LittleEndian.PutUint64(p[8:], binary.LittleEndian.Uint64(p[8:])^k)
		binary.LittleEndian.PutUint64(p[16:], binary.LittleEndian.Uint64(p[16:])^k)
		binary.LittleEndian.PutUint64(p[24:], binary.LittleEndian.Uint64(p[24:])^k)
	}
	for ; len(b)-i >= 8; i += 8 {
		p := b[i : i+8 : i+8]
		binary.LittleEndian.PutUint64(p, binary.LittleEndian.Uint64(p)^k)
	}
	for ; i < len(b); i++ {
		b[i] ^= byte(k)
		k >>= 8
	}
	return (pos + len(b)) & 3
}
