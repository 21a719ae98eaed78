package websocket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func socketPair(t *testing.T, opts Options) (*Socket, *peer) {
	c, p := newServerUnderTest(t, Handshake{}, opts)
	return NewSocket(c, opts), p
}

// pipeSocketPair is socketPair over net.Pipe, for a synctest bubble.
func pipeSocketPair(t *testing.T, opts Options) (*Socket, *peer) {
	c, p := pipeServerUnderTest(t, opts)
	return NewSocket(c, opts), p
}

func TestSocketEchoTypes(t *testing.T) {
	s, p := socketPair(t, Options{})
	ctx := context.Background()
	p.send(true, 0, 1, []byte("hello"))
	p.send(true, 0, 2, []byte{1, 2, 3})
	p.send(true, 0, 1, []byte(`{"a":1}`))
	if txt, err := s.ReceiveText(ctx); err != nil || txt != "hello" {
		t.Fatalf("ReceiveText = %q, %v", txt, err)
	}
	if b, err := s.ReceiveBytes(ctx); err != nil || string(b) != "\x01\x02\x03" {
		t.Fatalf("ReceiveBytes = %v, %v", b, err)
	}
	var v struct{ A int }
	if err := s.ReceiveJSON(ctx, &v); err != nil || v.A != 1 {
		t.Fatalf("ReceiveJSON = %+v, %v", v, err)
	}
	p.send(true, 0, 2, []byte("x"))
	_, err := s.ReceiveText(ctx)
	var te *MessageTypeError
	if !errors.As(err, &te) || te.Got.Type != MessageBinary {
		t.Fatalf("ReceiveText of binary: %v", err)
	}
	if err := s.SendJSON(ctx, map[string]int{"b": 2}); err != nil {
		t.Fatal(err)
	}
	if f := p.mustRead(); f.op != 1 || string(f.payload) != `{"b":2}` {
		t.Fatalf("got %d %q", f.op, f.payload)
	}
	if err := s.SendFrame(ctx, []byte("bin"), MessageBinary); err != nil {
		t.Fatal(err)
	}
	if f := p.mustRead(); f.op != 2 || string(f.payload) != "bin" {
		t.Fatalf("got %d %q", f.op, f.payload)
	}
}

