package main

import (
	"context"
	"io"

	aiohttp "github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// serveOurs is package web with a WebSocketResponse, through the Socket
// API as an event-driven application uses it: the handler hands the socket
// to OnMessage and returns; the callback gets each message without a copy
// and answers with SendBytes / SendStr.
func serveOurs(addr string) error {
	var all hub[*websocket.Socket]
	return serveWebHandler(addr, func(sock *websocket.Socket) error {
		st := state{broadcast: all.broadcaster(sendOurs)}
		ctx := context.Background()
		all.add(sock)
		return sock.OnMessage(func(msg websocket.Message) {
			switch msg.Type {
			case websocket.MessageClosed:
				all.remove(sock)
			case websocket.MessageBinary:
				if st.onBinary(msg.Data) {
					_ = sock.SendBytes(ctx, msg.Data)
				}
			case websocket.MessageText:
				if r, ok := st.onText(msg.Data); ok {
					_ = sock.SendStr(ctx, r)
				}
			}
		})
	})
}

// serveOursReceive is package web with a WebSocketResponse, through the
// Socket API's blocking loop (Receive / SendBytes / SendStr): Receive
// hands out a copy of each message.
func serveOursReceive(addr string) error {
	var all hub[*websocket.Socket]
	return serveWeb(addr, func(ctx context.Context, ws *websocket.Socket) {
		st := state{broadcast: all.broadcaster(sendOurs)}
		all.add(ws)
		defer all.remove(ws)
		for {
			msg := ws.Receive(ctx)
			switch msg.Type {
			case websocket.MessageBinary:
				if st.onBinary(msg.Data) {
					if ws.SendBytes(ctx, msg.Data) != nil {
						return
					}
				}
			case websocket.MessageText:
				if r, ok := st.onText(msg.Data); ok {
					if ws.SendStr(ctx, r) != nil {
						return
					}
				}
			default:
				return
			}
		}
	})
}

func sendOurs(s *websocket.Socket, p []byte) {
	_ = s.SendBytes(context.Background(), p)
}

// serveOursConn is package web too, but the loop talks to the
// websocket.Conn underneath the Socket directly: ReadMessage hands out its
// own buffer (no copy) and WriteMessage sends from the caller's slice.
func serveOursConn(addr string) error {
	return serveWeb(addr, func(ctx context.Context, ws *websocket.Socket) {
		c := ws.Conn()
		var st state
		for {
			typ, p, err := c.ReadMessage(ctx)
			if err != nil {
				return
			}
			switch typ {
			case websocket.MessageBinary:
				if st.onBinary(p) {
					if c.WriteMessage(ctx, websocket.MessageBinary, p) != nil {
						return
					}
				}
			case websocket.MessageText:
				if r, ok := st.onText(p); ok {
					if c.WriteMessage(ctx, websocket.MessageText, []byte(r)) != nil {
						return
					}
				}
			case websocket.MessagePing:
				if c.Pong(ctx, p) != nil {
					return
				}
			case websocket.MessagePong:
			default:
				return
			}
		}
	})
}

// serveWeb serves loop in the handler, which returns once loop does.
func serveWeb(addr string, loop func(context.Context, *websocket.Socket)) error {
	return serveWebHandler(addr, func(sock *websocket.Socket) error {
		loop(context.Background(), sock)
		return nil
	})
}

// serveWebHandler runs package web with handle called on every prepared
// socket (compression off, no message size limit).
func serveWebHandler(addr string, handle func(*websocket.Socket) error) error {
	app := web.NewApplication()
	app.Router.Get("/ws", func(r *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{Options: websocket.Options{
			Compress: websocket.CompressOff, MaxMessageSize: -1}})
		sock, err := ws.Prepare(r)
		if err != nil {
			return nil, err
		}
		return ws, handle(sock)
	})
	return web.RunApp(app, web.RunOptions{Addr: addr, Out: io.Discard})
}

// oursClient is aiohttp.Session.WSConnect and the Socket API.
type oursClient struct {
	sess *aiohttp.Session
	ws   *aiohttp.ClientWebSocket
	ctx  context.Context
}

func dialOurs(ctx context.Context, url string) (clientConn, error) {
	sess, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		return nil, err
	}
	ws, err := sess.WSConnect(ctx, url, aiohttp.WSOptions{})
	if err != nil {
		sess.Close()
		return nil, err
	}
	return &oursClient{sess: sess, ws: ws, ctx: context.Background()}, nil
}

func (c *oursClient) WriteBinary(p []byte) error { return c.ws.SendBytes(c.ctx, p) }
func (c *oursClient) WriteText(s string) error   { return c.ws.SendStr(c.ctx, s) }

func (c *oursClient) Read() (bool, []byte, error) {
	for {
		msg := c.ws.Receive(c.ctx)
		switch msg.Type {
		case websocket.MessageText:
			return true, msg.Data, nil
		case websocket.MessageBinary:
			return false, msg.Data, nil
		case websocket.MessageError:
			return false, nil, msg.Err
		default:
			return false, nil, io.ErrUnexpectedEOF
		}
	}
}

func (c *oursClient) Close() error {
	c.ws.Close(c.ctx, websocket.CloseOK, "")
	return c.sess.Close()
}

// oursConnClient is the same handshake, then websocket.Conn directly.
type oursConnClient struct {
	oursClient
	c *websocket.Conn
}

func dialOursConn(ctx context.Context, url string) (clientConn, error) {
	cc, err := dialOurs(ctx, url)
	if err != nil {
		return nil, err
	}
	oc := cc.(*oursClient)
	return &oursConnClient{oursClient: *oc, c: oc.ws.Socket.Conn()}, nil
}

func (c *oursConnClient) WriteBinary(p []byte) error {
	return c.c.WriteMessage(c.ctx, websocket.MessageBinary, p)
}

func (c *oursConnClient) WriteText(s string) error {
	return c.c.WriteMessage(c.ctx, websocket.MessageText, []byte(s))
}

func (c *oursConnClient) Read() (bool, []byte, error) {
	for {
		typ, p, err := c.c.ReadMessage(c.ctx)
		if err != nil {
			return false, nil, err
		}
		switch typ {
		case websocket.MessageText:
			return true, p, nil
		case websocket.MessageBinary:
			return false, p, nil
		}
	}
}
