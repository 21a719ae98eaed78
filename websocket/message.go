package websocket

import "encoding/json"

// MessageType is the type of a message, aiohttp's WSMsgType with its
// values. Text, binary, close, ping and pong are the RFC 6455 opcodes,
// which both a [Conn] and a [Socket] report; closing, closed and error
// describe the state of a Socket and only a [Message] from
// [Socket.Receive] carries them.
type MessageType int

const (
	// MessageText is a UTF-8 text message (TEXT).
	MessageText MessageType = 1
	// MessageBinary is a binary message (BINARY).
	MessageBinary MessageType = 2
	// MessageClose is the peer's close frame (CLOSE): a [Conn] returns it
	// with a *[CloseError], a [Socket] as a Message whose Code and Extra
	// hold the frame's code and reason.
	MessageClose MessageType = 8
	// MessagePing is a ping (PING); a Socket returns it only when
	// autoping is off.
	MessagePing MessageType = 9
	// MessagePong is a pong (PONG); a Socket returns it only when
	// autoping is off.
	MessagePong MessageType = 10
	// MessageClosing says the socket is closing (CLOSING): the peer's
	// close frame arrived, or Close was called, and the closing handshake
	// is not over.
	MessageClosing MessageType = 256
	// MessageClosed says the socket is closed (CLOSED).
	MessageClosed MessageType = 257
	// MessageError carries an error in [Message.Err] (ERROR).
	MessageError MessageType = 258
)

// String returns the aiohttp name of t: "TEXT", "BINARY", "CLOSE", "PING",
// "PONG", "CLOSING", "CLOSED" or "ERROR".
func (t MessageType) String() string {
	switch t {
	case MessageText:
		return "TEXT"
	case MessageBinary:
		return "BINARY"
	case MessageClose:
		return "CLOSE"
	case MessagePing:
		return "PING"
	case MessagePong:
		return "PONG"
	case MessageClosing:
		return "CLOSING"
	case MessageClosed:
		return "CLOSED"
	case MessageError:
		return "ERROR"
	}
	return "MessageType(" + itoa(int64(t)) + ")"
}

// Message is what [Socket.Receive] returns (aiohttp's WSMessage). Data
// belongs to the caller.
type Message struct {
	// Type is the kind of message.
	Type MessageType
	// Data is the payload of a text, binary, ping or pong message.
	Data []byte
	// Extra is the reason of a close frame (MessageClose).
	Extra string
	// Code is the code of a close frame (MessageClose), or the socket's
	// close code for MessageClosed.
	Code StatusCode
	// Err is the error of a MessageError message.
	Err error
}

// Text returns Data as a string.
func (m Message) Text() string { return string(m.Data) }

// JSON decodes Data as JSON into v.
func (m Message) JSON(v any) error { return json.Unmarshal(m.Data, v) }

// MessageTypeError reports a ReceiveText, ReceiveBytes or ReceiveJSON that
// got another type of message than it expects (aiohttp's TypeError).
type MessageTypeError struct {
	Want MessageType
	Got  Message
}

// Error returns "websocket: received message TYPE is not TEXT" and the like.
func (e *MessageTypeError) Error() string {
	s := "websocket: received message " + e.Got.Type.String()
	if e.Got.Err != nil {
		s += " (" + e.Got.Err.Error() + ")"
	}
	return s + " is not " + e.Want.String()
}

// Unwrap returns the error a MessageError message carried.
func (e *MessageTypeError) Unwrap() error { return e.Got.Err }
