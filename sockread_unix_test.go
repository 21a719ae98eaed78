//go:build unix

package aiohttp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// sockPair returns a connected client socket wrapped in a sockReader and
// the server's end.
func sockPair(t *testing.T) (*sockReader, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	srv := <-accepted
	if srv == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { nc.Close(); srv.Close() })
	r := newSockReader(nc)
	if r == nil {
		t.Fatal("no sockReader for a TCP connection")
	}
	return r, srv
}

func TestSockReaderSendsThenReads(t *testing.T) {
	r, srv := sockPair(t)
	go func() {
		buf := make([]byte, 5)
		if _, err := io.ReadFull(srv, buf); err == nil && string(buf) == "ping\n" {
			srv.Write([]byte("pong\n"))
		}
	}()
	r.send([]byte("ping\n"))
	buf := make([]byte, 16)
	n, err := r.Read(buf)
	if err != nil || string(buf[:n]) != "pong\n" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	// Without send, Read is an ordinary read.
	go srv.Write([]byte("more"))
	n, err = r.Read(buf)
	if err != nil || string(buf[:n]) != "more" {
		t.Fatalf("second Read = %q, %v", buf[:n], err)
	}
}

// A request larger than the socket's send buffer, to a server that reads
// late, is finished by an ordinary write.
func TestSockReaderFullSendBuffer(t *testing.T) {
	r, srv := sockPair(t)
	rc := r.rc
	rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, 4096) })
	req := bytes.Repeat([]byte("x"), 512<<10) // more than both sockets' buffers hold

	got := make(chan int, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		n, _ := io.CopyN(io.Discard, srv, int64(len(req)))
		srv.Write([]byte("done"))
		got <- int(n)
	}()
	r.send(req)
	buf := make([]byte, 16)
	n, err := r.Read(buf)
	if err != nil || string(buf[:n]) != "done" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	if n := <-got; n != len(req) {
		t.Fatalf("server received %d bytes, want %d", n, len(req))
	}
}

// Sending to a connection the server reset fails as a write.
func TestSockReaderWriteError(t *testing.T) {
	r, srv := sockPair(t)
	srv.(*net.TCPConn).SetLinger(0)
	srv.Close()
	time.Sleep(50 * time.Millisecond) // let the reset arrive
	r.send([]byte("GET / HTTP/1.1\r\n\r\n"))
	_, err := r.Read(make([]byte, 16))
	if err == nil {
		t.Fatal("Read succeeded on a reset connection")
	}
	if !r.failedWriting() && !errors.Is(err, syscall.ECONNRESET) && err != io.EOF {
		t.Fatalf("err = %v, failedWriting %v", err, r.failedWriting())
	}
}

// A deadline ends the wait for an answer that never comes.
func TestSockReaderDeadline(t *testing.T) {
	r, srv := sockPair(t)
	go io.Copy(io.Discard, srv)
	r.nc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	r.send([]byte("ping\n"))
	_, err := r.Read(make([]byte, 16))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

// Plain TCP connections from the connector read through a sockReader, so
// that requests go out from within the read of their answers.
func TestTCPConnectorConnsReadThroughSockReader(t *testing.T) {
	srv := newConnTestServer(t, nil)
	c := NewTCPConnector(TCPConnectorOptions{})
	defer c.Close()
	conn, err := c.acquire(context.Background(), srv.target("http"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.release(conn, false)
	if conn.sock == nil {
		t.Fatal("a plain TCP connection has no sockReader")
	}
}
