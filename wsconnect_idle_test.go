package aiohttp

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/websocket"
)

// TestIdleClientWebSocketMemory: an idle client WebSocket served by
// OnMessage holds no read buffer and, parked, no goroutine: under 12 KiB
// of heap and stack each, the connector's share, the 101 Response it
// keeps (about 3 KiB with its request state) and the test server's ends
// included. 8.5–10.4 KiB measured; 16.6 when the client's reads went
// through the connector's wrapper and held a buffer and a goroutine.
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
	measure := func() int64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapInuse + m.StackInuse)
	}
	// Goroutine descriptors are never freed, only reused: start and end
	// as many as the test will first.
	var warm sync.WaitGroup
	hold := make(chan struct{})
	for range 2*n + 8 {
		warm.Go(func() { <-hold })
	}
	close(hold)
	warm.Wait()

	ctx := context.Background()
	got := make(chan struct{}, n)
	sockets := make([]*ClientWebSocket, 0, n)
	defer func() {
		for _, ws := range sockets {
			ws.Close(ctx, websocket.CloseOK, "") // the server does not answer: a short timeout each
		}
	}()
	before := measure()
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
	time.Sleep(1500 * time.Millisecond) // past the linger: every socket parks
	per := float64(measure()-before) / n / 1024
	runtime.KeepAlive(held)
	t.Logf("%.2f KiB of heap and stack per idle client WebSocket", per)
	if per > 12 {
		t.Errorf("%.2f KiB per idle client WebSocket, want at most 12", per)
	}
}

// serveWSHeld answers every WebSocket handshake with a 101 and one text
// message, and then keeps the connection without a goroutine. It returns
// the address and the held connections.
func serveWSHeld(t *testing.T) (string, *[]net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
					"Sec-WebSocket-Accept: "+websocket.AcceptKey(req.Header.Get("Sec-WebSocket-Key"))+"\r\n\r\n\x81\x02hi")
			}()
		}
	}()
	return ln.Addr().String(), &conns
}
