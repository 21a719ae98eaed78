package websocket

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// The tests in this file mirror the case groups of the Autobahn|Testsuite
// (fuzzingclient against a server, fuzzingserver against a client), named
// after the cases whose intent they share. The peer is a raw frame writer
// and reader on the other end of a loopback TCP connection.

var framingSizes = []int{0, 125, 126, 127, 128, 65535, 65536}

func payload(n int, text bool) []byte {
	b := make([]byte, n)
	for i := range b {
		if text {
			b[i] = byte('*' + i%64)
		} else {
			b[i] = byte(i * 7)
		}
	}
	return b
}

// Test1_1_Text: text messages of the boundary lengths, in one frame and
// written one byte at a time (1.1.1-1.1.8).
func Test1_1_Text(t *testing.T) { testFraming(t, MessageText) }

// Test1_2_Binary: the same for binary messages (1.2.1-1.2.8).
func Test1_2_Binary(t *testing.T) { testFraming(t, MessageBinary) }

func testFraming(t *testing.T, typ MessageType) {
	for _, role := range []Role{Server, Client} {
		for _, chunked := range []bool{false, true} {
			c, p := newConn(t, role)
			for _, n := range framingSizes {
				data := payload(n, typ == MessageText)
				if chunked && n <= 65535 {
					p.sendChunked(true, 0, byte(typ), data)
				} else {
					p.send(true, 0, byte(typ), data)
				}
				readMsg(t, c, typ, data)
				// Echo back and check what the peer receives.
				if err := c.WriteMessage(context.Background(), typ, data); err != nil {
					t.Fatal(err)
				}
				f := p.mustRead()
				if !f.fin || f.op != byte(typ) || !bytes.Equal(f.payload, data) {
					t.Fatalf("%v %d: echo fin=%v op=%d len=%d", role, n, f.fin, f.op, len(f.payload))
				}
			}
		}
	}
}

func newConn(t *testing.T, role Role) (*Conn, *peer) {
	if role == Server {
		return newServerUnderTest(t, Handshake{}, Options{})
	}
	return newClientUnderTest(t, Handshake{}, Options{})
}

// Test2_PingPong: pings with empty, text, binary and 125-byte payloads are
// answered with identical pongs (2.1-2.4, 2.6).
func Test2_PingPong(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("Hello, world!"), {0, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0, 0xff}, payload(125, false)} {
		c, p := newServerUnderTest(t, Handshake{}, Options{})
		p.send(true, 0, 9, data)
		p.send(true, 0, 1, []byte("after"))
		typ, msg, err := c.Read(context.Background())
		if err != nil || typ != MessageText || string(msg) != "after" {
			t.Fatalf("Read = %v %q %v", typ, msg, err)
		}
		f := p.mustRead()
		if f.op != 10 || !bytes.Equal(f.payload, data) {
			t.Fatalf("pong op %d payload %q, want %q", f.op, f.payload, data)
		}
	}
}

// Test2_5_PingTooLong: a ping of 126 bytes fails with 1002.
func Test2_5_PingTooLong(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{})
	p.send(true, 0, 9, payload(126, false))
	expectFail(t, c, p, CloseProtocolError)
}

// Test2_7_UnsolicitedPong: an unsolicited pong is ignored by Read and
// surfaced by ReadMessage (2.7, 2.8).
func Test2_7_UnsolicitedPong(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{})
	p.send(true, 0, 10, []byte("unsolicited"))
	p.send(true, 0, 10, nil)
	p.send(true, 0, 1, []byte("x"))
	readMsg(t, c, MessagePong, []byte("unsolicited"))
	typ, msg, err := c.Read(context.Background())
	if err != nil || typ != MessageText || string(msg) != "x" {
		t.Fatalf("Read = %v %q %v", typ, msg, err)
	}
}

