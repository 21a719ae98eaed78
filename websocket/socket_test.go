package websocket

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func socketPair(t *testing.T, sopts SocketOptions) (*Socket, *peer) {
	c, p := newServerUnderTest(t, Options{})
	return NewSocket(c, sopts), p
}

func TestSocketEchoTypes(t *testing.T) {
	s, p := socketPair(t, SocketOptions{})
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
	if !errors.As(err, &te) || te.Got.Type != MsgBinary {
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
	s, p := socketPair(t, SocketOptions{})
	ctx := context.Background()
	p.send(true, 0, 9, []byte("pi"))
	p.send(true, 0, 10, []byte("po"))
	p.send(true, 0, 1, []byte("after"))
	if m := s.Receive(ctx); m.Type != MsgText || m.Text() != "after" {
		t.Fatalf("got %v %q", m.Type, m.Data)
	}
	if f := p.mustRead(); f.op != 10 || string(f.payload) != "pi" {
		t.Fatalf("want pong pi, got %d %q", f.op, f.payload)
	}
	p.send(true, 0, 8, closePayload(CloseGoingAway, "bye"))
	m := s.Receive(ctx)
	if m.Type != MsgClose || m.Code != CloseGoingAway || m.Extra != "bye" {
		t.Fatalf("got %+v", m)
	}
	p.expectClose(CloseGoingAway)
	p.expectEOF()
	if m := s.Receive(ctx); m.Type != MsgClosed {
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
	s, p := socketPair(t, SocketOptions{NoAutoping: true, NoAutoclose: true})
	ctx := context.Background()
	p.send(true, 0, 9, []byte("pi"))
	p.send(true, 0, 10, []byte("po"))
	if m := s.Receive(ctx); m.Type != MsgPing || m.Text() != "pi" {
		t.Fatalf("got %v", m.Type)
	}
	if m := s.Receive(ctx); m.Type != MsgPong || m.Text() != "po" {
		t.Fatalf("got %v", m.Type)
	}
	p.send(true, 0, 8, closePayload(CloseOK, ""))
	if m := s.Receive(ctx); m.Type != MsgClose || m.Code != CloseOK {
		t.Fatalf("got %+v", m)
	}
	if m := s.Receive(ctx); m.Type != MsgClosing {
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
	s, p := socketPair(t, SocketOptions{})
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

func TestSocketCloseWhileReceiving(t *testing.T) {
	s, p := socketPair(t, SocketOptions{})
	got := make(chan []MsgType, 1)
	go func() {
		var types []MsgType
		for {
			m := s.Receive(context.Background())
			types = append(types, m.Type)
			if m.Type == MsgClosed {
				break
			}
		}
		got <- types
	}()
	time.Sleep(20 * time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- s.Close(context.Background(), CloseGoingAway, "") }()
	p.expectClose(CloseGoingAway)
	p.send(true, 0, 8, closePayload(CloseGoingAway, ""))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	types := <-got
	if types[len(types)-1] != MsgClosed {
		t.Fatalf("receiver saw %v", types)
	}
}

func TestSocketCloseTimeout(t *testing.T) {
	s, p := socketPair(t, SocketOptions{CloseTimeout: 100 * time.Millisecond})
	start := time.Now()
	if err := s.Close(context.Background(), CloseOK, ""); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 90*time.Millisecond || d > 3*time.Second {
		t.Fatalf("close took %v", d)
	}
	if s.CloseCode() != CloseAbnormalClosure {
		t.Fatalf("code %d, want 1006", s.CloseCode())
	}
	p.expectClose(CloseOK)
	p.expectEOF()
}

func TestSocketHeartbeatNoPong(t *testing.T) {
	s, p := socketPair(t, SocketOptions{Heartbeat: 100 * time.Millisecond})
	m := s.Receive(context.Background())
	if m.Type != MsgClosed || m.Code != CloseAbnormalClosure {
		t.Fatalf("got %+v, want CLOSED 1006", m)
	}
	if !errors.Is(s.Exception(), ErrHeartbeatTimeout) || s.CloseCode() != CloseAbnormalClosure {
		t.Fatalf("exception %v code %d", s.Exception(), s.CloseCode())
	}
	if f := p.mustRead(); f.op != 9 {
		t.Fatalf("want a ping, got op %d", f.op)
	}
	p.expectEOF()
}

func TestSocketHeartbeatAnswered(t *testing.T) {
	s, p := socketPair(t, SocketOptions{Heartbeat: 60 * time.Millisecond})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // a peer that answers every ping
		defer wg.Done()
		for {
			f, err := p.read()
			if err != nil {
				return
			}
			if f.op == 9 {
				p.nc.Write(p.frame(true, 0, 10, f.payload))
			}
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	m := s.Receive(ctx)
	cancel()
	if m.Type != MsgError || !errors.Is(m.Err, context.DeadlineExceeded) {
		t.Fatalf("got %+v", m)
	}
	if s.Closed() {
		t.Fatal("answered heartbeat closed the socket")
	}
	close(stop)
	s.c.CloseNow()
	wg.Wait()
}

func TestSocketReceiveTimeout(t *testing.T) {
	s, p := socketPair(t, SocketOptions{ReceiveTimeout: 50 * time.Millisecond})
	m := s.Receive(context.Background())
	if m.Type != MsgError || !errors.Is(m.Err, context.DeadlineExceeded) || !errors.Is(m.Err, ErrReceiveTimeout) {
		t.Fatalf("got %+v", m)
	}
	p.send(true, 0, 1, []byte("late"))
	if m := s.Receive(context.Background()); m.Type != MsgText || m.Text() != "late" {
		t.Fatalf("after timeout: %+v", m)
	}
}

func TestSocketProtocolError(t *testing.T) {
	s, p := socketPair(t, SocketOptions{})
	p.send(true, 4, 1, []byte("rsv")) // RSV1 without compression
	m := s.Receive(context.Background())
	var pe *ProtocolError
	if m.Type != MsgError || !errors.As(m.Err, &pe) || pe.Code != CloseProtocolError {
		t.Fatalf("got %+v", m)
	}
	if s.CloseCode() != CloseProtocolError || s.Exception() == nil {
		t.Fatalf("code %d exc %v", s.CloseCode(), s.Exception())
	}
	p.expectClose(CloseProtocolError)
	if m := s.Receive(context.Background()); m.Type != MsgClosed {
		t.Fatalf("then %v", m.Type)
	}
}

func TestSocketPeerDrops(t *testing.T) {
	s, p := socketPair(t, SocketOptions{})
	p.nc.Close()
	if m := s.Receive(context.Background()); m.Type != MsgClosed || m.Code != CloseAbnormalClosure {
		t.Fatalf("got %+v", m)
	}
}

func TestSocketMessagesIterator(t *testing.T) {
	s, p := socketPair(t, SocketOptions{})
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
	srv, cli := connPair(t, Options{}, Options{})
	s := NewSocket(srv, SocketOptions{})
	c := NewSocket(cli, SocketOptions{})
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

func TestMsgTypeString(t *testing.T) {
	for typ, want := range map[MsgType]string{MsgText: "TEXT", MsgClosing: "CLOSING", MsgError: "ERROR", 77: "MsgType(77)"} {
		if typ.String() != want {
			t.Errorf("%d: %q", int(typ), typ.String())
		}
	}
}
