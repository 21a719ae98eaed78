package web_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// wsClient is the client end of a WebSocket opened with a handshake the
// test writes itself.
type wsClient struct {
	nc   net.Conn
	conn *websocket.Conn
	resp *http.Response
}

// wsHandshake sends an opening handshake for path with extra header lines
// ("Name: value") replacing the defaults of the same name, and returns the
// connection, its reader and the response head.
func wsHandshake(t *testing.T, addr, path string, lines ...string) (net.Conn, *bufio.Reader, *http.Response) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	head := map[string]string{
		"Upgrade":               "websocket",
		"Connection":            "Upgrade",
		"Sec-WebSocket-Version": "13",
		"Sec-WebSocket-Key":     websocket.NewKey(),
	}
	var b strings.Builder
	b.WriteString("GET " + path + " HTTP/1.1\r\nHost: x\r\n")
	for _, l := range lines {
		name, _, _ := strings.Cut(l, ":")
		delete(head, name)
		b.WriteString(l + "\r\n")
	}
	for k, v := range head {
		b.WriteString(k + ": " + v + "\r\n")
	}
	b.WriteString("\r\n")
	nc.SetDeadline(time.Now().Add(ioTimeout))
	if _, err := io.WriteString(nc, b.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Time{})
	return nc, br, resp
}

// wsDial opens a WebSocket to path and wraps it in a client Conn; with
// compress, it offers permessage-deflate.
func wsDial(t *testing.T, addr, path string, compress bool, lines ...string) *wsClient {
	t.Helper()
	if compress {
		lines = append(lines, "Sec-WebSocket-Extensions: "+websocket.ClientOffer(websocket.CompressionOptions{}))
	}
	nc, br, resp := wsHandshake(t, addr, path, lines...)
	if resp.StatusCode != 101 {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("handshake: %s %q", resp.Status, body)
	}
	var hs websocket.Handshake
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		p, err := websocket.AcceptClient(ext, websocket.CompressionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		hs.Compression = p
	}
	c := websocket.NewConn(nc, br, websocket.Client, hs, websocket.Options{CloseTimeout: time.Second})
	t.Cleanup(func() { c.CloseNow() })
	return &wsClient{nc: nc, conn: c, resp: resp}
}

func (c *wsClient) read(t *testing.T) (websocket.MessageType, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	typ, p, err := c.conn.ReadMessage(ctx)
	return typ, string(p), err
}

func (c *wsClient) write(t *testing.T, typ websocket.MessageType, s string) {
	t.Helper()
	if err := c.conn.WriteMessage(context.Background(), typ, []byte(s)); err != nil {
		t.Fatal(err)
	}
}

// expectClose reads until the server's close frame and checks its code.
func (c *wsClient) expectClose(t *testing.T, code websocket.StatusCode) {
	t.Helper()
	for {
		_, _, err := c.read(t)
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("want close %d, got %v", code, err)
		}
		if ce.Code != code {
			t.Fatalf("close code %d (%q), want %d", ce.Code, ce.Reason, code)
		}
		return
	}
}

// wsEcho echoes text as text and binary as binary; "close" closes.
func wsEcho(opts web.WebSocketOptions) web.Handler {
	return func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(opts)
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		ctx := context.Background()
		for msg := range sock.Messages(ctx) {
			switch msg.Type {
			case websocket.MessageText:
				if msg.Text() == "close" {
					sock.Close(ctx, websocket.CloseOK, "bye")
					continue
				}
				if msg.Text() == "proto" {
					sock.SendStr(ctx, sock.Protocol())
					continue
				}
				sock.SendStr(ctx, msg.Text())
			case websocket.MessageBinary:
				sock.SendBytes(ctx, msg.Data)
			}
		}
		return ws, nil
	}
}

