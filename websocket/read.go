package websocket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"time"
	"unicode/utf8"
)

// readState is where the reader is in the frame stream. Every step keeps it
// consistent, so a read interrupted by its context resumes where it stopped.
type readState struct {
	err error // sticky: once set, every read returns it

	inFrame   bool
	h         header
	remaining int64
	maskPos   int

	inMessage  bool
	msgType    MessageType
	compressed bool
	utf8       utf8Validator
	returned   bool      // buf (or out) was handed to the caller
	own        bool      // the reader wants messages it owns (readMessage's own)
	owned      bool      // buf is the message's own: handed over, not recycled
	buf        []byte    // the message read so far (compressed form if compressed)
	bufBox     pooledBuf // holds buf while it is from the pools
	out        []byte    // the decompressed message
	outBox     pooledBuf

	ctrl  [maxControlPayload]byte
	ctrlN int
}

// retainLimit is the largest message buffer kept between messages (in
// the pools).
const retainLimit = 256 << 10

// recycle takes back the buffer of the message handed out last.
func (r *readState) recycle() {
	if !r.returned {
		return
	}
	r.returned = false
	if r.owned {
		r.owned, r.buf = false, nil
		return
	}
	r.buf = r.buf[:0]
	if cap(r.buf) > retainLimit {
		r.buf, r.bufBox = nil, nil
	}
	if cap(r.out) > retainLimit {
		r.out, r.outBox = nil, nil
	}
}

// idle runs when the reader is about to wait for the network. Between
// messages, the message buffers go back to the pools: an idle connection
// holds none.
func (r *readState) idle() {
	if r.returned || r.inMessage {
		return
	}
	releaseMsg(&r.buf, &r.bufBox)
	releaseMsg(&r.out, &r.outBox)
}

// releaseMsg gives a message buffer back to the pools.
func releaseMsg(b *[]byte, box *pooledBuf) {
	if *box != nil {
		**box = (*b)[:0]
		putBuf(*box)
	}
	*b, *box = nil, nil
}

// growMsg makes room for at least n more bytes in a message buffer, from
// the pools up to retainLimit.
func growMsg(b *[]byte, box *pooledBuf, n int) {
	if cap(*b)-len(*b) >= n {
		return
	}
	nb := getBuf(len(*b) + n)
	*nb = append(*nb, *b...)
	if *box != nil {
		**box = (*b)[:0]
		putBuf(*box)
	}
	*b, *box = *nb, nb
}

// ReadMessage reads the next message of any type: text and binary messages
// whole (reassembled from their fragments and decompressed), and ping, pong
// and close frames as they arrive, even between the fragments of a message.
// It does nothing automatically: answering pings and echoing a close frame is
// up to the caller, which makes it the building block for aiohttp's
// autoping, autoclose and heartbeat. [Conn.Read] is the automatic variant.
//
// The returned slice is valid until the next call of ReadMessage, Read or
// Close; copy it to keep it.
//
// A close frame is returned as [MessageClose] with a *[CloseError] holding its
// code and reason; answer it with [Conn.Close]. When the peer breaks the
// protocol, ReadMessage sends the matching close frame, closes the connection
// and returns a *[ProtocolError]. When ctx ends first, ReadMessage returns
// ctx.Err() and the connection stays usable: the next call resumes the read.
// After any other error the connection is unusable and every later call
// returns the same error.
func (c *Conn) ReadMessage(ctx context.Context) (MessageType, []byte, error) {
	typ, p, _, err := c.readMessage(ctx, false)
	return typ, p, err
}

// ownLimit is the largest message readMessage reads into a buffer of its
// own: the frame's length is trusted that far (see readPayload).
const ownLimit = 64 << 10

// readMessage is ReadMessage. With own, a text or binary message of at
// most ownLimit bytes in one uncompressed frame is read straight into a
// buffer of its exact size that nothing else holds, and owned reports
// it: the caller keeps it without a copy, and the connection keeps no
// message buffer of its own.
func (c *Conn) readMessage(ctx context.Context, own bool) (typ MessageType, p []byte, owned bool, err error) {
	select {
	case c.readSem <- struct{}{}:
	case <-ctx.Done():
		return 0, nil, false, ctx.Err()
	}
	defer func() { <-c.readSem }()
	if c.r.err != nil {
		return 0, nil, false, c.r.err
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, false, err
	}
	c.dl.arm(c.nc, ctx, false)
	c.r.own = own
	typ, p, err = c.readNext()
	if err != nil {
		return typ, nil, false, c.readFailed(ctx, err)
	}
	return typ, p, c.r.owned, nil
}

// readFailed acts on the error of a read with ctx and returns the error to
// report: a protocol violation fails the connection, another error that
// ended it closes it, and a timeout is ctx's error when ctx ended.
func (c *Conn) readFailed(ctx context.Context, err error) error {
	var pe *ProtocolError
	var ce *CloseError
	switch {
	case errors.As(err, &pe):
		c.fail(pe)
	case errors.As(err, &ce):
	case c.r.err != nil:
		c.closeNet()
	default:
		err = ctxErr(ctx, err)
	}
	return err
}

