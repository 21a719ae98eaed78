package web

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/internal/park"
)

// Connection states, watched by the server's sweeper for timeouts and by
// graceful shutdown to close idle connections.
const (
	stateNew      int32 = iota // accepted, first request head not complete
	stateIdle                  // keep-alive: waiting for the next request
	stateHead                  // a request head is arriving
	stateActive                // a request is being served
	stateHijacked              // another protocol owns the connection
	stateClosed
	stateParking // idle, asked to park: its read ends at a past deadline
	stateParked  // idle and parked: only its connRecord is left
)

// parkAfter is how long, in the sweeper's coarse seconds, a keep-alive
// connection stays idle before it parks: between one and two seconds.
const parkAfter = 2

// parkQuiet is the silence after which a woken connection is one of those
// that park as soon as their request is answered (serverConn.parkSoon):
// far longer than parking costs (a few microseconds), far shorter than
// what holding a connection's state costs.
var parkQuiet = 10 * time.Millisecond

// maxDiscard is how much of an unread request body the server reads and
// drops to keep the connection alive; past it the connection closes.
const maxDiscard = 256 << 10

// flushThreshold is the amount of pending output that is written even when
// more pipelined requests are waiting.
const flushThreshold = 64 << 10

// connRecord is what the server keeps of a connection for its whole life:
// the sweeper and shutdown find connections by it, and it is all that is
// left of a parked one.
type connRecord struct {
	srv   *Server
	nc    net.Conn
	state atomic.Int32
	since atomic.Int64 // coarse unix time of the last state change
	// parkable is set for plain sockets, which an idle connection can wait
	// on without a buffer (package park); TLS connections never park.
	parkable bool
	parkedAt int64 // monotonic time of the last park
	// parked waits for a parked connection's next request; whoever
	// closes the connection from another goroutine closes it through
	// parked (close).
	parked park.Parked
}

// close closes the connection from the sweeper or a shutdown, whatever its
// state: a parked one's wake then forgets it (package park).
func (rec *connRecord) close() { _ = rec.parked.Close(rec.nc) }

// serverConn serves one HTTP/1.x connection: a goroutine per connection is
// the event loop. Its buffers, request and response state are reused for
// every request of the connection. While the connection is parked, its
// serverConn is back in the pool and no goroutine serves it.
type serverConn struct {
	*connRecord
	tls *tls.ConnectionState

	r    *http1.Reader
	head http1.RequestHead
	body http1.Body
	req  Request
	own  BodyResponse // the response Request.Respond hands out
	rb   requestBody
	w    []byte // output not yet written
	// continued is set once 100 Continue was sent for the current request;
	// linger once the connection must close with input left unread.
	continued, linger bool
	stream            streamState
	// inBody is set while the request body is read: bodyTimer then
	// enforces the minimum request body rate. writeDeadline is the
	// write deadline in unix seconds armWrite set, 0 for none; a write
	// it cut leaves the connection unable to write, with writeErr.
	inBody        bool
	bodyTimer     bodyTimer
	writeDeadline int64
	writeErr      error
	path          []byte // scratch for unescaping the path
	// parkSoon is set on a new connection and on one woken after a
	// silence of parkQuiet or more: its first request over, it parks at
	// once when the server holds ServerOptions.ParkIdleAt connections.
	// Connections with requests in quick succession are left alone until
	// the sweeper finds them silent.
	parkSoon bool

	// background read, started only when a handler watches its context
	bgMu       sync.Mutex
	bgActive   bool
	bgDone     chan struct{}
	bgByte     [1]byte
	bgHas      bool
	bgErr      error
	peerGone   chan struct{}
	peerClosed bool

	logged responseHead // the head handed to the access logger
}

var connPool = sync.Pool{New: func() any {
	c := &serverConn{r: http1.NewReader(nil)}
	c.head.Reset()
	return c
}}

func newServerConn(srv *Server, nc net.Conn) *serverConn {
	rec := &connRecord{srv: srv, nc: nc, parkable: park.Supported(nc)}
	rec.state.Store(stateNew)
	rec.since.Store(srv.clock.Load())
	c := takeServerConn(rec)
	c.parkSoon = true
	return c
}

// takeServerConn takes a serverConn from the pool to serve rec.
func takeServerConn(rec *connRecord) *serverConn {
	c := connPool.Get().(*serverConn)
	c.connRecord = rec
	c.r.Reset(c)
	c.rb.c = c
	return c
}

// release returns c's storage to the pool after its connection closed.
func (c *serverConn) release() {
	c.r.Reset(nil)
	c.r.Release()
	*c = serverConn{r: c.r, head: c.head, own: c.own, w: c.w[:0], path: c.path[:0]}
	c.head.Reset()
	connPool.Put(c)
}

