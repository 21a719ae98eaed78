package websocket

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"sync"
	"time"
)

// ErrHeartbeatTimeout is the [Socket.Err] of a socket dropped because
// no answer to a heartbeat ping arrived in time (aiohttp's
// ServerTimeoutError).
var ErrHeartbeatTimeout = errors.New("websocket: no pong received after heartbeat ping")

// ErrReceiveTimeout is wrapped by the error of a MessageError message that
// [Options.ReceiveTimeout] caused; it wraps context.DeadlineExceeded.
var ErrReceiveTimeout = &timeoutError{}

type timeoutError struct{}

func (*timeoutError) Error() string { return "websocket: receive timeout" }
func (*timeoutError) Unwrap() error { return context.DeadlineExceeded }

// Socket gives a [Conn] aiohttp's message-level behaviour, shared by the
// server's web.WebSocketResponse and the client's Session.WSConnect: typed
// messages, autoping, autoclose, heartbeat, receive and close timeouts,
// close code and exception.
//
// One goroutine receives at a time; any number may send, and Close may be
// called from any goroutine and more than once, also while another one
// receives.
type Socket struct {
	c    *Conn
	opts socketOptions

	mu          sync.Mutex
	closeCalled bool          // Close was called (or autoclose answered)
	peerClosed  bool          // the peer's close frame arrived
	closed      bool          // the handshake is over or the connection gone
	done        chan struct{} // closed with closed
	closeCode   StatusCode    // 0 until known
	exc         error
	hbTimer     *time.Timer
	hbWaitPong  bool          // a heartbeat ping is out
	onMessage   func(Message) // set by OnMessage
	wake        func(error)   // s.readable, bound once by OnMessage
}

// socketOptions are the fields of Options a Socket uses, kept apart so
// that a socket stays small.
type socketOptions struct {
	Heartbeat, ReceiveTimeout time.Duration
	NoAutoclose, NoAutoping   bool
}

// NewSocket wraps c. It uses the message-level fields of opts (Heartbeat,
// ReceiveTimeout, NoAutoclose and NoAutoping); the others took effect in
// NewConn. When opts.Heartbeat is set, the heartbeat starts now.
func NewSocket(c *Conn, opts Options) *Socket {
	s := &Socket{c: c, done: make(chan struct{}), opts: socketOptions{
		Heartbeat: opts.Heartbeat, ReceiveTimeout: opts.ReceiveTimeout,
		NoAutoclose: opts.NoAutoclose, NoAutoping: opts.NoAutoping,
	}}
	s.resetHeartbeat()
	return s
}

// Conn returns the underlying connection.
func (s *Socket) Conn() *Conn { return s.c }

// Protocol returns the subprotocol the handshake selected, or "".
func (s *Socket) Protocol() string { return s.c.Protocol() }

// Compressed reports whether permessage-deflate is in use.
func (s *Socket) Compressed() bool { return s.c.Compressed() }

// Closed reports whether the socket is closed: Close completed, the
// connection failed, or it was dropped.
func (s *Socket) Closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// CloseCode returns the close code: the peer's when it closed, 1006 when
// the connection dropped, 0 while the socket is open.
func (s *Socket) CloseCode() StatusCode {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeCode
}

// Err returns the error that ended the socket, or nil.
func (s *Socket) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exc
}

// resetHeartbeat (re)starts the heartbeat timer after a received message.
func (s *Socket) resetHeartbeat() {
	hb := s.opts.Heartbeat
	if hb <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.hbWaitPong = false
	if s.hbTimer == nil {
		s.hbTimer = time.AfterFunc(hb, s.heartbeat)
	} else {
		s.hbTimer.Reset(hb)
	}
}

// heartbeat runs on the timer: it sends a ping, or drops the connection
// when the previous ping went unanswered.
func (s *Socket) heartbeat() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	half := s.opts.Heartbeat / 2
	if s.hbWaitPong {
		s.endLocked()
		s.closeCode = CloseAbnormalClosure
		s.exc = ErrHeartbeatTimeout
		s.mu.Unlock()
		_ = s.c.CloseNow()
		return
	}
	s.hbWaitPong = true
	s.hbTimer.Reset(half)
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), half)
	_ = s.c.Ping(ctx, nil)
	cancel()
}

// endLocked marks the socket closed and stops the heartbeat; s.mu is
// held.
func (s *Socket) endLocked() {
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	if s.hbTimer != nil {
		s.hbTimer.Stop()
	}
}

// markClosed records the end of the socket; code and err are kept only
// when none was recorded before.
func (s *Socket) markClosed(code StatusCode, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endLocked()
	if s.closeCode == 0 {
		s.closeCode = code
	}
	if s.exc == nil {
		s.exc = err
	}
}

