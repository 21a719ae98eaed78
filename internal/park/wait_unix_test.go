//go:build unix

package park_test

import (
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/park"
)

// socketPair returns both ends of a connected Unix stream socket pair.
func socketPair(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) net.Conn {
		f := os.NewFile(uintptr(fd), "socketpair")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	return conn(fds[0]), conn(fds[1])
}

// tcpPair returns a connected TCP client and the server's end.
func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return c, s
}

// waitAsync runs Wait(nc) in a goroutine and returns its result channel.
func waitAsync(nc net.Conn) <-chan error {
	done := make(chan error, 1)
	go func() { done <- park.Wait(nc) }()
	return done
}

func result(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return")
		return nil
	}
}

func blocked(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("Wait returned %v before there was anything to read", err)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestWaitReturnsOnInputAndConsumesNothing(t *testing.T) {
	for name, pair := range map[string]func(*testing.T) (net.Conn, net.Conn){
		"tcp":  tcpPair,
		"unix": func(t *testing.T) (net.Conn, net.Conn) { return socketPair(t) },
	} {
		t.Run(name, func(t *testing.T) {
			a, b := pair(t)
			if !park.Supported(b) {
				t.Fatal("a socket is not Supported")
			}
			done := waitAsync(b)
			blocked(t, done)
			if _, err := a.Write([]byte("ping")); err != nil {
				t.Fatal(err)
			}
			if err := result(t, done); err != nil {
				t.Fatalf("Wait: %v", err)
			}
			buf := make([]byte, 8)
			n, err := b.Read(buf)
			if err != nil || string(buf[:n]) != "ping" {
				t.Fatalf("read after Wait: %q, %v; want ping", buf[:n], err)
			}
		})
	}
}

func TestWaitReturnsAtOnceWhenInputIsThere(t *testing.T) {
	a, b := socketPair(t)
	if _, err := a.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // the poller has seen the input
	for range 3 {                     // and Wait sees it however often it asks
		if err := result(t, waitAsync(b)); err != nil {
			t.Fatalf("Wait: %v", err)
		}
	}
}

func TestWaitEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(a, b net.Conn)
		want error
	}{
		{"peer closes", func(a, _ net.Conn) { a.Close() }, nil},
		{"read deadline passes", func(_, b net.Conn) { b.SetReadDeadline(time.Unix(1, 0)) }, os.ErrDeadlineExceeded},
		{"closed", func(_, b net.Conn) { b.Close() }, net.ErrClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := tcpPair(t)
			done := waitAsync(b)
			blocked(t, done)
			tc.end(a, b)
			for _, err := range []error{result(t, done), park.Wait(b)} { // waiting again ends at once
				if !errors.Is(err, tc.want) {
					t.Fatalf("Wait: %v, want %v", err, tc.want)
				}
			}
			if tc.want == nil {
				if _, err := b.Read(make([]byte, 1)); err != io.EOF {
					t.Fatalf("read after the peer closed: %v, want EOF", err)
				}
			}
		})
	}
}

func TestWaitUnsupported(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if park.Supported(b) {
		t.Fatal("net.Pipe is Supported")
	}
	if err := park.Wait(b); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Wait on net.Pipe: %v, want errors.ErrUnsupported", err)
	}
}

func TestParkWakesInAGoroutine(t *testing.T) {
	a, b := socketPair(t)
	woke := make(chan error, 1)
	new(park.Parked).Park(b, func(err error) { woke <- err })
	blocked(t, woke)
	a.Write([]byte("x"))
	if err := result(t, woke); err != nil {
		t.Fatalf("wake got %v", err)
	}
}

// grow uses about n KiB of stack before it calls f.
func grow(n int, f func()) {
	var pad [1024]byte
	if n > 0 {
		grow(n-1, f)
	} else {
		f()
	}
	runtime.KeepAlive(pad)
}

// TestParkedGoroutinesAreSmall parks connections from a goroutine with a
// grown stack: the waiting goroutines must not keep a grown stack.
func TestParkedGoroutinesAreSmall(t *testing.T) {
	const n = 500
	conns := make([]net.Conn, n)
	for i := range conns {
		_, conns[i] = socketPair(t)
	}
	woke := make(chan error, n)
	defer inGoroutines()()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	started := make(chan struct{})
	go grow(32, func() {
		for _, c := range conns {
			new(park.Parked).Park(c, func(err error) { woke <- err })
		}
		close(started)
	})
	<-started
	time.Sleep(50 * time.Millisecond)
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.StackInuse) - int64(before.StackInuse)) / n
	t.Logf("stack per parked connection: %d bytes", per)
	if per > 4096*stackScale {
		t.Errorf("a parked connection holds %d bytes of stack, want at most %d", per, 4096*stackScale)
	}
	for _, c := range conns {
		c.Close()
	}
	for range n { // the close ends a goroutine's wait
		if err := result(t, woke); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("wake after Close got %v, want net.ErrClosed", err)
		}
	}
}
