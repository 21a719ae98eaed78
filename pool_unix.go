//go:build unix

package aiohttp

import (
	"net"
	"syscall"
)

// aliveCheck tells whether an idle connection still looks usable: its
// socket has nothing to read. A server that closed the connection left an
// end of file there, and one that sent anything while no request was
// pending (a TLS close_notify, a 408) made the connection useless too.
// The check is one non-blocking read on the socket under any TLS layers;
// it is made once per connection so that checking allocates nothing.
type aliveCheck struct {
	rc    syscall.RawConn
	read  func(fd uintptr) bool // a.peek, bound once
	alive bool
	buf   [1]byte
}

// newAliveCheck returns the check for nc, nil (always alive) when nc has
// no socket.
func newAliveCheck(nc net.Conn) *aliveCheck {
	for {
		u, ok := nc.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		nc = u.NetConn()
	}
	rc := rawConn(nc)
	if rc == nil {
		return nil
	}
	a := &aliveCheck{rc: rc}
	a.read = a.peek
	return a
}

// ok reports whether the connection looks usable.
func (a *aliveCheck) ok() bool {
	if a == nil {
		return true
	}
	a.alive = false
	err := a.rc.Read(a.read)
	return err == nil && a.alive
}

// peek reads from the socket without waiting: sockets of package net are
// non-blocking, so with nothing to read the read fails with EAGAIN.
func (a *aliveCheck) peek(fd uintptr) bool {
	for {
		_, err := syscall.Read(int(fd), a.buf[:])
		if err != syscall.EINTR {
			a.alive = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
			return true
		}
	}
}
