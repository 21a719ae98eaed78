package http1

import (
	"math/bits"
	"sync"
)

// Read buffers come in power-of-two size classes from 4 KiB to 2 MiB, one
// pool per class; bigger buffers (only for unusually large Limits) are not
// pooled.
const (
	minBufShift = 12
	minBufSize  = 1 << minBufShift
	bufClasses  = 10
)

var bufPools [bufClasses]sync.Pool

// bufClass returns the size class of the smallest pooled buffer holding n
// bytes; it is bufClasses or more when no pooled buffer is big enough.
func bufClass(n int) int {
	if n <= minBufSize {
		return 0
	}
	return bits.Len(uint(n-1)) - minBufShift
}

// getBuf returns a buffer of at least n bytes.
func getBuf(n int) *[]byte {
	c := bufClass(n)
	if c >= bufClasses {
		b := make([]byte, n)
		return &b
	}
	if p, ok := bufPools[c].Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, minBufSize<<c)
	return &b
}

// putBuf gives a buffer from getBuf back to its pool.
func putBuf(p *[]byte) {
	n := len(*p)
	if c := bufClass(n); c < bufClasses && n == minBufSize<<c {
		bufPools[c].Put(p)
	}
}
