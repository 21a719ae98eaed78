//go:build unix

package web

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// setReusePort sets SO_REUSEPORT on a listening socket.
func setReusePort(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	})
	if err != nil {
		return err
	}
	return serr
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
	var serr error
	err = c.Control(func(fd uintptr) { serr = unix.Listen(int(fd), n) })
	if err != nil {
		return err
	}
	return serr
}
