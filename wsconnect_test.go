package aiohttp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/internal/plainsock"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
	"go.uber.org/goleak"
)

// wsTestServer is a raw WebSocket server: each connection's opening
// handshake is read with http.ReadRequest and handed to handle, which
// answers it by hand.
type wsTestServer struct {
	url  string // ws://127.0.0.1:port
	mu   sync.Mutex
	reqs []*http.Request
	wg   sync.WaitGroup
}

// requests returns the handshake requests received so far.
func (s *wsTestServer) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

// startWSServer serves ln (a new TCP listener when nil) until the test
// ends, calling handle for each connection's handshake request.
func startWSServer(t *testing.T, ln net.Listener, handle func(nc net.Conn, br *bufio.Reader, req *http.Request)) *wsTestServer {
	t.Helper()
	scheme := "wss"
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		scheme = "ws"
	}
	s := &wsTestServer{url: scheme + "://" + ln.Addr().String()}
	var conns sync.Map
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Store(nc, true)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer nc.Close()
				br := bufio.NewReader(nc)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				s.mu.Lock()
				s.reqs = append(s.reqs, req)
				s.mu.Unlock()
				handle(nc, br, req)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		conns.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
		s.wg.Wait()
	})
	return s
}

// accept101 writes a correct 101 answer to req, with extra fields, and
// then the bytes of after in the same write.
func accept101(nc net.Conn, req *http.Request, extra string, after []byte) error {
	head := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + websocket.AcceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n" + extra + "\r\n"
	_, err := nc.Write(append([]byte(head), after...))
	return err
}

// echoHandler accepts the handshake, negotiating the first offered
// subprotocol of supported and permessage-deflate when offered, and
// echoes every message until the client closes.
func echoHandler(supported ...string) func(net.Conn, *bufio.Reader, *http.Request) {
	return func(nc net.Conn, br *bufio.Reader, req *http.Request) {
		extra := ""
		if p := websocket.SelectProtocol(req.Header.Values("Sec-WebSocket-Protocol"), supported); p != "" {
			extra += "Sec-WebSocket-Protocol: " + p + "\r\n"
		}
		var hs websocket.Handshake
		if offer := req.Header.Get("Sec-WebSocket-Extensions"); offer != "" {
			if resp, params, ok := websocket.NegotiateServer(offer, websocket.CompressionOptions{}); ok {
				extra += "Sec-WebSocket-Extensions: " + resp + "\r\n"
				hs.Compression = params
			}
		}
		if accept101(nc, req, extra, nil) != nil {
			return
		}
		c := websocket.NewConn(nc, br, websocket.Server, hs, websocket.Options{})
		defer c.CloseNow()
		ctx := context.Background()
		for {
			typ, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			if typ == websocket.MessageText && string(p) == "close" {
				c.Close(websocket.CloseGoingAway, "bye")
				return
			}
			if c.WriteMessage(ctx, typ, p) != nil {
				return
			}
		}
	}
}

