package main

import (
	"context"
	"net/http"

	"github.com/coder/websocket"
)

// serveCoder is net/http with coder/websocket's Accept, Read and Write.
func serveCoder(addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
			CompressionMode: websocket.CompressionDisabled,
		})
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(-1)
		ctx := r.Context()
		var st state
		for {
			typ, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			switch typ {
			case websocket.MessageBinary:
				if st.onBinary(p) && c.Write(ctx, websocket.MessageBinary, p) != nil {
					return
				}
			case websocket.MessageText:
				if r, ok := st.onText(p); ok && c.Write(ctx, websocket.MessageText, []byte(r)) != nil {
					return
				}
			}
		}
	})
	return http.ListenAndServe(addr, mux)
}

type coderClient struct {
	c   *websocket.Conn
	ctx context.Context
}

func dialCoder(ctx context.Context, url string) (clientConn, error) {
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(-1)
	return coderClient{c, context.Background()}, nil
}

func (k coderClient) WriteBinary(p []byte) error {
	return k.c.Write(k.ctx, websocket.MessageBinary, p)
}

func (k coderClient) WriteText(s string) error {
	return k.c.Write(k.ctx, websocket.MessageText, []byte(s))
}

func (k coderClient) Read() (bool, []byte, error) {
	typ, p, err := k.c.Read(k.ctx)
	return typ == websocket.MessageText, p, err
}

func (k coderClient) Close() error { return k.c.CloseNow() }
