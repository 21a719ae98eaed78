// Package park lets an idle connection wait for its next input while
// holding nothing but its socket: no read buffer and, parked in a fresh
// goroutine, no grown stack.
//
// A server goroutine blocked in net.Conn.Read holds the buffer it reads
// into and the stack its handlers grew, for as long as the client stays
// silent: kilobytes a connection, which decide how many keep-alive
// connections or idle WebSockets fit on a machine. [Wait] waits for
// readability without a buffer; [Park] does so in a new goroutine, whose
// stack starts small, so that the goroutine that served the connection can
// end and give its stack back, and the connection's state can go back to
// a pool until [Park] wakes it.
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
