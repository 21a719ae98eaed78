package park_test

import (
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/park"
)

func requireEpoll(t *testing.T) {
	t.Helper()
	if !park.Epoll() {
		t.Skip("epoll is off (AIOHTTP_GO_PARK=goroutine)")
	}
}

// fdOf returns nc's socket number.
func fdOf(t *testing.T, nc net.Conn) int {
	t.Helper()
	rc, err := nc.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fd int
	if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
		t.Fatal(err)
	}
	return fd
}

// settled waits until the epoll set holds n connections.
func settled(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); park.InEpollSet() != n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections in the epoll set, want %d", park.InEpollSet(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestEpollWakesOnInputAndPeerClose(t *testing.T) {
	requireEpoll(t)
	for _, tc := range []struct {
		name string
		end  func(a net.Conn)
		want string
		err  error
	}{
		{"input", func(a net.Conn) { a.Write([]byte("ping")) }, "ping", nil},
		{"peer closes", func(a net.Conn) { a.Close() }, "", io.EOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := tcpPair(t)
			var p park.Parked
			woke := make(chan error, 1)
			p.Park(b, func(err error) { woke <- err })
			settled(t, 1)
			blocked(t, woke)
			tc.end(a)
			if err := result(t, woke); err != nil {
				t.Fatalf("wake got %v", err)
			}
			settled(t, 0)
			buf := make([]byte, 8)
			n, err := b.Read(buf)
			if string(buf[:n]) != tc.want || err != tc.err {
				t.Fatalf("read after wake: %q, %v; want %q, %v", buf[:n], err, tc.want, tc.err)
			}
			if p.Unpark() {
				t.Fatal("Unpark after wake reported that it ended the wait")
			}
		})
	}
}

func TestEpollWakesAtOnceWhenInputIsThere(t *testing.T) {
	requireEpoll(t)
	a, b := socketPair(t)
	a.Write([]byte("x"))
	time.Sleep(10 * time.Millisecond)
	var p park.Parked
	for range 3 { // parked again and again, it wakes every time
		woke := make(chan error, 1)
		p.Park(b, func(err error) { woke <- err })
		if err := result(t, woke); err != nil {
			t.Fatalf("wake got %v", err)
		}
	}
}

func TestEpollUnparkBeforeClose(t *testing.T) {
	requireEpoll(t)
	a, b := tcpPair(t)
	var p park.Parked
	woke := make(chan error, 1)
	p.Park(b, func(err error) { woke <- err })
	settled(t, 1)
	if !p.Unpark() {
		t.Fatal("Unpark of a waiting connection reported that wake runs")
	}
	settled(t, 0)
	if p.Unpark() {
		t.Fatal("a second Unpark reported that it ended the wait")
	}
	b.Close()
	a.Write([]byte("x"))
	a.Close()
	blocked(t, woke) // wake never runs
	// Parked again after Unpark, it does not wait.
	p.Park(b, func(err error) { woke <- err })
	if err := result(t, woke); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Park after Unpark: wake got %v, want net.ErrClosed", err)
	}
	settled(t, 0)
}

// TestEpollSocketNumberReused parks a socket whose number belonged to a
// parked one: events and Unparks of the old one never reach the new one.
func TestEpollSocketNumberReused(t *testing.T) {
	requireEpoll(t)
	for _, unparked := range []bool{true, false} {
		a1, b1 := tcpPair(t)
		var old park.Parked
		oldWoke := make(chan error, 1)
		old.Park(b1, func(err error) { oldWoke <- err })
		settled(t, 1)
		fd := fdOf(t, b1)
		if unparked {
			old.Unpark()
		} // else: closed while parked, against the rules: it leaves the set silently
		b1.Close()
		a1.Close()
		var a2, b2 net.Conn
		for range 20 { // the lowest free number comes back soon
			a2, b2 = tcpPair(t)
			if fdOf(t, b2) == fd {
				break
			}
		}
		if fdOf(t, b2) != fd {
			t.Skip("no new socket got the closed one's number")
		}
		var p park.Parked
		woke := make(chan error, 1)
		p.Park(b2, func(err error) { woke <- err })
		old.Unpark() // a late Unpark of the old one leaves the new one alone
		blocked(t, woke)
		a2.Write([]byte("x"))
		if err := result(t, woke); err != nil {
			t.Fatalf("wake got %v", err)
		}
		select {
		case err := <-oldWoke:
			t.Fatalf("the old connection's wake ran with %v", err)
		default:
		}
		settled(t, 0)
	}
}

