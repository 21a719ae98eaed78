package websocket

import (
	"math/bits"
	"sync"
)

// Buffers are pooled by size class, powers of two from minPooled to
// retainLimit, so that an idle connection holds none: a Conn takes its
// read buffer, message buffer and write buffer when it needs them and
// gives them back when it would wait for the network.

const (
	minPooledShift = 9  // 512 bytes
	maxPooledShift = 18 // retainLimit
)

var bufPools [maxPooledShift - minPooledShift + 1]sync.Pool

// bufClass returns the pool index of a buffer of capacity at least n, -1
// when n is over retainLimit.
func bufClass(n int) int {
	if n > retainLimit {
		return -1
	}
	if n <= 1<<minPooledShift {
		return 0
	}
	return bits.Len(uint(n-1)) - minPooledShift
}

// pooledBuf is a buffer from the pools; the pointer travels with it so that
// giving it back allocates nothing.
type pooledBuf = *[]byte

// getBuf returns an empty buffer with room for at least n bytes, from the
// pools when n is at most retainLimit.
func getBuf(n int) pooledBuf {
	k := bufClass(n)
	if k < 0 {
		b := make([]byte, 0, n)
		return &b
	}
	if v := bufPools[k].Get(); v != nil {
		b := v.(pooledBuf)
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, 1<<(k+minPooledShift))
	return &b
}

// putBuf gives b back; a buffer of no class (grown past retainLimit, or
// not a power of two) is left to the garbage collector.
func putBuf(b pooledBuf) {
	c := cap(*b)
	if c < 1<<minPooledShift || c > retainLimit || c&(c-1) != 0 {
		return
	}
	bufPools[bufClass(c)].Put(b)
}
