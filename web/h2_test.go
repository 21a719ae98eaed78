package web_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// countingH2CClient returns a client speaking h2c by prior knowledge,
// with receive windows of 64 KiB, whose connections are counted in dials.
func countingH2CClient(t testing.TB, dials *atomic.Int64) *http.Client {
	tr := h2cTransport()
	tr.HTTP2 = &http.HTTP2Config{MaxReceiveBufferPerStream: 64 << 10, MaxReceiveBufferPerConnection: 64 << 10}
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return d.DialContext(ctx, network, addr)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: ioTimeout}
}

// getAll makes n concurrent GETs of url and fails t unless each answers
// want.
func getAll(t *testing.T, client *http.Client, url string, n int, want string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			resp, err := client.Get(url)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err == nil && (resp.ProtoMajor != 2 || string(b) != want) {
				err = &unexpectedAnswer{resp.Proto, string(b)}
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

type unexpectedAnswer struct{ proto, body string }

func (e *unexpectedAnswer) Error() string { return "unexpected answer: " + e.proto + " " + e.body }

// A stream whose handler is slow to produce its body, and a stream whose
// client does not read its body (its flow-control window runs out), do
// not delay the other streams of the same HTTP/2 connection.
func TestH2NoHeadOfLineBlocking(t *testing.T) {
	release := make(chan struct{})
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<20/16) // far more than a stream's window
	app := newApp()
	app.Router.Get("/fast", func(*web.Request) (web.Response, error) { return web.Text("fast"), nil })
	app.Router.Get("/slow", func(r *web.Request) (web.Response, error) {
		s := web.NewStreamResponse()
		if err := s.Prepare(r); err != nil {
			return nil, err
		}
		if _, err := s.WriteString("first "); err != nil {
			return nil, err
		}
		if err := s.Flush(); err != nil {
			return nil, err
		}
		select {
		case <-release:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
		_, err := s.WriteString("last")
		return s, err
	})
	app.Router.Get("/big", func(*web.Request) (web.Response, error) { return web.Bytes(big), nil })
	s := startApp(t, app, web.ServerOptions{})
	var dials atomic.Int64
	client := countingH2CClient(t, &dials)

	slow, err := client.Get(s.url + "/slow")
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Body.Close()
	first := make([]byte, len("first "))
	if _, err := io.ReadFull(slow.Body, first); err != nil || string(first) != "first " {
		t.Fatalf("slow stream: %q %v", first, err)
	}
	stalled, err := client.Get(s.url + "/big") // not read until the end
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Body.Close()

	getAll(t, client, s.url+"/fast", 50, "fast") // bounded by the client's timeout
	close(release)
	if rest, err := io.ReadAll(slow.Body); err != nil || string(rest) != "last" {
		t.Errorf("slow stream's end: %q %v", rest, err)
	}
	if got, err := io.ReadAll(stalled.Body); err != nil || !bytes.Equal(got, big) {
		t.Errorf("stalled stream: %d bytes, %v", len(got), err)
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d connections, want every stream on one", n)
	}
}

// The streams of one HTTP/2 connection run their handlers at once: each
// of n handlers waits until all n have started.
func TestH2StreamsRunConcurrently(t *testing.T) {
	const n = 20
	var started sync.WaitGroup
	started.Add(n)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	app := newApp()
	app.Router.Get("/", func(r *web.Request) (web.Response, error) {
		started.Done()
		select {
		case <-all:
			return web.Text("together"), nil
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	})
	s := startApp(t, app, web.ServerOptions{})
	var dials atomic.Int64
	client := countingH2CClient(t, &dials)
	if resp, err := client.Get(s.url + "/nothing"); err == nil { // opens the connection
		resp.Body.Close()
	}
	getAll(t, client, s.url+"/", n, "together")
	if got := dials.Load(); got != 1 {
		t.Errorf("%d connections, want 1", got)
	}
}

// BenchmarkServeH2 measures a small GET over h2c through our server and,
// for reference, through net/http's (the same HTTP/2 code underneath),
// with net/http's client: one request at a time, and many multiplexed on
// one connection (parallel). It reports the server's writes a request:
// ours merges the frames ready together into one write (see h2Conn).
func BenchmarkServeH2(b *testing.B) {
	app := newApp()
	app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("Hello, World!"), nil })
	oursLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	oursCounter := &countingListener{Listener: oursLn}
	ours := startAppOn(b, app, web.ServerOptions{}, oursCounter)
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	std := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "Hello, World!")
	}))
	stdCounter := &countingListener{Listener: std.Listener}
	std.Listener = stdCounter
	std.Config.Protocols = &protos
	std.Start()
	b.Cleanup(std.Close)
	for _, srv := range []struct {
		name, url string
		writes    *atomic.Int64
	}{{"aiohttp", ours.url, &oursCounter.writes}, {"nethttp", std.URL, &stdCounter.writes}} {
		var dials atomic.Int64
		client := countingH2CClient(b, &dials)
		get := func() error {
			resp, err := client.Get(srv.url + "/")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err == nil && string(body) != "Hello, World!" {
				err = &unexpectedAnswer{resp.Proto, string(body)}
			}
			return err
		}
		measure := func(b *testing.B, run func()) {
			b.ReportAllocs()
			start := srv.writes.Load()
			run()
			b.ReportMetric(float64(srv.writes.Load()-start)/float64(b.N), "writes/op")
		}
		b.Run(srv.name, func(b *testing.B) {
			measure(b, func() {
				for b.Loop() {
					if err := get(); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
		b.Run(srv.name+"/parallel", func(b *testing.B) {
			measure(b, func() {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := get(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// discardWriter is an http.ResponseWriter that keeps nothing, its header
// map cleared for every request; it takes deadlines, as HTTP/2's does.
type discardWriter struct{ h http.Header }

func (w *discardWriter) SetReadDeadline(time.Time) error  { return nil }
func (w *discardWriter) SetWriteDeadline(time.Time) error { return nil }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkServeHTTPBridge measures what the net/http bridge (the
// HTTP/2 path) costs a small GET on its own: the request made from
// net/http's, routing, the handler and the head set on net/http's
// writer.
func BenchmarkServeHTTPBridge(b *testing.B) {
	app := newApp()
	app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("Hello, World!"), nil })
	r := httptest.NewRequest("GET", "/", nil)
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/2.0", 2, 0
	w := &discardWriter{h: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		app.ServeHTTP(w, r)
	}
}
