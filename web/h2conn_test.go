package web

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestH2ConnKeepsOrder writes numbered lines from many goroutines at
// once: every line arrives whole, each goroutine's in its order, and
// Close sends what still waits before the end.
func TestH2ConnKeepsOrder(t *testing.T) {
	nc, peer := net.Pipe()
	defer peer.Close()
	c := newH2Conn(nc, nc)
	c.writeBehind()
	const writers, lines = 16, 300
	got := make(chan error, 1)
	go func() {
		next := make([]int, writers)
		sc := bufio.NewScanner(peer)
		for sc.Scan() {
			w, n, ok := strings.Cut(sc.Text(), ":")
			wi, err1 := strconv.Atoi(w)
			ni, err2 := strconv.Atoi(n)
			if !ok || err1 != nil || err2 != nil || wi >= writers || ni != next[wi] {
				got <- fmt.Errorf("line %q out of order (writer expects %v)", sc.Text(), next)
				return
			}
			next[wi]++
		}
		for w, n := range next {
			if n != lines {
				got <- fmt.Errorf("writer %d: %d lines arrived, want %d", w, n, lines)
				return
			}
		}
		got <- sc.Err()
	}()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for n := range lines {
				if _, err := fmt.Fprintf(c, "%d:%d\n", w, n); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the lines did not all arrive")
	}
}

// TestH2ConnWaitsAtLimit: a writer faster than its peer reads is
// held back once about writeBehindLimit bytes wait, and loses nothing.
func TestH2ConnWaitsAtLimit(t *testing.T) {
	nc, peer := net.Pipe() // a write of the socket waits for the read
	defer peer.Close()
	c := newH2Conn(nc, nc)
	defer c.Close()
	c.writeBehind()
	const chunks = 10
	chunk := bytes.Repeat([]byte("x"), writeBehindLimit/2)
	var accepted atomic.Int64
	done := make(chan error, 1)
	go func() {
		for range chunks {
			if _, err := c.Write(chunk); err != nil {
				done <- err
				return
			}
			accepted.Add(int64(len(chunk)))
		}
		done <- nil
	}()
	time.Sleep(100 * time.Millisecond)
	// At most one batch in the socket's write and one waiting, each
	// started below the limit.
	if n, most := accepted.Load(), int64(2*(writeBehindLimit+len(chunk))); n > most {
		t.Fatalf("%d bytes accepted for a peer that reads nothing, want at most %d", n, most)
	}
	select {
	case err := <-done:
		t.Fatalf("every Write returned (%v) while the peer read nothing", err)
	default:
	}
	if n, err := io.ReadFull(peer, make([]byte, chunks*len(chunk))); err != nil {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestH2ConnFailsAfterError: once a write of the socket failed,
// every Write fails with its error; Close is idempotent, and a Write
// after it fails with net.ErrClosed.
func TestH2ConnFailsAfterError(t *testing.T) {
	nc, peer := net.Pipe()
	c := newH2Conn(nc, nc)
	c.writeBehind()
	peer.Close()
	var err error
	for deadline := time.Now().Add(5 * time.Second); err == nil && time.Now().Before(deadline); {
		_, err = c.Write([]byte("frame"))
		time.Sleep(time.Millisecond)
	}
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("Write after the socket failed: %v, want %v", err, io.ErrClosedPipe)
	}
	if _, err := c.Write([]byte("frame")); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("second Write: %v", err)
	}
	c.Close()
	c.Close()
	nc2, peer2 := net.Pipe()
	defer peer2.Close()
	c2 := newH2Conn(nc2, nc2)
	c2.writeBehind()
	c2.Close()
	if _, err := c2.Write([]byte("late")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close: %v, want net.ErrClosed", err)
	}
}

// TestH2ConnCloseBounded: Close gives a client that reads nothing
// closeFlushTimeout to take what waits, abort nothing.
func TestH2ConnCloseBounded(t *testing.T) {
	for _, tc := range []struct {
		name  string
		close func(*h2Conn)
		most  time.Duration
	}{
		{"Close", func(c *h2Conn) { c.Close() }, closeFlushTimeout + 2*time.Second},
		{"abort", (*h2Conn).abort, closeFlushTimeout / 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nc, peer := net.Pipe()
			defer peer.Close()
			c := newH2Conn(nc, nc)
			c.writeBehind()
			if _, err := c.Write([]byte("never read")); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			tc.close(c)
			if took := time.Since(start); took > tc.most {
				t.Fatalf("took %v, want at most %v", took, tc.most)
			}
		})
	}
}

// TestH2ConnPassesThrough: before writeBehind (x/net timing its writes),
// a Write is the socket's.
func TestH2ConnPassesThrough(t *testing.T) {
	nc, peer := net.Pipe()
	defer peer.Close()
	c := newH2Conn(nc, nc)
	defer c.Close()
	wrote := make(chan struct{})
	go func() {
		c.Write([]byte("hello"))
		close(wrote)
	}()
	select {
	case <-wrote:
		t.Fatal("Write returned before the peer read")
	case <-time.After(50 * time.Millisecond):
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(peer, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("read %q, %v", buf, err)
	}
	<-wrote
}
