package aiotest

import (
	"net"
	"testing"
)

// UnusedPort returns a TCP port of 127.0.0.1 that was free a moment ago
// (aiohttp's unused_port), for a program under test that must be told
// its port before it listens. Another process may take the port
// meanwhile: a server the test starts itself is better served on port 0
// ([NewServer] does so). A failure fails the test.
func UnusedPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("aiotest: finding an unused port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
