// Package websocket implements the WebSocket protocol (RFC 6455) with the
// permessage-deflate extension (RFC 7692) for both ends of a connection. It
// is the protocol layer under aiohttp's two WebSocket APIs: the server's
// web.WebSocketResponse and the client's Session.WSConnect, which perform
// the HTTP opening handshake and then wrap the connection in a [Conn] and
// a [Socket].
//
// # Opening handshake
//
// The HTTP part belongs to the caller; this package gives both sides the
// pieces: [AcceptKey], [ValidKey] and [NewKey] for Sec-WebSocket-Key and
// Sec-WebSocket-Accept, [SelectProtocol] for Sec-WebSocket-Protocol, and for
// Sec-WebSocket-Extensions [ParseExtensions], [NegotiateServer] (server),
// [ClientOffer] and [AcceptClient] (client). The selected subprotocol and
// the negotiated [CompressionParams] make up the [Handshake] a connection
// starts from.
//
// # Options
//
// [Options] hold every setting of a WebSocket, for both sides: the
// server's web.WebSocketOptions and the client's aiohttp.WSOptions embed
// them, and their zero value gives aiohttp's defaults. [Options.Validate]
// reports a field out of range as an *[OptionsError].
//
// # Connection
//
// [NewConn] takes the net.Conn after the handshake, the buffered reader the
// handshake was read with (it may hold the first frames already), the
// [Role], the [Handshake] and the Options. A server requires masked frames
// and sends unmasked ones; a client the other way round.
//
// Reading: [Conn.ReadMessage] returns every message with its
// [MessageType], control frames included, without acting on them, and hands out a buffer that is reused
// by the next read: zero allocations per message in the steady state. It
// is what an integration builds aiohttp's autoping, autoclose and heartbeat
// on. [Conn.Read] is the simple variant: it answers pings, skips pongs,
// echoes a close frame and returns a copy of each text or binary message.
// One goroutine reads at a time.
//
// Writing: [Conn.WriteMessage] sends a whole message; [Conn.Writer] streams
// one as fragments; [Conn.Ping] and [Conn.Pong] send control frames. Any
// number of goroutines may write at once: messages never interleave, and
// control frames may slip between the fragments of a streamed message.
// A peer that stops reading cannot hold a writer up: a write it takes no
// data of for [Options.WriteTimeout] (30 s by default) fails with an error
// matching [ErrWriteTimeout] and the connection is dropped.
//
// Closing: [Conn.Close] sends a close frame with a [StatusCode] and reason
// and waits up to [Options.CloseTimeout] for the peer's; [Conn.CloseNow]
// drops the connection. A close frame from the peer surfaces as a
// *[CloseError]; a peer that breaks the protocol gets the matching close
// frame (1002, 1007 or 1009) and the read returns a *[ProtocolError].
// Every closer ([Conn.Close], [Conn.CloseNow], [Socket.Close], the Close
// of a [Conn.Writer]) may be called more than once, from any goroutine: a
// later call waits for the first to finish and returns what its doc
// comment says. Nothing waits forever: sending the close frame and waiting
// for the peer's are each bounded by the close timeout.
//
// # Socket
//
// [Socket] adds aiohttp's message-level behaviour on top of a Conn, as
// both web.WebSocketResponse.Prepare and aiohttp's Session.WSConnect give
// it: [Socket.Receive] returns a [Message] whose [MessageType] is
// aiohttp's WSMsgType (TEXT, BINARY, PING, PONG, CLOSE, CLOSING, CLOSED,
// ERROR), with autoping, autoclose, heartbeat and receive timeout as the
// Options set them; [Socket.Close] performs the closing handshake within
// the close timeout or the end of its context.
//
// # Event-driven sockets
//
// [Socket.OnMessage] serves a socket without a goroutine of its own in a
// receive loop: a web handler hands the socket over and returns, every
// message goes to a callback (its data lent, not copied), and other
// goroutines send as they like, as a broadcast does. Between messages, a
// socket over a plain TCP or Unix connection holds no buffer and, after a
// second without one, waits in a fresh goroutine with the smallest stack: under 5 KiB of memory an
// idle server socket, against 17 KiB for one whose handler blocks in
// Receive (see docs/websocket.md). The close handshake, autoping,
// autoclose, the heartbeat, the maximum message size and the write timeout
// work as with Receive.
//
// # Memory
//
// A Conn takes its buffers from pools only while it uses them: the read
// buffer while bytes wait in it, the message buffer while a message is
// read (and until the next read, for [Conn.ReadMessage]'s slice), a write
// buffer for one frame. A connection waiting for its peer over a plain
// socket holds none: it waits for readability through syscall.RawConn and
// reads only then.
//
// # Conformance
//
// The package follows every MUST of RFC 6455 and RFC 7692 that the
// Autobahn|Testsuite checks: reserved bits and opcodes, control frame
// limits, fragmentation rules, masking direction, UTF-8 validation that
// fails fast in the middle of a fragment, close codes and reasons, and
// permessage-deflate with every parameter (including window sizes of 8 to 15
// bits, compressed with klauspost/compress). The tests named Test1_* to
// Test13_* mirror the Autobahn case groups.
//
// Non-minimal length encodings are accepted on read, as most peers do; a
// 64-bit length with its top bit set is not. Outgoing text is not checked
// for UTF-8. With compression, [Options.MaxMessageSize] bounds both the
// compressed and the decompressed size of a message.
package websocket