// Read is the source of c's http1.Reader: the socket, after the byte a
// background read may have taken. Its first bytes of a request head move
// the connection from idle to reading-a-head.
func (c *serverConn) Read(p []byte) (int, error) {
	if c.bgHas || c.bgErr != nil {
		if c.bgHas {
			c.bgHas = false
			p[0] = c.bgByte[0]
			return 1, nil
		}
		return 0, c.bgErr
	}
	if c.inBody {
		return c.readBody(p)
	}
	n, err := c.nc.Read(p)
	if n > 0 {
		if c.state.CompareAndSwap(stateIdle, stateHead) {
			c.since.Store(c.srv.clock.Load())
		} else if c.state.Load() == stateParking {
			c.unpark()
		}
	}
	return n, err
}

// serve runs the connection until it closes or parks.
func (c *serverConn) serve() {
	switch c.run() {
	case parks:
		c.park(false)
	case parksAtDeadline:
		c.park(true)
	default:
		c.srv.forget(c)
	}
}

// runEnd is how run ends.
type runEnd int

const (
	closes          runEnd = iota
	parks                  // idle among many connections
	parksAtDeadline        // the sweeper's deadline ended its idle read
)

// run serves requests until the connection must close or park.
func (c *serverConn) run() runEnd {
	if tc, ok := c.nc.(*tls.Conn); ok {
		h2, err := c.handshake(tc)
		if err != nil {
			return closes
		}
		if h2 && c.srv.h2 != nil {
			c.state.Store(stateHijacked)
			c.srv.serveHTTP2(newH2Conn(tc, tc), nil, nil)
			return closes
		}
	}
	// A connection woken from parking is idle (or asked to park again)
	// and has input: it reads at once.
	st := c.state.Load()
	woken := st == stateIdle || st == stateParking
	for {
		if c.r.Buffered() == 0 && !woken {
			if c.flush() != nil {
				return closes
			}
			c.r.Release()
			c.since.Store(c.srv.clock.Load()) // the keep-alive timeout starts now
			wentIdle := c.state.CompareAndSwap(stateActive, stateIdle)
			if !wentIdle && c.state.Load() != stateNew {
				return closes // closed by the sweeper or by shutdown
			}
			if c.srv.closing.Load() {
				return closes // idle once a shutdown closed the idle connections
			}
			if wentIdle && c.parkSoon {
				c.parkSoon = false
				if c.parkable && c.srv.open.Load() >= c.srv.parkAt && !c.bgHas && c.bgErr == nil &&
					c.state.CompareAndSwap(stateIdle, stateParking) {
					return parks // many connections: park at once
				}
			}
		}
		woken = false
		err := c.r.ReadRequestHead(&c.head, c.srv.limits)
		if err != nil {
			if c.state.Load() == stateParking {
				return parksAtDeadline
			}
			c.readFailed(err)
			return closes
		}
		if !c.state.CompareAndSwap(stateHead, stateActive) && !c.state.CompareAndSwap(stateNew, stateActive) {
			if c.state.Load() == stateClosed {
				return closes
			}
			c.state.Store(stateActive) // pipelined: already active
		}
		if !c.serveRequest() {
			c.flush()
			return closes
		}
		if len(c.w) >= flushThreshold && c.flush() != nil {
			return closes
		}
	}
}

// park ends the goroutine serving an idle connection: the serverConn goes
// back to the pool and a fresh goroutine, with a small stack, waits for the
// next request without a buffer (wake). deadline clears the past read
// deadline the sweeper set to make it park.
func (c *serverConn) park(deadline bool) {
	rec := c.connRecord
	if !rec.state.CompareAndSwap(stateParking, stateParked) {
		c.srv.forget(c) // closed meanwhile
		return
	}
	c.release()
	if deadline {
		_ = rec.nc.SetReadDeadline(time.Time{})
	}
	rec.parkedAt = monotonic()
	rec.parked.Park(rec.nc, rec.wake)
}

// wake serves a parked connection again once it has input, or forgets it
// when it was closed (keep-alive timeout, shutdown) while parked.
func (rec *connRecord) wake(err error) {
	rec.since.Store(rec.srv.clock.Load())
	if err != nil || !rec.state.CompareAndSwap(stateParked, stateIdle) {
		rec.nc.Close()
		rec.srv.drop(rec)
		return
	}
	c := takeServerConn(rec)
	c.parkSoon = monotonic()-rec.parkedAt >= int64(parkQuiet)
	c.serve()
}

