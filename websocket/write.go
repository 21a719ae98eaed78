package websocket

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// errControlTooLong reports a ping or pong payload over 125 bytes.
var errControlTooLong = errors.New("websocket: control frame payload over 125 bytes")

// errBadMessageType reports a message type other than text or binary given
// to a data write.
var errBadMessageType = errors.New("websocket: data messages are text or binary")

// WriteMessage sends data as one message of type typ ([MessageText] or
// [MessageBinary]), compressed when permessage-deflate is in use. It is safe
// to call from several goroutines; messages go out whole, one after another.
// Text is sent as given: the caller makes sure it is UTF-8.
//
// When ctx ends while the message is being sent, the stream can no longer be
// trusted: the connection is closed and the error is ctx.Err().
//
// Messages sent one after another, within 50 µs and with nothing received
// in between, are a stream: from the second on, a message is queued and
// WriteMessage returns, and a goroutine of the connection sends what the
// stream queued in one write (on loopback a 16-byte message then costs
// 0.1 µs instead of 3). A queued message has been sent as far as the
// caller can tell: when the write fails, the next call returns its error,
// later ones [ErrClosed], and the connection closes. WriteMessage waits
// while 64 KiB are queued, until they go out or ctx ends (then nothing of
// the message was queued, and the connection stays open). A message after
// one received, such as an answer, goes out before WriteMessage returns.
func (c *Conn) WriteMessage(ctx context.Context, typ MessageType, data []byte) error {
	if typ != MessageText && typ != MessageBinary {
		return errBadMessageType
	}
	if err := c.takeMsgSem(ctx); err != nil {
		return err
	}
	defer func() { <-c.msgSem }()
	var rsv byte
	if c.wflate != nil {
		c.wbuf = c.wflate.compress(c.wbuf[:0], data)
		data, rsv = c.wbuf, bitRSV1
	}
	err := c.writeFrame(ctx, true, rsv, opcode(typ), data)
	if cap(c.wbuf) > retainLimit {
		c.wbuf = nil
	}
	return err
}

