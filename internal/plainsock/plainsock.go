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

// Wrapper is a net.Conn whose reads and writes are those of the
// connection it wraps.
type Wrapper interface {
	net.Conn
	// PlainSocket returns the wrapped connection.
	PlainSocket(Token) net.Conn
}

// Unwrap returns the plain socket under nc when nc is a [Wrapper] over a
// *net.TCPConn or *net.UnixConn, and nc itself otherwise.
func Unwrap(nc net.Conn) net.Conn {
	if w, ok := nc.(Wrapper); ok {
		switch sock := w.PlainSocket(Token{}); sock.(type) {
		case *net.TCPConn, *net.UnixConn:
			return sock
		}
	}
	return nc
}
