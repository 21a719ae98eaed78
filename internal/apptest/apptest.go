// Package apptest holds what the tests of the examples, the demo
// application and the command line need beyond package aiotest: [Start]
// serves a web.Application on 127.0.0.1 for the length of a test, as
// aiotest.NewServer does, and counts the connections clients open to it;
// [Gauge] counts work in progress, [CompareLines] compares what a program
// printed with what it should print, line by line, [Check] runs
// request/response exchanges against a server, and [SyncBuffer] collects
// output written from several goroutines.
package apptest

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// Server is an application served on a free port of 127.0.0.1.
type Server struct {
	// URL is the base URL, like "http://127.0.0.1:41234", without a
	// trailing slash.
	URL string

	ln *countingListener
}

// Start serves app on 127.0.0.1:0 until the test ends; the cleanup shuts
// the server down gracefully and fails the test if that fails.
func Start(t testing.TB, app *web.Application) *Server {
	t.Helper()
	ctx := context.Background()
	runner := web.NewAppRunner(app, web.ServerOptions{ShutdownTimeout: 5 * time.Second})
	if err := runner.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	site := web.NewListenerSite(runner, cl)
	if err := site.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := runner.Cleanup(ctx); err != nil {
			t.Errorf("server cleanup: %v", err)
		}
	})
	return &Server{URL: strings.TrimSuffix(site.URL(), "/"), ln: cl}
}

// PeakConns returns the most connections that were open at once.
func (s *Server) PeakConns() int { return int(s.ln.peak.Load()) }

// Accepted returns how many connections the server has accepted.
func (s *Server) Accepted() int { return int(s.ln.accepted.Load()) }

// countingListener counts the connections it hands out that are still
// open, and remembers the highest count.
type countingListener struct {
	net.Listener
	open, peak, accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.accepted.Add(1)
	n := l.open.Add(1)
	for {
		p := l.peak.Load()
		if n <= p || l.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return &countedConn{Conn: c, l: l}, nil
}

// countedConn leaves the count when it is first closed.
type countedConn struct {
	net.Conn
	l    *countingListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// Gauge counts work in progress, such as handlers running at once, and
// remembers the highest count. Its zero value is ready to use.
type Gauge struct {
	n, peak atomic.Int64
}

// Enter counts one more, and returns the function that counts it out.
func (g *Gauge) Enter() (leave func()) {
	n := g.n.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return func() { g.n.Add(-1) }
}

// Peak returns the highest count so far.
func (g *Gauge) Peak() int { return int(g.peak.Load()) }

// CompareLines fails the test unless got has exactly the lines of want.
// A wanted line ending in "*" matches any line that starts with the rest
// of it, for parts of the output that depend on the machine (a resolver's
// error message, say).
func CompareLines(t testing.TB, got string, want ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	ok := len(lines) == len(want)
	for i := 0; ok && i < len(want); i++ {
		w := want[i]
		if p, wild := strings.CutSuffix(w, "*"); wild {
			ok = strings.HasPrefix(lines[i], p)
		} else {
			ok = lines[i] == w
		}
	}
	if !ok {
		t.Errorf("output:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// SyncBuffer is a bytes.Buffer that a program under test and the test
// may use at once. [SyncBuffer.WaitFor] waits for output without polling.
type SyncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // closed by the next Write, for WaitFor; nil when nobody waits
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.written != nil {
		close(b.written)
		b.written = nil
	}
	return b.buf.Write(p)
}

// WaitFor waits until what was written contains want, or ctx ends, and
// reports whether want came.
func (b *SyncBuffer) WaitFor(ctx context.Context, want string) bool {
	for {
		b.mu.Lock()
		if strings.Contains(b.buf.String(), want) {
			b.mu.Unlock()
			return true
		}
		if b.written == nil {
			b.written = make(chan struct{})
		}
		written := b.written
		b.mu.Unlock()
		select {
		case <-written:
		case <-ctx.Done():
			return false
		}
	}
}

// String returns what was written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
