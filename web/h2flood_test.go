package web_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/aiohttp-go/aiohttp/web"
)

// The HTTP/2 flood tests attack the server with a raw framer over h2c
// while a normal client (HTTP/2 and HTTP/1.1 on their own connections)
// keeps sending requests: its p99 latency stays under victimP99, the
// attacking connection is closed (or, where HTTP/2 allows the traffic,
// bounded), and the server's goroutines come back to where they were.

// victimP99 bounds the normal client's p99 latency under attack: generous,
// for a loaded 2-core machine under -race.
const victimP99 = 500 * time.Millisecond

// floodHeap bounds how much the heap may grow during an attack.
const floodHeap = 32 << 20

// attackTime is how long an attack that the server does not cut runs.
const attackTime = 2 * time.Second

// floodApp answers / at once, /block when release closes (a handler that
// ignores cancellation, as one stuck on a database), and /upload after
// reading the whole body. It counts the /block and /upload handlers
// running, and the most at once.
type floodApp struct {
	*web.Application
	release        chan struct{}
	inflight, peak atomic.Int64
}

func newFloodApp() *floodApp {
	f := &floodApp{Application: newApp(), release: make(chan struct{})}
	f.Router.Get("/", text("ok"))
	f.Router.Get("/block", func(*web.Request) (web.Response, error) {
		defer f.track()()
		select {
		case <-f.release:
		case <-time.After(2 * ioTimeout):
		}
		return web.Text("done"), nil
	})
	f.Router.Post("/upload", func(req *web.Request) (web.Response, error) {
		defer f.track()()
		b, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		return web.Text(strconv.Itoa(len(b))), nil
	})
	return f
}

// track counts a handler running until the function it returns is called.
func (f *floodApp) track() func() {
	n := f.inflight.Add(1)
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
	return func() { f.inflight.Add(-1) }
}

// h2Attacker is a raw HTTP/2 client over h2c: it writes frames as a test
// dictates and, when asked to, reads the server's frames on its own
// goroutine, noting the GOAWAY and the streams refused.
type h2Attacker struct {
	t     testing.TB
	nc    net.Conn
	bw    *bufio.Writer
	fr    *http2.Framer
	block bytes.Buffer
	enc   *hpack.Encoder

	reading bool // readFrames runs

	goAway  atomic.Int32 // the GOAWAY's error code + 1; 0: none yet
	resets  atomic.Int64 // RST_STREAM frames received
	readEnd chan struct{}
}

// dialH2Attacker connects to addr and sends the client preface and an
// empty SETTINGS frame; with read, it reads what the server sends until
// the connection ends, without answering. Without read the attacker's
// receive buffer is small, so that what the server sends backs up soon.
func dialH2Attacker(t testing.TB, addr string, read bool) *h2Attacker {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if !read {
		nc.(*net.TCPConn).SetReadBuffer(4 << 10)
	}
	a := &h2Attacker{t: t, nc: nc, bw: bufio.NewWriterSize(nc, 64<<10), readEnd: make(chan struct{})}
	a.fr = http2.NewFramer(a.bw, bufio.NewReader(nc))
	a.enc = hpack.NewEncoder(&a.block)
	t.Cleanup(func() {
		nc.Close()
		<-a.readEnd
	})
	if a.reading = read; read {
		go a.readFrames()
	} else {
		close(a.readEnd)
	}
	a.bw.WriteString(http2.ClientPreface)
	if err := a.fr.WriteSettings(); err != nil || a.flush() != nil {
		t.Fatalf("preface: %v", err)
	}
	return a
}

func (a *h2Attacker) readFrames() {
	defer close(a.readEnd)
	for {
		f, err := a.fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.GoAwayFrame:
			a.goAway.CompareAndSwap(0, int32(f.ErrCode)+1)
		case *http2.RSTStreamFrame:
			a.resets.Add(1)
		}
	}
}

func (a *h2Attacker) flush() error {
	a.nc.SetWriteDeadline(time.Now().Add(ioTimeout))
	return a.bw.Flush()
}

// headers writes a request's HEADERS frame on stream id; a POST announces
// a body of length bytes.
func (a *h2Attacker) headers(id uint32, method, path string, length int, endHeaders bool) error {
	a.block.Reset()
	fields := [][2]string{{":method", method}, {":scheme", "http"}, {":authority", "flood.test"}, {":path", path}}
	if method == "POST" {
		fields = append(fields, [2]string{"content-length", strconv.Itoa(length)})
	}
	for _, f := range fields {
		a.enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	return a.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: a.block.Bytes(), EndStream: method == "GET", EndHeaders: endHeaders})
}

// goAwayCode waits for the server's GOAWAY and returns its error code.
func (a *h2Attacker) goAwayCode() http2.ErrCode {
	a.t.Helper()
	waitFor(a.t, "GOAWAY", func() bool { return a.goAway.Load() != 0 })
	return http2.ErrCode(a.goAway.Load() - 1)
}

