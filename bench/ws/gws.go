package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/lxzan/gws"
)

// gwsServer is gws's own server (gws.NewServer) and event handler; every
// connection runs gws's ReadLoop.
type gwsServer struct {
	gws.BuiltinEventHandler
	all *hub[*gws.Conn]
}

func (g gwsServer) OnOpen(c *gws.Conn) {
	g.all.add(c)
	c.Session().Store("st", &state{broadcast: g.all.broadcaster(sendGws)})
}

func (g gwsServer) OnClose(c *gws.Conn, _ error) { g.all.remove(c) }

func sendGws(c *gws.Conn, p []byte) { _ = c.WriteMessage(gws.OpcodeBinary, p) }

func (gwsServer) OnMessage(c *gws.Conn, m *gws.Message) {
	defer m.Close()
	v, _ := c.Session().Load("st")
	st := v.(*state)
	p := m.Bytes()
	switch m.Opcode {
	case gws.OpcodeBinary:
		if st.onBinary(p) {
			c.WriteMessage(gws.OpcodeBinary, p)
		}
	case gws.OpcodeText:
		if r, ok := st.onText(p); ok {
			c.WriteMessage(gws.OpcodeText, []byte(r))
		}
	}
}

func serveGws(addr string) error {
	srv := gws.NewServer(gwsServer{all: new(hub[*gws.Conn])}, &gws.ServerOption{ReadMaxPayloadSize: 1 << 30})
	return srv.Run(addr)
}

// gwsClient turns gws's callbacks into a blocking Read: OnMessage hands a
// copy of each message to a channel.
type gwsClient struct {
	gws.BuiltinEventHandler
	c    *gws.Conn
	msgs chan gwsMsg
	done chan struct{}
	err  error
}

type gwsMsg struct {
	text bool
	p    []byte
}

func (g *gwsClient) OnMessage(_ *gws.Conn, m *gws.Message) {
	g.msgs <- gwsMsg{m.Opcode == gws.OpcodeText, append([]byte(nil), m.Bytes()...)}
	m.Close()
}

func (g *gwsClient) OnClose(_ *gws.Conn, err error) {
	g.err = err
	close(g.done)
}

func dialGws(ctx context.Context, url string) (clientConn, error) {
	g := &gwsClient{msgs: make(chan gwsMsg, 1), done: make(chan struct{})}
	c, _, err := gws.NewClient(g, &gws.ClientOption{
		Addr:               url,
		ReadMaxPayloadSize: 1 << 30,
		RequestHeader:      http.Header{},
	})
	if err != nil {
		return nil, err
	}
	g.c = c
	go c.ReadLoop()
	return g, nil
}

func (g *gwsClient) WriteBinary(p []byte) error { return g.c.WriteMessage(gws.OpcodeBinary, p) }
func (g *gwsClient) WriteText(s string) error   { return g.c.WriteMessage(gws.OpcodeText, []byte(s)) }

func (g *gwsClient) Read() (bool, []byte, error) {
	select {
	case m := <-g.msgs:
		return m.text, m.p, nil
	case <-g.done:
		if g.err == nil {
			g.err = errors.New("gws: closed")
		}
		return false, nil, g.err
	}
}

func (g *gwsClient) Close() error {
	g.c.WriteClose(1000, nil)
	return g.c.NetConn().Close()
}
