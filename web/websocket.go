package web

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// WebSocketOptions configure a [WebSocketResponse] (aiohttp's
// WebSocketResponse arguments): the [websocket.Options] the server shares
// with the client, and the server's own. The zero value gives aiohttp's
// defaults: compression accepted, 4 MiB messages, autoclose and autoping
// on, no heartbeat, a 10-second close timeout, a 30-second write timeout.
type WebSocketOptions struct {
	websocket.Options
	// CheckOrigin, when set, vets the Origin header ("" when absent); a
	// handshake it refuses is answered with 403 Forbidden.
	CheckOrigin func(origin string) bool
}

// WebSocketResponse is the server side of a WebSocket (aiohttp's
// web.WebSocketResponse). Create it, call Prepare with the request, talk
// over the [websocket.Socket] Prepare returns, and return the response from
// the handler, which closes the socket if it is still open:
//
//	func echo(req *web.Request) (web.Response, error) {
//		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
//		sock, err := ws.Prepare(req)
//		if err != nil {
//			return nil, err // a bad handshake: 400 and the like
//		}
//		ctx := req.Context()
//		for msg := range sock.Messages(ctx) {
//			if msg.Type == websocket.MessageText {
//				sock.SendStr(ctx, msg.Text())
//			}
//		}
//		return ws, nil
//	}
//
// Any number of goroutines may send at once; one receives at a time. A
// graceful [Server.Shutdown] closes every open WebSocket with 1001 Going
// Away, and so does the Shutdown of a net/http server serving the
// application (see [Application.ServeHTTP]).
type WebSocketResponse struct {
	opts   WebSocketOptions
	header multidict.CIMultiDict
	sock   *websocket.Socket
	open   *openSockets // the set sock is registered in, nil for none
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
	if err := ws.opts.Validate(); err != nil {
		return hs, err
	}
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
	if ws.opts.Compress != websocket.CompressOff {
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
// Switching Protocols, and returns the socket to talk over. A request that
// is no valid handshake gets an *[HTTPError] (405, 400 or 403, with
// aiohttp's texts) for the handler to return, and options out of range a
// *[websocket.OptionsError]. Calling it again returns the same socket.
func (ws *WebSocketResponse) Prepare(req *Request) (*websocket.Socket, error) {
	if ws.sock != nil {
		return ws.sock, nil
	}
	hs, err := ws.check(req)
	if err != nil {
		return nil, err
	}
	if err := req.runPrepareHooks(ws); err != nil {
		return nil, err
	}
	nc, br, err := req.Hijack()
	if err != nil {
		return nil, err
	}
	var fields multidict.CIMultiDict
	fields.Add("Upgrade", "websocket")
	fields.Add("Sec-WebSocket-Accept", hs.accept)
	if hs.protocol != "" {
		fields.Add("Sec-WebSocket-Protocol", hs.protocol)
	}
	if hs.extensions != "" {
		fields.Add("Sec-WebSocket-Extensions", hs.extensions)
	}
	for _, it := range ws.header.Items() {
		if !ownHandshakeField(it.Key) {
			fields.Add(it.Key, it.Value)
		}
	}
	h := responseHead{status: 101, header: &fields, length: -1}
	head := appendHead(make([]byte, 0, 256), req, &h)
	_ = nc.SetWriteDeadline(time.Now().Add(handshakeWriteTimeout))
	_, err = nc.Write(head)
	_ = nc.SetWriteDeadline(time.Time{})
	if err != nil {
		nc.Close()
		return nil, err
	}
	if c, ok := req.out.(*serverConn); ok {
		// Our own connection: the WebSocket reads the socket itself,
		// without the HTTP reader's buffer in between.
		br = bytes.NewReader(c.takeBuffered())
	}
	conn := websocket.NewConn(nc, br, websocket.Server,
		websocket.Handshake{Protocol: hs.protocol, Compression: hs.params}, ws.opts.Options)
	ws.sock = websocket.NewSocket(conn, ws.opts.Options)
	if open := req.openSockets(); open != nil {
		if open.add(openSocket{ws.sock}) {
			ws.open = open
		} else {
			// The server is shutting down: say so at once.
			_ = ws.sock.Close(context.Background(), websocket.CloseGoingAway, shutdownReason)
		}
	}
	return ws.sock, nil
}

// handshakeWriteTimeout bounds the write of the 101 response.
const handshakeWriteTimeout = 10 * time.Second

// ownHandshakeField reports the fields Prepare sets itself; the head's
// other rules are those of every response (see [appendHead]).
func ownHandshakeField(name string) bool {
	for _, f := range [...]string{"Upgrade", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"} {
		if multidict.EqualFold(name, f) {
			return true
		}
	}
	return false
}

// finish closes the socket when the handler returned it still open (code
// 1000, as aiohttp's write_eof does), after taking it out of the server's
// open sockets: a shutdown has nothing left to do for it. A socket handed
// to OnMessage stays open, and in the set until it closes.
func (ws *WebSocketResponse) finish(req *Request) error {
	if ws.sock == nil {
		return errorResponse(req, ErrNotPrepared).finish(req)
	}
	if ws.sock.EventDriven() {
		return nil
	}
	ws.open.remove(openSocket{ws.sock})
	return ws.sock.Close(context.Background(), websocket.CloseOK, "")
}

// Socket returns the socket Prepare returned, nil before Prepare: for a
// middleware to read its close code once the handler returned, say.
func (ws *WebSocketResponse) Socket() *websocket.Socket { return ws.sock }

// takeBuffered returns the bytes a hijacked connection read past the
// request head (the HTTP reader's and the background read's) and gives the
// HTTP reader's buffer back.
func (c *serverConn) takeBuffered() []byte {
	p := c.r.Unread()
	c.r.Release()
	c.bgMu.Lock()
	defer c.bgMu.Unlock()
	if c.bgHas {
		c.bgHas = false
		p = append(p, c.bgByte[0])
	}
	return p
}
