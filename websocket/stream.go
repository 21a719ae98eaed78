package websocket

import (
	"context"
	"runtime"
	"time"
)

// A stream of messages, sent one after another with nothing received in
// between (a client streaming readings, a server pushing a burst), would
// cost a system call a message: on loopback 3 µs for a 16-byte one, when
// the copy takes nanoseconds. Its frames are written behind instead. A
// data frame that follows the previous one within streamGap, with no
// message received since, is appended to the frames waiting and the call
// returns. A flusher goroutine, started by the first of them, yields so
// that the frames the stream has ready join, then sends them in one
// write, and goes on while frames wait. Any frame goes behind while
// frames wait, so that order holds.
//
// A request and its answer, a message after one received, and messages
// further apart than streamGap go out in the caller's write, as before:
// echo and broadcast pay nothing for streams.
//
// The flusher starts at once on an idle core. When every core is busy, a
// stream's last frames wait until the sender blocks or the scheduler
// preempts it (a time slice is about 10 ms), and then for their turn.
//
// Frames written behind have been sent as far as the caller can tell:
// when the flusher's write fails, the next call fails with its error and
// later ones with ErrClosed, and the connection closes. A frame waits
// while behindLimit bytes wait, for the flusher or until its context
// ends. The flusher's writes have the write timeout, and Close sends what
// waits before its close frame.

// streamGap is how soon after the previous data frame one must come, with
// no message received in between, to be written behind.
const streamGap = 50 * time.Microsecond

// behindLimit is how many bytes may wait for the flusher before a frame
// waits too.
const behindLimit = 64 << 10

// behind is the state of the frames written behind, made at a
// connection's first stream (a connection that never streamed, such as
// an idle one, keeps none); guarded by frameMu.
type behind struct {
	pending  pooledBuf     // frames waiting for the flusher; nil when none
	flushing bool          // a flusher runs
	room     chan struct{} // made by a frame waiting for room, closed when there is
	done     chan struct{} // made by a Close waiting for the flusher, closed when it ends
	err      error         // why the flusher's write failed: the next frame fails with it
	reported bool          // a frame failed with err; later ones fail with ErrClosed
	closing  bool          // a close frame waits for the flusher: later frames fail
	flush    func()        // c.flushBehind: a go statement with it allocates nothing
}

// flushing reports whether a flusher runs. frameMu is held.
func (c *Conn) flushing() bool { return c.wb != nil && c.wb.flushing }

// frameError returns the error a frame fails with before it is sent:
// the flusher's failure (once, then ErrClosed), ErrClosed once a close
// frame was sent or waits for the flusher, or the end of ctx; nil when
// the frame may go. frameMu is held.
func (c *Conn) frameError(ctx context.Context) error {
	if wb := c.wb; wb != nil {
		if wb.err != nil && !wb.reported {
			wb.reported = true
			return wb.err
		}
		if wb.closing {
			return ErrClosed
		}
	}
	if c.closeSent {
		return ErrClosed
	}
	return ctx.Err()
}

// writesBehind reports whether a frame with opcode op and n bytes of
// payload goes behind: while frames wait, or when it continues a stream;
// never a large server frame (see writeFrame). frameMu is held.
func (c *Conn) writesBehind(op opcode, n int) bool {
	if c.flushing() {
		return true
	}
	if op.isControl() || c.unmaskedLarge(n) {
		return false
	}
	now := time.Since(monoBase)
	last := c.lastData
	c.lastData = now
	received := c.received.Swap(false)
	return !received && last != 0 && now-last < streamGap
}

// queueFrame appends a frame to those waiting for the flusher, starting
// it when none runs; it waits while behindLimit bytes wait, or until ctx
// ends. frameMu is held (and released while it waits).
func (c *Conn) queueFrame(ctx context.Context, fin bool, rsv byte, op opcode, p []byte) error {
	if c.wb == nil {
		c.wb = &behind{flush: c.flushBehind}
	}
	wb := c.wb
	for wb.pending != nil && len(*wb.pending) >= behindLimit {
		if wb.room == nil {
			wb.room = make(chan struct{})
		}
		room := wb.room
		c.frameMu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
		}
		c.frameMu.Lock()
		if err := c.frameError(ctx); err != nil {
			return err
		}
	}
	h, n := c.newHeader(fin, rsv, op, len(p))
	if wb.pending == nil {
		wb.pending = getBuf(max(n+len(p), defaultBufferSize))
	} else if need := len(*wb.pending) + n + len(p); need > cap(*wb.pending) {
		b := getBuf(need)
		*b = append(*b, *wb.pending...)
		putBuf(wb.pending)
		wb.pending = b
	}
	*wb.pending = appendFrame(*wb.pending, c.whdr[:n], h, p)
	if !wb.flushing {
		wb.flushing = true
		go wb.flush()
	}
	return nil
}

// flushBehind sends the frames waiting until none are left, after letting
// the stream add the frames it has ready. A failed write closes the
// connection.
func (c *Conn) flushBehind() {
	runtime.Gosched()
	c.frameMu.Lock()
	wb := c.wb
	for wb.pending != nil && wb.err == nil {
		b := wb.pending
		wb.pending = nil
		wb.wakeRoom()
		c.frameMu.Unlock()
		// Nobody else writes to the network while a flusher runs, nor
		// arms the write deadline.
		c.dl.arm(c.nc, context.Background(), true)
		err := c.send(nil, *b)
		putBuf(b)
		c.frameMu.Lock()
		if err != nil {
			wb.err, c.closeSent = err, true
			c.closeNet()
		}
	}
	if wb.pending != nil {
		putBuf(wb.pending)
		wb.pending = nil
	}
	wb.flushing = false
	wb.wakeRoom()
	if wb.done != nil {
		close(wb.done)
		wb.done = nil
	}
	c.frameMu.Unlock()
}

// wakeRoom wakes the frames waiting for room. frameMu is held.
func (wb *behind) wakeRoom() {
	if wb.room != nil {
		close(wb.room)
		wb.room = nil
	}
}

// unmaskedLarge reports whether a frame of n bytes of payload is written
// from the caller's slice (a server's, larger than smallFrame): such a
// frame is not copied to join a stream, it waits for the frames queued
// before it and goes out in its caller's write.
func (c *Conn) unmaskedLarge(n int) bool { return c.role == Server && n > smallFrame }

// waitFlushed waits until no flusher runs. frameMu is held (and released
// while it waits).
func (c *Conn) waitFlushed() {
	for c.flushing() {
		if c.wb.done == nil {
			c.wb.done = make(chan struct{})
		}
		done := c.wb.done
		c.frameMu.Unlock()
		<-done
		c.frameMu.Lock()
	}
}
