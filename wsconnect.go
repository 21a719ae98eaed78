package aiohttp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/internal/plainsock"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// WSOptions configure [Session.WSConnect] (the arguments of aiohttp's
// ws_connect other than those given as request options): the
// [websocket.Options] the client shares with the server, and the client's
// own. The zero value gives aiohttp's defaults; unlike the server, a client
// offers no compression unless Compress is [websocket.CompressOn].
type WSOptions struct {
	websocket.Options
	// Method is the method of the opening handshake; "" means GET.
	Method string
	// Origin, when set, is sent as the Origin header field.
	Origin string
}

// upgraded is the body of a 101 response to a request asking for an
// upgrade: it has none, and it keeps the exchange whose connection now
// speaks the new protocol, for WSConnect to take over.
type upgraded struct{ ex *exchange }

// Read reports the end of the (empty) body.
func (*upgraded) Read([]byte) (int, error) { return 0, io.EOF }

// takeUpgraded takes the connection of a 101 response over: the Response
// no longer closes it. It returns nil when r does not hold one.
func (r *Response) takeUpgraded() *exchange {
	u, ok := r.raw.(*upgraded)
	if !ok || r.finished || r.state.Load() != bodyIdle {
		return nil
	}
	r.raw, r.rel, r.finished = nil, nil, true
	return u.ex
}

// wsHandshakeError returns the error of a failed opening handshake.
func wsHandshakeError(resp *Response, msg string) *ClientResponseError {
	return &ClientResponseError{
		Kind:    ErrWSServerHandshake,
		Request: resp.Request,
		Status:  resp.Status,
		Message: msg,
		Header:  resp.Header,
		History: resp.History,
	}
}

// wsSetHeader is a request option setting a field, replacing the caller's
// fields of that name.
func wsSetHeader(name, value string) RequestOption {
	return requestOptionFunc(func(c *requestConfig) { c.header.Set(name, value) })
}

// wsHandshake performs the opening handshake of WSConnect and returns the
// connection, in the client role, with the 101 response and the
// subprotocol the server chose.
func (s *Session) wsHandshake(ctx context.Context, rawURL string, opts *WSOptions, reqOpts []RequestOption) (*websocket.Conn, *Response, error) {
	method := opts.Method
	if method == "" {
		method = "GET"
	}
	if err := opts.Validate(); err != nil {
		return nil, nil, &Error{Kind: ErrClient, Method: method, URL: rawURL, Err: err}
	}
	compress := opts.Compress == websocket.CompressOn
	key := websocket.NewKey()
	all := make([]RequestOption, 0, len(reqOpts)+8)
	all = append(all, reqOpts...)
	all = append(all,
		wsSetHeader("Upgrade", "websocket"),
		wsSetHeader("Connection", "Upgrade"),
		wsSetHeader("Sec-WebSocket-Key", key),
		wsSetHeader("Sec-WebSocket-Version", "13"),
	)
	if len(opts.Protocols) > 0 {
		all = append(all, wsSetHeader("Sec-WebSocket-Protocol", strings.Join(opts.Protocols, ",")))
	}
	if opts.Origin != "" {
		all = append(all, wsSetHeader("Origin", opts.Origin))
	}
	if compress {
		all = append(all, wsSetHeader("Sec-WebSocket-Extensions", websocket.ClientOffer(opts.Compression)))
	}
	resp, err := s.Request(ctx, method, rawURL, all...)
	if err != nil {
		return nil, nil, err
	}
	fail := func(msg string) (*websocket.Conn, *Response, error) {
		resp.Close()
		return nil, nil, wsHandshakeError(resp, msg)
	}
	h := resp.Header
	switch {
	case resp.Status != 101:
		return fail("Invalid response status")
	case !strings.EqualFold(strings.TrimSpace(h.Get("Upgrade")), "websocket"):
		return fail("Invalid upgrade header")
	case !field.HasToken(strings.Join(h.GetAll("Connection"), ","), "upgrade"):
		return fail("Invalid connection header")
	case strings.TrimSpace(h.Get("Sec-WebSocket-Accept")) != websocket.AcceptKey(key):
		return fail("Invalid challenge response")
	}
	protocol := ""
	if ps := h.GetAll("Sec-WebSocket-Protocol"); len(ps) > 0 {
		protocol = strings.TrimSpace(strings.Join(ps, ","))
		offered := false
		for _, p := range opts.Protocols {
			offered = offered || p == protocol
		}
		if !offered {
			return fail("Invalid protocol header")
		}
	}
	var params *websocket.CompressionParams
	if ext := strings.Join(h.GetAll("Sec-WebSocket-Extensions"), ", "); strings.TrimSpace(ext) != "" {
		if !compress {
			return fail("Invalid extensions header: none offered")
		}
		if params, err = websocket.AcceptClient(ext, opts.Compression); err != nil {
			return fail("Invalid compress header")
		}
	}
	ex := resp.takeUpgraded()
	if ex == nil {
		return fail("Invalid response: the connection was not upgraded")
	}
	// From here the connection belongs to the WebSocket: the request's
	// context and timeouts no longer apply to it.
	if ex.stop != nil {
		interrupted := !ex.stop()
		ex.stop = nil
		if interrupted {
			ex.release(context.Canceled)
			if cerr := ctx.Err(); cerr != nil {
				return nil, nil, ex.req.error(ctxErrorKind(cerr), cerr)
			}
			return nil, nil, ex.req.error(ErrClientConnection, context.Canceled)
		}
	}
	c := ex.conn
	c.nc.SetDeadline(time.Time{})
	var br io.Reader // the bytes read past the handshake, if any
	if rest := c.r.Unread(); len(rest) > 0 {
		br = bytes.NewReader(rest)
	}
	c.r.Release()
	nc := &wsNetConn{Conn: c.nc, release: func() { ex.release(errUpgradedClosed) }}
	conn := websocket.NewConn(nc, br, websocket.Client,
		websocket.Handshake{Protocol: protocol, Compression: params}, opts.Options)
	return conn, resp, nil
}

