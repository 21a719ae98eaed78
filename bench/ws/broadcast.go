package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aiohttp-go/aiohttp/websocket"
)

// broadcastPayload is what a server sends to every connection on
// "broadcast": a 16-byte chat message.
var broadcastPayload = []byte("0123456789abcdef")

// hub is a server's set of open connections.
type hub[T comparable] struct {
	mu sync.Mutex
	m  map[T]struct{}
}

func (h *hub[T]) add(c T) {
	h.mu.Lock()
	if h.m == nil {
		h.m = make(map[T]struct{})
	}
	h.m[c] = struct{}{}
	h.mu.Unlock()
}

func (h *hub[T]) remove(c T) {
	h.mu.Lock()
	delete(h.m, c)
	h.mu.Unlock()
}

// broadcaster returns a function that sends broadcastPayload to every
// connection with send, one after another, from the calling goroutine.
func (h *hub[T]) broadcaster(send func(T, []byte)) func() {
	return func() {
		h.mu.Lock()
		all := make([]T, 0, len(h.m))
		for c := range h.m {
			all = append(all, c)
		}
		h.mu.Unlock()
		for _, c := range all {
			send(c, broadcastPayload)
		}
	}
}

// runBroadcast opens n WebSockets to u (the same lightweight client for
// every server: a raw handshake, then a websocket.Conn and a reading
// goroutine each), asks the server to broadcast rounds times, one round
// at a time, and prints the delivery latency from the request to each
// socket's receipt (p50, p99, max over all sockets and rounds) and the
// server's RSS before the sockets, after they connected and after the
// broadcasts.
func runBroadcast(u string, n, rounds, serverPID int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
	pu, err := url.Parse(u)
	if err != nil {
		return err
	}
	rss0 := rssOf(serverPID)
	conns := make([]*websocket.Conn, n)
	var next atomic.Int64
	var dialErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				c, err := rawDial(pu)
				if err != nil {
					errOnce.Do(func() { dialErr = fmt.Errorf("socket %d: %w", i, err) })
					return
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.CloseNow()
			}
		}
	}()
	if dialErr != nil {
		return dialErr
	}
	time.Sleep(time.Second) // let the server settle
	rss1 := rssOf(serverPID)

	var (
		start    atomic.Int64 // unix ns of the current round's request
		got      atomic.Int64 // sockets that received the current round
		mu       sync.Mutex
		lat      []time.Duration
		received = make(chan struct{}, 1)
	)
	ctx := context.Background()
	for _, c := range conns {
		go func() {
			for {
				typ, p, err := c.ReadMessage(ctx)
				if err != nil {
					return
				}
				if typ != websocket.MessageBinary || len(p) != len(broadcastPayload) {
					continue
				}
				d := time.Duration(time.Now().UnixNano() - start.Load())
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
				if got.Add(1) == int64(n) {
					received <- struct{}{}
				}
			}
		}()
	}
	for r := range rounds {
		got.Store(0)
		start.Store(time.Now().UnixNano())
		if err := conns[r%n].WriteMessage(ctx, websocket.MessageText, []byte("broadcast")); err != nil {
			return err
		}
		select {
		case <-received:
		case <-time.After(60 * time.Second):
			return fmt.Errorf("round %d: %d of %d sockets received the broadcast in 60 s", r, got.Load(), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	rss2 := rssOf(serverPID)
	mu.Lock()
	slices.Sort(lat)
	q := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))]) / 1e6 }
	fmt.Printf("sockets %d rounds %d p50_ms %.2f p99_ms %.2f max_ms %.2f rss0_kib %d rss1_kib %d rss2_kib %d\n",
		n, rounds, q(0.5), q(0.99), q(1), rss0, rss1, rss2)
	mu.Unlock()
	return nil
}

// rawDial opens one WebSocket with a minimal handshake.
func rawDial(u *url.URL) (*websocket.Conn, error) {
	nc, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
	if err != nil {
		return nil, err
	}
	key := websocket.NewKey()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(nc, "GET "+u.RequestURI()+" HTTP/1.1\r\nHost: "+u.Host+
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "+key+
		"\r\nSec-WebSocket-Version: 13\r\n\r\n"); err != nil {
		nc.Close()
		return nil, err
	}
	br := bufio.NewReader(nc)
	status, err := br.ReadString('\n')
	for err == nil {
		var line string
		if line, err = br.ReadString('\n'); line == "\r\n" {
			break
		}
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	if !strings.HasPrefix(status, "HTTP/1.1 101") {
		nc.Close()
		return nil, errors.New("handshake: " + strings.TrimSpace(status))
	}
	_ = nc.SetDeadline(time.Time{})
	return websocket.NewConn(nc, br, websocket.Client, websocket.Handshake{}, websocket.Options{MaxMessageSize: -1}), nil
}

// rssOf returns the resident set of process pid in KiB, 0 when unknown.
func rssOf(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kib int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kib)
			return kib
		}
	}
	return 0
}
