package aiohttp

import (
	"context"
	"net"
	"testing"
	"time"
	"unsafe"
)

// cannedConn is an in-memory connection that answers every request
// written to it with the same response, for measuring the client's own
// work without the network.
type cannedConn struct {
	response []byte
	unread   int // bytes of response not yet read
}

func (c *cannedConn) Write(p []byte) (int, error) {
	c.unread = len(c.response)
	return len(p), nil
}

func (c *cannedConn) Read(p []byte) (int, error) {
	n := copy(p, c.response[len(c.response)-c.unread:])
	c.unread -= n
	return n, nil
}

func (c *cannedConn) Close() error                     { return nil }
func (c *cannedConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *cannedConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *cannedConn) SetDeadline(time.Time) error      { return nil }
func (c *cannedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *cannedConn) SetWriteDeadline(time.Time) error { return nil }

// newCannedSession returns a session whose connections are cannedConns
// answering with a small text response.
func newCannedSession() *Session {
	const response = "HTTP/1.1 200 OK\r\nServer: bench\r\nDate: Mon, 23 Nov 2026 16:00:00 GMT\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nHello, World!"
	conn := NewTCPConnector(TCPConnectorOptions{})
	conn.dial = func(context.Context, string, string) (net.Conn, error) {
		return &cannedConn{response: []byte(response)}, nil
	}
	s, err := NewSession(SessionOptions{Connector: conn})
	if err != nil {
		panic(err)
	}
	return s
}

// BenchmarkSessionGetInMemory measures the client's per-request work for
// a small GET and its small response over a pooled in-memory connection,
// body read and response closed: no network, no server.
func BenchmarkSessionGetInMemory(b *testing.B) {
	s := newCannedSession()
	defer s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := s.Get(ctx, "http://127.0.0.1:8080/")
		if err != nil {
			b.Fatal(err)
		}
		body, err := resp.Bytes()
		if err != nil || len(body) != 13 {
			b.Fatal(len(body), err)
		}
		resp.Close()
	}
}

// BenchmarkSessionWithInMemory is BenchmarkSessionGetInMemory through
// Session.With, which recycles the response: it should not allocate.
func BenchmarkSessionWithInMemory(b *testing.B) {
	s := newCannedSession()
	defer s.Close()
	ctx := context.Background()
	read := func(resp *Response) error {
		body, err := resp.Bytes()
		if err == nil && len(body) != 13 {
			b.Fatal(len(body))
		}
		return err
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.With(ctx, "GET", "http://127.0.0.1:8080/", read); err != nil {
			b.Fatal(err)
		}
	}
}

// In the steady state a request through Session.With allocates nothing.
func TestSessionWithAllocatesNothing(t *testing.T) {
	skipAllocsUnderRace(t)
	s := newCannedSession()
	defer s.Close()
	ctx := context.Background()
	read := func(resp *Response) error {
		_, err := resp.Bytes()
		return err
	}
	get := func() {
		if err := s.With(ctx, "GET", "http://127.0.0.1:8080/", read); err != nil {
			t.Fatal(err)
		}
	}
	get()
	// A garbage collection may empty the pool once in a while: an
	// average well below one allocation per request is the point.
	if n := testing.AllocsPerRun(1000, get); n > 0.1 {
		t.Fatalf("%.2f allocations per request", n)
	}
}

// The request state, the one object a request allocates besides its body,
// fits the allocator's 1792-byte size class with the 8-byte header the
// allocator puts before an object of more than 512 bytes with pointers: a
// few bytes more would cost 256.
func TestRequestStateSize(t *testing.T) {
	if n := unsafe.Sizeof(requestState{}); n+8 > 1792 {
		t.Fatalf("requestState is %d bytes", n)
	}
}