func closeWS(t *testing.T, ws *aiohttp.ClientWebSocket) {
	t.Helper()
	if err := ws.Close(testCtx(t), websocket.CloseOK, ""); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// wsOK returns a function that fails t on a WSConnect error and returns
// the socket otherwise.
func wsOK(t *testing.T) func(*aiohttp.ClientWebSocket, error) *aiohttp.ClientWebSocket {
	return func(ws *aiohttp.ClientWebSocket, err error) *aiohttp.ClientWebSocket {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return ws
	}
}

// checkEcho sends msg and fails t unless it comes back as text.
func checkEcho(t *testing.T, ctx context.Context, ws *aiohttp.ClientWebSocket, msg string) {
	t.Helper()
	if err := ws.SendStr(ctx, msg); err != nil {
		t.Fatal(err)
	}
	if s, err := ws.ReceiveText(ctx); err != nil || s != msg {
		t.Fatalf("ReceiveText = %q, %v", s, err)
	}
}

func TestWSConnectEcho(t *testing.T) {
	srv := startWSServer(t, nil, echoHandler())
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	ws, err := s.WSConnect(ctx, srv.url+"/echo", aiohttp.WSOptions{Origin: "http://origin.test"},
		aiohttp.Params{"q": "1"}, aiohttp.Headers{"X-Test": "yes"})
	if err != nil {
		t.Fatal(err)
	}
	defer closeWS(t, ws)
	if ws.Response.Status != 101 || ws.Response.Header.Get("Upgrade") != "websocket" {
		t.Errorf("response %d %v", ws.Response.Status, ws.Response.Header)
	}
	req := srv.requests()[0]
	for k, want := range map[string]string{
		"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
		"Origin": "http://origin.test", "X-Test": "yes",
	} {
		if got := req.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if req.Method != "GET" || req.URL.String() != "/echo?q=1" {
		t.Errorf("request %s %s", req.Method, req.URL)
	}
	if !websocket.ValidKey(req.Header.Get("Sec-WebSocket-Key")) {
		t.Errorf("bad key %q", req.Header.Get("Sec-WebSocket-Key"))
	}
	for _, h := range []string{"Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"} {
		if req.Header.Get(h) != "" {
			t.Errorf("%s sent: %q", h, req.Header.Get(h))
		}
	}
	if ws.Protocol() != "" || ws.Compressed() {
		t.Errorf("protocol %q, compressed %v", ws.Protocol(), ws.Compressed())
	}
	// The socket under the connector's wrapper is read directly: no
	// buffer while the peer is silent, parking with OnMessage.
	if nc, ok := plainsock.Unwrap(ws.Conn().NetConn()).(*net.TCPConn); !ok {
		t.Errorf("the WebSocket's plain socket is a %T, want a *net.TCPConn", nc)
	}

	checkEcho(t, ctx, ws, "hello")
	if err := ws.SendBytes(ctx, []byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if b, err := ws.ReceiveBytes(ctx); err != nil || string(b) != "\x00\x01\x02" {
		t.Fatalf("ReceiveBytes = %q, %v", b, err)
	}
	if err := ws.SendJSON(ctx, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	var v map[string]int
	if err := ws.ReceiveJSON(ctx, &v); err != nil || v["a"] != 1 {
		t.Fatalf("ReceiveJSON = %v, %v", v, err)
	}
	if err := ws.Ping(ctx, []byte("p")); err != nil {
		t.Fatal(err)
	}
	if err := ws.SendStr(ctx, "after ping"); err != nil {
		t.Fatal(err)
	}
	if m := ws.Receive(ctx); m.Type != websocket.MessageText || m.Text() != "after ping" {
		t.Fatalf("Receive = %v %q", m.Type, m.Data)
	}
}

func TestWSConnectHTTPSchemeAndMethod(t *testing.T) {
	srv := startWSServer(t, nil, echoHandler())
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	u := "http" + strings.TrimPrefix(srv.url, "ws") + "/x"
	ws := wsOK(t)(s.WSConnect(ctx, u, aiohttp.WSOptions{Method: "post"}))
	defer closeWS(t, ws)
	if m := srv.requests()[0].Method; m != "POST" {
		t.Errorf("method %s", m)
	}
	checkEcho(t, ctx, ws, "x")
}

func TestWSConnectFramesWithHandshake(t *testing.T) {
	// The first frames arrive in the same segment as the 101 head: the
	// client must read them from what the HTTP reader buffered.
	srv := startWSServer(t, nil, func(nc net.Conn, br *bufio.Reader, req *http.Request) {
		frames := []byte{0x81, 5, 'f', 'i', 'r', 's', 't', 0x82, 2, 7, 8}
		if accept101(nc, req, "", frames) != nil {
			return
		}
		c := websocket.NewConn(nc, br, websocket.Server, websocket.Handshake{}, websocket.Options{})
		defer c.CloseNow()
		c.Read(context.Background())
	})
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	ws := wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{}))
	defer closeWS(t, ws)
	if s, err := ws.ReceiveText(ctx); err != nil || s != "first" {
		t.Fatalf("ReceiveText = %q, %v", s, err)
	}
	if b, err := ws.ReceiveBytes(ctx); err != nil || string(b) != "\x07\x08" {
		t.Fatalf("ReceiveBytes = %q, %v", b, err)
	}
}

func TestWSConnectProtocols(t *testing.T) {
	srv := startWSServer(t, nil, echoHandler("v2", "v1"))
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	ws := wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{Options: websocket.Options{Protocols: []string{"v1", "v2"}}}))
	defer closeWS(t, ws)
	if ws.Protocol() != "v1" {
		t.Errorf("Protocol = %q, want v1", ws.Protocol())
	}
	if got := srv.requests()[0].Header.Get("Sec-WebSocket-Protocol"); got != "v1,v2" {
		t.Errorf("offered %q", got)
	}

	// No common protocol: the server sends none, which is accepted.
	ws2, err := s.WSConnect(ctx, srv.url, aiohttp.WSOptions{Options: websocket.Options{Protocols: []string{"v3"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer closeWS(t, ws2)
	if ws2.Protocol() != "" {
		t.Errorf("Protocol = %q, want none", ws2.Protocol())
	}
}

// wantHandshakeError checks err is an ErrWSServerHandshake with status.
func wantHandshakeError(t *testing.T, err error, status int, msg string) *aiohttp.ClientResponseError {
	t.Helper()
	var re *aiohttp.ClientResponseError
	if !errors.As(err, &re) || !errors.Is(err, aiohttp.ErrWSServerHandshake) || !errors.Is(err, aiohttp.ErrClientResponse) {
		t.Fatalf("err = %v, want an ErrWSServerHandshake", err)
	}
	if re.Status != status || !strings.Contains(re.Message, msg) {
		t.Errorf("status %d message %q, want %d %q", re.Status, re.Message, status, msg)
	}
	if re.Header == nil {
		t.Error("no header")
	}
	return re
}

func TestWSConnectHandshakeErrors(t *testing.T) {
	cases := []struct {
		name   string
		answer func(req *http.Request) string
		opts   aiohttp.WSOptions
		status int
		msg    string
	}{
		{"404", func(*http.Request) string {
			return "HTTP/1.1 404 Not Found\r\nX-Why: nope\r\nContent-Length: 9\r\n\r\nnot found"
		}, aiohttp.WSOptions{}, 404, "status"},
		{"200", func(*http.Request) string {
			return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
		}, aiohttp.WSOptions{}, 200, "status"},
		{"bad accept", func(*http.Request) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm9wZQ==\r\n\r\n"
		}, aiohttp.WSOptions{}, 101, "challenge"},
		{"no upgrade", func(req *http.Request) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
				websocket.AcceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n"
		}, aiohttp.WSOptions{}, 101, "upgrade"},
		{"no connection", func(req *http.Request) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: " +
				websocket.AcceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n"
		}, aiohttp.WSOptions{}, 101, "connection"},
		{"protocol not offered", func(req *http.Request) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Protocol: other\r\nSec-WebSocket-Accept: " +
				websocket.AcceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n"
		}, aiohttp.WSOptions{Options: websocket.Options{Protocols: []string{"mine"}}}, 101, "protocol"},
		{"extension not offered", func(req *http.Request) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Accept: " +
				websocket.AcceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n"
		}, aiohttp.WSOptions{}, 101, "extensions"},
		{"bad extension", func(req *http.Request) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Extensions: x-unknown\r\nSec-WebSocket-Accept: " +
				websocket.AcceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n"
		}, aiohttp.WSOptions{Options: websocket.Options{Compress: websocket.CompressOn}}, 101, "compress"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startWSServer(t, nil, func(nc net.Conn, br *bufio.Reader, req *http.Request) {
				nc.Write([]byte(tc.answer(req)))
				br.ReadByte() // until the client hangs up
			})
			conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: 1})
			s := newSession(t, aiohttp.SessionOptions{Connector: conn})
			_, err := s.WSConnect(testCtx(t), srv.url, tc.opts)
			re := wantHandshakeError(t, err, tc.status, tc.msg)
			if tc.status == 404 && re.Header.Get("X-Why") != "nope" {
				t.Errorf("header %v", re.Header)
			}
			// The connection is given up: the only slot is free again.
			ctx, cancel := context.WithTimeout(testCtx(t), 2*time.Second)
			defer cancel()
			if _, err := s.WSConnect(ctx, srv.url, tc.opts); !errors.Is(err, aiohttp.ErrWSServerHandshake) {
				t.Errorf("second attempt: %v", err)
			}
		})
	}
}

