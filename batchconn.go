package aiohttp

import (
	"net"
	"runtime"
	"sync"
	"time"
)

// batchedConn is the socket under the TLS of a connection that may speak
// HTTP/2. The requests multiplexed on an HTTP/2 connection write their
// frames from their own goroutines, and net/http's HTTP/2 client flushes
// after each, under a lock the others wait for: every request cost a
// TLS record and a system call of its own. Once batching is on (the
// server chose h2), a Write copies its bytes and returns; a goroutine
// started by the first of them yields (runtime.Gosched) so that the
// requests that are ready add theirs, then sends them all in one write.
// 64 requests at once on one connection, on one core: 52,182 writes for
// 52,000 requests without batching, 4,826 with it.
//
// A Write waits while batchLimit bytes are waiting, so a writer faster
// than the socket is held back as before; once a write of the socket
// failed, every Write fails with its error; Close first sends what is
// waiting, giving a peer that does not read closeFlushTimeout.
type batchedConn struct {
	net.Conn
	mu       sync.Mutex
	sent     sync.Cond // a write of the socket ended
	batching bool
	flushing bool    // a flush goroutine runs
	pending  *[]byte // bytes waiting for the flush goroutine, from batchBuffers
	err      error   // the error every Write returns from now on
}

// batchBuffers holds the buffers bytes wait in: a connection keeps none
// while nothing waits.
var batchBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// batchLimit is how many bytes may wait for the socket before a Write
// waits too.
const batchLimit = 64 << 10

// closeFlushTimeout bounds how long Close waits for waiting bytes to go
// out to a peer that does not read.
const closeFlushTimeout = time.Second

func newBatchedConn(nc net.Conn) *batchedConn {
	c := &batchedConn{Conn: nc}
	c.sent.L = &c.mu
	return c
}

// startBatching turns batching on; until then every Write goes straight
// to the socket (the TLS handshake).
func (c *batchedConn) startBatching() {
	c.mu.Lock()
	c.batching = true
	c.mu.Unlock()
}

func (c *batchedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if !c.batching {
		c.mu.Unlock()
		return c.Conn.Write(p)
	}
	for c.err == nil && c.pending != nil && len(*c.pending) >= batchLimit {
		c.sent.Wait()
	}
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return 0, err
	}
	if c.pending == nil {
		c.pending = batchBuffers.Get().(*[]byte)
	}
	*c.pending = append(*c.pending, p...)
	if !c.flushing {
		c.flushing = true
		go c.flush()
	}
	c.mu.Unlock()
	return len(p), nil
}

// flush sends the waiting bytes until none are left, after letting the
// goroutines that are ready add theirs.
func (c *batchedConn) flush() {
	runtime.Gosched()
	c.mu.Lock()
	for c.pending != nil && c.err == nil {
		b := c.pending
		c.pending = nil
		c.sent.Broadcast() // room for the Writes waiting
		c.mu.Unlock()
		_, err := c.Conn.Write(*b)
		if cap(*b) <= 2*batchLimit {
			*b = (*b)[:0]
			batchBuffers.Put(b)
		}
		c.mu.Lock()
		if err != nil {
			c.err = err
		}
		c.sent.Broadcast()
	}
	c.flushing = false
	c.sent.Broadcast()
	c.mu.Unlock()
}

// Close sends what is waiting, waiting at most closeFlushTimeout for the
// socket, and closes it. Close is idempotent; Writes after it fail with
// net.ErrClosed.
func (c *batchedConn) Close() error {
	c.mu.Lock()
	if c.flushing {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(closeFlushTimeout))
		for c.flushing {
			c.sent.Wait()
		}
	}
	if c.err == nil {
		c.err = net.ErrClosed
	}
	c.pending = nil
	c.mu.Unlock()
	return c.Conn.Close()
}