// monotonic returns the monotonic time in nanoseconds since the process
// started.
func monotonic() int64 { return int64(time.Since(processStart)) }

var processStart = time.Now()

// unpark keeps serving a connection whose next request arrived just as the
// sweeper asked it to park: it takes the request back from parking and
// clears the deadline the sweeper set, under the lock the sweeper sets it
// with.
func (c *serverConn) unpark() {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	if c.state.CompareAndSwap(stateParking, stateHead) {
		c.since.Store(c.srv.clock.Load())
		_ = c.nc.SetReadDeadline(time.Time{})
	}
}

// readFailed answers a request head the parser rejected and hands an HTTP/2
// connection preface to the HTTP/2 server (or answers 505 when HTTP/2 is
// off); anything else (EOF, timeouts, resets) just ends the connection.
func (c *serverConn) readFailed(err error) {
	if errors.Is(err, http1.ErrHTTP2Preface) {
		if c.srv.h2 == nil {
			c.writeError(505, "HTTP/2 is disabled")
			return
		}
		c.state.Store(stateHijacked)
		c.srv.serveHTTP2(c.hijackConn(), nil, nil)
		return
	}
	var pe *http1.ParseError
	if errors.As(err, &pe) {
		c.writeError(pe.Status, pe.Reason)
	}
}

// writeError sends a bare error response for a request that never reached
// routing and closes the connection.
func (c *serverConn) writeError(status int, reason string) {
	c.linger = true
	body := formatErrorText(status, reason)
	req := Request{minor: 1} // answered as HTTP/1.1, keep-alive off
	h := responseHead{status: status, header: &noHeader, contentType: textPlainUTF8, length: int64(len(body))}
	c.w = appendHead(c.w, &req, &h)
	c.w = append(c.w, body...)
	_ = c.flush()
}

// serveRequest routes and answers the request whose head was just read. It
// reports whether the connection stays open.
func (c *serverConn) serveRequest() bool {
	h := &c.head
	req := &c.req
	req.reset()
	req.out = c
	req.own = &c.own
	req.head = h
	req.netConn = c.nc
	req.tls = c.tls
	req.ctx.parent = c.srv.baseCtx
	req.ctx.shutdown = c.srv.cancelled
	req.ctx.watcher = c
	req.method = internMethod(h.Method)
	req.target = bytesView(h.Target)
	req.minor = h.Minor
	if c.srv.access != nil {
		req.start = time.Now()
	}
	req.keepAlive = !h.Close && !c.srv.closing.Load() && c.srv.opts.KeepAliveTimeout >= 0
	req.rawPath, req.rawQuery = splitTarget(req.target)
	req.path, c.path = unescapePath(req.rawPath, c.path, true)
	c.body.Reset(c.r, h.Body, h.ContentLength)
	c.continued = false
	req.body = &c.rb
	req.bodyLength = h.ContentLength
	req.bodyExists = h.Body != http1.BodyNone

	if h.Upgrade && c.srv.h2 != nil && isH2CUpgrade(req) {
		return c.upgradeH2C(req)
	}

	resp := c.srv.app.handle(req)
	if !c.hijacked() && !c.body.Done() && !c.drainBody() {
		req.keepAlive = false
	}
	if resp != nil {
		if err := resp.finish(req); err != nil {
			logFailure(req.app, req, err)
			req.keepAlive = false
		}
	}
	req.removeSpooled()
	c.endRequest()
	if c.state.Load() == stateHijacked {
		return false
	}
	if !c.body.Done() {
		c.linger = true
		req.keepAlive = false
	}
	return req.keepAlive
}

// drainBody reads and drops the body a handler left unread, before the
// response is written, so that the response can say whether the connection
// stays open. It gives up on a body over maxDiscard, and on a client that
// sent Expect and got no 100 Continue: it may never send the body.
func (c *serverConn) drainBody() bool {
	if c.head.Expect != nil && !c.continued {
		c.linger = true
		return false
	}
	c.inBody = true
	drained, err := c.body.Discard(maxDiscard)
	c.inBody = false
	if !drained || err != nil {
		c.linger = true
		return false
	}
	return true
}

// lingerClose closes a connection whose client may still be sending: it
// half-closes, then reads and drops input for a short while, so that the
// client reads the response instead of a reset (as net/http and aiohttp
// do).
func (c *serverConn) lingerClose() {
	type closeWriter interface{ CloseWrite() error }
	if cw, ok := c.nc.(closeWriter); ok && cw.CloseWrite() == nil {
		_ = c.nc.SetReadDeadline(time.Now().Add(lingerTimeout))
		_, _ = io.CopyN(io.Discard, c.nc, maxLinger)
	}
	c.nc.Close()
}

