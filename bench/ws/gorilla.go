package main

import (
	"context"
	"net/http"

	"github.com/gorilla/websocket"
)

// serveGorilla is net/http with gorilla's Upgrader, ReadMessage and
// WriteMessage.
func serveGorilla(addr string) error {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		var st state
		for {
			typ, p, err := c.ReadMessage()
			if err != nil {
				return
			}
			switch typ {
			case websocket.BinaryMessage:
				if st.onBinary(p) && c.WriteMessage(websocket.BinaryMessage, p) != nil {
					return
				}
			case websocket.TextMessage:
				if r, ok := st.onText(p); ok && c.WriteMessage(websocket.TextMessage, []byte(r)) != nil {
					return
				}
			}
		}
	})
	return http.ListenAndServe(addr, mux)
}

type gorillaClient struct{ c *websocket.Conn }

func dialGorilla(ctx context.Context, url string) (clientConn, error) {
	c, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	return gorillaClient{c}, nil
}

func (g gorillaClient) WriteBinary(p []byte) error {
	return g.c.WriteMessage(websocket.BinaryMessage, p)
}

func (g gorillaClient) WriteText(s string) error {
	return g.c.WriteMessage(websocket.TextMessage, []byte(s))
}

func (g gorillaClient) Read() (bool, []byte, error) {
	typ, p, err := g.c.ReadMessage()
	return typ == websocket.TextMessage, p, err
}

func (g gorillaClient) Close() error {
	g.c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	return g.c.Close()
}
