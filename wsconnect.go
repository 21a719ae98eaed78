package aiohttp

import (
	"bytes"
	"context"
	"errors"
	"github.com/aiohttp-go/aiohttp/internal/field"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp/websocket"
)

// WSOptions configure [Session.WSConnect] (the arguments of aiohttp's
// ws_connect other than those given as request options). The zero value
// gives aiohttp's defaults.
type WSOptions struct {
	// Method is the method of the opening handshake; "" means GET.
	Method string
	// Protocols are the subprotocols offered in Sec-WebSocket-Protocol, in
	// order of preference. The server's choice, one of them, is
	// [ClientWebSocket.Protocol].
	Protocols []string
	// Origin, when set, is sent as the Origin header field.
	Origin string
	// Compress offers permessage-deflate when not zero: 15 accepts any
	// server window, 8 to 14 asks the server to compress with at most
	// that many window bits (aiohttp's compress). Zero, as in aiohttp's
	// client, offers no compression.
	Compress int
	// MaxMsgSize limits the size of a received message (decompressed);
	// zero means 4 MiB, a negative value no limit.
	MaxMsgSize int64
	// Heartbeat, when positive, sends a ping every Heartbeat; a pong not
	// received within half of it closes the connection with 1006.
	Heartbeat time.Duration
	// ReceiveTimeout bounds each receive (aiohttp's ws_receive); zero
	// means none.
	ReceiveTimeout time.Duration
	// CloseTimeout bounds the wait for the server's close frame (aiohttp's
	// ws_close); zero means 10 seconds.
	CloseTimeout time.Duration
	// NoAutoclose turns off answering the server's close frame by itself
	// (aiohttp's autoclose=False).
	NoAutoclose bool
	// NoAutoping turns off answering pings and consuming pongs by itself
	// (aiohttp's autoping=False).
	NoAutoping bool
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
	if !ok || r.finished || r.closed {
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

// wsCompression returns the permessage-deflate terms Compress asks for.
func wsCompression(bits int) (websocket.CompressionOptions, error) {
	var o websocket.CompressionOptions
	switch {
	case bits == 15:
	case bits >= 8 && bits < 15:
		o.ServerMaxWindowBits = bits
	default:
		return o, errors.New("compress must be 0 or from 8 to 15 window bits, not " + strconv.Itoa(bits))
	}
	return o, nil
}

// wsHandshake performs the opening handshake of WSConnect and returns the
// connection, in the client role, with the 101 response and the
// subprotocol the server chose.
func (s *Session) wsHandshake(ctx context.Context, rawURL string, opts *WSOptions, reqOpts []RequestOption) (*websocket.Conn, *Response, string, error) {
	method := opts.Method
	if method == "" {
		method = "GET"
	}
	var comp websocket.CompressionOptions
	if opts.Compress != 0 {
		var err error
		if comp, err = wsCompression(opts.Compress); err != nil {
			return nil, nil, "", &Error{Kind: ErrClient, Method: method, URL: rawURL, Err: err}
		}
	}
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
	if opts.Compress != 0 {
		all = append(all, wsSetHeader("Sec-WebSocket-Extensions", websocket.ClientOffer(comp)))
	}
	resp, err := s.Request(ctx, method, rawURL, all...)
	if err != nil {
		return nil, nil, "", err
	}
	fail := func(msg string) (*websocket.Conn, *Response, string, error) {
		resp.Close()
		return nil, nil, "", wsHandshakeError(resp, msg)
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
		if opts.Compress == 0 {
			return fail("Invalid extensions header: none offered")
		}
		if params, err = websocket.AcceptClient(ext, comp); err != nil {
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
				return nil, nil, "", ex.req.error(ctxErrorKind(cerr), cerr)
			}
			return nil, nil, "", ex.req.error(ErrClientConnection, context.Canceled)
		}
	}
	c := ex.conn
	c.nc.SetDeadline(time.Time{})
	var br io.Reader = c.nc
	if rest := c.r.Unread(); len(rest) > 0 {
		br = io.MultiReader(bytes.NewReader(rest), c.nc)
	}
	c.r.Release()
	nc := &wsNetConn{Conn: c.nc, release: func() { ex.release(errUpgradedClosed) }}
	conn := websocket.NewConn(nc, br, websocket.Client, websocket.Options{
		MaxMessageSize: opts.MaxMsgSize,
		Compression:    params,
		CloseTimeout:   opts.CloseTimeout,
	})
	return conn, resp, protocol, nil
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

// ClientWebSocket is the client side of a WebSocket connection (aiohttp's
// ClientWebSocketResponse): the [websocket.Socket] methods (Receive,
// ReceiveText, ReceiveBytes, ReceiveJSON, Messages, SendStr, SendBytes,
// SendJSON, SendFrame, Ping, Pong, Close, CloseCode, Exception, Protocol)
// and the 101 response of the opening handshake.
//
// Close it when done: closing frees the connector's slot the connection
// holds. The connection never goes back to the pool.
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
	conn, resp, protocol, err := s.wsHandshake(ctx, url, &opts, reqOpts)
	if err != nil {
		return nil, err
	}
	sock := websocket.NewSocket(conn, websocket.SocketOptions{
		NoAutoclose:    opts.NoAutoclose,
		NoAutoping:     opts.NoAutoping,
		Heartbeat:      opts.Heartbeat,
		ReceiveTimeout: opts.ReceiveTimeout,
		CloseTimeout:   opts.CloseTimeout,
		Protocol:       protocol,
	})
	return &ClientWebSocket{Socket: sock, Response: resp}, nil
}
