package websocket

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// countingConn counts the writes to its connection.
type countingConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// newCountedClient returns a client Conn whose writes are counted, and a
// raw server peer.
func newCountedClient(t *testing.T, opts Options) (*Conn, *countingConn, *peer) {
	a, b := tcpPair(t)
	cc := &countingConn{Conn: a}
	c := NewConn(cc, nil, Client, Handshake{}, opts)
	t.Cleanup(func() { c.CloseNow() })
	return c, cc, &peer{t: t, nc: b, br: bufio.NewReader(b)}
}

// A stream of messages arrives whole and in order, in far fewer writes
// than messages, and Close sends it all before its close frame.
func TestStreamWritesBehindInOrder(t *testing.T) {
	c, cc, p := newCountedClient(t, Options{})
	const n = 5000
	got := make(chan error, 1)
	go func() {
		for i := range n {
			f, err := p.read()
			if err == nil && string(f.payload) != strconv.Itoa(i) {
				err = errors.New("message " + strconv.Itoa(i) + " is " + strconv.Quote(string(f.payload)))
			}
			if err != nil {
				got <- err
				return
			}
		}
		f, err := p.read()
		if err == nil && f.op != 8 {
			err = errors.New("a frame of opcode " + strconv.Itoa(int(f.op)) + " after the stream, not the close frame")
		}
		got <- err
	}()
	ctx := context.Background()
	for i := range n {
		if err := c.WriteMessage(ctx, MessageText, []byte(strconv.Itoa(i))); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	closed := make(chan error, 1)
	go func() { closed <- c.Close(CloseOK, "") }()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	p.send(true, 0, 8, closePayload(CloseOK, ""))
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if w := cc.writes.Load(); w > n/4 {
		t.Errorf("%d writes for %d messages sent back to back", w, n)
	}
}

// A message sent after one was received goes out before WriteMessage
// returns, as do messages far apart: request and answer pay nothing for
// streams.
func TestStreamAnswersGoOutAtOnce(t *testing.T) {
	c, cc, p := newCountedClient(t, Options{})
	ctx := context.Background()
	for i := range 20 {
		p.send(true, 0, 2, []byte("ask"))
		if _, _, err := c.ReadMessage(ctx); err != nil {
			t.Fatal(err)
		}
		before := cc.writes.Load()
		if err := c.WriteMessage(ctx, MessageBinary, []byte("answer")); err != nil {
			t.Fatal(err)
		}
		if cc.writes.Load() != before+1 {
			t.Fatalf("answer %d: not written when WriteMessage returned", i)
		}
		p.mustRead()
	}
	for i := range 3 {
		time.Sleep(2 * streamGap)
		before := cc.writes.Load()
		if err := c.WriteMessage(ctx, MessageBinary, []byte("tick")); err != nil {
			t.Fatal(err)
		}
		if cc.writes.Load() != before+1 {
			t.Fatalf("tick %d, %v after the last: not written when WriteMessage returned", i, 2*streamGap)
		}
		p.mustRead()
	}
}

// A stream to a peer that reads nothing waits once 64 KiB are queued: for
// the end of its context (the connection stays open), or for the write
// timeout, whose error the next call returns, and ErrClosed after.
func TestStreamToAPeerThatDoesNotRead(t *testing.T) {
	const timeout = 300 * time.Millisecond
	c, _, p := newCountedClient(t, Options{WriteTimeout: timeout})
	msg := make([]byte, 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var err error
	for err == nil {
		err = c.WriteMessage(ctx, MessageBinary, msg)
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, ErrWriteTimeout) {
		t.Fatalf("stream to a peer that does not read: %v", err)
	}
	start := time.Now()
	for err = nil; err == nil; {
		err = c.WriteMessage(context.Background(), MessageBinary, msg)
	}
	if !errors.Is(err, ErrWriteTimeout) && !errors.Is(err, ErrClosed) {
		t.Fatalf("stream after the write timeout: %v, want ErrWriteTimeout", err)
	}
	if took := time.Since(start); took > 10*timeout {
		t.Errorf("the stream failed after %v", took)
	}
	if err := c.WriteMessage(context.Background(), MessageBinary, msg); !errors.Is(err, ErrClosed) {
		t.Errorf("write after the failure: %v, want ErrClosed", err)
	}
	p.nc.Close()
}

// Messages queued by several goroutines at once all arrive, each whole.
func TestStreamConcurrentSenders(t *testing.T) {
	srv, cli := connPair(t, Handshake{}, Options{}, Handshake{}, Options{})
	const senders, each = 8, 500
	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			for i := range each {
				if err := cli.WriteMessage(context.Background(), MessageText, []byte(strconv.Itoa(g*each+i))); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	seen := make([]bool, senders*each)
	last := make([]int, senders)
	for i := range last {
		last[i] = -1
	}
	for range senders * each {
		_, p, err := srv.ReadMessage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		k, err := strconv.Atoi(string(p))
		if err != nil || seen[k] {
			t.Fatalf("message %q: %v, seen before %v", p, err, err == nil && seen[k])
		}
		seen[k] = true
		if g, i := k/each, k%each; i <= last[g] {
			t.Fatalf("sender %d: message %d after %d", g, i, last[g])
		} else {
			last[g] = i
		}
	}
	wg.Wait()
}

// A Conn, most of what an idle socket keeps, fits the allocator's 768-byte
// size class with the 8-byte header the allocator puts before an object
// of more than 512 bytes with pointers: a few bytes more would cost 128 a
// socket (the stream state is a pointer for that reason).
func TestConnSize(t *testing.T) {
	if n := unsafe.Sizeof(Conn{}); n+8 > 768 {
		t.Fatalf("Conn is %d bytes", n)
	}
}