// lingerTimeout and maxLinger bound lingerClose.
const (
	lingerTimeout = 500 * time.Millisecond
	maxLinger     = 4 << 20
)

// endRequest stops what watching the request's context started and cancels
// a context a handler may still hold.
func (c *serverConn) endRequest() {
	c.endBody()
	c.stopBackgroundRead()
	if c.req.ctx.handedOut {
		c.req.ctx.cancel(context.Canceled)
	}
}

// stopBackgroundRead stops a background read started by context watching,
// keeping any byte it got for the parser.
func (c *serverConn) stopBackgroundRead() {
	c.bgMu.Lock()
	active := c.bgActive
	c.bgMu.Unlock()
	if active {
		_ = c.nc.SetReadDeadline(aLongTimeAgo)
		<-c.bgDone
		_ = c.nc.SetReadDeadline(time.Time{})
		c.bgActive = false
		if errors.Is(c.bgErr, errBackgroundAborted) {
			c.bgErr = nil
		}
	}
}

var aLongTimeAgo = time.Unix(1, 0)

// errBackgroundAborted marks a background read stopped on purpose.
var errBackgroundAborted = errors.New("background read aborted")

// watch is the request context's watch hook: it cancels the context when
// the server cancels its handlers or the client goes away. It runs with
// ctx.mu held.
func (c *serverConn) watch(ctx *reqContext) {
	c.bgMu.Lock()
	if c.peerGone == nil {
		c.peerGone = make(chan struct{})
	}
	gone := c.peerGone
	c.bgMu.Unlock()
	// The goroutine may outlive the connection, whose storage is then
	// reused: it must not touch c.
	go func(done, cancelled <-chan struct{}) {
		select {
		case <-cancelled:
			ctx.cancel(ErrServerShutdown)
		case <-gone:
			ctx.cancel(context.Canceled)
		case <-done:
		}
	}(ctx.done, c.srv.cancelled)
	if c.body.Done() {
		c.startBackgroundRead()
	}
}

// startBackgroundRead reads one byte in the background so that a client
// closing its connection is noticed while the handler runs. A byte that
// arrives (the next pipelined request) is kept for the parser.
func (c *serverConn) startBackgroundRead() {
	c.bgMu.Lock()
	defer c.bgMu.Unlock()
	if c.bgActive || c.bgHas || c.bgErr != nil || c.state.Load() == stateHijacked {
		return
	}
	c.bgActive = true
	done := make(chan struct{})
	c.bgDone = done
	go func() {
		n, err := c.nc.Read(c.bgByte[:])
		c.bgMu.Lock()
		if n == 1 {
			c.bgHas = true
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				err = errBackgroundAborted
			} else {
				c.markPeerGone()
			}
			c.bgErr = err
		}
		c.bgMu.Unlock()
		// Last: once done is closed, the connection may end and its
		// storage be reused.
		close(done)
	}()
}

// markPeerGone records that the client went away; bgMu must be held.
func (c *serverConn) markPeerGone() {
	if c.peerGone == nil {
		c.peerGone = make(chan struct{})
	}
	if !c.peerClosed {
		c.peerClosed = true
		close(c.peerGone)
	}
}

// requestBody is the body stream handlers read: the engine's decoder, plus
// the bookkeeping of context watching.
type requestBody struct{ c *serverConn }

func (b *requestBody) Read(p []byte) (int, error) {
	c := b.c
	c.inBody = true
	n, err := c.body.Read(p)
	c.inBody = false
	if c.body.Done() {
		c.endBody()
	}
	if err != nil {
		if err == io.EOF {
			if c.req.ctx.done != nil {
				c.startBackgroundRead()
			}
		} else if errors.Is(err, ErrRequestBodyTooSlow) {
			err = bodyReadError(err)
		} else {
			c.bgMu.Lock()
			c.markPeerGone()
			c.bgMu.Unlock()
			var pe *http1.ParseError
			if errors.As(err, &pe) {
				// A body that breaks its framing is the client's fault.
				err = &BodyError{Err: err, HTTP: NewHTTPError(pe.Status).WithText(formatErrorText(pe.Status, pe.Reason))}
			}
		}
	}
	return n, err
}

// hijackConn returns the connection for the HTTP/2 server to take over,
// the bytes already buffered in front.
func (c *serverConn) hijackConn() *h2Conn {
	c.endBody()
	c.clearWriteDeadline()
	c.state.Store(stateHijacked)
	return newH2Conn(c.nc, c.r)
}