func TestSocketAutopingAndAutoclose(t *testing.T) {
	s, p := socketPair(t, Options{})
	ctx := context.Background()
	p.send(true, 0, 9, []byte("pi"))
	p.send(true, 0, 10, []byte("po"))
	p.send(true, 0, 1, []byte("after"))
	if m := s.Receive(ctx); m.Type != MessageText || m.Text() != "after" {
		t.Fatalf("got %v %q", m.Type, m.Data)
	}
	if f := p.mustRead(); f.op != 10 || string(f.payload) != "pi" {
		t.Fatalf("want pong pi, got %d %q", f.op, f.payload)
	}
	p.send(true, 0, 8, closePayload(CloseGoingAway, "bye"))
	m := s.Receive(ctx)
	if m.Type != MessageClose || m.Code != CloseGoingAway || m.Extra != "bye" {
		t.Fatalf("got %+v", m)
	}
	p.expectClose(CloseGoingAway)
	p.expectEOF()
	if m := s.Receive(ctx); m.Type != MessageClosed {
		t.Fatalf("after close: %v", m.Type)
	}
	if !s.Closed() || s.CloseCode() != CloseGoingAway {
		t.Fatalf("closed %v code %d", s.Closed(), s.CloseCode())
	}
	if err := s.Close(ctx, CloseOK, ""); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

func TestSocketNoAutoping(t *testing.T) {
	s, p := socketPair(t, Options{NoAutoping: true, NoAutoclose: true})
	ctx := context.Background()
	p.send(true, 0, 9, []byte("pi"))
	p.send(true, 0, 10, []byte("po"))
	if m := s.Receive(ctx); m.Type != MessagePing || m.Text() != "pi" {
		t.Fatalf("got %v", m.Type)
	}
	if m := s.Receive(ctx); m.Type != MessagePong || m.Text() != "po" {
		t.Fatalf("got %v", m.Type)
	}
	p.send(true, 0, 8, closePayload(CloseOK, ""))
	if m := s.Receive(ctx); m.Type != MessageClose || m.Code != CloseOK {
		t.Fatalf("got %+v", m)
	}
	if m := s.Receive(ctx); m.Type != MessageClosing {
		t.Fatalf("got %+v", m)
	}
	if s.Closed() {
		t.Fatal("closed before Close without autoclose")
	}
	if err := s.Close(ctx, CloseOK, ""); err != nil {
		t.Fatal(err)
	}
	p.expectClose(CloseOK)
	if !s.Closed() || s.CloseCode() != CloseOK {
		t.Fatalf("closed %v code %d", s.Closed(), s.CloseCode())
	}
}

func TestSocketCloseHandshake(t *testing.T) {
	s, p := socketPair(t, Options{})
	done := make(chan error, 1)
	go func() { done <- s.Close(context.Background(), CloseOK, "done") }()
	p.expectClose(CloseOK)
	p.send(true, 0, 8, closePayload(CloseOK, ""))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s.CloseCode() != CloseOK {
		t.Fatalf("code %d", s.CloseCode())
	}
	if err := s.SendStr(context.Background(), "x"); err == nil {
		t.Fatal("send after close succeeded")
	}
}

// TestSocketCloseWhileReceiving: a receiver blocked in Receive when Close
// is called gets CLOSING when the peer's close frame arrives, Close
// completes the handshake with the code it sent, and Receive then returns
// CLOSED.
func TestSocketCloseWhileReceiving(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p := pipeSocketPair(t, Options{})
		got := make(chan Message, 1)
		go func() { got <- s.Receive(context.Background()) }()
		synctest.Wait() // the receiver is blocked reading
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- s.Close(context.Background(), CloseGoingAway, "") }()
		p.expectClose(CloseGoingAway)
		synctest.Wait() // Close waits for the peer's close frame
		p.send(true, 0, 8, closePayload(CloseGoingAway, ""))
		if m := <-got; m.Type != MessageClosing {
			t.Fatalf("receiver got %+v, want CLOSING", m)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 0 {
			t.Fatalf("Close returned after %v: it did not see the close frame the receiver got", d)
		}
		if m := s.Receive(context.Background()); m.Type != MessageClosed || m.Code != CloseGoingAway {
			t.Fatalf("then %+v, want CLOSED 1001", m)
		}
	})
}

// TestSocketCloseTimeout: a peer that never answers the close frame is cut
// off after exactly the close timeout, with close code 1006.
func TestSocketCloseTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p := pipeSocketPair(t, Options{CloseTimeout: 100 * time.Millisecond})
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- s.Close(context.Background(), CloseOK, "") }()
		p.expectClose(CloseOK)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Fatalf("close took %v, want the close timeout", d)
		}
		if s.CloseCode() != CloseAbnormalClosure {
			t.Fatalf("code %d, want 1006", s.CloseCode())
		}
		p.expectEOF()
	})
}

// TestSocketHeartbeatNoPong: the heartbeat pings after Heartbeat without a
// message and drops the connection half of it later when no pong came.
func TestSocketHeartbeatNoPong(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p := pipeSocketPair(t, Options{Heartbeat: 100 * time.Millisecond})
		start := time.Now()
		got := make(chan Message, 1)
		go func() { got <- s.Receive(context.Background()) }()
		if f := p.mustRead(); f.op != 9 {
			t.Fatalf("want a ping, got op %d", f.op)
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Fatalf("ping after %v, want 100ms", d)
		}
		p.expectEOF()
		if d := time.Since(start); d != 150*time.Millisecond {
			t.Fatalf("dropped after %v, want 150ms", d)
		}
		m := <-got
		if m.Type != MessageClosed || m.Code != CloseAbnormalClosure {
			t.Fatalf("got %+v, want CLOSED 1006", m)
		}
		if !errors.Is(s.Err(), ErrHeartbeatTimeout) || s.CloseCode() != CloseAbnormalClosure {
			t.Fatalf("exception %v code %d", s.Err(), s.CloseCode())
		}
	})
}

