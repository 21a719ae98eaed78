package websocket

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestHeaderRoundTrip(t *testing.T) {
	for _, n := range []int64{0, 1, 125, 126, 127, 65535, 65536, 1 << 40} {
		for _, masked := range []bool{false, true} {
			h := header{fin: true, rsv: bitRSV1, op: opBinary, masked: masked, length: n}
			if masked {
				h.key = [4]byte{1, 2, 3, 4}
			}
			var b [maxHeaderSize]byte
			k := encodeHeader(b[:], h)
			if k != headerSize(b[0], b[1]) {
				t.Fatalf("size %d vs %d", k, headerSize(b[0], b[1]))
			}
			got, err := decodeHeader(b[:k])
			if err != nil || got != h {
				t.Fatalf("%d: %+v %v", n, got, err)
			}
		}
	}
}

// TestNonMinimalLength: a length in a longer form than needed is accepted;
// a 64-bit length with the top bit set fails with 1002.
func TestNonMinimalLength(t *testing.T) {
	c, p := newClientUnderTest(t, Handshake{}, Options{})
	p.write([]byte{0x82, 126, 0, 3, 'a', 'b', 'c'})
	p.write([]byte{0x82, 127, 0, 0, 0, 0, 0, 0, 0, 1, 'd'})
	readMsg(t, c, MessageBinary, []byte("abc"))
	readMsg(t, c, MessageBinary, []byte("d"))
	p.write([]byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 'd'})
	expectFail(t, c, p, CloseProtocolError)
}

// TestMaskingDirection: a server rejects unmasked frames and a client
// rejects masked ones, both with 1002.
func TestMaskingDirection(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{})
	p.mask = false
	p.send(true, 0, 1, []byte("unmasked"))
	p.mask = true
	expectFail(t, c, p, CloseProtocolError)

	c, p = newClientUnderTest(t, Handshake{}, Options{})
	p.mask = true
	p.send(true, 0, 1, []byte("masked"))
	p.mask = false
	expectFail(t, c, p, CloseProtocolError)
}

func TestHandshakeHelpers(t *testing.T) {
	if got := AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("AcceptKey = %q", got)
	}
	k := NewKey()
	if !ValidKey(k) || k == NewKey() {
		t.Fatalf("NewKey %q", k)
	}
	for _, bad := range []string{"", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ==x", "!!!!!!!!!!!!!!!!!!!!!!==", "YWJjZGVmZ2hpamtsbW5vcHE="} {
		if ValidKey(bad) {
			t.Errorf("ValidKey(%q)", bad)
		}
	}
	if got := SelectProtocol([]string{"chat, superchat", "v2"}, []string{"v2", "superchat"}); got != "superchat" {
		t.Fatalf("SelectProtocol = %q", got)
	}
	if got := SelectProtocol([]string{"a"}, []string{"b"}); got != "" {
		t.Fatalf("SelectProtocol = %q", got)
	}
}

// TestReadContextResumes: a read cut short by its context, even in the
// middle of a frame, resumes where it stopped on the next call.
func TestReadContextResumes(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{})
	f := p.frame(true, 0, 1, []byte("Hello, world!"))
	for _, cut := range []int{0, 1, 4, 9} {
		p.write(f[:cut])
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, _, err := c.ReadMessage(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("cut %d: %v", cut, err)
		}
		p.write(f[cut:])
		readMsg(t, c, MessageText, []byte("Hello, world!"))
	}
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := c.ReadMessage(cctx); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// TestConcurrentWriters: messages and streamed messages from many
// goroutines, with pings in between, arrive whole and uninterleaved.
func TestConcurrentWriters(t *testing.T) {
	for _, compress := range []bool{false, true} {
		var params *CompressionParams
		if compress {
			params = &CompressionParams{}
		}
		srv, cli := connPair(t, Handshake{Compression: params}, Options{WriteBufferSize: 128}, Handshake{Compression: params}, Options{})
		const writers, perWriter = 8, 50
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := context.Background()
				for i := range perWriter {
					msg := bytes.Repeat([]byte{byte(w)}, 100+i*13)
					binary.BigEndian.PutUint16(msg, uint16(len(msg)))
					if i%2 == 0 {
						if err := srv.WriteMessage(ctx, MessageBinary, msg); err != nil {
							t.Error(err)
							return
						}
					} else {
						wr, err := srv.Writer(ctx, MessageBinary)
						if err != nil {
							t.Error(err)
							return
						}
						for j := 0; j < len(msg); j += 50 {
							wr.Write(msg[j:min(j+50, len(msg))])
						}
						if err := wr.Close(); err != nil {
							t.Error(err)
							return
						}
					}
					if i%10 == 0 {
						srv.Ping(ctx, []byte{byte(w)})
					}
				}
			}()
		}
		got := 0
		for got < writers*perWriter {
			typ, msg, err := cli.ReadMessage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if typ == MessagePing {
				continue
			}
			if int(binary.BigEndian.Uint16(msg)) != len(msg) {
				t.Fatalf("message of %d bytes says %d", len(msg), binary.BigEndian.Uint16(msg))
			}
			for _, b := range msg[2:] {
				if b != msg[len(msg)-1] {
					t.Fatal("interleaved message")
				}
			}
			got++
		}
		wg.Wait()
	}
}

// TestClosePaths: every way of closing leaves no goroutine behind (the
// leak check runs in TestMain) and fails pending calls.
func TestClosePaths(t *testing.T) {
	srv, cli := connPair(t, Handshake{}, Options{}, Handshake{}, Options{})
	errc := make(chan error, 1)
	go func() {
		_, _, err := srv.Read(context.Background())
		errc <- err
	}()
	if err := cli.Close(CloseGoingAway, "shutdown"); err != nil {
		t.Fatal(err)
	}
	var ce *CloseError
	if err := <-errc; !errors.As(err, &ce) || ce.Code != CloseGoingAway {
		t.Fatal(err)
	}

	srv, cli = connPair(t, Handshake{}, Options{}, Handshake{}, Options{})
	go func() {
		_, _, err := srv.ReadMessage(context.Background())
		errc <- err
	}()
	cli.CloseNow()
	if err := <-errc; err == nil {
		t.Fatal("read after peer dropped succeeded")
	}
	if _, _, err := srv.ReadMessage(context.Background()); err == nil {
		t.Fatal("sticky error lost")
	}
	ctx, cancel := context.WithCancel(context.Background())
	_ = srv.Ping(ctx, nil)
	cancel()
	srv.CloseNow()
	if err := srv.Ping(context.Background(), nil); err == nil {
		t.Fatal("ping after CloseNow succeeded")
	}
	if err := srv.Ping(context.Background(), make([]byte, 126)); err != errControlTooLong {
		t.Fatal(err)
	}
	if err := srv.WriteMessage(context.Background(), MessagePing, nil); err != errBadMessageType {
		t.Fatal(err)
	}
}

func TestStrings(t *testing.T) {
	if MessageText.String() != "TEXT" || MessageType(3).String() != "MessageType(3)" || Client.String() != "client" ||
		CloseOK.String() != "1000" || (&CloseError{Code: 1000, Reason: "x"}).Error() != "websocket: peer closed: 1000 x" {
		t.Fatal("strings")
	}
}