func TestWebSocketEcho(t *testing.T) {
	app := newApp()
	app.Router.Get("/ws", wsEcho(web.WebSocketOptions{}))
	srv := startApp(t, app, web.ServerOptions{})
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprint("compress=", compress), func(t *testing.T) {
			c := wsDial(t, srv.addr, "/ws", compress)
			if c.conn.Compressed() != compress {
				t.Fatalf("compressed = %v", c.conn.Compressed())
			}
			big := strings.Repeat("abcdefgh", 20000)
			for _, m := range []struct {
				typ  websocket.MessageType
				data string
			}{{websocket.MessageText, "hello"}, {websocket.MessageBinary, "\x00\x01\x02"}, {websocket.MessageText, `{"a":[1,2]}`}, {websocket.MessageText, big}} {
				c.write(t, m.typ, m.data)
				typ, got, err := c.read(t)
				if err != nil || typ != m.typ || got != m.data {
					t.Fatalf("echo of %v %.20q: %v %.20q %v", m.typ, m.data, typ, got, err)
				}
			}
			c.write(t, websocket.MessageText, "close")
			c.expectClose(t, websocket.CloseOK)
			c.conn.Close(websocket.CloseOK, "")
		})
	}
}

func TestWebSocketNoCompress(t *testing.T) {
	app := newApp()
	app.Router.Get("/ws", wsEcho(web.WebSocketOptions{Options: websocket.Options{Compress: websocket.CompressOff}}))
	srv := startApp(t, app, web.ServerOptions{})
	c := wsDial(t, srv.addr, "/ws", true)
	if c.resp.Header.Get("Sec-WebSocket-Extensions") != "" || c.conn.Compressed() {
		t.Fatal("compression negotiated with CompressOff")
	}
	c.write(t, websocket.MessageText, "x")
	if _, got, err := c.read(t); got != "x" || err != nil {
		t.Fatalf("%q %v", got, err)
	}
	c.conn.Close(websocket.CloseOK, "")
}

func TestWebSocketHandshakeErrors(t *testing.T) {
	app := newApp()
	app.Router.Any("/ws", wsEcho(web.WebSocketOptions{CheckOrigin: func(o string) bool { return o != "http://evil" }}))
	srv := startApp(t, app, web.ServerOptions{})
	for _, tc := range []struct {
		name   string
		method string
		lines  []string
		status int
		text   string
	}{
		{"method", "POST", nil, 405, ""},
		{"upgrade", "GET", []string{"Upgrade: h2c"}, 400, "No WebSocket UPGRADE hdr: h2c"},
		{"connection", "GET", []string{"Connection: keep-alive"}, 400, "No CONNECTION upgrade hdr: keep-alive"},
		{"version", "GET", []string{"Sec-WebSocket-Version: 14"}, 400, "Unsupported version: 14"},
		{"key", "GET", []string{"Sec-WebSocket-Key: short"}, 400, "Handshake error: 'short'"},
		{"no key", "GET", []string{"Sec-WebSocket-Key: "}, 400, "Handshake error"},
		{"origin", "GET", []string{"Origin: http://evil"}, 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.url+"/ws", nil)
			req.Header.Set("Upgrade", "websocket")
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Sec-WebSocket-Version", "13")
			req.Header.Set("Sec-WebSocket-Key", websocket.NewKey())
			for _, l := range tc.lines {
				k, v, _ := strings.Cut(l, ": ")
				req.Header.Set(k, v)
			}
			// A raw connection: net/http's client treats Upgrade requests
			// specially.
			nc, err := net.DialTimeout("tcp", srv.addr, ioTimeout)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(ioTimeout))
			if err := req.Write(nc); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(nc), req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.text) {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.text)
			}
		})
	}
}

func TestWebSocketSubprotocolAndHooks(t *testing.T) {
	app := newApp()
	app.OnResponsePrepare.Append(func(req *web.Request, resp web.Response) error {
		resp.Header().Set("X-Hook", "ran")
		return nil
	})
	app.Router.Get("/ws", wsEcho(web.WebSocketOptions{Options: websocket.Options{Protocols: []string{"chat", "superchat"}}}))
	srv := startApp(t, app, web.ServerOptions{})

	c := wsDial(t, srv.addr, "/ws", false, "Sec-WebSocket-Protocol: v2, superchat, chat")
	if got := c.resp.Header.Get("Sec-WebSocket-Protocol"); got != "superchat" {
		t.Fatalf("selected %q", got)
	}
	if got := c.resp.Header.Get("X-Hook"); got != "ran" {
		t.Fatalf("X-Hook %q", got)
	}
	if got := c.resp.Header.Get("Sec-WebSocket-Accept"); got == "" {
		t.Fatal("no Sec-WebSocket-Accept")
	}
	c.write(t, websocket.MessageText, "proto")
	if _, got, _ := c.read(t); got != "superchat" {
		t.Fatalf("Protocol() = %q", got)
	}
	c.conn.Close(websocket.CloseOK, "")

	c = wsDial(t, srv.addr, "/ws", false, "Sec-WebSocket-Protocol: other")
	if _, ok := c.resp.Header["Sec-Websocket-Protocol"]; ok {
		t.Fatal("protocol selected without a match")
	}
	c.conn.Close(websocket.CloseOK, "")
}