// TestSocketHeartbeatAnswered: a peer that answers every heartbeat ping
// keeps the socket open; each pong restarts the heartbeat.
func TestSocketHeartbeatAnswered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p := pipeSocketPair(t, Options{Heartbeat: 60 * time.Millisecond})
		pings := make(chan int, 1)
		go func() { // a peer that answers every ping until the connection ends
			n := 0
			for {
				f, err := p.read()
				if err != nil {
					pings <- n
					return
				}
				if f.op == 9 {
					n++
					p.nc.Write(p.frame(true, 0, 10, f.payload))
				}
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 270*time.Millisecond)
		m := s.Receive(ctx)
		cancel()
		if m.Type != MessageError || !errors.Is(m.Err, context.DeadlineExceeded) {
			t.Fatalf("got %+v", m)
		}
		if s.Closed() {
			t.Fatal("answered heartbeat closed the socket")
		}
		s.c.CloseNow()
		if n := <-pings; n != 4 {
			t.Fatalf("%d pings in 270ms, want 4 (at 60, 120, 180 and 240ms)", n)
		}
	})
}

// TestSocketReceiveTimeout: Receive gives up after ReceiveTimeout and the
// socket stays usable.
func TestSocketReceiveTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p := pipeSocketPair(t, Options{ReceiveTimeout: 50 * time.Millisecond})
		start := time.Now()
		m := s.Receive(context.Background())
		if m.Type != MessageError || !errors.Is(m.Err, context.DeadlineExceeded) || !errors.Is(m.Err, ErrReceiveTimeout) {
			t.Fatalf("got %+v", m)
		}
		if d := time.Since(start); d != 50*time.Millisecond {
			t.Fatalf("timed out after %v, want 50ms", d)
		}
		sent := p.sendAsync(true, 0, 1, []byte("late"))
		if m := s.Receive(context.Background()); m.Type != MessageText || m.Text() != "late" {
			t.Fatalf("after timeout: %+v", m)
		}
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
	})
}

func TestSocketProtocolError(t *testing.T) {
	s, p := socketPair(t, Options{})
	p.send(true, 4, 1, []byte("rsv")) // RSV1 without compression
	m := s.Receive(context.Background())
	var pe *ProtocolError
	if m.Type != MessageError || !errors.As(m.Err, &pe) || pe.Code != CloseProtocolError {
		t.Fatalf("got %+v", m)
	}
	if s.CloseCode() != CloseProtocolError || s.Err() == nil {
		t.Fatalf("code %d exc %v", s.CloseCode(), s.Err())
	}
	p.expectClose(CloseProtocolError)
	if m := s.Receive(context.Background()); m.Type != MessageClosed {
		t.Fatalf("then %v", m.Type)
	}
}

func TestSocketPeerDrops(t *testing.T) {
	s, p := socketPair(t, Options{})
	p.nc.Close()
	if m := s.Receive(context.Background()); m.Type != MessageClosed || m.Code != CloseAbnormalClosure {
		t.Fatalf("got %+v", m)
	}
}

func TestSocketMessagesIterator(t *testing.T) {
	s, p := socketPair(t, Options{})
	for i := range 3 {
		p.send(true, 0, 1, fmt.Appendf(nil, "m%d", i))
	}
	p.send(true, 0, 8, closePayload(CloseOK, ""))
	var got []string
	for m := range s.Messages(context.Background()) {
		got = append(got, m.Text())
	}
	if fmt.Sprint(got) != "[m0 m1 m2]" {
		t.Fatalf("got %v", got)
	}
	p.expectClose(CloseOK)
}

