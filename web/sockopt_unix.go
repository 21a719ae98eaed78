//go:build unix

package web

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// setReusePort sets SO_REUSEPORT on a listening socket.
func setReusePort(_, _ string, c syscall.RawConn) error {
	return onSocket(c, func(fd int) error { return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1) })
}

// setBacklog sets the listen backlog of ln: listening again on a
// listening socket changes its backlog.
func setBacklog(ln net.Listener, n int) error {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return errBacklog
	}
	c, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	return onSocket(c, func(fd int) error { return unix.Listen(fd, n) })
}

// onSocket runs f on the socket of c and returns its error.
func onSocket(c syscall.RawConn, f func(fd int) error) error {
	var ferr error
	if err := c.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}