// floodStats is what a normal client and the server went through during
// an attack.
type floodStats struct {
	requests       int
	p50, p99, peak time.Duration
	goroutines     int    // most at once, beyond those before the attack
	heap           uint64 // most heap in use at once, beyond that before
}

// underAttack runs attack against s while a normal client keeps asking
// for / (alternately over HTTP/2 and HTTP/1.1, on connections opened
// before), and checks that every answer came with a p99 under victimP99,
// that the heap grew by floodHeap at most and that the server's goroutines come back to their number before the
// attack once it is over (attack closes its connections).
func underAttack(t *testing.T, s *testServer, attack func()) floodStats {
	t.Helper()
	h2t := h2cTransport()
	defer h2t.CloseIdleConnections()
	clients := []*http.Client{{Transport: h2t, Timeout: ioTimeout}, s.client}
	get := func(c *http.Client) error {
		resp, err := c.Get(s.url + "/")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if b, err := io.ReadAll(resp.Body); err != nil || string(b) != "ok" {
			return errors.New("answer " + resp.Status + " " + string(b))
		}
		return nil
	}
	for _, c := range clients {
		if err := get(c); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseG, baseHeap := runtime.NumGoroutine(), ms.HeapInuse

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var lat []time.Duration
	var failures []error
	var answered atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			start := time.Now()
			if err := get(clients[i%2]); err != nil {
				failures = append(failures, err)
			}
			lat = append(lat, time.Since(start))
			answered.Add(1)
		}
	}()
	var st floodStats
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			st.goroutines = max(st.goroutines, runtime.NumGoroutine()-baseG)
			st.heap = max(st.heap, ms.HeapInuse-min(ms.HeapInuse, baseHeap))
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	attack()
	// An attack over at once still loads the server (what the attacker
	// sent is still to read): the normal client goes on for a while.
	waitFor(t, "100 normal requests", func() bool { return answered.Load() >= 100 })
	close(stop)
	wg.Wait()

	if len(failures) > 0 {
		t.Errorf("%d of %d normal requests failed under attack, first: %v", len(failures), len(lat), failures[0])
	}
	slices.Sort(lat)
	st.requests = len(lat)
	if st.requests < 100 {
		t.Fatalf("only %d normal requests answered during the attack", st.requests)
	}
	st.p50, st.p99, st.peak = lat[len(lat)/2], lat[(len(lat)*99+99)/100-1], lat[len(lat)-1]
	t.Logf("normal client under attack: %d requests, p50 %v, p99 %v, max %v; server +%d goroutines, +%d KiB heap at most",
		st.requests, st.p50.Round(time.Microsecond), st.p99.Round(time.Microsecond), st.peak.Round(time.Microsecond), st.goroutines, st.heap>>10)
	if st.p99 > victimP99 {
		t.Errorf("normal client's p99 %v under attack, want under %v", st.p99, victimP99)
	}
	if st.heap > floodHeap {
		t.Errorf("heap grew by %d KiB under attack, want at most %d", st.heap>>10, floodHeap>>10)
	}
	waitFor(t, "goroutines back to "+strconv.Itoa(baseG)+" after the attack", func() bool {
		return runtime.NumGoroutine() <= baseG
	})
	return st
}

// attackFor runs round (which writes a burst of frames) up to maxRounds
// times, until the attacker is told GOAWAY, a write fails or d passes,
// then closes the attacking connection (after the server did, when it cut
// the attack). It reports how many rounds were flushed and whether the
// server cut the attack short.
//
// An attack that ends by its count, not its time, waits up to the rest
// of d for the server's GOAWAY: a loaded server may still be working
// through the frames of the last bursts when the attacker is done.
func (a *h2Attacker) attackFor(d time.Duration, maxRounds int, round func() error) (rounds int, cut bool) {
	defer a.nc.Close()
	start := time.Now()
	for ; time.Since(start) < d && rounds < maxRounds; rounds++ {
		if a.goAway.Load() != 0 || round() != nil || a.flush() != nil {
			a.expectClosed()
			return rounds, true
		}
	}
	for a.reading && rounds == maxRounds && time.Since(start) < d && a.goAway.Load() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	if a.goAway.Load() != 0 {
		a.expectClosed()
		return rounds, true
	}
	return rounds, false
}

// expectClosed checks that the server closes a connection it sent GOAWAY
// on (or stopped reading from): the attacker's reads end.
func (a *h2Attacker) expectClosed() {
	a.t.Helper()
	if !a.reading {
		return // a write failed: closed
	}
	select {
	case <-a.readEnd:
	case <-time.After(ioTimeout):
		a.t.Errorf("the server kept the connection open after GOAWAY")
	}
}