// Test2_10_ManyPings: ten pings in a row get ten pongs in order (2.10, 2.11).
func Test2_10_ManyPings(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{})
	for i := range 10 {
		p.sendChunked(true, 0, 9, []byte("payload-"+strconv.Itoa(i)))
	}
	p.send(true, 0, 1, []byte("end"))
	if _, _, err := c.Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if f := p.mustRead(); f.op != 10 || string(f.payload) != "payload-"+strconv.Itoa(i) {
			t.Fatalf("pong %d: %d %q", i, f.op, f.payload)
		}
	}
}

// Test3_ReservedBits: any RSV bit without a negotiated extension fails with
// 1002, on text, binary, ping and close frames, after earlier valid
// messages are delivered (3.1-3.7).
func Test3_ReservedBits(t *testing.T) {
	for _, rsv := range []byte{1, 2, 3, 4, 5, 6, 7} {
		for _, op := range []byte{1, 2, 9, 8} {
			t.Run("rsv"+strconv.Itoa(int(rsv))+"/op"+strconv.Itoa(int(op)), func(t *testing.T) {
				c, p := newServerUnderTest(t, Handshake{}, Options{})
				p.send(true, 0, 1, []byte("Hello, world!"))
				body := []byte("Hello")
				if op == 8 {
					body = closePayload(CloseOK, "")
				}
				p.send(true, rsv, op, body)
				p.send(true, 0, 9, nil)
				readMsg(t, c, MessageText, []byte("Hello, world!"))
				expectFail(t, c, p, CloseProtocolError)
			})
		}
	}
}

// Test3_RSV1WithDeflate: with permessage-deflate, RSV1 on a continuation or
// a control frame still fails with 1002 (compressed control frames are not
// allowed).
func Test3_RSV1WithDeflate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		frames func(p *peer)
	}{
		{"ping", func(p *peer) { p.send(true, 4, 9, nil) }},
		{"continuation", func(p *peer) { p.send(false, 0, 2, []byte{1}); p.send(true, 4, 0, []byte{2}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, p := newServerUnderTest(t, Handshake{Compression: &CompressionParams{}}, Options{})
			tc.frames(p)
			expectFail(t, c, p, CloseProtocolError)
		})
	}
}

// Test4_Opcodes: reserved data opcodes 3-7 and control opcodes 11-15 fail
// with 1002, with and without a payload (4.1.1-4.2.5).
func Test4_Opcodes(t *testing.T) {
	for _, op := range []byte{3, 4, 5, 6, 7, 11, 12, 13, 14, 15} {
		for _, body := range [][]byte{nil, []byte("reserved")} {
			c, p := newServerUnderTest(t, Handshake{}, Options{})
			p.send(true, 0, 1, []byte("ok"))
			p.send(true, 0, op, body)
			readMsg(t, c, MessageText, []byte("ok"))
			expectFail(t, c, p, CloseProtocolError)
		}
	}
}

// Test5_1_FragmentedPing: control frames must not be fragmented (5.1, 5.2).
func Test5_1_FragmentedPing(t *testing.T) {
	for _, op := range []byte{9, 10} {
		c, p := newServerUnderTest(t, Handshake{}, Options{})
		p.send(false, 0, op, []byte("frag1"))
		p.send(true, 0, 0, []byte("frag2"))
		expectFail(t, c, p, CloseProtocolError)
	}
}

// Test5_3_Fragmented: text and binary messages in 2 fragments, and in one
// fragment per byte, arrive whole (5.3-5.5, 5.16-5.20 valid parts).
func Test5_3_Fragmented(t *testing.T) {
	for _, typ := range []MessageType{MessageText, MessageBinary} {
		c, p := newServerUnderTest(t, Handshake{}, Options{})
		p.send(false, 0, byte(typ), []byte("frag1"))
		p.send(true, 0, 0, []byte("frag2"))
		readMsg(t, c, typ, []byte("frag1frag2"))
		msg := []byte("fragmented one byte at a time")
		for i := range msg {
			op := byte(0)
			if i == 0 {
				op = byte(typ)
			}
			p.sendChunked(i == len(msg)-1, 0, op, msg[i:i+1])
		}
		readMsg(t, c, typ, msg)
		// Empty fragments are fine too.
		p.send(false, 0, byte(typ), nil)
		p.send(false, 0, 0, nil)
		p.send(true, 0, 0, nil)
		readMsg(t, c, typ, []byte{})
	}
}

