package park

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// wakeReady ignores an event whose wait is over or belongs to an earlier
// wait (another generation) and one for a socket not in the set; only the
// event of the current wait wakes the connection, once.
func TestWakeReadyIgnoresStaleEvents(t *testing.T) {
	if !Epoll() {
		t.Skip("epoll is off (AIOHTTP_GO_PARK=goroutine)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	var p Parked
	woke := make(chan error, 2)
	p.Park(b, func(err error) { woke <- err })
	mu.Lock()
	fd, gen, state := p.fd, p.gen, p.state
	mu.Unlock()
	if state != waiting {
		t.Fatal("the connection did not wait in the epoll set")
	}
	wakeReady([]syscall.EpollEvent{
		{Events: syscall.EPOLLIN, Fd: fd, Pad: int32(gen - 1)},    // an earlier wait's
		{Events: syscall.EPOLLIN, Fd: fd + 1000, Pad: int32(gen)}, // no such socket in the set
	})
	select {
	case err := <-woke:
		t.Fatalf("a stale event woke the connection (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	if InEpollSet() != 1 {
		t.Fatal("a stale event took the connection out of the set")
	}
	current := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: fd, Pad: int32(gen)}
	wakeReady([]syscall.EpollEvent{current, current}) // the same event twice: one wake
	if err := <-woke; err != nil {
		t.Fatalf("wake got %v", err)
	}
	select {
	case err := <-woke:
		t.Fatalf("a second wake (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	if p.Unpark() {
		t.Fatal("Unpark after the wake reported that it ended the wait")
	}
}
