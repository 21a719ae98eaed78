package websocket

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/park"
	"github.com/aiohttp-go/aiohttp/internal/plainsock"
)

// eventLog records what OnMessage hands out, copying each message.
type eventLog struct {
	mu     sync.Mutex
	msgs   []Message
	closed chan struct{}
}

func newEventLog() *eventLog { return &eventLog{closed: make(chan struct{})} }

func (l *eventLog) add(m Message) {
	l.mu.Lock()
	m.Data = bytes.Clone(m.Data)
	l.msgs = append(l.msgs, m)
	l.mu.Unlock()
	if m.Type == MessageClosed {
		close(l.closed)
	}
}

// wait waits for MessageClosed and returns every message.
func (l *eventLog) wait(t *testing.T) []Message {
	t.Helper()
	select {
	case <-l.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("no MessageClosed")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.msgs
}

// TestOnMessageEcho: an event-driven server echoes text and binary
// messages of every size from its callback, over loopback TCP; the peer
// closes and the callback sees MessageClose, then MessageClosed last.
func TestOnMessageEcho(t *testing.T) {
	srv, cli := connPair(t, Handshake{}, Options{}, Handshake{}, Options{})
	s := NewSocket(srv, Options{})
	ctx := context.Background()
	log := newEventLog()
	if err := s.OnMessage(func(m Message) {
		if m.Type == MessageText || m.Type == MessageBinary {
			if err := s.SendFrame(ctx, m.Data, m.Type); err != nil {
				t.Error(err)
			}
		}
		log.add(m)
	}); err != nil {
		t.Fatal(err)
	}
	for i, n := range []int{0, 16, 1024, 5000, 64 << 10, 300 << 10} {
		typ := MessageBinary
		if i%2 == 0 {
			typ = MessageText
		}
		data := payload(n, typ == MessageText)
		if err := cli.WriteMessage(ctx, typ, data); err != nil {
			t.Fatal(err)
		}
		got, p, err := cli.ReadMessage(ctx)
		if err != nil || got != typ || !bytes.Equal(p, data) {
			t.Fatalf("%d bytes: echo %v %d bytes, %v", n, got, len(p), err)
		}
	}
	if err := cli.Close(CloseGoingAway, "bye"); err != nil {
		t.Fatal(err)
	}
	msgs := log.wait(t)
	if len(msgs) != 8 {
		t.Fatalf("%d messages: %+v", len(msgs), msgs)
	}
	if m := msgs[6]; m.Type != MessageClose || m.Code != CloseGoingAway || m.Extra != "bye" {
		t.Fatalf("close message %+v", m)
	}
	if m := msgs[7]; m.Type != MessageClosed || m.Code != CloseGoingAway {
		t.Fatalf("last message %+v", m)
	}
	if m := s.Receive(ctx); m.Type != MessageError || !errors.Is(m.Err, ErrEventDriven) {
		t.Fatalf("Receive after OnMessage: %+v", m)
	}
	if err := s.OnMessage(func(Message) {}); !errors.Is(err, ErrEventDriven) {
		t.Fatalf("second OnMessage: %v", err)
	}
}

// TestOnMessageIdleHoldsNothing: between messages an event-driven socket
// holds no read buffer and no message buffer.
func TestOnMessageIdleHoldsNothing(t *testing.T) {
	srv, cli := connPair(t, Handshake{}, Options{}, Handshake{}, Options{})
	s := NewSocket(srv, Options{})
	ctx := context.Background()
	got := make(chan int, 1)
	if err := s.OnMessage(func(m Message) {
		if m.Type == MessageBinary {
			got <- len(m.Data)
		}
	}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{100, 70 << 10} {
		if err := cli.WriteMessage(ctx, MessageBinary, payload(n, false)); err != nil {
			t.Fatal(err)
		}
		if k := <-got; k != n {
			t.Fatalf("got %d bytes, want %d", k, n)
		}
		// Wait until the reader parked, then look under its lock.
		deadline := time.Now().Add(5 * time.Second)
		for {
			srv.readSem <- struct{}{}
			held := srv.in.buf != nil || srv.r.bufBox != nil || srv.r.buf != nil
			<-srv.readSem
			if !held {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after a %d-byte message: buffers held while idle", n)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// TestOnMessageBroadcast: other goroutines send to event-driven sockets
// while they are idle, and Close from outside ends them with MessageClosed
// carrying the code.
func TestOnMessageBroadcast(t *testing.T) {
	const n = 8
	ctx := context.Background()
	var socks []*Socket
	var clis []*Conn
	var logs []*eventLog
	for range n {
		srv, cli := connPair(t, Handshake{}, Options{}, Handshake{}, Options{})
		s := NewSocket(srv, Options{})
		log := newEventLog()
		if err := s.OnMessage(log.add); err != nil {
			t.Fatal(err)
		}
		socks, clis, logs = append(socks, s), append(clis, cli), append(logs, log)
	}
	var wg sync.WaitGroup
	for _, s := range socks {
		wg.Go(func() {
			if err := s.SendStr(ctx, "news"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, cli := range clis {
		if typ, p, err := cli.ReadMessage(ctx); err != nil || typ != MessageText || string(p) != "news" {
			t.Fatalf("broadcast: %v %q %v", typ, p, err)
		}
		go cli.Read(ctx) // answers the close frame
	}
	for i, s := range socks {
		if err := s.Close(ctx, CloseGoingAway, "shutdown"); err != nil {
			t.Fatal(err)
		}
		msgs := logs[i].wait(t)
		last := msgs[len(msgs)-1]
		if last.Type != MessageClosed || last.Code != CloseGoingAway {
			t.Fatalf("socket %d: %+v", i, msgs)
		}
		for _, m := range msgs[:len(msgs)-1] {
			if m.Type != MessageClosing {
				t.Fatalf("socket %d: %+v", i, msgs)
			}
		}
	}
}

// TestOnMessageProtocolError: a frame over the maximum message size gets
// 1009, MessageError and then MessageClosed.
func TestOnMessageProtocolError(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{MaxMessageSize: 100})
	s := NewSocket(c, Options{})
	log := newEventLog()
	if err := s.OnMessage(log.add); err != nil {
		t.Fatal(err)
	}
	p.send(true, 0, 2, make([]byte, 101))
	p.expectClose(CloseMessageTooBig)
	msgs := log.wait(t)
	var pe *ProtocolError
	if len(msgs) != 2 || msgs[0].Type != MessageError || !errors.As(msgs[0].Err, &pe) ||
		pe.Code != CloseMessageTooBig || msgs[1].Type != MessageClosed || msgs[1].Code != CloseMessageTooBig {
		t.Fatalf("%+v", msgs)
	}
}

// TestOnMessageHeartbeat: a peer that answers no ping is dropped with
// 1006 and ErrHeartbeatTimeout; pings are answered and pongs skipped
// without reaching the callback.
func TestOnMessageHeartbeat(t *testing.T) {
	opts := Options{Heartbeat: 100 * time.Millisecond}
	c, p := newServerUnderTest(t, Handshake{}, opts)
	s := NewSocket(c, opts)
	log := newEventLog()
	if err := s.OnMessage(log.add); err != nil {
		t.Fatal(err)
	}
	p.send(true, 0, 9, []byte("hi"))
	if f := p.mustRead(); f.op != 10 || string(f.payload) != "hi" {
		t.Fatalf("pong: %d %q", f.op, f.payload)
	}
	if f := p.mustRead(); f.op != 9 {
		t.Fatalf("heartbeat ping: %d", f.op)
	}
	msgs := log.wait(t)
	if len(msgs) != 1 || msgs[0].Code != CloseAbnormalClosure || !errors.Is(s.Err(), ErrHeartbeatTimeout) {
		t.Fatalf("%+v, %v", msgs, s.Err())
	}
}

// TestOnMessagePipe: a connection that is no plain socket (net.Pipe here,
// TLS in practice) is served by a goroutine that waits in its reads.
func TestOnMessagePipe(t *testing.T) {
	a, b := net.Pipe()
	srv := NewConn(a, nil, Server, Handshake{}, Options{})
	cli := NewConn(b, nil, Client, Handshake{}, Options{})
	t.Cleanup(func() { srv.CloseNow(); cli.CloseNow() })
	s := NewSocket(srv, Options{})
	ctx := context.Background()
	log := newEventLog()
	if err := s.OnMessage(func(m Message) {
		if m.Type == MessageText {
			_ = s.SendStr(ctx, "re: "+m.Text())
		}
		log.add(m)
	}); err != nil {
		t.Fatal(err)
	}
	if err := cli.WriteMessage(ctx, MessageText, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if _, p, err := cli.ReadMessage(ctx); err != nil || string(p) != "re: hello" {
		t.Fatalf("%q %v", p, err)
	}
	cli.CloseNow()
	if msgs := log.wait(t); msgs[len(msgs)-1].Code != CloseAbnormalClosure {
		t.Fatalf("%+v", msgs)
	}
}

// TestNewConnEarlyBytes: frames read past the handshake, given as a
// *bytes.Reader or in a *bufio.Reader, come before those on the socket.
func TestNewConnEarlyBytes(t *testing.T) {
	p := &peer{mask: true}
	early := append(p.frame(true, 0, 1, []byte("first")), p.frame(false, 0, 1, []byte("sec"))...)
	for _, name := range []string{"bytes", "bufio"} {
		t.Run(name, func(t *testing.T) {
			a, b := tcpPair(t)
			var br io.Reader = bytes.NewReader(early)
			if name == "bufio" {
				if _, err := b.Write(early); err != nil {
					t.Fatal(err)
				}
				r := bufio.NewReader(a)
				if _, err := r.Peek(len(early)); err != nil {
					t.Fatal(err)
				}
				br = r
			}
			c := NewConn(a, br, Server, Handshake{}, Options{})
			defer c.CloseNow()
			if _, err := b.Write(p.frame(true, 0, 0, []byte("ond"))); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for _, want := range []string{"first", "second"} {
				if _, got, err := c.ReadMessage(ctx); err != nil || string(got) != want {
					t.Fatalf("got %q, %v; want %q", got, err, want)
				}
			}
		})
	}
}

// TestOnMessageIdleMemory: an idle event-driven server socket costs under
// 6 KiB of heap and stack (about 4.8 measured, the test's client sockets
// included); one served by a Receive loop costs about 17.
func TestOnMessageIdleMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("memory figures need a full run without the race detector")
	}
	const n = 500
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var peers []net.Conn
	closed := make(chan struct{}, n)
	defer func() {
		for _, c := range peers {
			c.Close()
		}
		for range peers {
			<-closed
		}
	}()
	measure := func() int64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapInuse + m.StackInuse)
	}
	before := measure()
	p := &peer{mask: true}
	hello := p.frame(true, 0, 1, []byte("hello"))
	got := make(chan struct{}, n)
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		peers = append(peers, c)
		a, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		s := NewSocket(NewConn(a, nil, Server, Handshake{}, Options{}), Options{})
		if err := s.OnMessage(func(m Message) {
			switch m.Type {
			case MessageText:
				got <- struct{}{}
			case MessageClosed:
				closed <- struct{}{}
			}
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write(hello); err != nil { // one message each, then idle
			t.Fatal(err)
		}
	}
	for range n {
		<-got
	}
	time.Sleep(lingerTime + 500*time.Millisecond) // let every socket park
	per := float64(measure()-before) / n / 1024
	t.Logf("%.2f KiB of heap and stack per idle socket", per)
	if per > 6 {
		t.Errorf("%.2f KiB per idle socket, want at most 6", per)
	}
}

// TestOnMessageParksAtOnce: among many event-driven sockets, a new one
// parks without lingering, and still gets the message that came before
// OnMessage, the one that follows and MessageClosed.
func TestOnMessageParksAtOnce(t *testing.T) {
	defer func(n int64) { parkAtOnceAt = n }(parkAtOnceAt)
	parkAtOnceAt = 0
	p := &peer{mask: true}
	for _, early := range []bool{false, true} {
		a, b := tcpPair(t)
		park.Epoll() // its goroutine started
		base := runtime.NumGoroutine()
		if early {
			if _, err := b.Write(p.frame(true, 0, 1, []byte("early"))); err != nil {
				t.Fatal(err)
			}
		}
		got := make(chan Message, 4)
		s := NewSocket(NewConn(a, nil, Server, Handshake{}, Options{}), Options{})
		if err := s.OnMessage(func(m Message) {
			m.Data = bytes.Clone(m.Data)
			got <- m
		}); err != nil {
			t.Fatal(err)
		}
		next := func(want MessageType, data string) {
			t.Helper()
			select {
			case m := <-got:
				if m.Type != want || string(m.Data) != data {
					t.Fatalf("got %v %q, want %v %q", m.Type, m.Data, want, data)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no %v message", want)
			}
		}
		if early {
			next(MessageText, "early")
		}
		// Parked well before the linger would end: no goroutine is left
		// in park's epoll set (in goroutines, one waits either way). A
		// socket woken by input lingers, as ever.
		deadline := time.Now().Add(lingerTime / 2)
		for !early && park.Epoll() && runtime.NumGoroutine() > base {
			if time.Now().After(deadline) {
				t.Fatalf("%d goroutines more than before OnMessage: the socket lingers", runtime.NumGoroutine()-base)
			}
			time.Sleep(5 * time.Millisecond)
		}
		// A parked or waiting socket holds no buffer; the reader may
		// still be on its way there (between two messages it holds the
		// one it read into), so look until it gets there.
		c := s.c
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			c.readSem <- struct{}{}
			held := c.in.buf != nil
			<-c.readSem
			if !held {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("a parked socket holds its read buffer")
			}
		}
		if _, err := b.Write(p.frame(true, 0, 1, []byte("later"))); err != nil {
			t.Fatal(err)
		}
		next(MessageText, "later")
		b.Close()
		next(MessageClosed, "")
	}
}

// closeCounter wraps a socket as the client's connection does: it adds
// to Close only, and says so (plainsock.Wrapper).
type closeCounter struct {
	net.Conn
	closes atomic.Int32
}

func (c *closeCounter) Close() error {
	c.closes.Add(1)
	return c.Conn.Close()
}

func (c *closeCounter) PlainSocket(plainsock.Token) net.Conn { return c.Conn }

// TestPlainSocketWrapper: a Conn over a wrapper of a plain socket reads
// the socket itself, so an OnMessage socket on it holds no buffer while
// idle; closing it closes the wrapper, once.
func TestPlainSocketWrapper(t *testing.T) {
	a, b := tcpPair(t)
	w := &closeCounter{Conn: a}
	srv := NewConn(w, nil, Server, Handshake{}, Options{})
	cli := NewConn(b, nil, Client, Handshake{}, Options{})
	if srv.in.raw == nil {
		t.Fatal("a Conn over a plainsock.Wrapper does not read its socket directly")
	}
	if srv.NetConn() != net.Conn(w) {
		t.Fatalf("NetConn() = %T, want the wrapper", srv.NetConn())
	}
	s := NewSocket(srv, Options{})
	ctx := context.Background()
	got := make(chan Message, 2)
	if err := s.OnMessage(func(m Message) {
		got <- Message{Type: m.Type, Data: bytes.Clone(m.Data)}
	}); err != nil {
		t.Fatal(err)
	}
	if err := cli.WriteMessage(ctx, MessageText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if m := <-got; m.Type != MessageText || string(m.Data) != "hi" {
		t.Fatalf("got %+v", m)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		srv.readSem <- struct{}{}
		held := srv.in.buf != nil || srv.r.buf != nil
		<-srv.readSem
		if !held {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("buffers held while idle")
		}
		time.Sleep(time.Millisecond)
	}
	go cli.Read(ctx) // answers the close frame
	if err := s.Close(ctx, CloseOK, ""); err != nil {
		t.Fatal(err)
	}
	if n := w.closes.Load(); n != 1 {
		t.Fatalf("the wrapper was closed %d times, want 1", n)
	}
}