// lingerTime is how long the reader of an event-driven socket waits for
// the next message before it parks: a busy socket is read as by Receive (a
// read, and a wait in it when nothing is there yet), and an idle one gives
// its goroutine's stack back after about this long.
const lingerTime = time.Second

// readLingering is ReadMessage for the event-driven Socket. Over a plain
// socket it waits for the next message for about linger, then fails with
// errWouldBlock, holding no buffer, and the read resumes where it stopped
// at the next call; over anything else it waits as long as it takes.
func (c *Conn) readLingering(linger time.Duration) (MessageType, []byte, error) {
	c.readSem <- struct{}{}
	defer func() { <-c.readSem }()
	if c.r.err != nil {
		return 0, nil, c.r.err
	}
	ctx := context.Background()
	c.dl.arm(c.nc, ctx, false)
	c.r.own = false
	if c.in.raw != nil && (c.in.buffered() == 0 || c.lingerAt == 0) {
		// Re-armed once per half linger: a stream of messages costs
		// no timer work per message, and a message already buffered
		// not even a clock read (a read that still has to wait for
		// the rest of it meets the deadline set before, perhaps a past
		// one, and parks a little early).
		now := time.Now().UnixNano()
		if c.lingerAt-now < int64(linger/2) {
			c.lingerAt = now + int64(linger)
			_ = c.nc.SetReadDeadline(time.Unix(0, c.lingerAt))
		}
	}
	typ, p, err := c.readNext()
	if err == nil {
		return typ, p, nil
	}
	if c.in.raw != nil && c.r.err == nil {
		// The linger ran out (a timeout is never sticky): clear it,
		// for the wait that follows.
		c.lingerAt = 0
		_ = c.nc.SetReadDeadline(time.Time{})
		return 0, nil, errWouldBlock
	}
	return typ, nil, c.readFailed(ctx, err)
}

// Read reads the next text or binary message and returns a copy the caller
// owns. It answers pings with pongs, skips pongs, and answers a close frame
// by echoing it (closing the connection) and returning the *[CloseError].
func (c *Conn) Read(ctx context.Context) (MessageType, []byte, error) {
	for {
		typ, p, err := c.ReadMessage(ctx)
		if err != nil {
			var ce *CloseError
			if errors.As(err, &ce) {
				code := ce.Code
				if !code.validOnWire() {
					code = CloseNoStatusReceived
				}
				_ = c.Close(code, "")
			}
			return typ, nil, err
		}
		switch typ {
		case MessagePing:
			if err := c.Pong(ctx, p); err != nil {
				return 0, nil, err
			}
		case MessageText, MessageBinary:
			return typ, bytes.Clone(p), nil
		}
	}
}

// readNext reads frames until it has a message to return. The caller holds
// readSem. Errors other than timeouts become sticky.
func (c *Conn) readNext() (MessageType, []byte, error) {
	if c.in.buffered() == 0 {
		// Nothing is buffered: let the goroutines that are ready run
		// first (other connections' readers and writers, the peer's
		// goroutine in a test). The next message is then likelier to be
		// there already, which spares a read that would find nothing
		// and a wait in the poller; on a busy server with many sockets
		// this halves the reads. With nothing else ready it returns at
		// once, for about 0.1 µs (BenchmarkSocketReceive, which reads
		// from memory, pays it on every message); a goroutine that
		// hogs the CPU runs until it is preempted first.
		runtime.Gosched()
	}
	typ, p, err := c.readFrames()
	if err != nil {
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			c.r.err = err
			c.in.close()
			releaseMsg(&c.r.buf, &c.r.bufBox)
			releaseMsg(&c.r.out, &c.r.outBox)
		}
	}
	return typ, p, err
}

func (c *Conn) readFrames() (MessageType, []byte, error) {
	r := &c.r
	r.recycle()
	for {
		if !r.inFrame {
			if err := c.readHeader(); err != nil {
				return 0, nil, err
			}
		}
		if r.h.op.isControl() {
			n := int(r.h.length)
			for r.ctrlN < n {
				k, err := c.in.read(r.ctrl[r.ctrlN:n])
				if r.h.masked {
					r.maskPos = mask(r.h.key, r.maskPos, r.ctrl[r.ctrlN:r.ctrlN+k])
				}
				r.ctrlN += k
				if err != nil && r.ctrlN < n {
					return 0, nil, unexpectedEOF(err)
				}
			}
			r.inFrame = false
			p := r.ctrl[:n]
			switch r.h.op {
			case opPing:
				return MessagePing, p, nil
			case opPong:
				return MessagePong, p, nil
			}
			ce, pe := parseClose(p)
			if pe != nil {
				return 0, nil, pe
			}
			close(c.closeRecv)
			return MessageClose, nil, ce
		}
		if err := c.readPayload(); err != nil {
			return 0, nil, err
		}
		r.inFrame = false
		if !r.h.fin {
			continue
		}
		r.inMessage = false
		r.returned = true
		c.received.Store(true)
		if r.compressed {
			r.buf = append(r.buf, deflateTail...)
			out, err := c.rflate.inflate(r.out[:0], r.buf, c.maxMessage)
			r.out = out
			if err != nil {
				return 0, nil, err
			}
			if r.msgType == MessageText && !utf8.Valid(out) {
				return 0, nil, errInvalidUTF8
			}
			return r.msgType, out, nil
		}
		if r.msgType == MessageText && !r.utf8.complete() {
			return 0, nil, errInvalidUTF8
		}
		return r.msgType, r.buf, nil
	}
}

