//go:build !unix

package web

import (
	"errors"
	"net"
	"syscall"
)

// setReusePort fails: SO_REUSEPORT exists on Unix systems only.
func setReusePort(_, _ string, _ syscall.RawConn) error {
	return errors.New("web: ReusePort needs a Unix system")
}

// setBacklog fails: a backlog is set on Unix systems only.
func setBacklog(net.Listener, int) error { return errBacklog }
