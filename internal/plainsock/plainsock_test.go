package plainsock_test

import (
	"net"
	"testing"

	"github.com/aiohttp-go/aiohttp/internal/plainsock"
)

// wrapper adds nothing but the method; over a pipe it has no plain socket.
type wrapper struct{ net.Conn }

func (w wrapper) PlainSocket(plainsock.Token) net.Conn { return w.Conn }

func TestUnwrap(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tcp, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	if got := plainsock.Unwrap(wrapper{tcp}); got != tcp {
		t.Errorf("Unwrap(wrapper over TCP) = %T, want the *net.TCPConn", got)
	}
	if got := plainsock.Unwrap(tcp); got != tcp {
		t.Errorf("Unwrap(TCP) = %T, want itself", got)
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	w := wrapper{a}
	if got := plainsock.Unwrap(w); got != net.Conn(w) {
		t.Errorf("Unwrap(wrapper over a pipe) = %T, want the wrapper", got)
	}
}
