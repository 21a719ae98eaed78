package websocket

import (
	"context"
	"encoding/binary"
	"errors"
	"time"
	"unicode/utf8"
)

// StatusCode is a close status code (RFC 6455, section 7.4). The constants
// carry the names of aiohttp's WSCloseCode.
type StatusCode int

const (
	CloseOK                 StatusCode = 1000 // normal closure
	CloseGoingAway          StatusCode = 1001 // server shutting down, page left
	CloseProtocolError      StatusCode = 1002 // the peer broke the protocol
	CloseUnsupportedData    StatusCode = 1003 // a message type the endpoint cannot take
	CloseNoStatusReceived   StatusCode = 1005 // a close frame without a code; never sent
	CloseAbnormalClosure    StatusCode = 1006 // the connection dropped without a close frame; never sent
	CloseInvalidText        StatusCode = 1007 // data inconsistent with its type, such as invalid UTF-8
	ClosePolicyViolation    StatusCode = 1008 // a message that violates the endpoint's policy
	CloseMessageTooBig      StatusCode = 1009 // a message over the size limit
	CloseMandatoryExtension StatusCode = 1010 // the client needed an extension the server did not offer
	CloseInternalError      StatusCode = 1011 // the server met an unexpected condition
	CloseServiceRestart     StatusCode = 1012 // the server is restarting
	CloseTryAgainLater      StatusCode = 1013 // temporary overload
	CloseBadGateway         StatusCode = 1014 // a gateway got an invalid response upstream
	CloseTLSHandshake       StatusCode = 1015 // the TLS handshake failed; never sent
)

// String returns the decimal code.
func (s StatusCode) String() string { return itoa(int64(s)) }

// validOnWire reports whether s may appear in a close frame: the codes RFC
// 6455 and the IANA registry define for use on the wire (1000-1003,
// 1007-1014), and the ranges for libraries (3000-3999) and applications
// (4000-4999).
func (s StatusCode) validOnWire() bool {
	switch {
	case s >= 1000 && s <= 1003, s >= 1007 && s <= 1014:
		return true
	case s >= 3000 && s <= 4999:
		return true
	}
	return false
}

// maxCloseReason is the longest close reason: a control frame payload of
// 125 bytes less the 2-byte code.
const maxCloseReason = maxControlPayload - 2

// CloseError is the close frame the peer sent: its code ([CloseNoStatusReceived]
// when it had none) and its reason.
type CloseError struct {
	Code   StatusCode
	Reason string
}

// Error returns "websocket: peer closed: CODE REASON".
func (e *CloseError) Error() string {
	s := "websocket: peer closed: " + e.Code.String()
	if e.Reason != "" {
		s += " " + e.Reason
	}
	return s
}

// ProtocolError reports that the connection failed on our side because of
// what the peer sent: a protocol violation ([CloseProtocolError]), invalid
// data ([CloseInvalidText]) or a message over the limit
// ([CloseMessageTooBig]). The Conn has sent a close frame with Code and
// closed the connection. It mirrors aiohttp's WebSocketError.
type ProtocolError struct {
	Code   StatusCode
	Reason string
}

// Error returns "websocket: CODE REASON".
func (e *ProtocolError) Error() string {
	return "websocket: " + e.Code.String() + " " + e.Reason
}

func protocolErr(reason string) *ProtocolError {
	return &ProtocolError{Code: CloseProtocolError, Reason: reason}
}

// errBadClose reports a Close call with a code that may not be sent or a
// reason over 123 bytes.
var errBadClose = errors.New("websocket: invalid close code or reason over 123 bytes")

// validClose reports whether Close may send code and reason: a code valid
// on the wire with a reason of at most 123 bytes, or [CloseNoStatusReceived]
// (a close frame without a code) with no reason.
func validClose(code StatusCode, reason string) bool {
	if code == CloseNoStatusReceived {
		return reason == ""
	}
	return code.validOnWire() && len(reason) <= maxCloseReason
}

