//go:build !unix

package park

import (
	"errors"
	"net"
)

// Supported reports false: on this system no connection can be waited on
// without a read.
func Supported(net.Conn) bool { return false }

// Wait returns errors.ErrUnsupported: on this system connections wait for
// input in their reads.
func Wait(net.Conn) error { return errors.ErrUnsupported }
