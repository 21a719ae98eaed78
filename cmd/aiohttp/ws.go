package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// stdinReader is the standard input of the ws command (a variable for
// tests of main).
var stdinReader io.Reader = os.Stdin

// wsFlushToken is the payload of the ping sent at the end of input; its
// pong tells that the server got through every message sent before.
const wsFlushToken = "aiohttp ws: end of input"

// wsFlushTimeout bounds the wait for that pong.
const wsFlushTimeout = 5 * time.Second

// wsCloseTimeout bounds the closing handshake the command starts.
const wsCloseTimeout = 10 * time.Second

// wsConfig is the parsed command line of the ws command.
type wsConfig struct {
	url       string
	send      string
	hasSend   bool
	count     int
	scripted  bool
	timeout   time.Duration
	protocols []string
	compress  bool
}

// ws is the "aiohttp ws" command run by the subcommand table; it reads
// standard input.
func ws(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return wsMain(ctx, args, stdinReader, stdout, stderr)
}

// wsMain runs the WebSocket client: it connects to the URL in args and
// either relays stdin lines and received messages (interactive) or sends
// --send and prints --count messages (scripted). It returns 0 when all
// went well, 1 on a connection, handshake or protocol failure and 2 on a
// usage error.
func wsMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, code := wsParse(args, stdout, stderr)
	if cfg == nil {
		return code
	}
	stderr = &syncWriter{w: stderr}

	s, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		fmt.Fprintln(stderr, "aiohttp ws:", err)
		return 1
	}
	defer s.Close()

	// --timeout bounds the handshake and, scripted, the wait for the
	// messages too.
	hctx, cancel := ctx, context.CancelFunc(func() {})
	if cfg.timeout > 0 {
		hctx, cancel = context.WithTimeout(ctx, cfg.timeout)
	}
	defer cancel()
	opts := aiohttp.WSOptions{Options: websocket.Options{Protocols: cfg.protocols, CloseTimeout: wsCloseTimeout}}
	if cfg.compress {
		opts.Compress = websocket.CompressOn
	}
	// Interactive, pings and pongs come to the command: it answers pings
	// itself and uses a pong to know the server has answered all it was
	// sent before the end of input (see wsInteractive).
	opts.NoAutoping = !cfg.scripted
	conn, err := s.WSConnect(hctx, cfg.url, opts)
	if err != nil {
		fmt.Fprintf(stderr, "aiohttp ws: %v\n", err)
		return 1
	}
	if cfg.scripted {
		return wsScripted(ctx, hctx, conn.Socket, cfg, stdout, stderr)
	}
	return wsInteractive(ctx, conn.Socket, stdin, stdout, stderr)
}

// wsUsage is the text of "aiohttp ws -h" above the flags.
const wsUsage = `usage: aiohttp ws URL [--send TEXT] [--count N] [--timeout D] [--protocol P] [--compress]

Open a WebSocket to URL (ws://, wss://, http:// or https://).

Interactive (no --send, no --count): each line of standard input is sent
as a text message and each message received is printed (binary ones as
"<binary N bytes>"). End of input closes the connection with 1000; when
the server closes it, its close code is printed to standard error.

Scripted: --send TEXT sends TEXT, then --count N messages (default 1) are
awaited and printed before closing. Fewer than N messages is a failure.

Exit status: 0 ok, 1 connection, handshake or protocol failure (or a
close code other than 1000 or 1001), 2 usage error.

Examples:
  aiohttp ws ws://127.0.0.1:8080/ws
  aiohttp ws ws://127.0.0.1:8080/ws --send hello
  aiohttp ws ws://127.0.0.1:8080/chat --count 3 --timeout 1m
  aiohttp ws wss://example.com/socket --protocol chat.v1 --compress

`

// wsParse parses the command line; a nil config comes with the exit
// status (0 for -h, 2 for a usage error). The URL may come before, after
// or between the flags.
func wsParse(args []string, stdout, stderr io.Writer) (*wsConfig, int) {
	fs := newFlagSet("ws", wsUsage, stdout)
	var cfg wsConfig
	var protocols stringList
	fs.StringVar(&cfg.send, "send", "", "send `TEXT` as a text message, then print --count messages and close")
	fs.IntVar(&cfg.count, "count", 1, "with --send, how many messages to wait for and print (alone: wait without sending)")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "bound on the handshake and, with --send or --count, on the wait for the messages; 0 for none")
	fs.Var(&protocols, "protocol", "offer the subprotocol `P` (may be repeated)")
	fs.BoolVar(&cfg.compress, "compress", false, "offer permessage-deflate compression")
	urls, code, ok := fs.parse(args, stderr)
	if !ok {
		return nil, code
	}
	bad := func(format string, a ...any) (*wsConfig, int) {
		usageError(stderr, "ws", format, a...)
		return nil, 2
	}
	switch {
	case len(urls) == 0:
		return bad("missing URL")
	case len(urls) > 1:
		return bad("unexpected argument %q", urls[1])
	case cfg.count < 0:
		return bad("--count %d is negative", cfg.count)
	case cfg.timeout < 0:
		return bad("--timeout %v is negative", cfg.timeout)
	}
	cfg.url = urls[0]
	cfg.protocols = protocols
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "send":
			cfg.hasSend, cfg.scripted = true, true
		case "count":
			cfg.scripted = true
		}
	})
	return &cfg, 0
}

// wsPrint writes a received text or binary message to w.
func wsPrint(w io.Writer, m websocket.Message) {
	if m.Type == websocket.MessageBinary {
		fmt.Fprintf(w, "<binary %d bytes>\n", len(m.Data))
		return
	}
	fmt.Fprintf(w, "%s\n", m.Data)
}

