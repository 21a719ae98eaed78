package main

import (
	"context"
	"io"
	"net"
	"net/http"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// serveGobwas is net/http with gobwas/ws's UpgradeHTTP and the wsutil
// helpers (ReadClientData / WriteServerMessage).
func serveGobwas(addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		conn, _, _, err := ws.UpgradeHTTP(r, w)
		if err != nil {
			return
		}
		defer conn.Close()
		var st state
		for {
			p, op, err := wsutil.ReadClientData(conn)
			if err != nil {
				return
			}
			switch op {
			case ws.OpBinary:
				if st.onBinary(p) && wsutil.WriteServerMessage(conn, ws.OpBinary, p) != nil {
					return
				}
			case ws.OpText:
				if r, ok := st.onText(p); ok && wsutil.WriteServerMessage(conn, ws.OpText, []byte(r)) != nil {
					return
				}
			}
		}
	})
	return http.ListenAndServe(addr, mux)
}

type gobwasClient struct {
	conn net.Conn
	rw   io.ReadWriter
}

func dialGobwas(ctx context.Context, url string) (clientConn, error) {
	conn, br, _, err := ws.Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	g := gobwasClient{conn: conn, rw: conn}
	if br != nil { // the server sent frames along with the handshake
		g.rw = struct {
			io.Reader
			io.Writer
		}{io.MultiReader(br, conn), conn}
	}
	return g, nil
}

func (g gobwasClient) WriteBinary(p []byte) error {
	return wsutil.WriteClientMessage(g.conn, ws.OpBinary, p)
}

func (g gobwasClient) WriteText(s string) error {
	return wsutil.WriteClientMessage(g.conn, ws.OpText, []byte(s))
}

func (g gobwasClient) Read() (bool, []byte, error) {
	p, op, err := wsutil.ReadServerData(g.rw)
	return op == ws.OpText, p, err
}

func (g gobwasClient) Close() error {
	wsutil.WriteClientMessage(g.conn, ws.OpClose, ws.NewCloseFrameBody(ws.StatusNormalClosure, ""))
	return g.conn.Close()
}