// Rapid reset (CVE-2023-44487): a client opens streams and cancels them at
// once, 20,000 of them as fast as it can. The handlers run are at most
// MaxConcurrentStreams (100) at a time; cancelled streams waiting for one
// are dropped, and a connection that has four times as many waiting
// (handlers that ignore cancellation) is closed with ENHANCE_YOUR_CALM.
func TestH2RapidReset(t *testing.T) {
	if testing.Short() {
		t.Skip("flood test")
	}
	f := newFloodApp()
	s := startApp(t, f.Application, web.ServerOptions{})
	for _, path := range []string{"/block", "/"} {
		t.Run(map[string]string{"/block": "blocking", "/": "quick"}[path], func(t *testing.T) {
			var pairs int
			var cut bool
			var code http2.ErrCode
			st := underAttack(t, s, func() {
				a := dialH2Attacker(t, s.addr, true)
				id := uint32(1)
				var rounds int
				rounds, cut = a.attackFor(attackTime, 200, func() error {
					for range 100 {
						if err := a.headers(id, "GET", path, 0, true); err != nil {
							return err
						}
						if err := a.fr.WriteRSTStream(id, http2.ErrCodeCancel); err != nil {
							return err
						}
						id += 2
					}
					return nil
				})
				pairs = rounds * 100
				if cut {
					code = a.goAwayCode()
				}
				if path == "/block" {
					close(f.release)
				}
			})
			t.Logf("%s: %d HEADERS+RST_STREAM pairs sent, cut %v (%v)", path, pairs, cut, code)
			if path == "/block" && (!cut || code != http2.ErrCodeEnhanceYourCalm || f.peak.Load() != 100) {
				t.Errorf("rapid reset of blocking handlers: cut %v with %v, %d handlers at once; want GOAWAY ENHANCE_YOUR_CALM, 100", cut, code, f.peak.Load())
			}
			// A handler is a goroutine or two (its own and the request
			// context's); the connection has a few more.
			if limit := 3 * 100; st.goroutines > limit {
				t.Errorf("%d more goroutines during the attack, want at most %d", st.goroutines, limit)
			}
		})
	}
}

// hpackLiteral returns header block fragments of about n bytes: literal
// fields never indexed, so that each decodes to as much as it weighs.
func hpackLiteral(n int) []byte {
	var b bytes.Buffer
	enc := hpack.NewEncoder(&b)
	enc.SetMaxDynamicTableSize(0)
	enc.WriteField(hpack.HeaderField{Name: ":method", Value: "GET"}) // carries the table size update
	b.Reset()
	for b.Len()+1100 < n {
		enc.WriteField(hpack.HeaderField{Name: "x-flood", Value: strings.Repeat("a", 1000)})
	}
	return b.Bytes()
}

// CONTINUATION flood (CVE-2023-45288): a header block that never ends.
// One that carries header fields is refused once past the header list
// limit (1 MiB) without being decoded further; one of empty frames,
// which costs the server nothing but the bytes, ends with the idle timeout
// (KeepAliveTimeout).
func TestH2ContinuationFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("flood test")
	}
	for _, tc := range []struct {
		name string
		frag []byte
		idle time.Duration
	}{
		{"fields", hpackLiteral(16 << 10), 0},
		{"empty", nil, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startApp(t, newFloodApp().Application, web.ServerOptions{KeepAliveTimeout: tc.idle})
			var sent int
			var cut bool
			var took time.Duration
			var code http2.ErrCode
			var conns int
			underAttack(t, s, func() {
				// A flood the server cuts at once starts again on a new
				// connection, for as long as the attack lasts.
				start := time.Now()
				for conns == 0 || cut && time.Since(start) < attackTime {
					conns++
					a := dialH2Attacker(t, s.addr, true)
					if err := a.headers(1, "GET", "/", 0, false); err != nil {
						t.Fatal(err)
					}
					connStart := time.Now()
					var rounds int
					rounds, cut = a.attackFor(2*ioTimeout, 1<<30, func() error {
						for range 16 {
							if err := a.fr.WriteContinuation(1, false, tc.frag); err != nil {
								return err
							}
						}
						return nil
					})
					took = time.Since(connStart)
					sent = rounds * 16 * (9 + len(tc.frag))
					if cut {
						code = a.goAwayCode()
					}
				}
			})
			t.Logf("%s: %d connections; the last sent %d KiB of CONTINUATION frames in %v, cut %v (%v)", tc.name, conns, sent>>10, took.Round(time.Millisecond), cut, code)
			if !cut {
				t.Fatalf("a header block without end was not cut in %v", took)
			}
			if tc.frag != nil && (code != http2.ErrCodeProtocol || sent > 64<<20) {
				t.Errorf("header fields flood: GOAWAY %v after %d KiB, want PROTOCOL_ERROR soon after 1 MiB", code, sent>>10)
			}
		})
	}
}

