package web

import (
	"context"
	"net"
	"testing"

	"github.com/aiohttp-go/aiohttp/websocket"
)

// pipeSocket returns a server socket over net.Pipe whose peer never
// answers; the test closes it.
func pipeSocket(t *testing.T) *websocket.Socket {
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	c := websocket.NewConn(a, nil, websocket.Server, websocket.Handshake{}, websocket.Options{})
	return websocket.NewSocket(c, websocket.Options{})
}

// closeNow closes s at once: the cancelled context drops the connection.
func closeNow(s *websocket.Socket) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = s.Close(ctx, websocket.CloseOK, "")
}

func TestOpenSocketsAddRemove(t *testing.T) {
	var o openSockets
	a, b := pipeSocket(t), pipeSocket(t)
	if !o.add(openSocket{a}) || !o.add(openSocket{b}) || len(o.m) != 2 {
		t.Fatalf("add: %d sockets", len(o.m))
	}
	o.remove(openSocket{a})
	o.remove(openSocket{a})
	if _, ok := o.m[openSocket{b}]; !ok || len(o.m) != 1 {
		t.Fatalf("after remove: %v", o.m)
	}
	(*openSockets)(nil).remove(openSocket{b}) // a response without a set
}

// TestOpenSocketsPrune: sockets that closed without leaving the set (their
// handler failed after Prepare) are dropped once the set doubled, so the
// set stays within twice the open sockets.
func TestOpenSocketsPrune(t *testing.T) {
	var o openSockets
	open := pipeSocket(t)
	o.add(openSocket{open})
	for range minPrune - 1 {
		s := pipeSocket(t)
		o.add(openSocket{s})
		closeNow(s)
	}
	if len(o.m) != minPrune {
		t.Fatalf("%d sockets before the prune, want %d", len(o.m), minPrune)
	}
	last := pipeSocket(t)
	o.add(openSocket{last})
	if _, ok := o.m[openSocket{open}]; !ok || len(o.m) != 2 {
		t.Fatalf("after the prune: %d sockets, the open one kept: %v", len(o.m), ok)
	}
	if o.pruneAt != 2 {
		t.Fatalf("next prune at %d, want 2", o.pruneAt)
	}
}

// TestOpenSocketsCloseAll: closeAll closes every socket, refuses later
// ones and is idempotent.
func TestOpenSocketsCloseAll(t *testing.T) {
	var o openSockets
	socks := []*websocket.Socket{pipeSocket(t), pipeSocket(t), pipeSocket(t)}
	for _, s := range socks {
		o.add(openSocket{s})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the peers never answer: drop the connections at once
	o.closeAll(ctx)
	for _, s := range socks {
		if !s.Closed() {
			t.Fatal("socket left open")
		}
	}
	if late := pipeSocket(t); o.add(openSocket{late}) {
		t.Fatal("add accepted a socket after closeAll")
	}
	o.closeAll(ctx)
}
