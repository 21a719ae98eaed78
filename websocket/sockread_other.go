//go:build !unix

package websocket

import (
	"net"
	"syscall"
)

// rawSocket returns nil: the connection is read the ordinary way.
func rawSocket(net.Conn) syscall.RawConn { return nil }

func readFD(uintptr, []byte) (int, error, bool) { panic("unreachable") }