func TestWSConnectBadCompressOption(t *testing.T) {
	s := newSession(t, aiohttp.SessionOptions{})
	opts := aiohttp.WSOptions{Options: websocket.Options{Compress: websocket.CompressOn,
		Compression: websocket.CompressionOptions{ServerMaxWindowBits: 3}}}
	_, err := s.WSConnect(testCtx(t), "ws://127.0.0.1:1/", opts)
	var oe *websocket.OptionsError
	if !errors.Is(err, aiohttp.ErrClient) || errors.Is(err, aiohttp.ErrClientConnector) ||
		!errors.As(err, &oe) || oe.Field != "Compression.ServerMaxWindowBits" {
		t.Fatalf("err = %v", err)
	}
}

func TestWSConnectCompression(t *testing.T) {
	srv := startWSServer(t, nil, echoHandler())
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	for _, bits := range []int{0, 10} { // aiohttp's compress=15 and compress=10
		opts := aiohttp.WSOptions{Options: websocket.Options{Compress: websocket.CompressOn,
			Compression: websocket.CompressionOptions{ServerMaxWindowBits: bits}}}
		ws := wsOK(t)(s.WSConnect(ctx, srv.url, opts))
		reqs := srv.requests()
		offer := reqs[len(reqs)-1].Header.Get("Sec-WebSocket-Extensions")
		if !strings.HasPrefix(offer, "permessage-deflate") || (bits == 10) != strings.Contains(offer, "server_max_window_bits=10") {
			t.Errorf("offer %q", offer)
		}
		if !ws.Compressed() {
			t.Errorf("bits %d: not compressed; response %v", bits, ws.Response.Header)
		}
		msg := strings.Repeat("compress me please ", 5000)
		if err := ws.SendStr(ctx, msg); err != nil {
			t.Fatal(err)
		}
		if got, err := ws.ReceiveText(ctx); err != nil || got != msg {
			t.Fatalf("ReceiveText: %d bytes, %v", len(got), err)
		}
		closeWS(t, ws)
	}
}

