package aiohttp

import (
	"context"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// idleConnBudget is the Go heap an idle pooled HTTP/1 connection may hold
// (struct, reader state, the strings of its last head, the socket), the
// bare server end of the test's connection included. The goal of resident
// memory is 4 KiB; bench/idleclient measures that against the peers.
const idleConnBudget = 3 << 10

// TestIdlePooledConnMemory opens idle pooled connections, one request
// each, and checks what they hold: no read buffer, nothing of the last
// exchange, no goroutine, and in all no more than idleConnBudget of heap
// each.
func TestIdlePooledConnMemory(t *testing.T) {
	const n = 256
	addr, held := serveHeld(t, n)
	conn := NewTCPConnector(TCPConnectorOptions{Limit: n, KeepAliveTimeout: time.Minute})
	s, err := NewSession(SessionOptions{Connector: conn})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	get := func() error {
		resp, err := s.Get(context.Background(), "http://"+addr+"/")
		if err != nil {
			return err
		}
		_, err = resp.Bytes()
		resp.Close()
		return err
	}

	warmGoroutines(2*n + 8)
	before, goroutines := heapNow(), runtime.NumGoroutine()

	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { errs <- get() })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if st := conn.Stats(); st.Idle != n || st.Open != n {
		t.Fatalf("pool has %d idle of %d open connections, want %d", st.Idle, st.Open, n)
	}
	after := heapNow()
	if extra := runtime.NumGoroutine() - goroutines; extra > 8 {
		t.Errorf("%d more goroutines with %d idle connections (the server's are gone)", extra, n)
	}
	conn.mu.Lock()
	for _, ks := range conn.keys {
		for _, c := range ks.idle {
			if cap(c.head.Raw) > 0 {
				t.Error("an idle connection's last head pins its released read buffer")
			}
			if c.unclosed.path != "" {
				t.Error("an idle connection keeps its last request's path")
			}
		}
	}
	conn.mu.Unlock()
	runtime.KeepAlive(held)

	skipAllocsUnderRace(t)
	per := (int64(after) - int64(before)) / n
	t.Logf("heap per idle pooled connection: %d bytes (server end included)", per)
	if per > idleConnBudget {
		t.Errorf("an idle pooled connection holds %d bytes of heap, more than %d", per, idleConnBudget)
	}
}

// heapNow returns the bytes of live heap objects after two collections:
// a sync.Pool keeps its items over one.
func heapNow() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// serveHeld serves keep-alive connections with a minimal server that
// answers the first request of each once n requests have arrived, so that
// n concurrent requests open n connections, and then keeps the
// connections open without a goroutine. It returns the address and the
// slice of held connections.
func serveHeld(t *testing.T, n int) (string, *[]net.Conn) {
	var wg sync.WaitGroup
	wg.Add(n)
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	return holdConns(t, func(c net.Conn) {
		buf := make([]byte, 1024)
		if _, err := c.Read(buf); err != nil {
			return
		}
		wg.Done()
		<-all
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")
	})
}

// warmGoroutines starts and ends k goroutines, before a measurement that
// starts as many: goroutine descriptors are never freed, only reused.
func warmGoroutines(k int) {
	var warm sync.WaitGroup
	hold := make(chan struct{})
	for range k {
		warm.Go(func() { <-hold })
	}
	close(hold)
	warm.Wait()
}

// holdConns accepts connections on 127.0.0.1, runs answer on each in a
// goroutine of its own and keeps the connection open once answer returns,
// without a goroutine, until the test ends. It returns the address and
// the slice of held connections.
func holdConns(t *testing.T, answer func(net.Conn)) (string, *[]net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go answer(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String(), &conns
}
