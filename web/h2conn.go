package web

import (
	"crypto/tls"
	"io"
	"net"
	"runtime"
	"sync"
	"time"
)

// h2Conn is a connection x/net's HTTP/2 server runs on. Its first bytes
// come from r, which holds what the HTTP/1.1 engine read ahead; once
// writeBehind is called, its writes are merged.
//
// x/net's server flushes its buffer as soon as nothing else is queued,
// so with few cores nearly every frame went out in a system call of its
// own: 1.6 writes a response with 64 streams on each of 4 connections,
// and HEADERS and DATA apart (x/net queues a response's DATA only once
// its HEADERS is written) with one stream a connection. Writing behind,
// a Write copies its bytes and returns, and a goroutine started by the
// first of them yields (runtime.Gosched), so that the handlers and
// frames that are ready join the batch, then sends it in one write: 0.03
// writes a response with 64 streams a connection, one with one stream.
//
// A Write waits while writeBehindLimit bytes wait, so a client that
// stops reading holds the server back as before; once a write of the
// socket failed, every Write fails with its error. Close sends what
// waits, giving the client closeFlushTimeout (the last frames are often
// GOAWAY or RST_STREAM).
type h2Conn struct {
	net.Conn
	r io.Reader

	mu       sync.Mutex
	sent     sync.Cond // the flush goroutine took or wrote a batch
	behind   bool      // writes are merged; set before the connection is shared
	flushing bool      // a flush goroutine runs
	pending  *[]byte   // bytes waiting for it, from behindBuffers
	err      error     // what every Write returns from now on
}

// writeBehindLimit is how many bytes may wait for the socket before a
// Write waits too.
const writeBehindLimit = 64 << 10

// closeFlushTimeout bounds how long Close sends what waits to a client
// that does not read.
const closeFlushTimeout = time.Second

// behindBuffers holds the buffers writes wait in: a connection keeps none
// while nothing waits.
var behindBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

func newH2Conn(nc net.Conn, r io.Reader) *h2Conn {
	c := &h2Conn{Conn: nc, r: r}
	c.sent.L = &c.mu
	return c
}

// writeBehind merges the writes from now on; it is called before the
// connection is handed to x/net. Without it, as when x/net must time each
// write (HTTP2Config.WriteByteTimeout), a Write is the socket's.
func (c *h2Conn) writeBehind() { c.behind = true }

func (c *h2Conn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (c *h2Conn) Write(p []byte) (int, error) {
	if !c.behind {
		return c.Conn.Write(p)
	}
	c.mu.Lock()
	for c.err == nil && c.pending != nil && len(*c.pending) >= writeBehindLimit {
		c.sent.Wait()
	}
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return 0, err
	}
	if c.pending == nil {
		c.pending = behindBuffers.Get().(*[]byte)
	}
	*c.pending = append(*c.pending, p...)
	if !c.flushing {
		c.flushing = true
		go c.flush()
	}
	c.mu.Unlock()
	return len(p), nil
}

// flush sends what waits until nothing does, after letting the
// goroutines that are ready add theirs.
func (c *h2Conn) flush() {
	runtime.Gosched()
	c.mu.Lock()
	for c.pending != nil && c.err == nil {
		b := c.pending
		c.pending = nil
		c.sent.Broadcast() // room for the Writes waiting
		c.mu.Unlock()
		_, err := c.Conn.Write(*b)
		if cap(*b) <= 2*writeBehindLimit {
			*b = (*b)[:0]
			behindBuffers.Put(b)
		}
		c.mu.Lock()
		if err != nil {
			c.err = err
		}
	}
	c.flushing = false
	c.sent.Broadcast()
	c.mu.Unlock()
}

// Close sends what waits, for at most closeFlushTimeout, and closes the
// socket. Writes after it fail with net.ErrClosed.
func (c *h2Conn) Close() error { return c.closeBy(time.Now().Add(closeFlushTimeout)) }

// abort closes the socket without waiting for what waits to go out.
func (c *h2Conn) abort() { c.closeBy(aLongTimeAgo) }

// closeBy closes the socket once what waits went out or the deadline
// passed.
func (c *h2Conn) closeBy(deadline time.Time) error {
	c.mu.Lock()
	if c.flushing {
		_ = c.Conn.SetWriteDeadline(deadline)
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

// h2TLSConn is an h2Conn over TLS: x/net sees the TLS state through it.
type h2TLSConn struct {
	*h2Conn
	tc *tls.Conn
}

// ConnectionState returns the TLS state of the connection.
func (c *h2TLSConn) ConnectionState() tls.ConnectionState { return c.tc.ConnectionState() }