// Test5_6_PingBetweenFragments: pings and pongs between fragments are
// delivered (and answered by Read) without disturbing the message
// (5.6-5.8).
func Test5_6_PingBetweenFragments(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{})
	p.send(false, 0, 1, []byte("frag1"))
	p.send(true, 0, 9, []byte("ping"))
	p.send(true, 0, 10, []byte("pong"))
	p.send(true, 0, 0, []byte("frag2"))
	readMsg(t, c, MessagePing, []byte("ping"))
	readMsg(t, c, MessagePong, []byte("pong"))
	readMsg(t, c, MessageText, []byte("frag1frag2"))

	p.sendChunked(false, 0, 1, []byte("frag1"))
	p.sendChunked(true, 0, 9, []byte("ping"))
	p.sendChunked(true, 0, 0, []byte("frag2"))
	typ, msg, err := c.Read(context.Background())
	if err != nil || typ != MessageText || string(msg) != "frag1frag2" {
		t.Fatalf("Read = %v %q %v", typ, msg, err)
	}
	if f := p.mustRead(); f.op != 10 || string(f.payload) != "ping" {
		t.Fatalf("pong %d %q", f.op, f.payload)
	}
}

// Test5_9_ContinuationWithoutStart: a continuation frame with no message
// in progress fails with 1002, FIN or not (5.9-5.14).
func Test5_9_ContinuationWithoutStart(t *testing.T) {
	for _, fin := range []bool{true, false} {
		c, p := newServerUnderTest(t, Handshake{}, Options{})
		p.send(fin, 0, 0, []byte("non-continuation payload"))
		p.send(true, 0, 1, []byte("Hello, world!"))
		expectFail(t, c, p, CloseProtocolError)
	}
}

// Test5_15_NewMessageWhileFragmented: a text or binary frame while a
// message is in progress fails with 1002 (5.15-5.20).
func Test5_15_NewMessageWhileFragmented(t *testing.T) {
	for _, op := range []byte{1, 2} {
		c, p := newServerUnderTest(t, Handshake{}, Options{})
		p.send(false, 0, 1, []byte("fragment1"))
		p.send(true, 0, op, []byte("fragment2"))
		expectFail(t, c, p, CloseProtocolError)
	}
}

var validUTF8Cases = []string{
	"", "Hello-µ@ßöäüàá-UTF-8!!", "κόσμε", "\x00", "\u0080", "\u0800", "\U00010000",
	"\u007f", "\u07ff", "\uffff", "\U0010ffff", "\ud7ff", "\ue000", "\ufffd", "\U0001F600 emoji",
}

var invalidUTF8Cases = []string{
	"\x80", "\xbf", "\x80\xbf", "\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", // lone continuations, overlongs
	"\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xf8\x88\x80\x80\x80",
	"\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0\x80\xed\xb0\x80", // surrogates
	"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xfe", "\xff", "\xfe\xfe\xff\xff", // out of range
	"\xce", "κόσμ\xce", "\xe0\x80", "\xf0\x90\x80", // truncated
	"κόσμε\xed\xa0\x80edited", "\xc0", "\xc2\x41",
}

// Test6_UTF8: valid text (6.2, 6.5, 6.6, 6.7, 6.11) arrives; invalid text
// (6.3, 6.8-6.10, 6.12-6.21) fails with 1007, in one frame, fragmented one
// byte per frame, and written one byte at a time.
func Test6_UTF8(t *testing.T) {
	for _, mode := range []string{"frame", "fragments", "chunked"} {
		t.Run(mode, func(t *testing.T) {
			send := func(p *peer, s string) {
				switch mode {
				case "frame":
					p.send(true, 0, 1, []byte(s))
				case "chunked":
					p.sendChunked(true, 0, 1, []byte(s))
				default:
					if s == "" {
						p.send(true, 0, 1, nil)
						return
					}
					for i := range len(s) {
						op := byte(0)
						if i == 0 {
							op = 1
						}
						p.send(i == len(s)-1, 0, op, []byte(s[i:i+1]))
					}
				}
			}
			c, p := newServerUnderTest(t, Handshake{}, Options{})
			for _, s := range validUTF8Cases {
				send(p, s)
				readMsg(t, c, MessageText, []byte(s))
			}
			for _, s := range invalidUTF8Cases {
				c, p := newServerUnderTest(t, Handshake{}, Options{})
				send(p, s)
				expectFail(t, c, p, CloseInvalidText)
			}
		})
	}
}