var errInvalidUTF8 = &ProtocolError{Code: CloseInvalidText, Reason: "invalid UTF-8 in text message"}

// readPayload reads the rest of the current data frame into r.buf,
// unmasking it and checking text as it arrives.
func (c *Conn) readPayload() error {
	r := &c.r
	for r.remaining > 0 {
		if len(r.buf) == cap(r.buf) {
			// Trust the frame's length up to 64 KiB at first: memory
			// grows with the data that arrived, not with what a header
			// claims.
			growMsg(&r.buf, &r.bufBox, int(min(r.remaining, int64(max(cap(r.buf), 64<<10)))))
		}
		chunk := r.buf[len(r.buf):cap(r.buf)]
		if int64(len(chunk)) > r.remaining {
			chunk = chunk[:r.remaining]
		}
		k, err := c.in.read(chunk)
		chunk = chunk[:k]
		if r.h.masked {
			r.maskPos = mask(r.h.key, r.maskPos, chunk)
		}
		r.buf = r.buf[:len(r.buf)+k]
		r.remaining -= int64(k)
		if r.msgType == MessageText && !r.compressed && !r.utf8.write(chunk) {
			return errInvalidUTF8
		}
		if err != nil && r.remaining > 0 {
			return unexpectedEOF(err)
		}
	}
	return nil
}

// readHeader reads and checks the next frame header. It consumes nothing
// until the whole header is there, so an interrupted read loses nothing.
func (c *Conn) readHeader() error {
	b, err := c.in.peek(2)
	if err != nil {
		if len(b) > 0 {
			return unexpectedEOF(err)
		}
		return err
	}
	n := headerSize(b[0], b[1])
	if b, err = c.in.peek(n); err != nil {
		return unexpectedEOF(err)
	}
	h, err := decodeHeader(b)
	if err != nil {
		return protocolErr(err.Error())
	}
	if err := c.checkHeader(&h); err != nil {
		return err
	}
	c.in.discard(n)
	r := &c.r
	r.h, r.inFrame, r.remaining, r.maskPos = h, true, h.length, 0
	if h.op.isControl() {
		r.ctrlN = 0
		return nil
	}
	if h.op != opContinuation {
		r.inMessage = true
		r.msgType = MessageType(h.op)
		r.compressed = h.rsv&bitRSV1 != 0
		r.utf8.reset()
		if r.own && h.fin && !r.compressed && h.length <= ownLimit {
			releaseMsg(&r.buf, &r.bufBox)
			r.buf, r.owned = make([]byte, 0, h.length), true
		}
	}
	return nil
}

// checkHeader applies the rules of RFC 6455, section 5, and RFC 7692 to a
// frame header.
func (c *Conn) checkHeader(h *header) error {
	r := &c.r
	switch {
	case h.rsv&(bitRSV2|bitRSV3) != 0:
		return protocolErr("reserved bits set")
	case !h.op.known():
		return protocolErr("unknown opcode " + itoa(int64(h.op)))
	case h.rsv&bitRSV1 != 0 && (c.rflate == nil || (h.op != opText && h.op != opBinary)):
		return protocolErr("RSV1 set without permessage-deflate or on a non-first frame")
	case h.op.isControl() && !h.fin:
		return protocolErr("fragmented control frame")
	case h.op.isControl() && h.length > maxControlPayload:
		return protocolErr("control frame payload over 125 bytes")
	case c.role == Server && !h.masked:
		return protocolErr("unmasked client frame")
	case c.role == Client && h.masked:
		return protocolErr("masked server frame")
	case h.op == opContinuation && !r.inMessage:
		return protocolErr("continuation frame without a message")
	case (h.op == opText || h.op == opBinary) && r.inMessage:
		return protocolErr("new message while a fragmented message is in progress")
	}
	if !h.op.isControl() && c.maxMessage > 0 {
		size := h.length
		if h.op == opContinuation {
			size += int64(len(r.buf))
		}
		if size > c.maxMessage {
			return &ProtocolError{Code: CloseMessageTooBig, Reason: "message over " + itoa(c.maxMessage) + " bytes"}
		}
	}
	return nil
}

// unexpectedEOF turns an EOF in the middle of a frame into
// io.ErrUnexpectedEOF.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
