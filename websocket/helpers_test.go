package websocket

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The goroutine of park's epoll set lives as long as the process.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/aiohttp-go/aiohttp/internal/park.pollEpoll"))
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		ch <- c
	}()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b := <-ch
	if b == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// peer is a raw WebSocket endpoint that writes and reads frames byte by byte
// as the tests dictate, with its own encoder and decoder (independent of the
// package's).
type peer struct {
	t    testing.TB
	nc   net.Conn
	br   *bufio.Reader
	mask bool // the peer is a client: it masks and expects unmasked frames
}

// newServerUnderTest returns a server Conn and a raw client peer.
func newServerUnderTest(t testing.TB, hs Handshake, opts Options) (*Conn, *peer) {
	a, b := tcpPair(t)
	c := NewConn(a, nil, Server, hs, opts)
	t.Cleanup(func() { c.CloseNow() })
	return c, &peer{t: t, nc: b, br: bufio.NewReader(b), mask: true}
}

// pipeServerUnderTest is newServerUnderTest over net.Pipe, for tests in a
// testing/synctest bubble: a goroutine blocked on a pipe is durably
// blocked, which lets synctest.Wait and the fake clock work (a TCP read
// does not). A pipe has no buffer: each write waits for the other end to
// read it.
func pipeServerUnderTest(t *testing.T, opts Options) (*Conn, *peer) {
	a, b := net.Pipe()
	c := NewConn(a, nil, Server, Handshake{}, opts)
	t.Cleanup(func() { c.CloseNow(); b.Close() })
	return c, &peer{t: t, nc: b, br: bufio.NewReader(b), mask: true}
}

// sendAsync writes a frame from another goroutine, for a pipe whose other
// end reads it later on this one; the channel gets the write's error.
func (p *peer) sendAsync(fin bool, rsv byte, op byte, payload []byte) <-chan error {
	frame := p.frame(fin, rsv, op, payload)
	done := make(chan error, 1)
	go func() {
		_, err := p.nc.Write(frame)
		done <- err
	}()
	return done
}

// newClientUnderTest returns a client Conn and a raw server peer.
func newClientUnderTest(t testing.TB, hs Handshake, opts Options) (*Conn, *peer) {
	a, b := tcpPair(t)
	c := NewConn(a, nil, Client, hs, opts)
	t.Cleanup(func() { c.CloseNow() })
	return c, &peer{t: t, nc: b, br: bufio.NewReader(b)}
}

// frame encodes a frame the way the peer sends it.
func (p *peer) frame(fin bool, rsv byte, op byte, payload []byte) []byte {
	b0 := rsv<<4 | op
	if fin {
		b0 |= 0x80
	}
	out := []byte{b0}
	var mbit byte
	if p.mask {
		mbit = 0x80
	}
	n := len(payload)
	switch {
	case n < 126:
		out = append(out, mbit|byte(n))
	case n < 1<<16:
		out = append(out, mbit|126, byte(n>>8), byte(n))
	default:
		out = append(out, mbit|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	if !p.mask {
		return append(out, payload...)
	}
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	out = append(out, key[:]...)
	for i, c := range payload {
		out = append(out, c^key[i%4])
	}
	return out
}

func (p *peer) write(b []byte) {
	p.t.Helper()
	if _, err := p.nc.Write(b); err != nil {
		p.t.Fatalf("peer write: %v", err)
	}
}

func (p *peer) send(fin bool, rsv byte, op byte, payload []byte) {
	p.t.Helper()
	p.write(p.frame(fin, rsv, op, payload))
}

// sendChunked writes the frame one byte per write.
func (p *peer) sendChunked(fin bool, rsv byte, op byte, payload []byte) {
	p.t.Helper()
	for _, c := range p.frame(fin, rsv, op, payload) {
		p.write([]byte{c})
	}
}

type rawFrame struct {
	fin     bool
	rsv     byte
	op      byte
	payload []byte
}

// read reads one frame, checking the masking direction.
func (p *peer) read() (rawFrame, error) {
	p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var h [2]byte
	if _, err := io.ReadFull(p.br, h[:]); err != nil {
		return rawFrame{}, err
	}
	f := rawFrame{fin: h[0]&0x80 != 0, rsv: h[0] >> 4 & 7, op: h[0] & 15}
	masked := h[1]&0x80 != 0
	if masked == p.mask {
		p.t.Fatalf("frame masked=%v sent to a peer that masks=%v", masked, p.mask)
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		io.ReadFull(p.br, b[:])
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		io.ReadFull(p.br, b[:])
		n = binary.BigEndian.Uint64(b[:])
	}
	var key [4]byte
	if masked {
		io.ReadFull(p.br, key[:])
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(p.br, f.payload); err != nil {
		return f, err
	}
	if masked {
		for i := range f.payload {
			f.payload[i] ^= key[i%4]
		}
	}
	return f, nil
}

func (p *peer) mustRead() rawFrame {
	p.t.Helper()
	f, err := p.read()
	if err != nil {
		p.t.Fatalf("peer read: %v", err)
	}
	return f
}

// expectClose reads frames until a close frame and checks its code; code 0
// expects an empty close payload.
func (p *peer) expectClose(code StatusCode) rawFrame {
	p.t.Helper()
	for {
		f := p.mustRead()
		if f.op != 8 {
			continue
		}
		var got StatusCode
		if len(f.payload) >= 2 {
			got = StatusCode(binary.BigEndian.Uint16(f.payload))
		}
		if got != code {
			p.t.Fatalf("close code %d, want %d (payload %q)", got, code, f.payload)
		}
		return f
	}
}

// expectEOF checks that the Conn closed the TCP connection.
func (p *peer) expectEOF() {
	p.t.Helper()
	for {
		f, err := p.read()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err) {
				return
			}
			p.t.Fatalf("want EOF, got %v", err)
		}
		if f.op != 8 {
			p.t.Fatalf("want EOF, got frame op %d", f.op)
		}
	}
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && !ne.Timeout()
}

func closePayload(code StatusCode, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// expectFail reads from c until it fails and checks the failure code, the
// close frame the peer receives and that the connection was closed.
func expectFail(t *testing.T, c *Conn, p *peer, code StatusCode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, _, err := c.ReadMessage(ctx)
		if err == nil {
			continue
		}
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			t.Fatalf("read error %v (%T), want ProtocolError %d", err, err, code)
		}
		if pe.Code != code {
			t.Fatalf("ProtocolError code %d (%s), want %d", pe.Code, pe.Reason, code)
		}
		break
	}
	p.expectClose(code)
	p.expectEOF()
}

// readMsg reads the next message with ReadMessage and checks it.
func readMsg(t *testing.T, c *Conn, typ MessageType, want []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	gt, got, err := c.ReadMessage(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if gt != typ || !bytes.Equal(got, want) {
		t.Fatalf("got %v %d bytes %.40q, want %v %d bytes %.40q", gt, len(got), got, typ, len(want), want)
	}
}

// connPair returns a server and a client Conn connected over loopback TCP.
func connPair(t testing.TB, shs Handshake, sopts Options, chs Handshake, copts Options) (srv, cli *Conn) {
	a, b := tcpPair(t)
	srv = NewConn(a, nil, Server, shs, sopts)
	cli = NewConn(b, nil, Client, chs, copts)
	t.Cleanup(func() { srv.CloseNow(); cli.CloseNow() })
	return srv, cli
}

func isValidStd(s string) bool { return utf8.ValidString(s) }
