//go:build unix

package websocket

import (
	"net"
	"syscall"
)

// rawSocket returns the raw connection of a plain socket, nil for anything
// else (TLS, pipes), which is read the ordinary way.
func rawSocket(nc net.Conn) syscall.RawConn {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	if _, ok := nc.(*net.TCPConn); !ok {
		if _, ok := nc.(*net.UnixConn); !ok {
			return nil
		}
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// readFD reads from a non-blocking socket; wouldBlock reports that nothing
// was there to read.
func readFD(fd uintptr, p []byte) (n int, err error, wouldBlock bool) {
	for {
		n, err = syscall.Read(int(fd), p)
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return 0, nil, true
		case nil:
			return n, nil, false
		}
		return 0, err, false
	}
}
