package aiohttp

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/websocket"
)

// TestIdleClientWebSocketMemory: an idle client WebSocket served by
// OnMessage holds no read buffer and, parked, no goroutine: under 10 KiB
// of heap each, the connector's share, the 101 Response it keeps (about
// 3 KiB with its request state) and the test server's ends included
// (6.1 KiB measured). Before the client read its socket directly, each
// held a read buffer and a goroutine: 10.6 KiB of heap, 16.6 with stacks.
func TestIdleClientWebSocketMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("memory figures need a full run")
	}
	skipAllocsUnderRace(t)
	const n = 256
	addr, held := serveWSHeld(t)
	s, err := NewSession(SessionOptions{Connector: NewTCPConnector(TCPConnectorOptions{Limit: n})})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	warmGoroutines(2*n + 8)

	ctx := context.Background()
	got := make(chan struct{}, n)
	sockets := make([]*ClientWebSocket, 0, n)
	defer func() {
		for _, ws := range sockets {
			ws.Close(ctx, websocket.CloseOK, "") // the server does not answer: a short timeout each
		}
	}()
	before, goroutines := heapNow(), runtime.NumGoroutine()
	for range n {
		ws, err := s.WSConnect(ctx, "ws://"+addr+"/", WSOptions{Options: websocket.Options{CloseTimeout: time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		sockets = append(sockets, ws)
		if err := ws.OnMessage(func(m websocket.Message) {
			if m.Type == websocket.MessageText {
				got <- struct{}{}
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	for range n {
		<-got
	}
	// Past the linger (a second) every socket parks; a loaded machine
	// may take longer.
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine()-goroutines > 8 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	per := float64(int64(heapNow())-int64(before)) / n / 1024
	extra := runtime.NumGoroutine() - goroutines
	runtime.KeepAlive(held)
	t.Logf("%.2f KiB of heap per idle client WebSocket, %d more goroutines", per, extra)
	if per > 10 {
		t.Errorf("%.2f KiB of heap per idle client WebSocket, want at most 10", per)
	}
	if extra > 8 {
		t.Errorf("%d more goroutines with %d idle client WebSockets: they did not park", extra, n)
	}
}

// serveWSHeld answers every WebSocket handshake with a 101 and one text
// message, and then keeps the connection without a goroutine. It returns
// the address and the held connections.
func serveWSHeld(t *testing.T) (string, *[]net.Conn) {
	return holdConns(t, func(c net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Accept: "+websocket.AcceptKey(req.Header.Get("Sec-WebSocket-Key"))+"\r\n\r\n\x81\x02hi")
	})
}