// Test6_4_FailFast: invalid UTF-8 fails the connection as soon as it
// arrives, before the rest of the fragment or message does (6.4.1-6.4.4).
func Test6_4_FailFast(t *testing.T) {
	const valid = "κόσμε"
	const bad = "\xf4\x90\x80\x80"
	t.Run("fragment", func(t *testing.T) { // 6.4.1, 6.4.2
		c, p := newServerUnderTest(t, Handshake{}, Options{})
		p.send(false, 0, 1, []byte(valid))
		p.send(false, 0, 0, []byte(bad))
		// The rest never comes: the Conn must fail now.
		expectFail(t, c, p, CloseInvalidText)
	})
	t.Run("frame", func(t *testing.T) { // 6.4.3, 6.4.4
		c, p := newServerUnderTest(t, Handshake{}, Options{})
		msg := []byte(valid + bad + "edited")
		f := p.frame(true, 0, 1, msg)
		// Send the header and the first part of the payload only, up to
		// and including the first byte that makes it invalid.
		cut := len(f) - len(msg) + len(valid) + 2
		p.write(f[:cut])
		expectFail(t, c, p, CloseInvalidText)
	})
}

// Test6_Validator: the incremental validator agrees with utf8.Valid on
// every split of every case.
func Test6_Validator(t *testing.T) {
	all := append(append([]string{}, validUTF8Cases...), invalidUTF8Cases...)
	for _, s := range all {
		want := isValidStd(s)
		for split := 0; split <= len(s); split++ {
			var v utf8Validator
			got := v.write([]byte(s[:split])) && v.write([]byte(s[split:])) && v.complete()
			if got != want {
				t.Errorf("%q split %d: got %v want %v", s, split, got, want)
			}
		}
	}
}

// Test7_1_1_NormalClose: Close sends 1000, the peer echoes, the connection
// closes (7.1.1, 7.1.2).
func Test7_1_1_NormalClose(t *testing.T) {
	for _, role := range []Role{Server, Client} {
		c, p := newConn(t, role)
		done := make(chan error, 1)
		go func() { done <- c.Close(CloseOK, "bye") }()
		f := p.expectClose(CloseOK)
		if string(f.payload[2:]) != "bye" {
			t.Fatalf("reason %q", f.payload[2:])
		}
		p.send(true, 0, 8, f.payload)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		p.expectEOF()
		if err := c.WriteMessage(context.Background(), MessageText, []byte("x")); err != ErrClosed {
			t.Fatalf("write after close: %v", err)
		}
		if err := c.Close(CloseOK, ""); err != ErrClosed {
			t.Fatalf("second close: %v", err)
		}
	}
}

// Test7_1_3_PeerCloses: a close from the peer surfaces as a CloseError; Read
// echoes it; data after the close is ignored (7.1.3-7.1.5).
func Test7_1_3_PeerCloses(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{})
	p.send(true, 0, 8, closePayload(CloseGoingAway, "restart"))
	p.send(true, 0, 1, []byte("after close"))
	p.send(true, 0, 9, nil)
	_, _, err := c.Read(context.Background())
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseGoingAway || ce.Reason != "restart" {
		t.Fatalf("Read error %v", err)
	}
	p.expectClose(CloseGoingAway)
	p.expectEOF()
	if _, _, err2 := c.ReadMessage(context.Background()); err2 != err {
		t.Fatalf("second read %v", err2)
	}
}

