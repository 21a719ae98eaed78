package websocket

import "time"

// Default option values.
const (
	// DefaultMaxMessageSize is the default [Options.MaxMessageSize], 4 MiB
	// as in aiohttp.
	DefaultMaxMessageSize = 4 << 20
	// DefaultCloseTimeout is the default [Options.CloseTimeout], 10
	// seconds as in aiohttp.
	DefaultCloseTimeout = 10 * time.Second
	// DefaultWriteTimeout is the default [Options.WriteTimeout], 30
	// seconds: far more than a peer that reads needs to take a write
	// buffer's worth of data, and the most a peer that stopped reading
	// holds a writer up.
	DefaultWriteTimeout = 30 * time.Second
	defaultBufferSize   = 4096
)

// Options configure a WebSocket, on either side: the server's
// web.WebSocketOptions and the client's aiohttp.WSOptions embed them, and
// [NewConn] and [NewSocket] take them. Each field but WriteTimeout is one
// of aiohttp's arguments to both WebSocketResponse and ws_connect, and the
// zero value gives aiohttp's defaults: 4 MiB messages, a 10-second close
// timeout, autoclose and autoping on, no heartbeat, no receive timeout,
// and compression accepted by a server but not offered by a client; and
// a 30-second write timeout, which aiohttp lacks.
type Options struct {
	// Protocols are the subprotocols of the opening handshake (aiohttp's
	// protocols): for a server, those it speaks, and the first one the
	// client offers that is listed here is selected; for a client, those
	// it offers, in order of preference.
	Protocols []string

	// Compress says whether the opening handshake negotiates
	// permessage-deflate (aiohttp's compress); the zero value is aiohttp's
	// default for each side. See [CompressMode].
	Compress CompressMode
	// Compression holds the terms of permessage-deflate when it is
	// negotiated: a server's own (the zero value accepts every offer), or
	// those a client offers (aiohttp's compress=N is ServerMaxWindowBits
	// N).
	Compression CompressionOptions
	// CompressionLevel is the flate level for compressed messages sent with
	// a 15-bit window, from 1 (fastest) to 9; zero means 1. A smaller
	// negotiated window uses a fixed windowed encoder instead.
	CompressionLevel int

	// MaxMessageSize limits the size of a received message, after
	// decompression (aiohttp's max_msg_size). A larger message fails the
	// connection with [CloseMessageTooBig]. Zero means
	// [DefaultMaxMessageSize]; a negative value means no limit.
	MaxMessageSize int64
	// CloseTimeout bounds how long a close waits for the peer's close
	// frame (aiohttp's timeout on the server, ws_close on the client); past
	// it the connection is dropped with close code 1006. Zero means
	// [DefaultCloseTimeout].
	CloseTimeout time.Duration
	// WriteTimeout bounds how long a write may wait for a peer that does
	// not read (Kestrel's and net/http's WriteTimeout for WebSockets): when
	// the peer takes no data for this long (up to half as long again, as
	// the deadline is moved lazily), the write fails with an error that
	// matches [ErrWriteTimeout] and the connection is dropped, so no sender
	// blocks forever. Data goes out in pieces of at most 64 KiB, each
	// given the whole timeout, so a slow peer that keeps reading is not
	// cut. Zero means [DefaultWriteTimeout]; a negative value means none.
	WriteTimeout time.Duration
	// ReceiveTimeout, when positive, bounds each [Socket.Receive] (aiohttp's
	// receive_timeout, ws_receive on the client): past it Receive returns a
	// [MessageError] whose Err wraps [ErrReceiveTimeout] and
	// context.DeadlineExceeded, and the socket stays usable. Zero means
	// none.
	ReceiveTimeout time.Duration
	// Heartbeat, when positive, makes a [Socket] send a ping after this long
	// without a received message (aiohttp's heartbeat); when nothing arrives
	// within half of it, the connection is dropped with close code 1006
	// ([CloseAbnormalClosure]) and [ErrHeartbeatTimeout]. Zero means none.
	Heartbeat time.Duration
	// NoAutoclose turns aiohttp's autoclose off: a [Socket] returns the
	// peer's close frame as [MessageClose] and does not answer it until
	// Close is called.
	NoAutoclose bool
	// NoAutoping turns aiohttp's autoping off: a [Socket] returns pings as
	// [MessagePing], without answering them, and pongs as [MessagePong].
	NoAutoping bool

	// ReadBufferSize is the size of the read buffer, taken from a pool
	// while bytes are waiting in it: over a plain socket, a connection
	// waiting for the peer holds none. Zero means 4096.
	ReadBufferSize int
	// WriteBufferSize is the size of the frames a [Conn.Writer] sends.
	// Zero means 4096. Whole messages go out as one frame, from a pooled
	// buffer or (large ones, unmasked) straight from the caller's slice.
	WriteBufferSize int
}

// CompressMode says whether the opening handshake negotiates
// permessage-deflate (RFC 7692): aiohttp's compress.
type CompressMode int

const (
	// CompressDefault is aiohttp's default for each side: a server
	// accepts a client's offer (compress=True), a client makes none
	// (compress=0).
	CompressDefault CompressMode = iota
	// CompressOn negotiates compression: a server accepts an offer, a
	// client makes one on the terms of [Options.Compression] (aiohttp's
	// compress=15 with the zero terms).
	CompressOn
	// CompressOff turns compression off: a server declines every offer
	// (compress=False), a client makes none.
	CompressOff
)

// OptionsError reports an [Options] field out of range.
type OptionsError struct {
	// Field names the field, as "Compression.ServerMaxWindowBits".
	Field string
	// Value is the value it had.
	Value int64
	// Allowed says which values are allowed.
	Allowed string
}

// Error returns "websocket: Options.Field is 7, allowed: ...".
func (e *OptionsError) Error() string {
	return "websocket: Options." + e.Field + " is " + itoa(e.Value) + ", allowed: " + e.Allowed
}

// Validate reports the first field of o out of range as an
// *[OptionsError]. The server's WebSocketResponse.Prepare and the
// client's WSConnect call it; NewConn and NewSocket do not.
func (o *Options) Validate() error {
	const bits = "0 or 8 to 15"
	switch {
	case o.Compress < CompressDefault || o.Compress > CompressOff:
		return &OptionsError{"Compress", int64(o.Compress), "CompressDefault, CompressOn or CompressOff"}
	case !validWindowBits(o.Compression.ServerMaxWindowBits):
		return &OptionsError{"Compression.ServerMaxWindowBits", int64(o.Compression.ServerMaxWindowBits), bits}
	case !validWindowBits(o.Compression.ClientMaxWindowBits):
		return &OptionsError{"Compression.ClientMaxWindowBits", int64(o.Compression.ClientMaxWindowBits), bits}
	case o.CompressionLevel < 0 || o.CompressionLevel > 9:
		return &OptionsError{"CompressionLevel", int64(o.CompressionLevel), "0 to 9"}
	}
	return nil
}

// validWindowBits reports a max_window_bits term: unset, or 8 to 15.
func validWindowBits(n int) bool { return n == 0 || n >= 8 && n <= 15 }