func TestWebSocketAcceptKey(t *testing.T) {
	app := newApp()
	app.Router.Get("/ws", wsEcho(web.WebSocketOptions{}))
	srv := startApp(t, app, web.ServerOptions{})
	// The example of RFC 6455, section 1.3.
	nc, _, resp := wsHandshake(t, srv.addr, "/ws", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
	defer nc.Close()
	if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" ||
		!strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") || !strings.EqualFold(resp.Header.Get("Connection"), "upgrade") {
		t.Fatalf("%s %v", resp.Status, resp.Header)
	}
}

func TestWebSocketCanPrepare(t *testing.T) {
	app := newApp()
	app.Router.Get("/can", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{Options: websocket.Options{Protocols: []string{"p1"}}})
		ok, proto := ws.CanPrepare(req)
		if ws.Prepared() {
			return nil, errors.New("prepared by CanPrepare")
		}
		return web.Text(fmt.Sprintf("%v %q", ok, proto)), nil
	})
	srv := startApp(t, app, web.ServerOptions{})
	c := srv.dial(t)
	resp := c.get("/can", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
		"Sec-WebSocket-Key: "+websocket.NewKey(), "Sec-WebSocket-Protocol: p1")
	if resp.status != 200 || string(resp.body) != `true "p1"` {
		t.Fatalf("%d %q", resp.status, resp.body)
	}
	// The connection was not taken over: it serves the next request.
	resp = c.get("/can")
	if resp.status != 200 || string(resp.body) != `false ""` {
		t.Fatalf("%d %q", resp.status, resp.body)
	}
}

func TestWebSocketAutoping(t *testing.T) {
	app := newApp()
	app.Router.Get("/ws", wsEcho(web.WebSocketOptions{}))
	srv := startApp(t, app, web.ServerOptions{})
	c := wsDial(t, srv.addr, "/ws", false)
	if err := c.conn.Ping(context.Background(), []byte("hi")); err != nil {
		t.Fatal(err)
	}
	typ, got, err := c.read(t)
	if err != nil || typ != websocket.MessagePong || got != "hi" {
		t.Fatalf("%v %q %v", typ, got, err)
	}
	c.conn.Close(websocket.CloseOK, "")
}

// wsResult runs a handler that reports what ended its socket.
type wsResult struct {
	last websocket.Message
	code websocket.StatusCode
	exc  error
}

func TestWebSocketHeartbeatNoPong(t *testing.T) {
	app := newApp()
	done := make(chan wsResult, 1)
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{Options: websocket.Options{Heartbeat: 100 * time.Millisecond}})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		m := sock.Receive(context.Background())
		done <- wsResult{m, sock.CloseCode(), sock.Err()}
		return ws, nil
	})
	srv := startApp(t, app, web.ServerOptions{})
	c := wsDial(t, srv.addr, "/ws", false)
	// ReadMessage does not answer pings: this client never sends a pong.
	typ, _, err := c.read(t)
	if err != nil || typ != websocket.MessagePing {
		t.Fatalf("want a ping, got %v %v", typ, err)
	}
	r := recv(t, done, "handler result")
	if r.last.Type != websocket.MessageClosed || r.code != websocket.CloseAbnormalClosure ||
		!errors.Is(r.exc, websocket.ErrHeartbeatTimeout) {
		t.Fatalf("got %v code %d exc %v", r.last.Type, r.code, r.exc)
	}
	if _, _, err := c.read(t); err == nil {
		t.Fatal("connection still open")
	}
}