// Test7_1_6_CloseWhilePeerSends: Close discards messages the peer sends
// before its close frame.
func Test7_1_6_CloseWhilePeerSends(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{})
	done := make(chan error, 1)
	go func() { done <- c.Close(CloseOK, "") }()
	for range 20 {
		p.send(true, 0, 2, payload(1000, false))
	}
	p.expectClose(CloseOK)
	p.send(true, 0, 8, closePayload(CloseOK, ""))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p.expectEOF()
}

// Test7_1_ConcurrentReader: with a reader blocked in ReadMessage, Close
// lets that reader see the peer's close frame and returns when it arrives.
func Test7_1_ConcurrentReader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := pipeServerUnderTest(t, Options{})
		rerr := make(chan error, 1)
		go func() {
			for {
				if _, _, err := c.ReadMessage(context.Background()); err != nil {
					rerr <- err
					return
				}
			}
		}()
		synctest.Wait() // the reader is blocked in ReadMessage
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- c.Close(CloseOK, "") }()
		p.expectClose(CloseOK)
		synctest.Wait() // Close waits for the peer's close frame
		p.send(true, 0, 8, closePayload(CloseOK, "ack"))
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 0 {
			t.Fatalf("Close returned after %v: it did not see the close frame the reader got", d)
		}
		var ce *CloseError
		if err := <-rerr; !errors.As(err, &ce) || ce.Reason != "ack" {
			t.Fatalf("reader error %v", err)
		}
	})
}

// Test7_3_ClosePayloads: an empty close echoes empty, a code alone and a
// 123-byte reason are fine; 1 byte, a 124-byte reason (frame over 125) and
// invalid UTF-8 fail (7.3.1-7.3.6, 7.5.1).
func Test7_3_ClosePayloads(t *testing.T) {
	long := strings.Repeat("*", 123)
	for _, tc := range []struct {
		name    string
		payload []byte
		code    StatusCode // received code, or the failure code
		fail    bool
	}{
		{"7.3.1 empty", nil, CloseNoStatusReceived, false},
		{"7.3.2 one byte", []byte{0x03}, CloseProtocolError, true},
		{"7.3.3 code only", closePayload(CloseOK, ""), CloseOK, false},
		{"7.3.4 code and reason", closePayload(CloseOK, "Hello World!"), CloseOK, false},
		{"7.3.5 123-byte reason", closePayload(CloseOK, long), CloseOK, false},
		{"7.3.6 124-byte reason", closePayload(CloseOK, long+"*"), CloseProtocolError, true},
		{"7.5.1 invalid UTF-8 reason", closePayload(CloseOK, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"), CloseInvalidText, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, p := newServerUnderTest(t, Handshake{}, Options{})
			p.send(true, 0, 8, tc.payload)
			if tc.fail {
				expectFail(t, c, p, tc.code)
				return
			}
			_, _, err := c.Read(context.Background())
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Code != tc.code {
				t.Fatalf("got %v", err)
			}
			want := tc.code
			if want == CloseNoStatusReceived {
				want = 0
			}
			f := p.expectClose(want)
			if want == 0 && len(f.payload) != 0 {
				t.Fatalf("echo of an empty close carries %q", f.payload)
			}
			p.expectEOF()
		})
	}
}

// Test7_7_ValidCodes: every code allowed on the wire is accepted and echoed
// (7.7.1-7.7.13).
func Test7_7_ValidCodes(t *testing.T) {
	for _, code := range []StatusCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999} {
		c, p := newServerUnderTest(t, Handshake{}, Options{})
		p.send(true, 0, 8, closePayload(code, ""))
		_, _, err := c.Read(context.Background())
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != code {
			t.Fatalf("%d: %v", code, err)
		}
		p.expectClose(code)
	}
}

// Test7_9_InvalidCodes: reserved, unassigned and never-sent codes fail with
// 1002 (7.9.1-7.9.13).
func Test7_9_InvalidCodes(t *testing.T) {
	for _, code := range []StatusCode{0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535} {
		c, p := newServerUnderTest(t, Handshake{}, Options{})
		p.send(true, 0, 8, closePayload(code, ""))
		expectFail(t, c, p, CloseProtocolError)
	}
}