// SETTINGS and PING floods from a client that never reads the
// acknowledgements. PING answers back up, and past 10,000 queued control
// frames the server closes the connection; SETTINGS acknowledgements
// coalesce into one, so that flood queues nothing and costs the server
// only the reading (100,000 frames here).
func TestH2SettingsAndPingFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("flood test")
	}
	f := newFloodApp()
	s := startApp(t, f.Application, web.ServerOptions{})
	for _, tc := range []struct {
		name   string
		rounds int
		frame  func(fr *http2.Framer) error
	}{
		{"SETTINGS", 100, func(fr *http2.Framer) error {
			return fr.WriteSettings(http2.Setting{ID: http2.SettingHeaderTableSize, Val: 4096})
		}},
		{"PING", 1 << 30, func(fr *http2.Framer) error { return fr.WritePing(false, [8]byte{1}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rounds int
			var cut bool
			var took time.Duration
			underAttack(t, s, func() {
				a := dialH2Attacker(t, s.addr, false)
				start := time.Now()
				rounds, cut = a.attackFor(2*ioTimeout, tc.rounds, func() error {
					for range 1000 {
						if err := tc.frame(a.fr); err != nil {
							return err
						}
					}
					return nil
				})
				took = time.Since(start)
			})
			t.Logf("%s: %d frames sent in %v (%.0f/s), connection closed %v", tc.name, rounds*1000, took.Round(time.Millisecond), float64(rounds*1000)/took.Seconds(), cut)
			if tc.name == "PING" && !cut {
				t.Errorf("PING flood not cut in %v", took)
			}
		})
	}
}

// Many streams each trickle their request body: the handlers reading them
// are at most MaxConcurrentStreams (100), further streams are refused,
// and they all end with the connection.
func TestH2TricklingStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("flood test")
	}
	f := newFloodApp()
	s := startApp(t, f.Application, web.ServerOptions{})
	var refused int64
	st := underAttack(t, s, func() {
		a := dialH2Attacker(t, s.addr, true)
		const streams = 150
		for i := range uint32(streams) {
			if err := a.headers(2*i+1, "POST", "/upload", 1<<20, true); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.flush(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "100 handlers reading", func() bool { return f.inflight.Load() == 100 })
		a.attackFor(attackTime, 1<<30, func() error {
			for i := range uint32(100) {
				if err := a.fr.WriteData(2*i+1, false, []byte{'x'}); err != nil {
					return err
				}
			}
			time.Sleep(100 * time.Millisecond)
			return nil
		})
		refused = a.resets.Load()
	})
	waitFor(t, "the upload handlers to end", func() bool { return f.inflight.Load() == 0 })
	t.Logf("trickling: at most %d handlers at once, %d streams refused", f.peak.Load(), refused)
	if f.peak.Load() != 100 || refused < 50 {
		t.Errorf("%d handlers at once and %d streams refused, want 100 and 50", f.peak.Load(), refused)
	}
	if limit := 3 * 100; st.goroutines > limit {
		t.Errorf("%d more goroutines during the attack, want at most %d", st.goroutines, limit)
	}
}

// ServerOptions.HTTP2 replaces the defaults: here, 5 streams at once.
func TestH2MaxConcurrentStreamsOption(t *testing.T) {
	f := newFloodApp()
	s := startApp(t, f.Application, web.ServerOptions{HTTP2: &http.HTTP2Config{MaxConcurrentStreams: 5}})
	a := dialH2Attacker(t, s.addr, true)
	for i := range uint32(8) {
		if err := a.headers(2*i+1, "POST", "/upload", 10, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "3 streams refused", func() bool { return a.resets.Load() == 3 })
	if n := f.inflight.Load(); n != 5 {
		t.Errorf("%d handlers at once, want 5", n)
	}
	a.nc.Close()
	waitFor(t, "the upload handlers to end", func() bool { return f.inflight.Load() == 0 })
}

// What golang.org/x/net/http2 logs, connections clients broke, is a debug
// line in the application's log.
func TestH2ErrorsLogAtDebug(t *testing.T) {
	var log logBuffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := startApp(t, newApp(web.WithLogger(logger)), web.ServerOptions{})
	a := dialH2Attacker(t, s.addr, true)
	a.fr.WriteRSTStream(7, http2.ErrCodeCancel) // on an idle stream: a connection error
	a.flush()
	if code := a.goAwayCode(); code != http2.ErrCodeProtocol {
		t.Fatalf("GOAWAY %v", code)
	}
	if line := log.line(t, 0); !strings.Contains(line, `level=DEBUG msg="http2: server connection error`) {
		t.Errorf("log line %q", line)
	}
}