func TestWebSocketCloseTimeout(t *testing.T) {
	app := newApp()
	done := make(chan wsResult, 1)
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{Options: websocket.Options{CloseTimeout: 100 * time.Millisecond}})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		err = sock.Close(context.Background(), websocket.CloseOK, "")
		done <- wsResult{code: sock.CloseCode(), exc: err}
		return ws, nil
	})
	srv := startApp(t, app, web.ServerOptions{})
	c := wsDial(t, srv.addr, "/ws", false)
	r := recv(t, done, "handler result") // the client never answers
	if r.code != websocket.CloseAbnormalClosure || r.exc != nil {
		t.Fatalf("code %d err %v", r.code, r.exc)
	}
	c.expectClose(t, websocket.CloseOK)
}

// rawFrame writes a masked frame with a zero masking key.
func rawFrame(t *testing.T, nc net.Conn, b0 byte, payload string) {
	t.Helper()
	frame := append([]byte{b0, 0x80 | byte(len(payload)), 0, 0, 0, 0}, payload...)
	if _, err := nc.Write(frame); err != nil {
		t.Fatal(err)
	}
}

func TestWebSocketReservedBits(t *testing.T) {
	app := newApp()
	done := make(chan wsResult, 1)
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		m := sock.Receive(context.Background())
		done <- wsResult{m, sock.CloseCode(), sock.Err()}
		return ws, nil
	})
	srv := startApp(t, app, web.ServerOptions{})
	for _, tc := range []struct {
		name     string
		compress bool
		b0       byte
	}{
		{"rsv2", false, 0x80 | 0x20 | 1},
		{"rsv3 with deflate", true, 0x80 | 0x10 | 1},
		{"rsv1 without deflate", false, 0x80 | 0x40 | 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := wsDial(t, srv.addr, "/ws", tc.compress)
			rawFrame(t, c.nc, tc.b0, "x")
			c.expectClose(t, websocket.CloseProtocolError)
			r := recv(t, done, "handler result")
			var pe *websocket.ProtocolError
			if r.last.Type != websocket.MessageError || !errors.As(r.last.Err, &pe) || r.code != websocket.CloseProtocolError {
				t.Fatalf("got %v %v code %d", r.last.Type, r.last.Err, r.code)
			}
		})
	}
}

func TestWebSocketGracefulShutdown(t *testing.T) {
	app := newApp()
	prepared := make(chan struct{})
	done := make(chan wsResult, 1)
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		close(prepared)
		var last websocket.Message
		for last = sock.Receive(context.Background()); last.Type != websocket.MessageClosed; last = sock.Receive(context.Background()) {
		}
		done <- wsResult{last: last, code: sock.CloseCode()}
		return ws, nil
	})
	srv := startApp(t, app, web.ServerOptions{})
	c := wsDial(t, srv.addr, "/ws", false)
	recv(t, prepared, "prepared")
	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	c.expectClose(t, websocket.CloseGoingAway)
	c.conn.Close(websocket.CloseGoingAway, "")
	if err := recv(t, stopped, "shutdown"); err != nil {
		t.Fatal(err)
	}
	if r := recv(t, done, "handler result"); r.code != websocket.CloseGoingAway {
		t.Fatalf("close code %d", r.code)
	}
}

func TestWebSocketConcurrentSenders(t *testing.T) {
	const senders, each = 8, 100
	app := newApp()
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		var wg sync.WaitGroup
		for g := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					sock.SendStr(context.Background(), fmt.Sprintf("%d:%d:%s", g, i, strings.Repeat("z", 5000)))
				}
			}()
		}
		wg.Wait()
		sock.Close(context.Background(), websocket.CloseOK, "")
		return ws, nil
	})
	srv := startApp(t, app, web.ServerOptions{})
	c := wsDial(t, srv.addr, "/ws", true)
	next := make([]int, senders)
	for range senders * each {
		_, got, err := c.read(t)
		if err != nil {
			t.Fatal(err)
		}
		var g, i int
		if _, err := fmt.Sscanf(got, "%d:%d:", &g, &i); err != nil || next[g] != i || !strings.HasSuffix(got, ":"+strings.Repeat("z", 5000)) {
			t.Fatalf("message %.30q out of order or mangled (want %d)", got, next[g])
		}
		next[g]++
	}
	c.expectClose(t, websocket.CloseOK)
	c.conn.Close(websocket.CloseOK, "")
}

