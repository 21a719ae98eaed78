package websocket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// callsBound bounds every wait of the closer tests, which run on the real
// clock: a goroutine blocked on a mutex is not durably blocked, so a
// synctest bubble would not notice a call that never returns.
const callsBound = 10 * time.Second

// testCloseTimeout is the close timeout of the closer tests' connections,
// short to keep the tests with a silent peer quick.
const testCloseTimeout = 50 * time.Millisecond

// callAll starts n calls of fn at once and returns their results, failing
// the test when one of them does not return within callsBound.
func callAll(t *testing.T, n int, fn func() error) []error {
	t.Helper()
	results := make(chan error, n)
	var start sync.WaitGroup
	start.Add(1)
	for range n {
		go func() {
			start.Wait()
			results <- fn()
		}()
	}
	start.Done()
	ctx, cancel := context.WithTimeout(context.Background(), callsBound)
	defer cancel()
	errs := make([]error, 0, n)
	for range n {
		select {
		case err := <-results:
			errs = append(errs, err)
		case <-ctx.Done():
			t.Fatalf("%d of %d calls still blocked after %v", n-len(errs), n, callsBound)
		}
	}
	return errs
}

// answeringPeer runs a client Conn on the other end of the pipe that
// reads until the connection ends, answering pings and echoing the close
// frame, as a well-behaved peer does.
func answeringPeer(nc net.Conn) {
	p := NewConn(nc, nil, Client, Handshake{}, Options{})
	go func() {
		for {
			if _, _, err := p.Read(context.Background()); err != nil {
				p.CloseNow()
				return
			}
		}
	}()
}

// silentPeer reads and discards everything and never answers.
func silentPeer(nc net.Conn) {
	go func() {
		_, _ = io.Copy(io.Discard, nc)
		nc.Close()
	}()
}

// pipeConn returns a server Conn over net.Pipe whose other end peer
// serves; the connection is dropped when the test ends.
func pipeConn(t *testing.T, peer func(net.Conn)) *Conn {
	a, b := net.Pipe()
	c := NewConn(a, nil, Server, Handshake{}, Options{CloseTimeout: testCloseTimeout})
	peer(b)
	t.Cleanup(func() { c.CloseNow(); b.Close() })
	return c
}

// TestClosersIdempotent calls every closer of the package twice in a row,
// then, on a fresh connection, from several goroutines at once: no call
// panics or blocks, the first call returns first and every other call
// returns again, as their doc comments say, and when any call returns the
// resource is closed (a later call waits for the first to finish). Run
// with -race.
func TestClosersIdempotent(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// open makes the resource and returns its closer and a report
		// of whether it is closed.
		open         func(t *testing.T) (closer func() error, closed func() string)
		first, again error
	}{
		{
			name: "Conn.Close",
			open: func(t *testing.T) (func() error, func() string) {
				c := pipeConn(t, answeringPeer)
				return func() error { return c.Close(CloseOK, "") }, connClosed(c)
			},
			first: nil, again: ErrClosed,
		},
		{
			name: "Conn.Close, silent peer",
			open: func(t *testing.T) (func() error, func() string) {
				c := pipeConn(t, silentPeer)
				return func() error { return c.Close(CloseGoingAway, "bye") }, connClosed(c)
			},
			first: nil, again: ErrClosed,
		},
		{
			name: "Conn.Close after CloseNow",
			open: func(t *testing.T) (func() error, func() string) {
				c := pipeConn(t, silentPeer)
				c.CloseNow()
				return func() error { return c.Close(CloseOK, "") }, connClosed(c)
			},
			first: ErrClosed, again: ErrClosed,
		},
		{
			name: "Conn.CloseNow",
			open: func(t *testing.T) (func() error, func() string) {
				c := pipeConn(t, silentPeer)
				return c.CloseNow, connClosed(c)
			},
			first: nil, again: ErrClosed,
		},
		{
			name: "Conn.Writer Close",
			open: func(t *testing.T) (func() error, func() string) {
				c := pipeConn(t, silentPeer)
				w, err := c.Writer(ctx, MessageText)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.Write([]byte("streamed")); err != nil {
					t.Fatal(err)
				}
				// Closed once, the writer lets the next message go.
				return w.Close, func() string {
					select {
					case c.msgSem <- struct{}{}:
						<-c.msgSem
						return ""
					default:
						return "the writer still holds the connection"
					}
				}
			},
			first: nil, again: ErrClosed,
		},
		{
			name: "Socket.Close",
			open: func(t *testing.T) (func() error, func() string) {
				s := NewSocket(pipeConn(t, answeringPeer), Options{})
				return func() error { return s.Close(ctx, CloseOK, "") }, socketClosed(s, CloseOK)
			},
			first: nil, again: nil,
		},
		{
			name: "Socket.Close, silent peer",
			open: func(t *testing.T) (func() error, func() string) {
				s := NewSocket(pipeConn(t, silentPeer), Options{Heartbeat: 20 * time.Millisecond})
				return func() error { return s.Close(ctx, CloseOK, "") }, socketClosed(s, CloseAbnormalClosure)
			},
			first: nil, again: nil,
		},
		{
			name: "Socket.Close after Conn.CloseNow",
			open: func(t *testing.T) (func() error, func() string) {
				s := NewSocket(pipeConn(t, silentPeer), Options{})
				s.Conn().CloseNow()
				return func() error { return s.Close(ctx, CloseOK, "") }, socketClosed(s, CloseAbnormalClosure)
			},
			first: nil, again: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/twice", func(t *testing.T) {
			closer, closed := tt.open(t)
			if err := callAll(t, 1, closer)[0]; !errors.Is(err, tt.first) {
				t.Fatalf("first call: %v, want %v", err, tt.first)
			}
			if open := closed(); open != "" {
				t.Fatalf("after the first call: %s", open)
			}
			if err := callAll(t, 1, closer)[0]; !errors.Is(err, tt.again) {
				t.Fatalf("second call: %v, want %v", err, tt.again)
			}
			if open := closed(); open != "" {
				t.Fatalf("after the second call: %s", open)
			}
		})
		t.Run(tt.name+"/concurrently", func(t *testing.T) {
			closer, closed := tt.open(t)
			firsts := 0
			checked := func() error {
				err := closer()
				if open := closed(); open != "" {
					t.Errorf("a call returned %v before the end: %s", err, open)
				}
				return err
			}
			for _, err := range callAll(t, 8, checked) {
				switch {
				case errors.Is(err, tt.first):
					firsts++
				case !errors.Is(err, tt.again):
					t.Errorf("a call returned %v, want %v or %v", err, tt.first, tt.again)
				}
			}
			if tt.first != tt.again && firsts != 1 {
				t.Errorf("%d calls returned %v, want one", firsts, tt.first)
			}
		})
	}
}

