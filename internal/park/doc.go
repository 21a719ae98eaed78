// Package park lets an idle connection wait for its next input while
// holding nothing but its socket: no read buffer and, parked in a fresh
// goroutine, no grown stack.
//
// A server goroutine blocked in net.Conn.Read holds the buffer it reads
// into and the stack its handlers grew, for as long as the client stays
// silent: kilobytes a connection, which decide how many keep-alive
// connections or idle WebSockets fit on a machine. [Wait] waits for
// readability without a buffer; [Parked.Park] does so without the caller,
// so that the goroutine that served the connection can end and give its
// stack back, and the connection's state can go back to a pool until Park
// wakes it.
//
// On Linux a parked connection has no goroutine at all: its socket waits
// in one epoll set (level-triggered, one-shot), whose own descriptor waits
// in Go's poller, served by a single goroutine with no thread of its own;
// wake starts a goroutine only once there is input. Setting the environment variable AIOHTTP_GO_PARK to
// "goroutine" makes parked connections wait in goroutines there too. A
// socket in the set must not be closed behind the set's back (it would
// leave it silently, and a new socket may reuse its number): whoever
// closes a parked connection from another goroutine uses [Parked.Close],
// or [Parked.Unpark] first, which hand the connection to exactly one
// owner, wake or the closer.
//
// Only plain sockets can be waited on ([Supported]), on unix systems; on
// others, and for TLS connections, whose records may hold input the
// socket no longer shows, callers keep reading as before.
//
// Go's poller forgets a socket's readiness when a wait begins, so waiting
// without reading would miss input that arrived just before. Wait therefore
// peeks at one byte before it waits: input is never consumed, and none is
// missed.
package park