func TestWSConnectMaxMessageSize(t *testing.T) {
	srv := startWSServer(t, nil, echoHandler())
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	ws := wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{Options: websocket.Options{MaxMessageSize: 10}}))
	defer closeWS(t, ws)
	if err := ws.SendStr(ctx, "more than ten bytes"); err != nil {
		t.Fatal(err)
	}
	m := ws.Receive(ctx)
	if m.Type != websocket.MessageError || ws.CloseCode() != websocket.CloseMessageTooBig {
		t.Fatalf("Receive = %v %v, close code %d", m.Type, m.Err, ws.CloseCode())
	}
}

func TestWSConnectHeartbeat(t *testing.T) {
	// The server reads frames and never answers a ping.
	srv := startWSServer(t, nil, func(nc net.Conn, br *bufio.Reader, req *http.Request) {
		if accept101(nc, req, "", nil) != nil {
			return
		}
		c := websocket.NewConn(nc, br, websocket.Server, websocket.Handshake{}, websocket.Options{})
		defer c.CloseNow()
		for {
			if _, _, err := c.ReadMessage(context.Background()); err != nil {
				return
			}
		}
	})
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	ws := wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{Options: websocket.Options{Heartbeat: 100 * time.Millisecond}}))
	defer closeWS(t, ws)
	start := time.Now()
	m := ws.Receive(ctx)
	if m.Type != websocket.MessageClosed || ws.CloseCode() != websocket.CloseAbnormalClosure {
		t.Fatalf("Receive = %v (code %d), close code %d", m.Type, m.Code, ws.CloseCode())
	}
	if !errors.Is(ws.Err(), websocket.ErrHeartbeatTimeout) {
		t.Errorf("Err = %v", ws.Err())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestWSConnectHeartbeatAnswered(t *testing.T) {
	srv := startWSServer(t, nil, echoHandler())
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	ws := wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{Options: websocket.Options{Heartbeat: 50 * time.Millisecond}}))
	defer closeWS(t, ws)
	// Nothing but pongs arrive for several heartbeats: the socket lives.
	short, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
	defer cancel()
	m := ws.Receive(short)
	if m.Type != websocket.MessageError || !errors.Is(m.Err, context.DeadlineExceeded) {
		t.Fatalf("Receive = %v %v", m.Type, m.Err)
	}
	if ws.Closed() {
		t.Fatalf("closed: %d %v", ws.CloseCode(), ws.Err())
	}
}

func TestWSConnectReceiveTimeout(t *testing.T) {
	srv := startWSServer(t, nil, echoHandler())
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	ws := wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{Options: websocket.Options{ReceiveTimeout: 100 * time.Millisecond}}))
	defer closeWS(t, ws)
	m := ws.Receive(ctx)
	if m.Type != websocket.MessageError || !errors.Is(m.Err, websocket.ErrReceiveTimeout) || ws.Closed() {
		t.Fatalf("Receive = %v %v, closed %v", m.Type, m.Err, ws.Closed())
	}
	checkEcho(t, ctx, ws, "later")
}

