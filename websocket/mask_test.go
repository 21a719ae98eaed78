package websocket

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// maskBytes is RFC 6455's masking, byte by byte: the reference the
// faster paths are held to.
func maskBytes(key [4]byte, pos int, b []byte) {
	for i := range b {
		b[i] ^= key[(pos+i)&3]
	}
}

// maskPaths are the ways to mask under test, as maskVectorMin values: as
// callers get it (the vector kernel for long inputs where the CPU has one)
// and the Go word loop alone.
var maskPaths = []struct {
	name string
	min  int
}{{"simd", maskVectorMin}, {"word", math.MaxInt}}

// maskGuard is the byte around the slices under test, which no path may
// write.
const maskGuard = 0xa5

// checkMask masks src (copied to offset off of a larger slice) along
// every path, in place (mask) and into a dst at another offset with room
// past len(src), and compares with want; it fails when a byte outside
// dst[:len(src)] changed or the returned key position is wrong.
func checkMask(t *testing.T, key [4]byte, pos, off int, src, want []byte) {
	t.Helper()
	n := len(src)
	defer func(min int) { maskVectorMin = min }(maskVectorMin)
	for _, p := range maskPaths {
		maskVectorMin = p.min
		buf := bytes.Repeat([]byte{maskGuard}, off+n+40)
		in := buf[off : off+n]
		copy(in, src)
		if next := mask(key, pos, in); next != (pos+n)&3 || !bytes.Equal(in, want) {
			t.Fatalf("%s in place n=%d pos=%d off=%d: next=%d", p.name, n, pos, off, next)
		}
		checkGuard(t, p.name+" in place", buf, off, n)

		copy(in, src)
		dstOff := (off*7 + 3) & 31
		out := bytes.Repeat([]byte{maskGuard}, dstOff+n+40)
		dst := out[dstOff : dstOff+n+8] // longer than src: the rest stays
		if next := maskTo(key, pos, dst, in); next != (pos+n)&3 || !bytes.Equal(dst[:n], want) {
			t.Fatalf("%s to dst n=%d pos=%d off=%d: next=%d", p.name, n, pos, off, next)
		}
		checkGuard(t, p.name+" to dst", out, dstOff, n)
		if !bytes.Equal(in, src) {
			t.Fatalf("%s to dst n=%d pos=%d off=%d changed src", p.name, n, pos, off)
		}
	}
}

// checkGuard fails when a byte of buf outside buf[off:off+n] is not
// maskGuard.
func checkGuard(t *testing.T, what string, buf []byte, off, n int) {
	t.Helper()
	for _, outside := range [][]byte{buf[:off], buf[off+n:]} {
		if bytes.Count(outside, []byte{maskGuard}) != len(outside) {
			t.Fatalf("%s n=%d off=%d: a byte outside the slice written", what, n, off)
		}
	}
}

// TestMask: mask and maskTo, through every path, give RFC 6455's
// byte-by-byte result for every length up to 600 (the vector kernel's
// 128- and 32-byte rounds and every tail), from every key position, at
// every alignment, in place and into another slice, and write nothing
// else.
func TestMask(t *testing.T) {
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	for n := range 601 {
		src := payload(n, false)
		for pos := range 4 {
			want := bytes.Clone(src)
			maskBytes(key, pos, want)
			for off := range 32 {
				checkMask(t, key, pos, off, src, want)
			}
		}
	}
}

// FuzzMask compares mask and maskTo with the byte-by-byte masking for
// any payload, key, key position and alignment.
func FuzzMask(f *testing.F) {
	f.Add([]byte("hello"), uint32(0x12345678), uint8(0), uint8(0))
	f.Add(payload(64, false), uint32(0xdeadbeef), uint8(1), uint8(3))
	f.Add(payload(200, true), uint32(0x01020304), uint8(2), uint8(17))
	f.Add(payload(1000, false), uint32(0xffffffff), uint8(3), uint8(31))
	f.Fuzz(func(t *testing.T, src []byte, k uint32, pos, off uint8) {
		var key [4]byte
		binary.LittleEndian.PutUint32(key[:], k)
		want := bytes.Clone(src)
		maskBytes(key, int(pos&3), want)
		checkMask(t, key, int(pos&3), int(off&31), src, want)
	})
}
