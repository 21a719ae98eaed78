package websocket

import (
	"encoding/binary"
	"math/bits"
)

// mask XORs b in place with the masking key, starting at byte pos of the key
// (RFC 6455, section 5.3), and returns the key position after b. Masking is
// its own inverse, so the same call unmasks.
func mask(key [4]byte, pos int, b []byte) int { return maskTo(key, pos, b, b) }

// maskTo writes src XORed with the masking key to dst, which is as long
// as src and is either src itself or does not overlap it, starting at
// byte pos of the key, and returns the key position after src: a copy
// and a mask in one pass over the bytes.
//
// From maskVectorMin bytes on, the CPU's vector kernel (maskVector: AVX2
// on amd64) does the whole 32-byte blocks. The rest, and all of it on
// other builds, goes through a loop on 64-bit words, 32 bytes per round
// when it can; the compiler turns the little-endian loads and stores
// into single moves.
func maskTo(key [4]byte, pos int, dst, src []byte) int {
	dst = dst[:len(src)]
	if len(src) < 8 {
		for i := range src {
			dst[i] = src[i] ^ key[(pos+i)&3]
		}
		return (pos + len(src)) & 3
	}
	k32 := bits.RotateLeft32(binary.LittleEndian.Uint32(key[:]), -8*(pos&3))
	i := 0
	if len(src) >= maskVectorMin {
		// A multiple of 32 bytes: the key position stays where it was.
		i = maskVector(k32, dst, src)
	}
	k := uint64(k32) | uint64(k32)<<32
	for ; len(src)-i >= 32; i += 32 {
		s, d := src[i:i+32:i+32], dst[i:i+32:i+32]
		binary.LittleEndian.PutUint64(d[0:], binary.LittleEndian.Uint64(s[0:])^k)
		binary.LittleEndian.PutUint64(d[8:], binary.LittleEndian.Uint64(s[8:])^k)
		binary.LittleEndian.PutUint64(d[16:], binary.LittleEndian.Uint64(s[16:])^k)
		binary.LittleEndian.PutUint64(d[24:], binary.LittleEndian.Uint64(s[24:])^k)
	}
	for ; len(src)-i >= 8; i += 8 {
		s, d := src[i:i+8:i+8], dst[i:i+8:i+8]
		binary.LittleEndian.PutUint64(d, binary.LittleEndian.Uint64(s)^k)
	}
	for ; i < len(src); i++ {
		dst[i] = src[i] ^ byte(k)
		k >>= 8
	}
	return (pos + len(src)) & 3
}