func TestWSConnectClose(t *testing.T) {
	got := make(chan websocket.StatusCode, 1)
	srv := startWSServer(t, nil, func(nc net.Conn, br *bufio.Reader, req *http.Request) {
		if accept101(nc, req, "", nil) != nil {
			return
		}
		c := websocket.NewConn(nc, br, websocket.Server, websocket.Handshake{}, websocket.Options{})
		defer c.CloseNow()
		_, _, err := c.Read(context.Background())
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			got <- ce.Code
		}
	})
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	ws := wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{}))
	if err := ws.Close(ctx, 4001, "done"); err != nil {
		t.Fatal(err)
	}
	if c := <-got; c != 4001 {
		t.Errorf("server got %d", c)
	}
	if !ws.Closed() || ws.CloseCode() != 4001 {
		t.Errorf("closed %v code %d", ws.Closed(), ws.CloseCode())
	}
	if m := ws.Receive(ctx); m.Type != websocket.MessageClosed {
		t.Errorf("Receive after close = %v", m.Type)
	}
	if err := ws.SendStr(ctx, "x"); err == nil {
		t.Error("send after close succeeded")
	}
}

func TestWSConnectServerCloses(t *testing.T) {
	srv := startWSServer(t, nil, echoHandler())
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	ws := wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{}))
	defer closeWS(t, ws)
	if err := ws.SendStr(ctx, "close"); err != nil {
		t.Fatal(err)
	}
	m := ws.Receive(ctx)
	if m.Type != websocket.MessageClose || m.Code != websocket.CloseGoingAway || m.Extra != "bye" {
		t.Fatalf("Receive = %v %d %q", m.Type, m.Code, m.Extra)
	}
	if ws.CloseCode() != websocket.CloseGoingAway || !ws.Closed() {
		t.Errorf("close code %d, closed %v", ws.CloseCode(), ws.Closed())
	}
}

func TestWSConnectFreesConnectorSlot(t *testing.T) {
	srv := startWSServer(t, nil, echoHandler())
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: 1})
	s := newSession(t, aiohttp.SessionOptions{Connector: conn})
	ctx := testCtx(t)
	ws := wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{}))
	// The open WebSocket holds the only slot.
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := s.WSConnect(short, srv.url, aiohttp.WSOptions{}); err == nil {
		t.Fatal("a second connection past the limit")
	}
	closeWS(t, ws)
	for i := range 3 {
		ws, err := s.WSConnect(ctx, srv.url, aiohttp.WSOptions{})
		if err != nil {
			t.Fatalf("after close %d: %v", i, err)
		}
		if err := ws.SendStr(ctx, "x"); err != nil {
			t.Fatal(err)
		}
		if _, err := ws.ReceiveText(ctx); err != nil {
			t.Fatal(err)
		}
		closeWS(t, ws)
	}
	// A socket the server drops frees its slot too once closed.
	ws = wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{}))
	ws.SendStr(ctx, "close")
	if m := ws.Receive(ctx); m.Type != websocket.MessageClose {
		t.Fatalf("Receive = %v", m.Type)
	}
	closeWS(t, ws)
	ws, err := s.WSConnect(ctx, srv.url, aiohttp.WSOptions{})
	if err != nil {
		t.Fatalf("after the server closed: %v", err)
	}
	closeWS(t, ws)
}

// TestWSConnectContextBoundsHandshakeOnly: neither the context nor the
// total timeout of the handshake end the connection afterwards. The client
// runs in a synctest bubble, whose fake clock passes the total timeout at
// once; the server runs outside it, on the real network.
func TestWSConnectContextBoundsHandshakeOnly(t *testing.T) {
	srv := startWSServer(t, nil, echoHandler())
	synctest.Test(t, func(t *testing.T) {
		s := newSession(t, aiohttp.SessionOptions{})
		ctx, cancel := context.WithCancel(context.Background())
		ws := wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{}, aiohttp.ClientTimeout{Total: 200 * time.Millisecond}))
		cancel()
		time.Sleep(300 * time.Millisecond) // the fake clock passes the total timeout
		tctx := testCtx(t)
		defer closeWS(t, ws)
		if err := ws.SendStr(tctx, "still here"); err != nil {
			t.Fatal(err)
		}
		if s, err := ws.ReceiveText(tctx); err != nil || s != "still here" {
			t.Fatalf("ReceiveText = %q, %v", s, err)
		}
	})
}

