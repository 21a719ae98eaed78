package websocket_test

import (
	"context"
	"fmt"
	"net"

	"github.com/aiohttp-go/aiohttp/websocket"
)

// Example runs both ends of a connection over net.Pipe: the client sends a
// message, the server echoes it, and the client closes.
func Example() {
	a, b := net.Pipe()
	ctx := context.Background()
	srv := websocket.NewConn(a, nil, websocket.Server, websocket.Handshake{}, websocket.Options{})
	cli := websocket.NewConn(b, nil, websocket.Client, websocket.Handshake{}, websocket.Options{})

	done := make(chan struct{})
	go func() { // the server: echo until the peer closes
		defer close(done)
		for {
			typ, msg, err := srv.Read(ctx)
			if err != nil {
				fmt.Println("server:", err)
				return
			}
			_ = srv.WriteMessage(ctx, typ, msg)
		}
	}()

	_ = cli.WriteMessage(ctx, websocket.MessageText, []byte("hello"))
	typ, msg, _ := cli.ReadMessage(ctx)
	fmt.Println(typ, string(msg))
	_ = cli.Close(websocket.CloseOK, "done")
	<-done
	// Output:
	// TEXT hello
	// server: websocket: peer closed: 1000 done
}

// ExampleNegotiateServer shows a server answering a browser's
// Sec-WebSocket-Extensions offer.
func ExampleNegotiateServer() {
	resp, params, ok := websocket.NegotiateServer(
		"permessage-deflate; client_max_window_bits", websocket.CompressionOptions{})
	fmt.Println(resp, ok, params.ClientNoContextTakeover)
	// Output: permessage-deflate true false
}

// ExampleConn_ReadMessage sketches aiohttp's autoping on top of
// ReadMessage: answer pings, skip pongs, hand data messages on.
func ExampleConn_ReadMessage() {
	a, b := net.Pipe()
	ctx := context.Background()
	srv := websocket.NewConn(a, nil, websocket.Server, websocket.Handshake{}, websocket.Options{})
	cli := websocket.NewConn(b, nil, websocket.Client, websocket.Handshake{}, websocket.Options{})
	go func() {
		_ = cli.Ping(ctx, []byte("are you there"))
		_, msg, _ := cli.ReadMessage(ctx) // the pong
		fmt.Printf("client got pong %q\n", msg)
		_ = cli.WriteMessage(ctx, websocket.MessageBinary, []byte{1, 2, 3})
	}()
	for {
		typ, msg, err := srv.ReadMessage(ctx)
		if err != nil {
			return
		}
		switch typ {
		case websocket.MessagePing:
			_ = srv.Pong(ctx, msg)
		case websocket.MessagePong:
		default:
			fmt.Println("server got", typ, msg)
			srv.CloseNow()
			cli.CloseNow()
			return
		}
	}
	// Output:
	// client got pong "are you there"
	// server got BINARY [1 2 3]
}

// ExampleSocket runs aiohttp's message-level API on both ends of a
// net.Pipe: the server echoes text until the client closes, which autoclose
// answers, and both sides report the close code.
func ExampleSocket() {
	a, b := net.Pipe()
	ctx := context.Background()
	var opts websocket.Options // aiohttp's defaults
	srv := websocket.NewSocket(websocket.NewConn(a, nil, websocket.Server, websocket.Handshake{}, opts), opts)
	cli := websocket.NewSocket(websocket.NewConn(b, nil, websocket.Client, websocket.Handshake{}, opts), opts)

	done := make(chan struct{})
	go func() { // the server
		defer close(done)
		for msg := range srv.Messages(ctx) {
			if msg.Type == websocket.MessageText {
				_ = srv.SendStr(ctx, "echo: "+msg.Text())
			}
		}
		fmt.Println("server: closed with", srv.CloseCode())
	}()

	_ = cli.SendStr(ctx, "hello")
	text, _ := cli.ReceiveText(ctx)
	fmt.Println("client:", text)
	_ = cli.Close(ctx, websocket.CloseOK, "")
	<-done
	fmt.Println("client: closed with", cli.CloseCode())
	// Output:
	// client: echo: hello
	// server: closed with 1000
	// client: closed with 1000
}

// ExampleSocket_OnMessage serves a socket event-driven, as a chat server
// with many idle sockets does: OnMessage takes the socket over and returns
// at once, the callback answers each message (its Data is only lent), and
// any goroutine may send meanwhile; the last call is MessageClosed.
func ExampleSocket_OnMessage() {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	b, _ := net.Dial("tcp", ln.Addr().String())
	a, _ := ln.Accept()
	ctx := context.Background()
	var opts websocket.Options
	srv := websocket.NewSocket(websocket.NewConn(a, nil, websocket.Server, websocket.Handshake{}, opts), opts)
	cli := websocket.NewSocket(websocket.NewConn(b, nil, websocket.Client, websocket.Handshake{}, opts), opts)

	closed := make(chan struct{})
	_ = srv.OnMessage(func(msg websocket.Message) {
		switch msg.Type {
		case websocket.MessageText:
			_ = srv.SendStr(ctx, "echo: "+msg.Text())
		case websocket.MessageClosed:
			fmt.Println("server: closed with", msg.Code)
			close(closed)
		}
	})
	_ = srv.SendStr(ctx, "welcome") // from another goroutine: a broadcast, say

	for _, text := range []string{"hello", "bye"} {
		_ = cli.SendStr(ctx, text)
	}
	for range 3 {
		text, _ := cli.ReceiveText(ctx)
		fmt.Println("client:", text)
	}
	_ = cli.Close(ctx, websocket.CloseOK, "")
	<-closed
	// Output:
	// client: welcome
	// client: echo: hello
	// client: echo: bye
	// server: closed with 1000
}