// wsServerClosed reports the server's close frame on stderr and returns
// the exit status it means: 0 for 1000 and 1001, 1 otherwise.
func wsServerClosed(stderr io.Writer, code websocket.StatusCode, reason string) int {
	if reason != "" {
		fmt.Fprintf(stderr, "closed by server: %d %s\n", code, reason)
	} else {
		fmt.Fprintf(stderr, "closed by server: %d\n", code)
	}
	if code == websocket.CloseOK || code == websocket.CloseGoingAway {
		return 0
	}
	return 1
}

// wsClose closes the socket with 1000, bounded by the close timeout even
// when ctx has ended.
func wsClose(ctx context.Context, sock *websocket.Socket) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wsCloseTimeout)
	defer cancel()
	_ = sock.Close(cctx, websocket.CloseOK, "")
}

// wsScripted sends cfg.send (if given), prints cfg.count messages received
// before wctx ends and closes.
func wsScripted(ctx, wctx context.Context, sock *websocket.Socket, cfg *wsConfig, stdout, stderr io.Writer) int {
	defer wsClose(ctx, sock)
	if cfg.hasSend {
		if err := sock.SendStr(wctx, cfg.send); err != nil {
			fmt.Fprintf(stderr, "aiohttp ws: send: %v\n", err)
			return 1
		}
	}
	for got := 0; got < cfg.count; {
		m := sock.Receive(wctx)
		switch m.Type {
		case websocket.MessageText, websocket.MessageBinary:
			wsPrint(stdout, m)
			got++
		case websocket.MessageClose:
			wsServerClosed(stderr, m.Code, m.Extra)
			fmt.Fprintf(stderr, "aiohttp ws: connection closed after %d of %d messages\n", got, cfg.count)
			return 1
		case websocket.MessageError:
			err := m.Err
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("timed out after %d of %d messages", got, cfg.count)
			}
			fmt.Fprintf(stderr, "aiohttp ws: %v\n", err)
			return 1
		case websocket.MessageClosing, websocket.MessageClosed:
			fmt.Fprintf(stderr, "aiohttp ws: connection closed (%d) after %d of %d messages\n", sock.CloseCode(), got, cfg.count)
			return 1
		}
	}
	return 0
}

// wsInteractive sends each line of stdin as a text message while printing
// what arrives, until stdin ends (then it closes with 1000), the server
// closes or ctx ends.
//
// The closing handshake discards data messages that nobody is receiving,
// so at the end of input the command does not close at once: it sends a
// ping and closes when the pong arrives (or after wsFlushTimeout). A
// server answers messages in order, so by then the answers to everything
// sent have been printed.
func wsInteractive(ctx context.Context, sock *websocket.Socket, stdin io.Reader, stdout, stderr io.Writer) int {
	var closing atomic.Bool // we started the closing handshake
	recvCode := make(chan int, 1)
	flushed := make(chan struct{})
	var flushOnce sync.Once
	// The receiver reads until the socket closes; it must not stop when
	// ctx does, so that the closing handshake still reads the server's
	// answer.
	rctx, stopRecv := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRecv()
	go func() {
		for {
			m := sock.Receive(rctx)
			switch m.Type {
			case websocket.MessageText, websocket.MessageBinary:
				wsPrint(stdout, m)
				continue
			case websocket.MessagePing:
				_ = sock.Pong(rctx, m.Data)
				continue
			case websocket.MessagePong:
				if string(m.Data) == wsFlushToken {
					flushOnce.Do(func() { close(flushed) })
				}
				continue
			case websocket.MessageClose:
				recvCode <- wsServerClosed(stderr, m.Code, m.Extra)
			case websocket.MessageClosing, websocket.MessageClosed:
				if closing.Load() {
					recvCode <- 0
				} else {
					fmt.Fprintf(stderr, "aiohttp ws: connection closed (%d)\n", sock.CloseCode())
					recvCode <- 1
				}
			case websocket.MessageError:
				if closing.Load() {
					recvCode <- 0
				} else {
					fmt.Fprintf(stderr, "aiohttp ws: %v\n", m.Err)
					recvCode <- 1
				}
			default:
				continue
			}
			return
		}
	}()

	// Lines come from a goroutine so that a server close or ctx can end
	// the command while a read of stdin blocks; that goroutine ends with
	// the process (or when stdin does).
	lines := make(chan string)
	stdinErr := make(chan error, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-done:
				return
			}
		}
		stdinErr <- sc.Err()
	}()

	closeAndWait := func() int {
		closing.Store(true)
		wsClose(ctx, sock)
		return <-recvCode
	}
	for {
		select {
		case code := <-recvCode:
			return code
		case <-ctx.Done():
			return closeAndWait()
		case err := <-stdinErr:
			if perr := sock.Ping(ctx, []byte(wsFlushToken)); perr == nil {
				t := time.NewTimer(wsFlushTimeout)
				select {
				case code := <-recvCode:
					t.Stop()
					return code
				case <-flushed:
				case <-t.C:
				case <-ctx.Done():
				}
				t.Stop()
			}
			code := closeAndWait()
			if err != nil {
				fmt.Fprintf(stderr, "aiohttp ws: reading standard input: %v\n", err)
				return 1
			}
			return code
		case line := <-lines:
			if err := sock.SendStr(ctx, line); err != nil {
				if errors.Is(err, websocket.ErrClosed) {
					// The server closed; the receiver reports it.
					return <-recvCode
				}
				fmt.Fprintf(stderr, "aiohttp ws: send: %v\n", err)
				closing.Store(true)
				_ = sock.Conn().CloseNow()
				<-recvCode
				return 1
			}
		}
	}
}

// syncWriter serializes writes from the sender and the receiver.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}