func TestWebSocketUnderNetHTTP(t *testing.T) {
	app := newApp()
	app.Router.Get("/ws", wsEcho(web.WebSocketOptions{}))
	ts := httptest.NewServer(app)
	defer ts.Close()
	c := wsDial(t, ts.Listener.Addr().String(), "/ws", true)
	c.write(t, websocket.MessageText, "bridged")
	if _, got, err := c.read(t); got != "bridged" || err != nil {
		t.Fatalf("%q %v", got, err)
	}
	c.write(t, websocket.MessageText, "close")
	c.expectClose(t, websocket.CloseOK)
	c.conn.Close(websocket.CloseOK, "")
}

func TestWebSocketNotPrepared(t *testing.T) {
	ws := web.NewWebSocketResponse(web.WebSocketOptions{})
	if ws.Status() != 101 || ws.Prepared() || ws.Socket() != nil {
		t.Fatal("state before Prepare")
	}
}

func TestWebSocketMaxMessageSize(t *testing.T) {
	app := newApp()
	app.Router.Get("/ws", wsEcho(web.WebSocketOptions{Options: websocket.Options{MaxMessageSize: 1000}}))
	srv := startApp(t, app, web.ServerOptions{})
	c := wsDial(t, srv.addr, "/ws", false)
	c.write(t, websocket.MessageText, strings.Repeat("x", 1000))
	if _, got, err := c.read(t); len(got) != 1000 || err != nil {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
	c.write(t, websocket.MessageText, strings.Repeat("x", 1001))
	c.expectClose(t, websocket.CloseMessageTooBig)
}

func TestWebSocketFinishClosesOpenSocket(t *testing.T) {
	app := newApp()
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{Options: websocket.Options{CloseTimeout: time.Second}})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		sock.SendStr(context.Background(), "bye")
		return ws, nil // still open: returning it closes it with 1000
	})
	srv := startApp(t, app, web.ServerOptions{})
	c := wsDial(t, srv.addr, "/ws", false)
	if _, got, err := c.read(t); got != "bye" || err != nil {
		t.Fatalf("%q %v", got, err)
	}
	c.expectClose(t, websocket.CloseOK)
	c.conn.Close(websocket.CloseOK, "")
}

// wsHandler prepares a WebSocket with the default options, runs talk over
// it and returns the response.
func wsHandler(talk func(ctx context.Context, sock *websocket.Socket)) web.Handler {
	return func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		talk(req.Context(), sock)
		return ws, nil
	}
}

// wsCloseCodes is an echo handler that reports the close code of each
// socket it served once the socket is closed.
func wsCloseCodes(codes chan<- websocket.StatusCode) web.Handler {
	return wsHandler(func(ctx context.Context, sock *websocket.Socket) {
		for msg := range sock.Messages(ctx) {
			sock.SendStr(ctx, msg.Text())
		}
		for sock.Receive(ctx).Type != websocket.MessageClosed {
		}
		codes <- sock.CloseCode()
	})
}

// echoOnce checks that the socket is open: a message comes back.
func (c *wsClient) echoOnce(t *testing.T, text string) {
	t.Helper()
	c.write(t, websocket.MessageText, text)
	if _, got, err := c.read(t); got != text || err != nil {
		t.Fatalf("echo of %q: %q %v", text, got, err)
	}
}

// expectShutdownClose reads the server's 1001 close frame, answers it and
// waits for the connection to end.
func (c *wsClient) expectShutdownClose(t *testing.T) {
	t.Helper()
	_, _, err := c.read(t)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway || ce.Reason != "server shutdown" {
		t.Fatalf("want close 1001 \"server shutdown\", got %v", err)
	}
	if err := c.conn.Close(websocket.CloseGoingAway, ""); err != nil {
		t.Fatal(err)
	}
}

// checkShutdownPerServer serves app on two servers that serve starts,
// opens a WebSocket on each, and checks that shutting each server down
// closes its own socket with 1001 Going Away and leaves the other's open.
func checkShutdownPerServer(t *testing.T, serve func(app *web.Application, ln net.Listener) (shutdown func() error)) {
	app := newApp()
	codes := make(chan websocket.StatusCode, 2)
	app.Router.Get("/ws", wsCloseCodes(codes))
	var shutdown [2]func() error
	var clients [2]*wsClient
	for i := range shutdown {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		shutdown[i] = serve(app, ln)
		clients[i] = wsDial(t, ln.Addr().String(), "/ws", false)
		clients[i].echoOnce(t, "open")
	}
	stopped := make(chan error, 1)
	for i, c := range clients {
		if i > 0 {
			c.echoOnce(t, "still open")
		}
		go func() { stopped <- shutdown[i]() }()
		c.expectShutdownClose(t)
		if err := recv(t, stopped, "shutdown"); err != nil {
			t.Fatal(err)
		}
		if code := recv(t, codes, "close code"); code != websocket.CloseGoingAway {
			t.Fatalf("close code %d, want 1001", code)
		}
	}
}

