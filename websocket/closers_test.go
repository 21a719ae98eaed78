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

	"github.com/aiohttp-go/aiohttp/internal/closertest"
)

// testCloseTimeout is the close timeout of the closer tests' connections,
// short to keep the tests with a silent peer quick.
const testCloseTimeout = 50 * time.Millisecond

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

// TestClosersIdempotent calls every closer of the package twice in a row
// and from several goroutines at once (see [closertest.Run]).
func TestClosersIdempotent(t *testing.T) {
	ctx := context.Background()
	closertest.Run(t, []closertest.Case{
		{
			Name: "Conn.Close",
			Open: func(t *testing.T) (func() error, func() string) {
				c := pipeConn(t, answeringPeer)
				return func() error { return c.Close(CloseOK, "") }, connClosed(c)
			},
			First: nil, Again: ErrClosed,
		},
		{
			Name: "Conn.Close, silent peer",
			Open: func(t *testing.T) (func() error, func() string) {
				c := pipeConn(t, silentPeer)
				return func() error { return c.Close(CloseGoingAway, "bye") }, connClosed(c)
			},
			First: nil, Again: ErrClosed,
		},
		{
			Name: "Conn.Close after CloseNow",
			Open: func(t *testing.T) (func() error, func() string) {
				c := pipeConn(t, silentPeer)
				c.CloseNow()
				return func() error { return c.Close(CloseOK, "") }, connClosed(c)
			},
			First: ErrClosed, Again: ErrClosed,
		},
		{
			Name: "Conn.CloseNow",
			Open: func(t *testing.T) (func() error, func() string) {
				c := pipeConn(t, silentPeer)
				return c.CloseNow, connClosed(c)
			},
			First: nil, Again: ErrClosed,
		},
		{
			Name: "Conn.Writer Close",
			Open: func(t *testing.T) (func() error, func() string) {
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
			First: nil, Again: ErrClosed,
		},
		{
			Name: "Socket.Close",
			Open: func(t *testing.T) (func() error, func() string) {
				s := NewSocket(pipeConn(t, answeringPeer), Options{})
				return func() error { return s.Close(ctx, CloseOK, "") }, socketClosed(s, CloseOK)
			},
			First: nil, Again: nil,
		},
		{
			Name: "Socket.Close, silent peer",
			Open: func(t *testing.T) (func() error, func() string) {
				s := NewSocket(pipeConn(t, silentPeer), Options{Heartbeat: 20 * time.Millisecond})
				return func() error { return s.Close(ctx, CloseOK, "") }, socketClosed(s, CloseAbnormalClosure)
			},
			First: nil, Again: nil,
		},
		{
			Name: "Socket.Close after Conn.CloseNow",
			Open: func(t *testing.T) (func() error, func() string) {
				s := NewSocket(pipeConn(t, silentPeer), Options{})
				s.Conn().CloseNow()
				return func() error { return s.Close(ctx, CloseOK, "") }, socketClosed(s, CloseAbnormalClosure)
			},
			First: nil, Again: nil,
		},
	})
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
	if err := closertest.CallAll(t, 1, func() error { return c.Close(CloseOK, "") })[0]; !errors.Is(err, ErrClosed) {
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