// Receive returns the next message, as aiohttp's receive does:
//
//   - text and binary messages as MessageText and MessageBinary;
//   - pings and pongs only with NoAutoping (otherwise pings are answered
//     and pongs skipped);
//   - the peer's close frame as MessageClose, answered at once unless
//     NoAutoclose is set; when Close was called first, MessageClosing;
//   - MessageClosed once the socket is closed, on every later call;
//   - MessageError for a protocol violation (the connection is then closed
//     with the matching code), a dropped connection, an ended ctx or the
//     receive timeout (these two leave the socket usable).
func (s *Socket) Receive(ctx context.Context) Message {
	if s.eventDriven() {
		return Message{Type: MessageError, Err: ErrEventDriven}
	}
	for {
		if m, ok := s.ending(); ok {
			return m
		}
		rctx := ctx
		var cancel context.CancelFunc
		if s.opts.ReceiveTimeout > 0 {
			rctx, cancel = context.WithTimeoutCause(ctx, s.opts.ReceiveTimeout, ErrReceiveTimeout)
		}
		typ, p, owned, err := s.c.readMessage(rctx, true)
		if cancel != nil {
			cancel()
		}
		if err != nil {
			return s.readError(ctx, rctx, err)
		}
		if m, ok := s.message(ctx, typ, p); ok {
			if !owned {
				m.Data = bytes.Clone(m.Data)
			}
			return m
		}
	}
}

// ending returns the message for a socket that is closed (MessageClosed)
// or whose peer closed (MessageClosing), if it is.
func (s *Socket) ending() (Message, bool) {
	s.mu.Lock()
	closed, peerClosed, code := s.closed, s.peerClosed, s.closeCode
	s.mu.Unlock()
	switch {
	case closed:
		return Message{Type: MessageClosed, Code: code}, true
	case peerClosed:
		return Message{Type: MessageClosing}, true
	}
	return Message{}, false
}

// message applies autoping to a message read, and returns what to hand
// out, if anything; Data is p, not a copy.
func (s *Socket) message(ctx context.Context, typ MessageType, p []byte) (Message, bool) {
	s.resetHeartbeat()
	switch typ {
	case MessagePing:
		if !s.opts.NoAutoping {
			_ = s.c.Pong(ctx, p)
			return Message{}, false
		}
	case MessagePong:
		if !s.opts.NoAutoping {
			return Message{}, false
		}
	}
	return Message{Type: typ, Data: p}, true
}

// readError turns an error of ReadMessage into a Message.
func (s *Socket) readError(ctx, rctx context.Context, err error) Message {
	var ce *CloseError
	var pe *ProtocolError
	switch {
	case errors.As(err, &ce):
		s.mu.Lock()
		s.peerClosed = true
		s.closeCode = ce.Code
		initiated := s.closeCalled
		autoclose := !s.opts.NoAutoclose && !s.closeCalled
		if autoclose {
			s.closeCalled = true
		}
		s.mu.Unlock()
		if initiated {
			// Close is waiting for this frame and finishes the job.
			return Message{Type: MessageClosing}
		}
		if autoclose {
			echo := ce.Code
			if !echo.validOnWire() {
				echo = CloseOK
			}
			_ = s.c.Close(echo, "")
			s.markClosed(ce.Code, nil)
		}
		return Message{Type: MessageClose, Code: ce.Code, Extra: ce.Reason}
	case errors.As(err, &pe):
		s.markClosed(pe.Code, pe)
		return Message{Type: MessageError, Err: pe}
	case ctx.Err() != nil:
		return Message{Type: MessageError, Err: ctx.Err()}
	case rctx.Err() != nil:
		return Message{Type: MessageError, Err: context.Cause(rctx)}
	}
	s.mu.Lock()
	ending := s.closeCalled || s.closed
	s.mu.Unlock()
	if ending {
		// Close or the heartbeat dropped the connection under us.
		s.markClosed(CloseAbnormalClosure, nil)
		return Message{Type: MessageClosed, Code: s.CloseCode()}
	}
	s.markClosed(CloseAbnormalClosure, err)
	_ = s.c.CloseNow()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return Message{Type: MessageClosed, Code: CloseAbnormalClosure}
	}
	return Message{Type: MessageError, Err: err}
}

// ReceiveText receives the next message, which must be text.
func (s *Socket) ReceiveText(ctx context.Context) (string, error) {
	m := s.Receive(ctx)
	if m.Type != MessageText {
		return "", &MessageTypeError{Want: MessageText, Got: m}
	}
	return string(m.Data), nil
}

