package park

import "net"

// Park waits for nc with [Wait] in a new goroutine and then calls wake in
// that goroutine with Wait's result. The new goroutine starts with a small
// stack whatever the caller's grew to: a caller that returns after Park
// leaves only the closure and the socket behind while the connection is
// idle. wake typically takes the connection's state from a pool and serves
// it. Close nc, or set a past read deadline, to wake it early; wake then
// gets the error.
func Park(nc net.Conn, wake func(error)) {
	go func() { wake(Wait(nc)) }()
}
