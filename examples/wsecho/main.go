// Wsecho is a WebSocket echo server and its client in one program, after
// the WebSockets section (使用WebSockets) of the seed notes on aiohttp's
// client and server APIs (seeds/002): the client opens the socket with
// Session.WSConnect (the seed's ClientSession.ws_connect), writes with
// SendStr (ws.send_str) and reads with a range over Messages (async for
// msg in ws). The seed's code listing did not survive, only its prose,
// so the program prints what it sends and receives.
//
// The server (-mode server) answers on /ws: text comes back as text,
// binary as binary, and the text "close" makes the server close the
// connection with 1000. It logs each connection that opens and closes.
// The client (-mode client, the default) sends each argument in turn
// (as binary messages with -binary), prints every answer, then sends
// "close" and prints the close code the server sent.
//
// Run both:
//
//	go run ./examples/wsecho -mode server -addr 127.0.0.1:8080 &
//	go run ./examples/wsecho -url ws://127.0.0.1:8080/ws hello 你好
//
// The client prints:
//
//	connected to ws://127.0.0.1:8080/ws
//	> hello
//	< hello
//	> 你好
//	< 你好
//	> close
//	closed by server: 1000
//
// The client works against the demo server too (go run ./cmd/aiohttp
// serve), whose /ws is the same echo.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the command line and runs the server or the client until it
// is done or ctx ends; it returns the exit status (2 for a usage error).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wsecho", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "client", "`server` or client")
	addr := fs.String("addr", "127.0.0.1:8080", "host:port the server listens on")
	url := fs.String("url", "ws://127.0.0.1:8080/ws", "WebSocket URL the client connects to")
	binary := fs.Bool("binary", false, "client: send the messages as binary")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: wsecho -mode server [-addr host:port]\n"+
			"       wsecho [-mode client] [-url URL] [-binary] [message ...]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch *mode {
	case "server":
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "wsecho: unexpected argument %q\n", fs.Arg(0))
			fs.Usage()
			return 2
		}
		opts := web.RunOptions{Addr: *addr, NoSignals: true, Out: stdout}
		if err := web.RunAppContext(ctx, newApp(stdout), opts); err != nil {
			fmt.Fprintf(stderr, "wsecho: %v\n", err)
			return 1
		}
		return 0
	case "client":
		msgs := fs.Args()
		if len(msgs) == 0 {
			msgs = []string{"hello", "world"}
		}
		if err := client(ctx, stdout, *url, msgs, *binary); err != nil {
			fmt.Fprintf(stderr, "wsecho: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "wsecho: -mode must be server or client, not %q\n", *mode)
	fs.Usage()
	return 2
}

// newApp serves the echo on /ws, logging connections to log.
func newApp(log io.Writer) *web.Application {
	app := web.NewApplication()
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		return echo(req, log)
	})
	return app
}

// echo is the server side: the aiohttp websocket_handler pattern of
// prepare, then a loop over the received messages.
func echo(req *web.Request, log io.Writer) (web.Response, error) {
	ws := web.NewWebSocketResponse(web.WebSocketOptions{})
	sock, err := ws.Prepare(req)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(log, "websocket connection opened")
	ctx := req.Context()
loop:
	for msg := range sock.Messages(ctx) {
		var err error
		switch msg.Type {
		case websocket.MessageText:
			if msg.Text() == "close" {
				_ = sock.Close(ctx, websocket.CloseOK, "")
				break loop
			}
			err = sock.SendStr(ctx, msg.Text())
		case websocket.MessageBinary:
			err = sock.SendBytes(ctx, msg.Data)
		case websocket.MessageError:
			err = msg.Err
		}
		if err != nil {
			fmt.Fprintf(log, "websocket connection closed with exception %v\n", err)
			break loop
		}
	}
	fmt.Fprintf(log, "websocket connection closed (%d)\n", sock.CloseCode())
	return ws, nil // returning it closes it, if it is not closed yet
}

// client is the client side: it sends msgs one at a time, printing each
// answer, then asks the server to close.
func client(ctx context.Context, out io.Writer, url string, msgs []string, binary bool) error {
	session, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		return err
	}
	defer session.Close()

	ws, err := session.WSConnect(ctx, url, aiohttp.WSOptions{})
	if err != nil {
		return err
	}
	defer ws.Close(context.WithoutCancel(ctx), websocket.CloseOK, "")
	fmt.Fprintf(out, "connected to %s\n", url)

	next := 0
	// send sends the next message, or "close" once all were answered.
	send := func() error {
		if next == len(msgs) {
			fmt.Fprintln(out, "> close")
			return ws.SendStr(ctx, "close")
		}
		m := msgs[next]
		next++
		if binary {
			fmt.Fprintf(out, "> <binary %d bytes>\n", len(m))
			return ws.SendBytes(ctx, []byte(m))
		}
		fmt.Fprintf(out, "> %s\n", m)
		return ws.SendStr(ctx, m)
	}
	if err := send(); err != nil {
		return err
	}
	for msg := range ws.Messages(ctx) {
		switch msg.Type {
		case websocket.MessageText:
			fmt.Fprintf(out, "< %s\n", msg.Data)
		case websocket.MessageBinary:
			fmt.Fprintf(out, "< <binary %d bytes>\n", len(msg.Data))
		case websocket.MessageError:
			return msg.Err
		default:
			continue
		}
		if err := send(); err != nil {
			return err
		}
	}
	// Messages ends at the server's close frame, which the socket answers
	// by itself; a connection that ended without one has code 1006.
	if !ws.Closed() || ws.CloseCode() == websocket.CloseAbnormalClosure {
		return fmt.Errorf("connection lost (%d): %v", ws.CloseCode(), ws.Err())
	}
	fmt.Fprintf(out, "closed by server: %d\n", ws.CloseCode())
	return nil
}