func TestWSConnectTLS(t *testing.T) {
	hs := httptest.NewTLSServer(http.NotFoundHandler())
	cert := hs.TLS.Certificates[0]
	hs.Close()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := startWSServer(t, ln, echoHandler())
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	ws := wsOK(t)(s.WSConnect(ctx, srv.url, aiohttp.WSOptions{}, aiohttp.TLSOptions{InsecureSkipVerify: true}))
	defer closeWS(t, ws)
	if nc := ws.Conn().NetConn(); plainsock.Unwrap(nc) != nc {
		t.Error("a TLS connection passed for a plain socket")
	}
	checkEcho(t, ctx, ws, "secure")
}

func TestWSConnectWebSocketResponse(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
			ws := web.NewWebSocketResponse(web.WebSocketOptions{Options: websocket.Options{Protocols: []string{"p1"}}})
			sock, err := ws.Prepare(req)
			if err != nil {
				return nil, err
			}
			ctx := context.Background()
			for msg := range sock.Messages(ctx) {
				switch {
				case msg.Type == websocket.MessageText && msg.Text() == "close":
					sock.Close(ctx, websocket.CloseOK, "bye")
				case msg.Type == websocket.MessageText:
					sock.SendStr(ctx, sock.Protocol()+":"+msg.Text())
				case msg.Type == websocket.MessageBinary:
					sock.SendBytes(ctx, msg.Data)
				}
			}
			return ws, nil
		})
	})
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/ws"
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	for _, compress := range []websocket.CompressMode{websocket.CompressDefault, websocket.CompressOn} {
		ws := wsOK(t)(s.WSConnect(ctx, wsURL, aiohttp.WSOptions{Options: websocket.Options{Protocols: []string{"p0", "p1"}, Compress: compress}}))
		if ws.Protocol() != "p1" || ws.Compressed() != (compress == websocket.CompressOn) {
			t.Errorf("protocol %q compressed %v", ws.Protocol(), ws.Compressed())
		}
		big := strings.Repeat("web socket ", 10000)
		if err := ws.SendStr(ctx, big); err != nil {
			t.Fatal(err)
		}
		if got, err := ws.ReceiveText(ctx); err != nil || got != "p1:"+big {
			t.Fatalf("ReceiveText: %.20q, %v", got, err)
		}
		if err := ws.SendBytes(ctx, []byte{9, 8}); err != nil {
			t.Fatal(err)
		}
		if b, err := ws.ReceiveBytes(ctx); err != nil || string(b) != "\x09\x08" {
			t.Fatalf("ReceiveBytes = %q, %v", b, err)
		}
		if err := ws.SendStr(ctx, "close"); err != nil {
			t.Fatal(err)
		}
		if m := ws.Receive(ctx); m.Type != websocket.MessageClose || m.Code != websocket.CloseOK || m.Extra != "bye" {
			t.Fatalf("Receive = %v %d %q", m.Type, m.Code, m.Extra)
		}
		closeWS(t, ws)
	}
	_, err := s.WSConnect(ctx, "ws"+strings.TrimPrefix(base, "http")+"/nowhere", aiohttp.WSOptions{})
	wantHandshakeError(t, err, 404, "status")
}

func TestWSConnectNoLeak(t *testing.T) {
	srv := startWSServer(t, nil, echoHandler())
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	for _, o := range []aiohttp.WSOptions{{}, {Options: websocket.Options{Heartbeat: 20 * time.Millisecond, Compress: websocket.CompressOn}}} {
		ws := wsOK(t)(s.WSConnect(ctx, srv.url, o))
		if err := ws.SendStr(ctx, "x"); err != nil {
			t.Fatal(err)
		}
		if _, err := ws.ReceiveText(ctx); err != nil {
			t.Fatal(err)
		}
		closeWS(t, ws)
	}
}

func TestWSConnectThroughHTTPProxy(t *testing.T) {
	// The test server plays the proxy and the WebSocket server at once: a
	// ws:// request reaches it in absolute form, with an http:// target.
	srv := startWSServer(t, nil, echoHandler())
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	proxy := "http" + strings.TrimPrefix(srv.url, "ws")
	ws := wsOK(t)(s.WSConnect(ctx, "ws://ws.example.test/chat", aiohttp.WSOptions{}, aiohttp.Proxy(proxy)))
	defer closeWS(t, ws)
	if uri := srv.requests()[0].RequestURI; uri != "http://ws.example.test/chat" {
		t.Errorf("request target %q", uri)
	}
	checkEcho(t, ctx, ws, "via proxy")
}
