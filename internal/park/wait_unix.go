//go:build unix

package park

import (
	"errors"
	"net"
	"syscall"
)

// Supported reports whether [Wait] can wait on nc: a socket of its own, as
// TCP and Unix connections are.
func Supported(nc net.Conn) bool {
	_, ok := nc.(syscall.Conn)
	return ok
}

// Wait blocks, holding no buffer, until a read on nc would not block: input
// arrived, the peer closed or reset the connection (the read then tells
// which). It reads nothing. It returns early with the wait's error when
// nc's read deadline passes (errors.Is os.ErrDeadlineExceeded) or nc is
// closed (net.ErrClosed), and with errors.ErrUnsupported when nc is not
// [Supported].
func Wait(nc net.Conn) error {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return errors.ErrUnsupported
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	// The poller calls f again only once the socket is readable (a closed
	// connection or a passed deadline end the wait with an error instead).
	waited := false
	return rc.Read(func(fd uintptr) bool {
		if waited {
			return true
		}
		waited = true
		return peek(fd)
	})
}

// peek reports whether the socket fd has something to read, without
// reading it: false asks the poller to wait for readability.
func peek(fd uintptr) bool {
	var b [1]byte
	for {
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK:
			return false
		}
		// Input, end of input or an error: the next read returns at once.
		return true
	}
}