// Close performs the closing handshake: it sends a close frame with code and
// reason, waits up to [Options.CloseTimeout] for the peer's close frame
// (reading and discarding messages meanwhile, or letting a concurrent reader
// see it), then closes the net.Conn. Code [CloseNoStatusReceived] sends a
// close frame without a code. When the peer closed first, Close echoes and
// returns at once; that is how to answer the [CloseError] a read returns.
// A code that may not be sent, or a reason over 123 bytes, fails at once
// and leaves the connection open.
//
// Close may be called from any goroutine, also while others read or write,
// and more than once. It returns nil after the handshake (answered or timed
// out). It returns [ErrClosed] when the connection was closed before its
// close frame could go out: a close frame was already sent (by an earlier
// Close, which this call waits for), [Conn.CloseNow] was called, the
// connection failed, or sending the close frame took longer than the close
// timeout (a peer that does not read). It returns the write error when
// sending the close frame failed otherwise.
func (c *Conn) Close(code StatusCode, reason string) error {
	if !validClose(code, reason) {
		return errBadClose
	}
	err := c.sendClose(code, reason)
	switch {
	case err == ErrClosed:
		// Whoever sent the close frame or failed the connection closes it,
		// within the close timeout.
		<-c.closed
		return ErrClosed
	case err != nil:
		c.closeNet()
		return err
	}
	c.waitPeerClose()
	c.closeNet()
	return nil
}

// CloseNow closes the net.Conn without a closing handshake, as aiohttp does
// when a heartbeat goes unanswered (close code 1006). Reads and writes in
// progress fail. It may be called from any goroutine and more than once;
// every call but the first, and any call after Close, returns [ErrClosed].
func (c *Conn) CloseNow() error {
	return c.closeNet()
}

// sendClose sends a close frame, once, within the close timeout: when that
// takes longer (a write in progress or the close frame itself stuck behind
// a peer that does not read), the connection is closed and sendClose
// returns ErrClosed.
func (c *Conn) sendClose(code StatusCode, reason string) error {
	t := time.AfterFunc(c.closeTimeout, func() { c.closeNet() })
	err := c.writeClose(code, reason)
	if !t.Stop() && err != nil {
		return ErrClosed
	}
	return err
}

// writeClose sends a close frame, once; ErrClosed when one was sent
// already or the connection is closed.
func (c *Conn) writeClose(code StatusCode, reason string) error {
	var b [maxControlPayload]byte
	n := 0
	if code != CloseNoStatusReceived {
		binary.BigEndian.PutUint16(b[:], uint16(code))
		n = 2 + copy(b[2:], reason)
	}
	c.frameMu.Lock()
	defer c.frameMu.Unlock()
	if c.wb != nil {
		c.wb.closing = true // frames sent from now on fail
		c.waitFlushed()     // the frames queued go first
	}
	if c.closeSent || c.isClosed() {
		return ErrClosed
	}
	c.closeSent = true
	c.dl.arm(c.nc, context.Background(), true)
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.closeTimeout))
	return c.writeFrameLocked(true, 0, opClose, b[:n])
}

// waitPeerClose waits for the peer's close frame after ours went out,
// bounded by the close timeout. When no one is reading, it reads itself.
func (c *Conn) waitPeerClose() {
	select {
	case <-c.closeRecv:
		return
	default:
	}
	t := time.NewTimer(c.closeTimeout)
	defer t.Stop()
	select {
	case <-c.closeRecv:
	case <-t.C:
	case <-c.closed:
	case c.readSem <- struct{}{}:
		c.dl.arm(c.nc, context.Background(), false)
		_ = c.nc.SetReadDeadline(time.Now().Add(c.closeTimeout))
		for c.r.err == nil {
			if _, _, err := c.readNext(); err != nil {
				break
			}
		}
		<-c.readSem
	}
}

// fail sends a close frame for a protocol error and closes the connection
// (RFC 6455, section 7.1.7). The close frame is best effort: a write stuck
// behind a peer that does not read gives up after the close timeout.
func (c *Conn) fail(e *ProtocolError) {
	reason := e.Reason
	if len(reason) > maxCloseReason {
		reason = reason[:maxCloseReason]
	}
	_ = c.sendClose(e.Code, reason)
	c.closeNet()
}

// parseClose decodes a received close payload into a CloseError.
func parseClose(p []byte) (*CloseError, *ProtocolError) {
	switch {
	case len(p) == 0:
		return &CloseError{Code: CloseNoStatusReceived}, nil
	case len(p) == 1:
		return nil, protocolErr("close frame with a 1-byte payload")
	}
	code := StatusCode(binary.BigEndian.Uint16(p))
	if !code.validOnWire() {
		return nil, protocolErr("invalid close code " + code.String())
	}
	if !utf8.Valid(p[2:]) {
		return nil, &ProtocolError{Code: CloseInvalidText, Reason: "invalid UTF-8 in close reason"}
	}
	return &CloseError{Code: code, Reason: string(p[2:])}, nil
}
