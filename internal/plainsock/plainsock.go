// Package plainsock lets a net.Conn that wraps a plain TCP or Unix socket
// hand that socket to the code that reads sockets directly: the
// websocket package's reads without a buffer (through syscall.RawConn)
// and package park's epoll set. Such code accepts only *net.TCPConn and
// *net.UnixConn, whose reads it knows to be the socket's bytes; a wrapper
// in this module that changes nothing read or written (it adds to Close,
// say) says so by implementing [Wrapper]. Code outside the module cannot:
// it cannot name [Token].
package plainsock

import "net"

// Token is the argument of [Wrapper.PlainSocket]: a type only this
// module can name.
type Token struct{}

// Wrapper is a net.Conn over a plain socket whose reads and writes are the
// socket's.
type Wrapper interface {
	net.Conn
	// PlainSocket returns the socket under the wrapper: a *net.TCPConn
	// or *net.UnixConn, or nil when the wrapped connection is not one.
	PlainSocket(Token) net.Conn
}

// Unwrap returns the plain socket under nc when nc is a [Wrapper] over
// one, and nc itself otherwise.
func Unwrap(nc net.Conn) net.Conn {
	if w, ok := nc.(Wrapper); ok {
		if sock := w.PlainSocket(Token{}); sock != nil {
			return sock
		}
	}
	return nc
}
