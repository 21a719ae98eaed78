//go:build !purego

package websocket

import (
	"math"

	"golang.org/x/sys/cpu"
)

// maskVectorMin is the shortest input maskTo hands to maskVector: 64 bytes
// where the CPU (and the OS) can run AVX2, none elsewhere. At 64 bytes the
// kernel's call costs about as much as the Go word loop, from 96 up less
// (BenchmarkMask's simd and word at 64 and 128 bytes). Tests and
// benchmarks set it to math.MaxInt to measure the word loop alone.
var maskVectorMin = func() int {
	if cpu.X86.HasAVX2 {
		return 64
	}
	return math.MaxInt
}()

// maskVector writes the whole 32-byte blocks of src XORed with the word k
// (the masking key rotated to the position of src[0], little-endian) to
// dst, which is as long as src and is either src itself or does not
// overlap it, with AVX2, and returns how many bytes it did. src is at
// least maskVectorMin bytes long.
func maskVector(k uint32, dst, src []byte) int {
	n := len(src) &^ 31
	maskAVX2(&dst[0], &src[0], n, k)
	return n
}

// maskAVX2 writes the n bytes at src XORed with the key word k, repeated,
// to dst. n is a multiple of 32; dst is src or does not overlap the n
// bytes at src. Implemented in mask_amd64.s.
//
//go:noescape
func maskAVX2(dst, src *byte, n int, k uint32)