// Test7_CloseArguments: Close refuses codes that must not be sent and
// reasons over 123 bytes; CloseNoStatusReceived sends an empty close.
func Test7_CloseArguments(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{CloseTimeout: 50 * time.Millisecond})
	for _, code := range []StatusCode{1004, 1005, 1006, 1015, 999} {
		reason := ""
		if code == 1005 {
			reason = "x"
		}
		if err := c.Close(code, reason); err == nil {
			t.Fatalf("Close(%d) accepted", code)
		}
	}
	if err := c.Close(CloseOK, strings.Repeat("x", 124)); err == nil {
		t.Fatal("124-byte reason accepted")
	}
	if err := c.Close(CloseNoStatusReceived, ""); err != nil {
		t.Fatal(err)
	}
	if f := p.expectClose(0); len(f.payload) != 0 {
		t.Fatalf("payload %q", f.payload)
	}
}

// Test7_13_CloseTimeout: a peer that never answers the close frame is cut
// off after the close timeout.
func Test7_13_CloseTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, p := pipeServerUnderTest(t, Options{CloseTimeout: 100 * time.Millisecond})
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- c.Close(CloseOK, "") }()
		p.expectClose(CloseOK)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Fatalf("Close took %v, want the close timeout", d)
		}
		p.expectEOF()
	})
}

// Test9_MaxMessageSize: a message over the limit fails with 1009, whether it
// comes in one frame or grows over several (the limit half of 9.*).
func Test9_MaxMessageSize(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{MaxMessageSize: 1000})
	p.send(true, 0, 2, payload(1000, false))
	readMsg(t, c, MessageBinary, payload(1000, false))
	p.send(true, 0, 2, payload(1001, false))
	expectFail(t, c, p, CloseMessageTooBig)

	c, p = newServerUnderTest(t, Handshake{}, Options{MaxMessageSize: 1000})
	p.send(false, 0, 2, payload(600, false))
	p.send(true, 0, 0, payload(600, false))
	expectFail(t, c, p, CloseMessageTooBig)
}

// Test9_LargeMessages: large messages round-trip between two Conns, also
// streamed (9.1, 9.2 at test sizes; the benchmarks cover up to 16 MiB).
func Test9_LargeMessages(t *testing.T) {
	srv, cli := connPair(t, Handshake{}, Options{MaxMessageSize: -1}, Handshake{}, Options{})
	for _, n := range []int{64 << 10, 1 << 20, 4 << 20} {
		data := payload(n, true)
		go func() { _ = cli.WriteMessage(context.Background(), MessageText, data) }()
		readMsg(t, srv, MessageText, data)
	}
}

// Test10_1_AutoFragmentation: a message written through a Writer goes out as
// frames of WriteBufferSize bytes and arrives as one message (10.1.1).
func Test10_1_AutoFragmentation(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{}, Options{WriteBufferSize: 256})
	data := payload(65536, true)
	go func() {
		w, err := c.Writer(context.Background(), MessageText)
		if err != nil {
			return
		}
		for i := 0; i < len(data); i += 1000 {
			w.Write(data[i:min(i+1000, len(data))])
		}
		w.Close()
	}()
	var got []byte
	for i := 0; ; i++ {
		f := p.mustRead()
		wantOp := byte(0)
		if i == 0 {
			wantOp = 1
		}
		if f.op != wantOp || len(f.payload) > 256 {
			t.Fatalf("frame %d: op %d len %d", i, f.op, len(f.payload))
		}
		got = append(got, f.payload...)
		if f.fin {
			break
		}
	}
	if !bytes.Equal(got, data) {
		t.Fatal("reassembled message differs")
	}

	srv, cli := connPair(t, Handshake{}, Options{}, Handshake{}, Options{WriteBufferSize: 100})
	go func() {
		w, _ := cli.Writer(context.Background(), MessageBinary)
		w.Write(data)
		w.Close()
	}()
	readMsg(t, srv, MessageBinary, data)
}
