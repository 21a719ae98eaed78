package web

import (
	"context"
	"github.com/aiohttp-go/aiohttp/internal/field"
	"iter"
	"strings"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// WebSocketOptions configure a [WebSocketResponse] (aiohttp's
// WebSocketResponse arguments). The zero value gives aiohttp's defaults:
// compression accepted, 4 MiB messages, autoclose and autoping on, no
// heartbeat, a 10-second close timeout.
type WebSocketOptions struct {
	// Protocols are the subprotocols the server speaks, in no particular
	// order: the first one the client offers that is listed here is
	// selected.
	Protocols []string
	// NoCompress refuses permessage-deflate (aiohttp's compress=False).
	NoCompress bool
	// Compression adds the server's own terms to permessage-deflate.
	Compression websocket.CompressionOptions
	// MaxMsgSize limits received messages: zero means 4 MiB, a negative
	// value no limit. A larger message closes the socket with 1009.
	MaxMsgSize int64
	// Heartbeat, when positive, pings the client after this long without
	// a message from it and drops the connection (close code 1006) when
	// nothing comes back within half of it.
	Heartbeat time.Duration
	// ReceiveTimeout, when positive, bounds each Receive.
	ReceiveTimeout time.Duration
	// CloseTimeout bounds how long Close waits for the client's close
	// frame; zero means 10 seconds.
	CloseTimeout time.Duration
	// NoAutoclose and NoAutoping turn aiohttp's autoclose and autoping off;
	// see [websocket.SocketOptions].
	NoAutoclose, NoAutoping bool
	// CheckOrigin, when set, vets the Origin header ("" when absent); a
	// handshake it refuses is answered with 403 Forbidden.
	CheckOrigin func(origin string) bool
}

// WebSocketResponse is the server side of a WebSocket (aiohttp's
// web.WebSocketResponse). Create it, call Prepare with the request, talk
// over it, and return it from the handler, which closes it if it is still
// open:
//
//	func echo(req *web.Request) (web.Response, error) {
//		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
//		if err := ws.Prepare(req); err != nil {
//			return nil, err // a bad handshake: 400 and the like
//		}
//		ctx := req.Context()
//		for msg := range ws.Messages(ctx) {
//			if msg.Type == websocket.MsgText {
//				ws.SendStr(ctx, msg.Text())
//			}
//		}
//		return ws, nil
//	}
//
// The messaging methods are those of [websocket.Socket]; called before
// Prepare they fail with [ErrNotPrepared]. Any number of goroutines may
// send at once; one receives at a time. A graceful [Server.Shutdown] closes
// every open WebSocket with 1001 Going Away.
type WebSocketResponse struct {
	opts   WebSocketOptions
	header multidict.CIMultiDict
	sock   *websocket.Socket
	srv    *Server // while registered for shutdown, guarded by openSockets.mu
}

// NewWebSocketResponse returns a WebSocketResponse to be prepared.
func NewWebSocketResponse(opts WebSocketOptions) *WebSocketResponse {
	return &WebSocketResponse{opts: opts}
}

// Status returns 101 Switching Protocols.
func (ws *WebSocketResponse) Status() int { return 101 }

// Header returns extra fields for the 101 response; changes after Prepare
// are not sent.
func (ws *WebSocketResponse) Header() *multidict.CIMultiDict { return &ws.header }

// Prepared reports whether the handshake is done.
func (ws *WebSocketResponse) Prepared() bool { return ws.sock != nil }

// handshake is the outcome of checking a WebSocket opening request.
type handshake struct {
	accept     string
	protocol   string
	extensions string
	params     *websocket.CompressionParams
}

// check validates req as an opening handshake without side effects, with
// aiohttp's error texts.
func (ws *WebSocketResponse) check(req *Request) (handshake, error) {
	var hs handshake
	if req.Method() != "GET" {
		return hs, HTTPMethodNotAllowed(req.Method(), []string{"GET"})
	}
	h := req.Header()
	upgrade := h.Get("Upgrade")
	if !strings.EqualFold(strings.TrimSpace(upgrade), "websocket") {
		return hs, HTTPBadRequest().WithText("No WebSocket UPGRADE hdr: " + upgrade +
			"\n Can \"Upgrade\" only to \"WebSocket\".")
	}
	connection := strings.Join(h.GetAll("Connection"), ", ")
	if !strings.Contains(strings.ToLower(connection), "upgrade") {
		return hs, HTTPBadRequest().WithText("No CONNECTION upgrade hdr: " + connection)
	}
	switch version := h.Get("Sec-WebSocket-Version"); version {
	case "13", "8", "7":
	default:
		return hs, HTTPBadRequest().WithText("Unsupported version: " + version)
	}
	key := h.Get("Sec-WebSocket-Key")
	if !websocket.ValidKey(key) {
		return hs, HTTPBadRequest().WithText("Handshake error: '" + key + "'")
	}
	if ws.opts.CheckOrigin != nil && !ws.opts.CheckOrigin(h.Get("Origin")) {
		return hs, HTTPForbidden().WithText("Origin not allowed")
	}
	hs.accept = websocket.AcceptKey(key)
	if len(ws.opts.Protocols) > 0 {
		hs.protocol = websocket.SelectProtocol(h.GetAll("Sec-WebSocket-Protocol"), ws.opts.Protocols)
	}
	if !ws.opts.NoCompress {
		if offer := strings.Join(h.GetAll("Sec-WebSocket-Extensions"), ", "); offer != "" {
			if resp, params, ok := websocket.NegotiateServer(offer, ws.opts.Compression); ok {
				hs.extensions, hs.params = resp, params
			}
		}
	}
	return hs, nil
}

// CanPrepare reports whether req is a WebSocket opening handshake this
// response would accept, and the subprotocol it would select (aiohttp's
// can_prepare). It changes nothing.
func (ws *WebSocketResponse) CanPrepare(req *Request) (ok bool, protocol string) {
	hs, err := ws.check(req)
	if err != nil {
		return false, ""
	}
	return true, hs.protocol
}

// Prepare performs the opening handshake: it checks the request, runs the
// OnResponsePrepare handlers, takes the connection over and sends 101
// Switching Protocols. A request that is no valid handshake gets an
// *[HTTPError] (405, 400 or 403, with aiohttp's texts) for the handler to
// return. Calling it again does nothing.
func (ws *WebSocketResponse) Prepare(req *Request) error {
	if ws.sock != nil {
		return nil
	}
	hs, err := ws.check(req)
	if err != nil {
		return err
	}
	if err := req.runPrepareHooks(ws); err != nil {
		return err
	}
	nc, br, err := req.Hijack()
	if err != nil {
		return err
	}
	head := make([]byte, 0, 256)
	head = append(head, "HTTP/1.1 101 Switching Protocols\r\n"...)
	head = append(head, serverLine...)
	head = http1.AppendDate(head)
	head = append(head, "Upgrade: websocket\r\nConnection: upgrade\r\n"...)
	head = http1.AppendField(head, "Sec-WebSocket-Accept", hs.accept)
	if hs.protocol != "" {
		head = http1.AppendField(head, "Sec-WebSocket-Protocol", hs.protocol)
	}
	if hs.extensions != "" {
		head = http1.AppendField(head, "Sec-WebSocket-Extensions", hs.extensions)
	}
	for _, it := range ws.header.Items() {
		if ownHandshakeField(it.Key) || !field.IsToken(it.Key) || !http1.ValidFieldValue(it.Value) {
			continue
		}
		head = http1.AppendField(head, it.Key, it.Value)
	}
	head = append(head, '\r', '\n')
	_ = nc.SetWriteDeadline(time.Now().Add(handshakeWriteTimeout))
	_, err = nc.Write(head)
	_ = nc.SetWriteDeadline(time.Time{})
	if err != nil {
		nc.Close()
		return err
	}
	conn := websocket.NewConn(nc, br, websocket.Server, websocket.Options{
		MaxMessageSize: ws.opts.MaxMsgSize,
		Compression:    hs.params,
		CloseTimeout:   ws.opts.CloseTimeout,
	})
	ws.sock = websocket.NewSocket(conn, websocket.SocketOptions{
		NoAutoclose:    ws.opts.NoAutoclose,
		NoAutoping:     ws.opts.NoAutoping,
		Heartbeat:      ws.opts.Heartbeat,
		ReceiveTimeout: ws.opts.ReceiveTimeout,
		CloseTimeout:   ws.opts.CloseTimeout,
		Protocol:       hs.protocol,
	})
	if sc, ok := req.out.(*serverConn); ok {
		if !ws.register(sc.srv) {
			// The server is shutting down: say so at once.
			_ = ws.sock.Close(context.Background(), websocket.CloseGoingAway, "")
		}
	}
	return nil
}

// handshakeWriteTimeout bounds the write of the 101 response.
const handshakeWriteTimeout = 10 * time.Second

// ownHandshakeField reports the fields Prepare sets itself.
func ownHandshakeField(name string) bool {
	for _, f := range [...]string{"Upgrade", "Connection", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol",
		"Sec-WebSocket-Extensions", "Content-Length", "Transfer-Encoding", "Server", "Date"} {
		if multidict.EqualFold(name, f) {
			return true
		}
	}
	return false
}

// finish closes the socket when the handler returned it still open (code
// 1000, as aiohttp's write_eof does).
func (ws *WebSocketResponse) finish(req *Request) error {
	if ws.sock == nil {
		return errorResponse(req, ErrNotPrepared).finish(req)
	}
	return ws.Close(context.Background(), websocket.CloseOK, "")
}

// errNotPreparedMsg is what Receive returns before Prepare.
var errNotPreparedMsg = websocket.Message{Type: websocket.MsgError, Err: ErrNotPrepared}

// Socket returns the message-level socket, nil before Prepare.
func (ws *WebSocketResponse) Socket() *websocket.Socket { return ws.sock }

// Receive returns the next message; see [websocket.Socket.Receive].
func (ws *WebSocketResponse) Receive(ctx context.Context) websocket.Message {
	if ws.sock == nil {
		return errNotPreparedMsg
	}
	return ws.sock.Receive(ctx)
}

// ReceiveText receives a text message (aiohttp's receive_str).
func (ws *WebSocketResponse) ReceiveText(ctx context.Context) (string, error) {
	if ws.sock == nil {
		return "", ErrNotPrepared
	}
	return ws.sock.ReceiveText(ctx)
}

// ReceiveBytes receives a binary message.
func (ws *WebSocketResponse) ReceiveBytes(ctx context.Context) ([]byte, error) {
	if ws.sock == nil {
		return nil, ErrNotPrepared
	}
	return ws.sock.ReceiveBytes(ctx)
}

// ReceiveJSON receives a text message and decodes it as JSON into v.
func (ws *WebSocketResponse) ReceiveJSON(ctx context.Context, v any) error {
	if ws.sock == nil {
		return ErrNotPrepared
	}
	return ws.sock.ReceiveJSON(ctx, v)
}

// Messages iterates over the received messages (aiohttp's async for); see
// [websocket.Socket.Messages].
func (ws *WebSocketResponse) Messages(ctx context.Context) iter.Seq[websocket.Message] {
	if ws.sock == nil {
		return func(yield func(websocket.Message) bool) { yield(errNotPreparedMsg) }
	}
	return ws.sock.Messages(ctx)
}

// SendStr sends a text message.
func (ws *WebSocketResponse) SendStr(ctx context.Context, text string) error {
	if ws.sock == nil {
		return ErrNotPrepared
	}
	return ws.sock.SendStr(ctx, text)
}

// SendBytes sends a binary message.
func (ws *WebSocketResponse) SendBytes(ctx context.Context, data []byte) error {
	if ws.sock == nil {
		return ErrNotPrepared
	}
	return ws.sock.SendBytes(ctx, data)
}

// SendJSON sends v as JSON in a text message.
func (ws *WebSocketResponse) SendJSON(ctx context.Context, v any) error {
	if ws.sock == nil {
		return ErrNotPrepared
	}
	return ws.sock.SendJSON(ctx, v)
}

// SendFrame sends data as a message of type typ (text, binary, ping or
// pong).
func (ws *WebSocketResponse) SendFrame(ctx context.Context, data []byte, typ websocket.MessageType) error {
	if ws.sock == nil {
		return ErrNotPrepared
	}
	return ws.sock.SendFrame(ctx, data, typ)
}

// Ping sends a ping.
func (ws *WebSocketResponse) Ping(ctx context.Context, data []byte) error {
	if ws.sock == nil {
		return ErrNotPrepared
	}
	return ws.sock.Ping(ctx, data)
}

// Pong sends an unsolicited pong.
func (ws *WebSocketResponse) Pong(ctx context.Context, data []byte) error {
	if ws.sock == nil {
		return ErrNotPrepared
	}
	return ws.sock.Pong(ctx, data)
}

// Close performs the closing handshake with code and message; see
// [websocket.Socket.Close]. It is idempotent.
func (ws *WebSocketResponse) Close(ctx context.Context, code websocket.StatusCode, message string) error {
	if ws.sock == nil {
		return ErrNotPrepared
	}
	err := ws.sock.Close(ctx, code, message)
	ws.unregister()
	return err
}

// Closed reports whether the socket is closed (false before Prepare).
func (ws *WebSocketResponse) Closed() bool { return ws.sock != nil && ws.sock.Closed() }

// CloseCode returns the close code, 0 while open.
func (ws *WebSocketResponse) CloseCode() websocket.StatusCode {
	if ws.sock == nil {
		return 0
	}
	return ws.sock.CloseCode()
}

// Exception returns the error that ended the socket, or nil.
func (ws *WebSocketResponse) Exception() error {
	if ws.sock == nil {
		return nil
	}
	return ws.sock.Exception()
}

// Protocol returns the selected subprotocol, or "".
func (ws *WebSocketResponse) Protocol() string {
	if ws.sock == nil {
		return ""
	}
	return ws.sock.Protocol()
}

// Compressed reports whether permessage-deflate was negotiated.
func (ws *WebSocketResponse) Compressed() bool { return ws.sock != nil && ws.sock.Compressed() }

// openSockets holds the open WebSockets of each server, to close them on
// shutdown. A server with none has no entry.
var openSockets struct {
	mu sync.Mutex
	m  map[*Server]map[*WebSocketResponse]struct{}
}

// register adds ws to srv's open WebSockets; it reports false when srv is
// shutting down.
func (ws *WebSocketResponse) register(srv *Server) bool {
	openSockets.mu.Lock()
	defer openSockets.mu.Unlock()
	if srv.closing.Load() {
		return false
	}
	if openSockets.m == nil {
		openSockets.m = make(map[*Server]map[*WebSocketResponse]struct{})
	}
	set := openSockets.m[srv]
	if set == nil {
		set = make(map[*WebSocketResponse]struct{})
		openSockets.m[srv] = set
	}
	set[ws] = struct{}{}
	ws.srv = srv
	return true
}

// unregister drops ws from its server's open WebSockets.
func (ws *WebSocketResponse) unregister() {
	openSockets.mu.Lock()
	defer openSockets.mu.Unlock()
	if ws.srv == nil {
		return
	}
	if set := openSockets.m[ws.srv]; set != nil {
		delete(set, ws)
		if len(set) == 0 {
			delete(openSockets.m, ws.srv)
		}
	}
	ws.srv = nil
}

// closeWebSockets closes the server's open WebSockets with 1001 Going Away,
// all at once, and waits for their closing handshakes (each bounded by its
// close timeout and by ctx). Shutdown calls it after s.closing is set, so
// that no WebSocket registers afterwards.
func (s *Server) closeWebSockets(ctx context.Context) {
	openSockets.mu.Lock()
	set := openSockets.m[s]
	delete(openSockets.m, s)
	open := make([]*WebSocketResponse, 0, len(set))
	for ws := range set {
		ws.srv = nil
		open = append(open, ws)
	}
	openSockets.mu.Unlock()
	var wg sync.WaitGroup
	for _, ws := range open {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = ws.sock.Close(ctx, websocket.CloseGoingAway, "server shutdown")
		}()
	}
	wg.Wait()
}