// TestWebSocketShutdownClosesItsServersSockets: the open WebSockets belong
// to the Server serving them: its graceful shutdown closes them with 1001
// and leaves those of another server of the same application open.
func TestWebSocketShutdownClosesItsServersSockets(t *testing.T) {
	checkShutdownPerServer(t, func(app *web.Application, ln net.Listener) func() error {
		srv := web.NewServer(app, web.ServerOptions{})
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		shutdown := sync.OnceValue(func() error { return srv.Shutdown(context.Background()) })
		t.Cleanup(func() {
			shutdown()
			if err := <-served; err != nil {
				t.Error(err)
			}
		})
		return shutdown
	})
}

// TestWebSocketShutdownUnderNetHTTP: the Shutdown of a net/http server
// serving the application closes the WebSockets it serves with 1001, and
// only those: another net/http server of the same application keeps its
// own open until it shuts down too.
func TestWebSocketShutdownUnderNetHTTP(t *testing.T) {
	checkShutdownPerServer(t, func(app *web.Application, ln net.Listener) func() error {
		srv := &http.Server{Handler: app}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		t.Cleanup(func() {
			srv.Close()
			if err := <-served; !errors.Is(err, http.ErrServerClosed) {
				t.Error(err)
			}
		})
		return func() error { return srv.Shutdown(context.Background()) }
	})
}

// TestWebSocketPrepareTwice: a second Prepare returns the same socket.
func TestWebSocketPrepareTwice(t *testing.T) {
	app := newApp()
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		first, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		second, err := ws.Prepare(req)
		if err != nil || second != first || ws.Socket() != first {
			return nil, fmt.Errorf("second Prepare: %p %v, first %p", second, err, first)
		}
		first.SendStr(req.Context(), "same")
		return ws, nil
	})
	srv := startApp(t, app, web.ServerOptions{})
	c := wsDial(t, srv.addr, "/ws", false)
	if _, got, err := c.read(t); got != "same" || err != nil {
		t.Fatalf("%q %v", got, err)
	}
	c.expectClose(t, websocket.CloseOK)
}

// TestWebSocketInvalidOptions: options out of range fail Prepare with an
// OptionsError before anything is sent, and CanPrepare says no.
func TestWebSocketInvalidOptions(t *testing.T) {
	app := newApp()
	opts := web.WebSocketOptions{Options: websocket.Options{Compression: websocket.CompressionOptions{ServerMaxWindowBits: 7}}}
	failed := make(chan error, 1)
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(opts)
		if ok, _ := ws.CanPrepare(req); ok {
			return nil, errors.New("CanPrepare accepted invalid options")
		}
		_, err := ws.Prepare(req)
		failed <- err
		return nil, err
	})
	srv := startApp(t, app, web.ServerOptions{})
	_, _, resp := wsHandshake(t, srv.addr, "/ws")
	if resp.StatusCode != 500 {
		t.Fatalf("status %d, want 500", resp.StatusCode)
	}
	var oe *websocket.OptionsError
	if err := recv(t, failed, "Prepare error"); !errors.As(err, &oe) || oe.Field != "Compression.ServerMaxWindowBits" {
		t.Fatalf("Prepare: %v", err)
	}
}

// TestWebSocketLeavesServerWhenReturned: a socket whose handler returned it
// leaves the server's open sockets before it is closed.
func TestWebSocketLeavesServerWhenReturned(t *testing.T) {
	app := newApp()
	app.Router.Get("/ws", wsHandler(func(ctx context.Context, sock *websocket.Socket) {
		text, _ := sock.ReceiveText(ctx)
		sock.SendStr(ctx, text)
		sock.ReceiveText(ctx)
	}))
	srv := startApp(t, app, web.ServerOptions{})
	server := srv.runner.Server()
	c := wsDial(t, srv.addr, "/ws", false)
	c.echoOnce(t, "prepared")
	if n := web.OpenWebSockets(server); n != 1 {
		t.Fatalf("%d open sockets while the handler runs, want 1", n)
	}
	c.write(t, websocket.MessageText, "done")
	c.expectClose(t, websocket.CloseOK)
	if n := web.OpenWebSockets(server); n != 0 {
		t.Fatalf("%d open sockets after the handler returned, want 0", n)
	}
	c.conn.Close(websocket.CloseOK, "")
}