// takeMsgSem waits for the turn to send a message, or for the end of ctx.
// The turn is usually free: taking it then costs a plain channel send,
// not a select.
func (c *Conn) takeMsgSem(ctx context.Context) error {
	select {
	case c.msgSem <- struct{}{}:
		return nil
	default:
	}
	select {
	case c.msgSem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Ping sends a ping frame with data (at most 125 bytes). The pong comes back
// through [Conn.ReadMessage]. Ping may be called while a message is being
// written; the ping goes out between its frames.
func (c *Conn) Ping(ctx context.Context, data []byte) error {
	return c.writeControl(ctx, opPing, data)
}

// Pong sends a pong frame with data (at most 125 bytes): the answer to a
// ping, or an unsolicited heartbeat.
func (c *Conn) Pong(ctx context.Context, data []byte) error {
	return c.writeControl(ctx, opPong, data)
}

func (c *Conn) writeControl(ctx context.Context, op opcode, data []byte) error {
	if len(data) > maxControlPayload {
		return errControlTooLong
	}
	return c.writeFrame(ctx, true, 0, op, data)
}

// writeFrame sends one frame.
func (c *Conn) writeFrame(ctx context.Context, fin bool, rsv byte, op opcode, p []byte) error {
	c.frameMu.Lock()
	defer c.frameMu.Unlock()
	if c.unmaskedLarge(len(p)) {
		c.waitFlushed()
	}
	if err := c.frameError(ctx); err != nil {
		return err
	}
	if c.writesBehind(op, len(p)) {
		if c.isClosed() {
			return ErrClosed
		}
		return c.queueFrame(ctx, fin, rsv, op, p)
	}
	c.dl.arm(c.nc, ctx, true)
	if err := c.writeFrameLocked(fin, rsv, op, p); err != nil {
		// A frame may be half sent: nothing can follow it.
		c.closeSent = true
		c.closeNet()
		return ctxErr(ctx, err)
	}
	return nil
}

// smallFrame is the largest frame assembled in one pooled buffer; larger
// server frames go out as header and payload in one vectored write.
const smallFrame = 4096

// writeFrameLocked sends one frame, masking it for a client without
// touching p. It holds no buffer between frames: a small frame, or a
// masked one, is assembled in one from the pools, and a large unmasked one
// is written from p. The caller holds frameMu.
func (c *Conn) writeFrameLocked(fin bool, rsv byte, op opcode, p []byte) error {
	h, n := c.newHeader(fin, rsv, op, len(p))
	if !h.masked && n+len(p) > smallFrame {
		return c.send(c.whdr[:n], p)
	}
	b := getBuf(n + len(p))
	buf := appendFrame((*b)[:0], c.whdr[:n], h, p)
	err := c.send(nil, buf)
	*b = buf[:0]
	putBuf(b)
	return err
}

// newHeader returns the header of a frame of n bytes, with a new masking
// key for a client, encoded in whdr[:size]. frameMu is held.
func (c *Conn) newHeader(fin bool, rsv byte, op opcode, n int) (h header, size int) {
	h = header{fin: fin, rsv: rsv, op: op, length: int64(n)}
	if c.role == Client {
		h.masked = true
		binary.LittleEndian.PutUint32(h.key[:], uint32(c.rng.Uint64()))
	}
	return h, encodeHeader(c.whdr[:], h)
}

// appendFrame appends the frame of header h (encoded as hdr) and payload p
// to b, masking p into it when h says so; b has room for both.
func appendFrame(b, hdr []byte, h header, p []byte) []byte {
	b = append(b, hdr...)
	if !h.masked {
		return append(b, p...)
	}
	n := len(b)
	b = b[:n+len(p)]
	maskTo(h.key, 0, b[n:], p)
	return b
}

// send writes hdr and p to the network, in one vectored write when both
// are there, under the write timeout: each piece of at most maxTimedWrite
// bytes gets the whole timeout. A close frame has a deadline of its own.
func (c *Conn) send(hdr, p []byte) error {
	timed := c.writeTimeout > 0 && !c.closeSent
	for len(hdr)+len(p) > 0 {
		k := len(p)
		if timed {
			c.dl.extendWrite(c.nc, c.writeTimeout)
			k = min(k, max(maxTimedWrite-len(hdr), 0))
		}
		var err error
		if len(hdr) > 0 {
			if c.vec == nil {
				c.vec = new(writeVec)
			}
			v := c.vec
			v.iov[0], v.iov[1] = hdr, p[:k]
			v.bufs = v.iov[:]
			var m int64
			m, err = v.bufs.WriteTo(c.nc)
			hdr, p = advance(hdr, p, int(m))
			*v = writeVec{}
		} else {
			var m int
			m, err = c.nc.Write(p[:k])
			p = p[m:]
		}
		if err != nil {
			var ne net.Error
			if timed && errors.As(err, &ne) && ne.Timeout() {
				err = &writeTimeoutError{timeout: c.writeTimeout, err: err}
			}
			return err
		}
	}
	return nil
}

// writeVec is the scratch of a vectored write, allocated at a
// connection's first one: a connection that sends only small frames does
// without it.
type writeVec struct {
	iov  [2][]byte
	bufs net.Buffers // over iov: WriteTo consumes it
}

// advance drops the first m bytes of hdr followed by p.
func advance(hdr, p []byte, m int) ([]byte, []byte) {
	if m < len(hdr) {
		return hdr[m:], p
	}
	return nil, p[m-len(hdr):]
}

// Writer returns a writer for one message of type typ, sent as frames of up
// to [Options.WriteBufferSize] bytes as data is written, and finished by
// Close. Other writers wait until Close; pings, pongs and a close frame may
// go out between the frames. Close must be called, even after an error; it
// may be called more than once, from any goroutine (though not while a
// Write is in progress): calls after the first wait until it has sent the
// message and return [ErrClosed].
func (c *Conn) Writer(ctx context.Context, typ MessageType) (io.WriteCloser, error) {
	if typ != MessageText && typ != MessageBinary {
		return nil, errBadMessageType
	}
	if err := c.takeMsgSem(ctx); err != nil {
		return nil, err
	}
	w := &messageWriter{c: c, ctx: ctx, op: opcode(typ), buf: c.wbuf[:0]}
	if c.wflate != nil {
		w.rsv = bitRSV1
		w.fw = c.wflate.begin()
	}
	return w, nil
}

// messageWriter is the io.WriteCloser of [Conn.Writer]. It holds msgSem from
// creation to Close.
type messageWriter struct {
	c   *Conn
	ctx context.Context
	op  opcode // of the next frame: the message type, then continuation
	rsv byte   // of the next frame: RSV1 on the first of a compressed message
	buf []byte // payload not yet sent
	fw  flateWriter
	err error

	closeMu sync.Mutex  // held by Close
	closed  atomic.Bool // Close was called
}

// Write buffers p, sending full frames as the buffer fills.
func (w *messageWriter) Write(p []byte) (int, error) {
	if w.closed.Load() {
		return 0, ErrClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.fw != nil {
		w.buf = w.c.wflate.write(w.fw, w.buf, p)
	} else {
		w.buf = append(w.buf, p...)
	}
	for len(w.buf) >= w.c.wframe && w.err == nil {
		w.sendFrame(false, w.buf[:w.c.wframe])
		w.buf = w.buf[:copy(w.buf, w.buf[w.c.wframe:])]
	}
	if w.err != nil {
		return 0, w.err
	}
	return len(p), nil
}

func (w *messageWriter) sendFrame(fin bool, p []byte) {
	w.err = w.c.writeFrame(w.ctx, fin, w.rsv, w.op, p)
	w.op, w.rsv = opContinuation, 0
}

// Close sends what is left as the final frame and lets the next message go.
func (w *messageWriter) Close() error {
	w.closeMu.Lock()
	defer w.closeMu.Unlock()
	if w.closed.Load() {
		return ErrClosed
	}
	w.closed.Store(true)
	if w.fw != nil {
		if w.err == nil {
			w.buf = w.c.wflate.finish(w.fw, w.buf)
		}
		w.fw = nil
	}
	if w.err == nil {
		w.sendFrame(true, w.buf)
	}
	if cap(w.buf) <= retainLimit {
		w.c.wbuf = w.buf[:0]
	}
	<-w.c.msgSem
	return w.err
}

// ErrWriteTimeout is matched by the error of a write the peer took no data
// of for [Options.WriteTimeout]: it stopped reading. The connection is
// dropped.
var ErrWriteTimeout = errors.New("websocket: write timed out: the peer does not read")

// maxTimedWrite is the most a write to the network is given one write
// timeout for: a frame of 64 KiB and its header, which go out in one
// write.
const maxTimedWrite = 64<<10 + maxHeaderSize

// writeTimeoutError is the error of a write cut by the write timeout; it
// matches ErrWriteTimeout and wraps the net.Conn's error.
type writeTimeoutError struct {
	timeout time.Duration
	err     error
}

func (e *writeTimeoutError) Error() string {
	return ErrWriteTimeout.Error() + " for " + e.timeout.String() + ": " + e.err.Error()
}

func (e *writeTimeoutError) Is(target error) bool { return target == ErrWriteTimeout }
func (e *writeTimeoutError) Unwrap() error        { return e.err }