func TestSocketConcurrentSends(t *testing.T) {
	srv, cli := connPair(t, Handshake{}, Options{}, Handshake{}, Options{})
	s := NewSocket(srv, Options{})
	c := NewSocket(cli, Options{})
	const senders, each = 16, 50
	var wg sync.WaitGroup
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				msg := fmt.Sprintf("%02d-%03d-%s", g, i, string(make([]byte, 3000)))
				if err := s.SendStr(context.Background(), msg); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	seen := map[string]bool{}
	for range senders * each {
		txt, err := c.ReceiveText(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(txt) != 3007 {
			t.Fatalf("message of %d bytes", len(txt))
		}
		seen[txt[:6]] = true
	}
	wg.Wait()
	if len(seen) != senders*each {
		t.Fatalf("%d distinct messages", len(seen))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range c.Messages(context.Background()) {
		}
	}()
	if err := s.Close(context.Background(), CloseOK, ""); err != nil {
		t.Fatal(err)
	}
	<-done
	if s.CloseCode() != CloseOK || c.CloseCode() != CloseOK {
		t.Fatalf("codes %d %d", s.CloseCode(), c.CloseCode())
	}
}

func TestMessageTypeString(t *testing.T) {
	for typ, want := range map[MessageType]string{
		MessageText: "TEXT", MessageBinary: "BINARY", MessageClose: "CLOSE", MessagePing: "PING", MessagePong: "PONG",
		MessageClosing: "CLOSING", MessageClosed: "CLOSED", MessageError: "ERROR", 77: "MessageType(77)",
	} {
		if typ.String() != want {
			t.Errorf("%d: %q", int(typ), typ.String())
		}
	}
}

// TestSocketReceiveOwnsItsData: every message Receive returns is the
// caller's, whether it was read into a buffer of its own (one frame up
// to 64 KiB, exactly its size, also when the receive timeout cut its
// read short) or copied (larger, fragmented): the messages and the ping
// that follow change none of them.
func TestSocketReceiveOwnsItsData(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{})
	s := NewSocket(c, Options{ReceiveTimeout: 100 * time.Millisecond})
	ctx := context.Background()
	msgs := [][]byte{payload(64<<10, false), payload(16, false), payload(64<<10+1, false), payload(3000, false), {}}
	for i, m := range msgs {
		for j := range m {
			m[j] += byte(i)
		}
	}
	p.send(true, 0, 2, msgs[0])
	p.send(true, 0, 9, []byte("ping"))
	p.send(true, 0, 2, msgs[1])
	p.send(true, 0, 2, msgs[2])
	p.send(false, 0, 2, msgs[3][:1000])
	p.send(true, 0, 0, msgs[3][1000:])
	frame := p.frame(true, 0, 2, msgs[4])
	var got [][]byte
	for range 4 {
		m := s.Receive(ctx)
		if m.Type != MessageBinary {
			t.Fatalf("message %d: %v", len(got), m)
		}
		got = append(got, m.Data)
	}
	// The last one arrives in two parts, with a receive timeout between.
	p.write(frame[:1])
	if m := s.Receive(ctx); m.Type != MessageError || !errors.Is(m.Err, ErrReceiveTimeout) {
		t.Fatalf("half a header: %v", m)
	}
	p.write(frame[1:])
	m := s.Receive(ctx)
	if m.Type != MessageBinary || m.Data == nil {
		t.Fatalf("empty message: %v", m)
	}
	got = append(got, m.Data)
	for i, m := range msgs {
		if !bytes.Equal(got[i], m) {
			t.Errorf("message %d changed", i)
		}
	}
	if cap(got[0]) != 64<<10 || cap(got[1]) != 16 {
		t.Errorf("buffers of %d and %d bytes, want their messages' sizes", cap(got[0]), cap(got[1]))
	}
}