// ReceiveBytes receives the next message, which must be binary.
func (s *Socket) ReceiveBytes(ctx context.Context) ([]byte, error) {
	m := s.Receive(ctx)
	if m.Type != MessageBinary {
		return nil, &MessageTypeError{Want: MessageBinary, Got: m}
	}
	return m.Data, nil
}

// ReceiveJSON receives the next message, which must be text, and decodes
// it as JSON into v.
func (s *Socket) ReceiveJSON(ctx context.Context, v any) error {
	m := s.Receive(ctx)
	if m.Type != MessageText {
		return &MessageTypeError{Want: MessageText, Got: m}
	}
	return m.JSON(v)
}

// Messages iterates over the received messages, as aiohttp's async for
// does: it ends at MessageClose, MessageClosing or MessageClosed (not yielded), and
// after yielding a MessageError.
//
//	for msg := range ws.Messages(ctx) {
//		if msg.Type == websocket.MessageText { ws.SendStr(ctx, msg.Text()) }
//	}
func (s *Socket) Messages(ctx context.Context) iter.Seq[Message] {
	return func(yield func(Message) bool) {
		for {
			m := s.Receive(ctx)
			switch m.Type {
			case MessageClose, MessageClosing, MessageClosed:
				return
			}
			if !yield(m) || m.Type == MessageError {
				return
			}
		}
	}
}

// SendStr sends a text message. Messages sent one after another share
// writes (see [Conn.WriteMessage]).
func (s *Socket) SendStr(ctx context.Context, text string) error {
	return s.c.WriteMessage(ctx, MessageText, []byte(text))
}

// SendBytes sends a binary message. Messages sent one after another share
// writes (see [Conn.WriteMessage]).
func (s *Socket) SendBytes(ctx context.Context, data []byte) error {
	return s.c.WriteMessage(ctx, MessageBinary, data)
}

// SendJSON sends v encoded as JSON in a text message.
func (s *Socket) SendJSON(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.c.WriteMessage(ctx, MessageText, b)
}

// SendFrame sends data as a message of type typ: text, binary, ping or
// pong. Close frames go through [Socket.Close].
func (s *Socket) SendFrame(ctx context.Context, data []byte, typ MessageType) error {
	switch typ {
	case MessagePing:
		return s.c.Ping(ctx, data)
	case MessagePong:
		return s.c.Pong(ctx, data)
	}
	return s.c.WriteMessage(ctx, typ, data)
}

// Ping sends a ping with data (at most 125 bytes).
func (s *Socket) Ping(ctx context.Context, data []byte) error { return s.c.Ping(ctx, data) }

// Pong sends an unsolicited pong with data (at most 125 bytes).
func (s *Socket) Pong(ctx context.Context, data []byte) error { return s.c.Pong(ctx, data) }

// Close performs the closing handshake: it sends a close frame with code
// and message and waits for the peer's close frame, up to the close
// timeout or the end of ctx, then closes the connection. When no answer
// came, the close code is 1006. Close may run while another goroutine
// receives; that goroutine gets MessageClosing and then MessageClosed.
//
// A code that may not be sent, or a message over 123 bytes, fails at once
// and leaves the socket open.
//
// Close may be called more than once, from any goroutine. A call after
// the first, or after the socket closed otherwise, sends nothing: it waits
// until the socket and its connection are closed and returns nil, or
// returns ctx.Err() when ctx ends first. The first call returns nil after
// the handshake (answered or timed out), ctx.Err() when ctx ended before
// the close frame went out, and the write error when sending it failed.
func (s *Socket) Close(ctx context.Context, code StatusCode, message string) error {
	if !validClose(code, message) {
		return errBadClose
	}
	s.mu.Lock()
	if s.closeCalled || s.closed {
		s.mu.Unlock()
		return s.waitClosed(ctx)
	}
	s.closeCalled = true
	peerClosed := s.peerClosed
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { _ = s.c.CloseNow() })
	err := s.c.Close(code, message)
	stop()
	answered := peerClosed
	select {
	case <-s.c.closeRecv:
		answered = true
	default:
	}
	if answered {
		s.markClosed(code, nil)
	} else {
		s.markClosed(CloseAbnormalClosure, nil)
	}
	_ = s.c.CloseNow()
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case err == ErrClosed:
		return nil
	}
	return err
}

// waitClosed waits until the socket and its connection are closed, for a
// Close after the first: whatever is ending the socket (the first Close,
// autoclose, the heartbeat, a failure) closes both within the close
// timeout.
func (s *Socket) waitClosed(ctx context.Context) error {
	for _, done := range [...]<-chan struct{}{s.done, s.c.closed} {
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