// TestEpollUnparkRacesInput checks that exactly one of wake and Unpark
// owns the connection when input and Unpark come at the same time.
func TestEpollUnparkRacesInput(t *testing.T) {
	requireEpoll(t)
	a, b := socketPair(t)
	var owners atomic.Int32
	for range 300 {
		var p park.Parked
		woke := make(chan struct{}, 2)
		p.Park(b, func(err error) {
			if err == nil {
				owners.Add(1)
			}
			woke <- struct{}{}
		})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); a.Write([]byte("x")) }()
		if p.Unpark() {
			owners.Add(1)
		} else {
			<-woke
		}
		wg.Wait()
		if n := owners.Swap(0); n != 1 {
			t.Fatalf("%d owners, want 1", n)
		}
		b.Read(make([]byte, 1))
	}
	settled(t, 0)
}

// TestEpollNoGoroutinePerConnection parks many connections: they wait
// with no goroutine each and all wake, once.
func TestEpollNoGoroutinePerConnection(t *testing.T) {
	requireEpoll(t)
	const n = 500
	peers := make([]net.Conn, n)
	conns := make([]net.Conn, n)
	for i := range conns {
		peers[i], conns[i] = socketPair(t)
	}
	park.Epoll()
	before := runtime.NumGoroutine()
	var woken atomic.Int32
	done := make(chan int, n)
	ps := make([]park.Parked, n)
	for i, c := range conns {
		ps[i].Park(c, func(err error) {
			if err != nil {
				t.Errorf("wake got %v", err)
			}
			woken.Add(1)
			done <- i
		})
	}
	settled(t, n)
	if g := runtime.NumGoroutine() - before; g > 2 {
		t.Errorf("%d goroutines more with %d parked connections, want none", g, n)
	}
	for _, a := range peers {
		a.Write([]byte("x"))
	}
	seen := make(map[int]bool)
	for range n {
		select {
		case i := <-done:
			if seen[i] {
				t.Fatalf("connection %d woke twice", i)
			}
			seen[i] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("%d of %d connections woke", len(seen), n)
		}
	}
	settled(t, 0)
	time.Sleep(20 * time.Millisecond)
	if w := woken.Load(); w != n {
		t.Fatalf("%d wakes, want %d", w, n)
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left over", runtime.NumGoroutine()-before)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCloseWakesOnce closes parked connections with Parked.Close: wake
// runs once with net.ErrClosed, in the epoll set as in a goroutine.
func TestCloseWakesOnce(t *testing.T) {
	for _, mode := range []string{"epoll", "goroutine"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "goroutine" {
				defer inGoroutines()()
			}
			_, b := tcpPair(t)
			var p park.Parked
			woke := make(chan error, 2)
			p.Park(b, func(err error) { woke <- err })
			time.Sleep(10 * time.Millisecond)
			if err := p.Close(b); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := result(t, woke); !errors.Is(err, net.ErrClosed) {
				t.Fatalf("wake got %v, want net.ErrClosed", err)
			}
			blocked(t, woke)
			settled(t, 0)
		})
	}
}

// TestEpollIgnoresStaleEvents: wakeReady ignores an event of an earlier
// wait (another generation) and one of a socket not in the set; only the
// current wait's event wakes the connection, once.
func TestEpollIgnoresStaleEvents(t *testing.T) {
	requireEpoll(t)
	_, b := tcpPair(t)
	var p park.Parked
	woke := make(chan error, 2)
	p.Park(b, func(err error) { woke <- err })
	if !park.DeliverEvents(&p, []int32{-1, 0}, []int32{0, 1000}) {
		t.Fatal("the connection did not wait in the epoll set")
	}
	blocked(t, woke)
	if park.InEpollSet() != 1 {
		t.Fatal("a stale event took the connection out of the set")
	}
	park.DeliverEvents(&p, []int32{0, 0}, []int32{0, 0}) // the current event, twice
	if err := result(t, woke); err != nil {
		t.Fatalf("wake got %v", err)
	}
	blocked(t, woke)
	if p.Unpark() {
		t.Fatal("Unpark after the wake reported that it ended the wait")
	}
}