// TestWebSocketOnACloneClosesOnShutdown: a WebSocket opened through a
// Request.Clone belongs to the server of the request it was cloned from,
// whose graceful shutdown closes it with 1001.
func TestWebSocketOnACloneClosesOnShutdown(t *testing.T) {
	app := newApp()
	codes := make(chan websocket.StatusCode, 1)
	echo := wsCloseCodes(codes)
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		clone, err := req.Clone(web.CloneOptions{})
		if err != nil {
			return nil, err
		}
		return echo(clone)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(app, web.ServerOptions{})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	c := wsDial(t, ln.Addr().String(), "/ws", false)
	c.echoOnce(t, "open")
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(context.Background()) }()
	c.expectShutdownClose(t)
	if err := recv(t, stopped, "shutdown"); err != nil {
		t.Fatal(err)
	}
	if code := recv(t, codes, "close code"); code != websocket.CloseGoingAway {
		t.Fatalf("close code %d, want 1001", code)
	}
	if err := recv(t, served, "serve"); err != nil {
		t.Fatal(err)
	}
}

// TestWebSocketOnMessage: a handler hands the socket to OnMessage and
// returns; the socket stays open and echoes from its callback (with and
// without compression), closes from it, and the callback's last message is
// MessageClosed.
func TestWebSocketOnMessage(t *testing.T) {
	app := newApp()
	last := make(chan websocket.Message, 2)
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		ctx := context.Background()
		err = sock.OnMessage(func(msg websocket.Message) {
			switch msg.Type {
			case websocket.MessageText:
				if msg.Text() == "close" {
					sock.Close(ctx, websocket.CloseOK, "bye")
					return
				}
				sock.SendStr(ctx, msg.Text())
			case websocket.MessageBinary:
				sock.SendBytes(ctx, msg.Data)
			case websocket.MessageClosed:
				last <- msg
			}
		})
		return ws, err
	})
	srv := startApp(t, app, web.ServerOptions{})
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprint("compress=", compress), func(t *testing.T) {
			c := wsDial(t, srv.addr, "/ws", compress)
			big := strings.Repeat("abcdefgh", 20000)
			for _, data := range []string{"hello", big, "again"} {
				for _, typ := range []websocket.MessageType{websocket.MessageText, websocket.MessageBinary} {
					c.write(t, typ, data)
					gotType, got, err := c.read(t)
					if err != nil || gotType != typ || got != data {
						t.Fatalf("echo of %v %.20q: %v %.20q %v", typ, data, gotType, got, err)
					}
				}
			}
			c.write(t, websocket.MessageText, "close")
			c.expectClose(t, websocket.CloseOK)
			c.conn.Close(websocket.CloseOK, "")
			if m := recv(t, last, "MessageClosed"); m.Code != websocket.CloseOK {
				t.Fatalf("last message %+v", m)
			}
		})
	}
}

// TestWebSocketOnMessageShutdown: a graceful shutdown closes a socket
// served by OnMessage with 1001 Going Away, though its handler returned.
func TestWebSocketOnMessageShutdown(t *testing.T) {
	app := newApp()
	last := make(chan websocket.Message, 1)
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		return ws, sock.OnMessage(func(msg websocket.Message) {
			if msg.Type == websocket.MessageClosed {
				last <- msg
			}
		})
	})
	srv := startApp(t, app, web.ServerOptions{})
	c := wsDial(t, srv.addr, "/ws", false)
	c.write(t, websocket.MessageText, "hello") // the handler has returned once this is read
	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	c.expectClose(t, websocket.CloseGoingAway)
	c.conn.Close(websocket.CloseGoingAway, "")
	if err := recv(t, stopped, "shutdown"); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, last, "MessageClosed"); m.Code != websocket.CloseGoingAway {
		t.Fatalf("last message %+v", m)
	}
}
