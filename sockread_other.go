//go:build !unix

package aiohttp

import "net"

// sockReader would read a plain socket and send requests from within its
// reads (see sockread_unix.go); on this system connections read and
// write through net.Conn.
type sockReader struct{ net.Conn }

// newSockReader returns nil: connections read through net.Conn.
func newSockReader(net.Conn) *sockReader { return nil }

// send is never called: there is no sockReader.
func (*sockReader) send([]byte) {}

// failedWriting reports false: there is no sockReader.
func (*sockReader) failedWriting() bool { return false }