// connClosed reports whether c's connection is closed: "" when it is.
func connClosed(c *Conn) func() string {
	return func() string {
		if !c.isClosed() {
			return "the connection is open"
		}
		return ""
	}
}

// socketClosed reports whether s is closed with code: "" when it is.
func socketClosed(s *Socket, code StatusCode) func() string {
	return func() string {
		if !s.Closed() || s.CloseCode() != code || !s.Conn().isClosed() {
			return fmt.Sprintf("closed %v, code %d, connection closed %v; want true, %d, true",
				s.Closed(), s.CloseCode(), s.Conn().isClosed(), code)
		}
		return ""
	}
}

// TestCloseBehindStuckWriter: a writer stuck behind a peer that reads
// nothing holds the connection, yet Close returns after the close
// timeout, dropping the connection, and the writer fails.
func TestCloseBehindStuckWriter(t *testing.T) {
	a, b := net.Pipe() // nobody reads b
	defer b.Close()
	nc := &writeSignal{Conn: a, writing: make(chan struct{})}
	c := NewConn(nc, nil, Server, Handshake{}, Options{CloseTimeout: testCloseTimeout})
	wrote := make(chan error, 1)
	go func() { wrote <- c.WriteMessage(context.Background(), MessageText, []byte("stuck")) }()
	<-nc.writing
	start := time.Now()
	if err := callAll(t, 1, func() error { return c.Close(CloseOK, "") })[0]; !errors.Is(err, ErrClosed) {
		t.Errorf("Close = %v, want ErrClosed: the close frame never went out", err)
	}
	if d := time.Since(start); d < testCloseTimeout {
		t.Errorf("Close took %v, less than the close timeout", d)
	}
	if err := <-wrote; err == nil {
		t.Error("the stuck write succeeded")
	}
	s := NewSocket(c, Options{})
	if err := s.Close(context.Background(), CloseOK, ""); err != nil {
		t.Errorf("Socket.Close on the dropped connection = %v, want nil", err)
	}
}

// writeSignal closes writing when the first write starts.
type writeSignal struct {
	net.Conn
	once    sync.Once
	writing chan struct{}
}

func (c *writeSignal) Write(p []byte) (int, error) {
	c.once.Do(func() { close(c.writing) })
	return c.Conn.Write(p)
}