// errUpgradedClosed is what an upgraded connection is released with: it
// never goes back to the pool.
var errUpgradedClosed = errors.New("upgraded connection closed")

// wsNetConn is the connection under a client WebSocket: closing it frees
// the connector's slot, once.
type wsNetConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// Close closes the connection and gives the slot back to the connector.
func (c *wsNetConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// PlainSocket returns the connection under c, which c reads and writes
// unchanged: over a plain socket the WebSocket then waits for its peer
// without a buffer, and an idle one served by OnMessage parks, as on the
// server.
func (c *wsNetConn) PlainSocket(plainsock.Token) net.Conn { return c.Conn }

// ClientWebSocket is the client side of a WebSocket connection (aiohttp's
// ClientWebSocketResponse): the [websocket.Socket] methods (Receive,
// ReceiveText, ReceiveBytes, ReceiveJSON, Messages, SendStr, SendBytes,
// SendJSON, SendFrame, Ping, Pong, Close, CloseCode, Err, Protocol)
// and the 101 response of the opening handshake.
//
// Close it when done: closing frees the connector's slot the connection
// holds. The connection never goes back to the pool. Close may be called
// more than once, from any goroutine; see [websocket.Socket.Close].
type ClientWebSocket struct {
	*websocket.Socket
	// Response is the server's 101 Switching Protocols response: status,
	// header fields, URL and the redirects that led to it. It has no body.
	Response *Response
}

// WSConnect opens a WebSocket connection to url (ws, wss, http or https),
// as aiohttp's ws_connect: it sends the opening handshake (a GET unless
// opts.Method says otherwise) with reqOpts for the query parameters,
// header fields, auth, proxy, TLS and timeouts, checks the server's
// answer and returns the connection in the client role, wrapped with
// aiohttp's message semantics (autoclose, autoping, heartbeat, receive
// and close timeouts) as opts set them.
//
// ctx and the request's timeouts bound the handshake only; the
// connection then lives until Close (or until it fails).
//
// A handshake the server refuses or answers wrongly (a status other than
// 101, a missing Upgrade or Connection field, a wrong
// Sec-WebSocket-Accept, a subprotocol or extension not offered) fails
// with a *ClientResponseError of kind ErrWSServerHandshake that carries
// the status and header fields. Other errors are those of
// [Session.Request].
func (s *Session) WSConnect(ctx context.Context, url string, opts WSOptions, reqOpts ...RequestOption) (*ClientWebSocket, error) {
	conn, resp, err := s.wsHandshake(ctx, url, &opts, reqOpts)
	if err != nil {
		return nil, err
	}
	return &ClientWebSocket{Socket: websocket.NewSocket(conn, opts.Options), Response: resp}, nil
}
