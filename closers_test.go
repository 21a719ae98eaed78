package aiohttp_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/internal/closertest"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// TestClosersIdempotent calls every closer of the client twice in a row
// and from several goroutines at once (see [closertest.Run]). Whenever a
// call of a connector's or a WebSocket's closer returns, the connector
// must hold no connection and no slot: a slot released twice would show
// as a negative count. Response.Close has its own test.
func TestClosersIdempotent(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("ok"), nil })
	})
	ws := startWSServer(t, nil, echoHandler())
	// pooled returns a TCP connector holding an idle connection to base.
	pooled := func(t *testing.T) *aiohttp.TCPConnector {
		conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{})
		t.Cleanup(func() { conn.Close() })
		get(t, newSession(t, aiohttp.SessionOptions{Connector: conn, KeepConnectorOpen: true}), base+"/")
		return conn
	}
	// socket returns a WebSocket connected to the echo server and its
	// session's connector.
	socket := func(t *testing.T) (*aiohttp.ClientWebSocket, *aiohttp.TCPConnector) {
		conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{})
		s := newSession(t, aiohttp.SessionOptions{Connector: conn})
		sock := wsOK(t)(s.WSConnect(testCtx(t), ws.url, aiohttp.WSOptions{}))
		t.Cleanup(func() { sock.Conn().CloseNow() })
		return sock, conn
	}
	closertest.Run(t, []closertest.Case{
		{
			// Every Session.Close returns once the connector is closed.
			Name: "Session.Close",
			Open: func(t *testing.T) (func() error, func() string) {
				conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{})
				s := newSession(t, aiohttp.SessionOptions{Connector: conn})
				get(t, s, base+"/")
				connectorEmpty := emptyConnector(conn)
				return s.Close, func() string {
					if !s.Closed() {
						return "Closed() is false"
					}
					return connectorEmpty()
				}
			},
		},
		{
			Name: "TCPConnector.Close",
			Open: func(t *testing.T) (func() error, func() string) {
				conn := pooled(t)
				return conn.Close, emptyConnector(conn)
			},
		},
		{
			Name: "UnixConnector.Close",
			Open: func(t *testing.T) (func() error, func() string) {
				conn := aiohttp.NewUnixConnector(serveUnix(t), aiohttp.TCPConnectorOptions{})
				t.Cleanup(func() { conn.Close() })
				get(t, newSession(t, aiohttp.SessionOptions{Connector: conn, KeepConnectorOpen: true}), "http://localhost/")
				return conn.Close, emptyConnector(conn)
			},
		},
		{
			Name: "ClientWebSocket.Close",
			Open: func(t *testing.T) (func() error, func() string) {
				sock, conn := socket(t)
				ctx := testCtx(t)
				return func() error { return sock.Close(ctx, websocket.CloseOK, "") }, func() string {
					if !sock.Closed() || sock.CloseCode() != websocket.CloseOK {
						return fmt.Sprintf("closed %v, code %d", sock.Closed(), sock.CloseCode())
					}
					return emptyConnector(conn)()
				}
			},
		},
		{
			Name: "ClientWebSocket.Conn().CloseNow",
			Open: func(t *testing.T) (func() error, func() string) {
				sock, conn := socket(t)
				return sock.Conn().CloseNow, emptyConnector(conn)
			},
			Again: websocket.ErrClosed,
		},
	})
}

// emptyConnector reports whether conn holds no connection and no slot:
// "" when it holds none.
func emptyConnector(conn interface{ Stats() aiohttp.ConnectorStats }) func() string {
	return func() string {
		if st := conn.Stats(); st != (aiohttp.ConnectorStats{}) {
			return fmt.Sprintf("connector stats %+v, want all zero", st)
		}
		return ""
	}
}

// serveUnix serves "ok" over HTTP on a Unix socket until the test ends
// and returns the socket's path.
func serveUnix(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "http.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return path
}
