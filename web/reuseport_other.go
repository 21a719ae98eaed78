//go:build !unix

package web

import (
	"errors"
	"syscall"
)

// setReusePort fails: SO_REUSEPORT exists on Unix systems only.
func setReusePort(_, _ string, _ syscall.RawConn) error {
	return errors.New("web: ReusePort needs a Unix system")
}
