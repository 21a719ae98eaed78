package aiohttp

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
	"go.uber.org/goleak"
)

// hammer runs workers goroutines that each acquire a connection to one
// of targets and release it rounds times, and returns the highest number
// of acquisitions held at once, per target and in all.
func hammer(t *testing.T, c Connector, targets []*dialTarget, workers, rounds int) (perTarget []int64, total int64) {
	t.Helper()
	held := make([]atomic.Int64, len(targets))
	peak := make([]atomic.Int64, len(targets))
	var all, allPeak atomic.Int64
	raise := func(p *atomic.Int64, v int64) {
		for {
			old := p.Load()
			if v <= old || p.CompareAndSwap(old, v) {
				return
			}
		}
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				i := (w + r) % len(targets)
				cc, err := c.acquire(context.Background(), targets[i])
				if err != nil {
					t.Error(err)
					return
				}
				raise(&peak[i], held[i].Add(1))
				raise(&allPeak, all.Add(1))
				time.Sleep(100 * time.Microsecond)
				held[i].Add(-1)
				all.Add(-1)
				c.release(cc, true)
			}
		})
	}
	wg.Wait()
	for i := range peak {
		perTarget = append(perTarget, peak[i].Load())
	}
	return perTarget, allPeak.Load()
}

func TestPoolLimitPerHost(t *testing.T) {
	const n = 3
	srv := newConnTestServer(t, nil)
	c := NewTCPConnector(TCPConnectorOptions{LimitPerHost: n})
	defer c.Close()
	peaks, _ := hammer(t, c, []*dialTarget{srv.target("http")}, 10*n, 30)
	if peaks[0] > n {
		t.Errorf("%d connections in use at once, limit %d", peaks[0], n)
	}
	if got := srv.acceptedBefore(t); got > n {
		t.Errorf("the server accepted %d connections, limit %d", got, n)
	}
	if s := c.Stats(); s.InUse != 0 || s.Waiting != 0 || s.Open != s.Idle || s.Open > n {
		t.Errorf("stats after the run: %+v", s)
	}
}

func TestPoolLimitTotal(t *testing.T) {
	const n = 4
	a, b := newConnTestServer(t, nil), newConnTestServer(t, nil)
	c := NewTCPConnector(TCPConnectorOptions{Limit: n, LimitPerHost: 3})
	defer c.Close()
	peaks, total := hammer(t, c, []*dialTarget{a.target("http"), b.target("http")}, 10*n, 30)
	if total > n || peaks[0] > 3 || peaks[1] > 3 {
		t.Errorf("peaks: %d in all (limit %d), %v per host (limit 3)", total, n, peaks)
	}
	open := int64(c.Stats().Open)
	if got := a.acceptedBefore(t) + b.acceptedBefore(t); got > 6 || got < open {
		t.Errorf("the servers accepted %d connections for 3 per host", got)
	}
}

// queueAcquire starts an acquisition that must queue, waits until it is
// queued, and returns the channel of its outcome.
func queueAcquire(t *testing.T, c *TCPConnector, ctx context.Context, tgt *dialTarget, order chan<- int, id int) <-chan error {
	t.Helper()
	before := c.Stats().Waiting
	done := make(chan error, 1)
	go func() {
		cc, err := c.acquire(ctx, tgt)
		if err == nil {
			if order != nil {
				order <- id
			}
			c.release(cc, true)
		}
		done <- err
	}()
	waitStats(t, c.pool, func(s ConnectorStats) bool { return s.Waiting == before+1 })
	return done
}

func TestPoolFIFO(t *testing.T) {
	srv, c, tgt := newPoolTest(t, TCPConnectorOptions{Limit: 1})
	first, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan int, 10)
	var dones []<-chan error
	for i := range 10 {
		dones = append(dones, queueAcquire(t, c, context.Background(), tgt, order, i))
	}
	c.release(first, true)
	for i := range 10 {
		if err := <-dones[i]; err != nil {
			t.Fatal(err)
		}
		if got := <-order; got != i {
			t.Fatalf("waiter %d got the connection in turn %d", got, i)
		}
	}
	if got := srv.acceptedBefore(t); got != 1 {
		t.Errorf("accepted %d connections, want 1", got)
	}
}

func TestPoolFIFOAcrossHosts(t *testing.T) {
	// A waiter held back by its host's limit does not block the next
	// waiter of another host when a slot frees.
	a, b := newConnTestServer(t, nil), newConnTestServer(t, nil)
	c := NewTCPConnector(TCPConnectorOptions{Limit: 2, LimitPerHost: 1})
	defer c.Close()
	ta, tb := a.target("http"), b.target("http")
	ca, err := c.acquire(context.Background(), ta)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := c.acquire(context.Background(), tb)
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan int, 2)
	waitA := queueAcquire(t, c, context.Background(), ta, order, 1)
	waitB := queueAcquire(t, c, context.Background(), tb, order, 2)
	c.release(cb, true) // frees host b: the older waiter (host a) stays blocked
	if err := <-waitB; err != nil {
		t.Fatal(err)
	}
	if got := <-order; got != 2 {
		t.Fatalf("waiter %d went first", got)
	}
	c.release(ca, true)
	if err := <-waitA; err != nil {
		t.Fatal(err)
	}
}

func TestPoolCancelWhileQueued(t *testing.T) {
	srv := newConnTestServer(t, nil)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	c := NewTCPConnector(TCPConnectorOptions{Limit: 1})
	tgt := srv.target("http")
	first, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := queueAcquire(t, c, ctx, tgt, nil, 0)
	cancel()
	err = <-done
	wantKind(t, err, ErrClientConnection)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not match context.Canceled", err)
	}
	if s := c.Stats(); s.Waiting != 0 || s.InUse != 1 {
		t.Errorf("stats after the cancellation: %+v", s)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = c.acquire(ctx, tgt)
	wantKind(t, err, ErrConnectionTimeout)

	c.release(first, true)
	// The slot is free for the next one, at once.
	ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	cc, err := c.acquire(ctx, tgt)
	if err != nil {
		t.Fatal(err)
	}
	c.release(cc, true)
	if s := c.Stats(); s.InUse != 0 || s.Idle != 1 {
		t.Errorf("stats at the end: %+v", s)
	}
	c.Close()
}

func TestPoolCancelRacesRelease(t *testing.T) {
	// Cancellations racing grants never leak or double-free a slot. A
	// third of the acquisitions have no deadline and must all get a
	// connection; the rest end at deadlines from 0 to 600µs, while slots
	// come free, and some must time out.
	_, c, tgt := newPoolTest(t, TCPConnectorOptions{Limit: 2})
	var wg sync.WaitGroup
	var granted, timedOut, patientGranted atomic.Int32
	const n = 210
	for i := range n {
		wg.Go(func() {
			ctx := context.Background()
			patient := i%3 == 0
			if !patient {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, time.Duration(i%7)*100*time.Microsecond)
				defer cancel()
			}
			cc, err := c.acquire(ctx, tgt)
			if err != nil {
				if patient || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("acquisition %d: %v", i, err)
				}
				timedOut.Add(1)
				return
			}
			granted.Add(1)
			if patient {
				patientGranted.Add(1)
			}
			time.Sleep(200 * time.Microsecond) // hold the slot while others queue
			c.release(cc, true)
		})
	}
	wg.Wait()
	if patientGranted.Load() != n/3 || timedOut.Load() == 0 || granted.Load()+timedOut.Load() != n {
		t.Errorf("granted %d (%d without deadline, want %d), timed out %d, of %d",
			granted.Load(), patientGranted.Load(), n/3, timedOut.Load(), n)
	}
	if s := c.Stats(); s.InUse != 0 || s.Waiting != 0 {
		t.Fatalf("stats after the run: %+v", s)
	}
	// Both slots are still there.
	c1 := mustAcquire(t, c, tgt)
	c2 := mustAcquire(t, c, tgt)
	c.release(c1, true)
	c.release(c2, true)
}

func TestPoolSetLimitAtRunTime(t *testing.T) {
	_, c, tgt := newPoolTest(t, TCPConnectorOptions{Limit: 1})
	first, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	var dones []<-chan error
	gate := make(chan int, 3)
	for i := range 3 {
		dones = append(dones, queueAcquire(t, c, context.Background(), tgt, gate, i))
	}
	c.SetLimit(4) // wakes the three waiters while first is still held
	for _, d := range dones {
		if err := <-d; err != nil {
			t.Fatal(err)
		}
	}
	if c.Limit() != 4 {
		t.Errorf("Limit() = %d", c.Limit())
	}

	// Lowering the limit closes nothing; new acquisitions wait until the
	// connections in use drain below it.
	held := []*clientConn{first}
	for range 3 {
		cc := mustAcquire(t, c, tgt)
		held = append(held, cc)
	}
	c.SetLimit(2)
	done := queueAcquire(t, c, context.Background(), tgt, nil, 0)
	c.release(held[0], true)
	c.release(held[1], true)
	select {
	case <-done:
		t.Fatal("an acquisition proceeded with 2 connections in use and a limit of 2")
	case <-time.After(20 * time.Millisecond):
	}
	c.release(held[2], true)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c.release(held[3], true)

	// SetLimitPerHost likewise.
	c.SetLimit(0)
	c.SetLimitPerHost(1)
	if c.Limit() != 0 || c.LimitPerHost() != 1 {
		t.Errorf("limits %d/%d", c.Limit(), c.LimitPerHost())
	}
	h, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	done = queueAcquire(t, c, context.Background(), tgt, nil, 0)
	c.SetLimitPerHost(0)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c.release(h, true)
}

func TestPoolKeepAliveExpiry(t *testing.T) {
	closed := make(chan struct{}, 10)
	srv := newConnTestServer(t, func(nc net.Conn) {
		var b [1]byte
		nc.Read(b[:])
		closed <- struct{}{}
	})
	c := NewTCPConnector(TCPConnectorOptions{KeepAliveTimeout: 50 * time.Millisecond})
	defer c.Close()
	tgt := srv.target("http")
	cc := mustAcquire(t, c, tgt)
	c.release(cc, true)
	if s := c.Stats(); s.Idle != 1 || s.Open != 1 {
		t.Fatalf("stats after release: %+v", s)
	}
	// The janitor closes it without any acquisition.
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the idle connection was not closed after the keep-alive timeout")
	}
	if s := c.Stats(); s.Idle != 0 || s.Open != 0 {
		t.Errorf("stats after expiry: %+v", s)
	}
	c.pool.mu.Lock()
	armed, entries := c.janitorArmed, len(c.hosts)+len(c.keys)
	c.pool.mu.Unlock()
	if armed || entries != 0 {
		t.Errorf("with an empty pool, the janitor stays armed (%v) or the maps hold %d entries", armed, entries)
	}

	// An acquisition finding an expired connection (janitor not run yet)
	// does not reuse it.
	cc = mustAcquire(t, c, tgt)
	c.release(cc, true)
	c.pool.mu.Lock()
	c.keys[cc.key].idle[0].idleSince = monotime() - time.Minute
	c.pool.mu.Unlock()
	cc2, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if cc2 == cc || cc2.reused {
		t.Error("an expired connection was reused")
	}
	c.release(cc2, true)
	if got := srv.acceptedBefore(t); got != 3 {
		t.Errorf("accepted %d connections, want 3", got)
	}
}

func TestPoolForceClose(t *testing.T) {
	for _, opts := range []TCPConnectorOptions{{ForceClose: true}, {KeepAliveTimeout: -1}} {
		srv := newConnTestServer(t, nil)
		c := NewTCPConnector(opts)
		tgt := srv.target("http")
		for range 3 {
			cc := mustAcquire(t, c, tgt)
			if cc.reused {
				t.Errorf("%+v: a connection was reused", opts)
			}
			c.release(cc, true)
			if s := c.Stats(); s.Open != 0 {
				t.Errorf("%+v: stats after release: %+v", opts, s)
			}
		}
		if got := srv.acceptedBefore(t); got != 3 {
			t.Errorf("%+v: accepted %d connections, want 3", opts, got)
		}
		// The janitor tidies the bookkeeping even without idle
		// connections, and then stops.
		c.sweep()
		c.pool.mu.Lock()
		armed, entries := c.janitorArmed, len(c.hosts)+len(c.keys)
		c.pool.mu.Unlock()
		if armed || entries != 0 {
			t.Errorf("%+v: after a sweep the janitor is armed (%v), the maps hold %d entries", opts, armed, entries)
		}
		c.Close()
	}
}

// newPoolTest returns a server, a connector closed when the test ends and
// a dial target for the server.
func newPoolTest(t *testing.T, opts TCPConnectorOptions) (*connTestServer, *TCPConnector, *dialTarget) {
	t.Helper()
	srv := newConnTestServer(t, nil)
	c := NewTCPConnector(opts)
	t.Cleanup(func() { c.Close() })
	return srv, c, srv.target("http")
}

// mustAcquire acquires a connection for tgt from c.
func mustAcquire(t *testing.T, c *TCPConnector, tgt *dialTarget) *clientConn {
	t.Helper()
	cc, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	return cc
}

func TestPoolReleaseWithoutReuse(t *testing.T) {
	_, c, tgt := newPoolTest(t, TCPConnectorOptions{})
	cc := mustAcquire(t, c, tgt)
	c.release(cc, false)
	c.release(cc, true) // a second release does nothing
	if s := c.Stats(); s != (ConnectorStats{}) {
		t.Errorf("stats: %+v", s)
	}
}

func TestPoolLIFO(t *testing.T) {
	_, c, tgt := newPoolTest(t, TCPConnectorOptions{})
	a, _ := c.acquire(context.Background(), tgt)
	b, err := c.acquire(context.Background(), tgt)
	if err != nil || a == nil {
		t.Fatal(err)
	}
	c.release(a, true)
	c.release(b, true)
	got, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if got != b || !got.reused {
		t.Error("the most recently released connection was not reused first")
	}
	c.release(got, true)
}

func TestPoolStaleIdleConnection(t *testing.T) {
	srv, c, tgt := newPoolTest(t, TCPConnectorOptions{})
	cc := mustAcquire(t, c, tgt)
	c.release(cc, true)
	// The server closes the idle connection.
	(<-srv.conns).Close()
	deadline := time.Now().Add(5 * time.Second)
	for cc.alive.ok() {
		if time.Now().After(deadline) {
			t.Skip("aliveCheck cannot see closed connections on this system")
		}
		time.Sleep(time.Millisecond)
	}
	fresh, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == cc || fresh.reused {
		t.Fatal("a connection closed by the server was reused")
	}
	c.release(fresh, true)
	if s := c.Stats(); s.Open != 1 || s.Idle != 1 {
		t.Errorf("stats: %+v", s)
	}
	if got := srv.acceptedBefore(t); got != 2 {
		t.Errorf("accepted %d, want 2", got)
	}
}

func TestAliveCheck(t *testing.T) {
	srv := newConnTestServer(t, func(nc net.Conn) {
		var b [1]byte
		nc.Read(b[:])
	})
	nc, err := net.Dial("tcp", srv.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	sc := <-srv.conns
	alive := newAliveCheck(nc)
	if !alive.ok() {
		t.Fatal("an open idle connection looks dead")
	}
	// Still usable after the check.
	if _, err := nc.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	sc.Write([]byte("unsolicited"))
	deadline := time.Now().Add(5 * time.Second)
	for alive.ok() {
		if time.Now().After(deadline) {
			t.Skip("aliveCheck cannot see pending bytes on this system")
		}
		time.Sleep(time.Millisecond)
	}
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	if !newAliveCheck(p1).ok() {
		t.Error("a connection without a socket is not trusted")
	}
}

func TestPoolUnreadBytesClose(t *testing.T) {
	srv := newConnTestServer(t, func(nc net.Conn) {
		nc.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nextra"))
		var b [1]byte
		nc.Read(b[:])
	})
	c := NewTCPConnector(TCPConnectorOptions{})
	defer c.Close()
	cc, err := c.acquire(context.Background(), srv.target("http"))
	if err != nil {
		t.Fatal(err)
	}
	var head http1.ResponseHead
	if err := cc.r.ReadResponseHead(&head, http1.Limits{}); err != nil {
		t.Fatal(err)
	}
	if cc.r.Buffered() == 0 {
		t.Skip("the extra bytes arrived after the head")
	}
	c.release(cc, true)
	if s := c.Stats(); s.Idle != 0 || s.Open != 0 {
		t.Errorf("a connection with unread bytes was pooled: %+v", s)
	}
}

func TestPoolClose(t *testing.T) {
	srv := newConnTestServer(t, nil)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	c := NewTCPConnector(TCPConnectorOptions{Limit: 1})
	tgt := srv.target("http")
	held, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	done := queueAcquire(t, c, context.Background(), tgt, nil, 0)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	err = <-done
	if e := wantKind(t, err, ErrClientConnection); !errors.Is(e.Err, errConnectorClosed) {
		t.Errorf("queued acquisition after Close: %v", err)
	}
	_, err = c.acquire(context.Background(), tgt)
	wantKind(t, err, ErrClientConnection)
	c.release(held, true) // closes instead of pooling
	if s := c.Stats(); s != (ConnectorStats{}) {
		t.Errorf("stats after Close and release: %+v", s)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestTargetKeys(t *testing.T) {
	plain := &dialTarget{scheme: "http", host: "::1", port: "80"}
	if k := plain.key(); k.hostKey.String() != "http://[::1]:80" || k != (poolKey{hostKey: plain.origin()}) {
		t.Errorf("plain target: key %+v", k)
	}
	cfg := &tls.Config{}
	proxy, _ := url.Parse("http://proxy:3128")
	distinct := map[poolKey]bool{}
	for _, tg := range []*dialTarget{
		{scheme: "https", host: "a", port: "443"},
		{scheme: "https", host: "a", port: "443", tls: &TLSOptions{InsecureSkipVerify: true}},
		{scheme: "https", host: "a", port: "443", tls: &TLSOptions{ServerName: "b"}},
		{scheme: "https", host: "a", port: "443", tls: &TLSOptions{Fingerprint: []byte{1}}},
		{scheme: "https", host: "a", port: "443", tls: &TLSOptions{Config: cfg}},
		{scheme: "https", host: "a", port: "443", tls: &TLSOptions{Config: &tls.Config{}}},
		{scheme: "https", host: "a", port: "443", forceHTTP1: true},
		{scheme: "https", host: "a", port: "444"},
		{scheme: "http", host: "a", port: "443"},
		{scheme: "http", host: "a", port: "443", proxy: &proxyTarget{url: proxy}},
		{scheme: "http", host: "a", port: "443", proxy: &proxyTarget{url: proxy, auth: "Basic eA=="}},
		{scheme: "http", host: "a", port: "443", proxy: &proxyTarget{url: proxy, header: multidict.NewCI(multidict.Item{Key: "X", Value: "1"})}},
	} {
		key := tg.key()
		if distinct[key] {
			t.Errorf("key %+v repeats", key)
		}
		distinct[key] = true
		if want := tg.scheme + "://a:" + tg.port; key.hostKey.String() != want {
			t.Errorf("host key %q, want %q", key.hostKey, want)
		}
	}
	// Equal settings give equal keys: the same Config, a new TLSOptions.
	a := &dialTarget{scheme: "https", host: "a", port: "443", tls: &TLSOptions{Config: cfg, Fingerprint: []byte{1, 2}}}
	b := &dialTarget{scheme: "https", host: "a", port: "443", tls: &TLSOptions{Config: cfg, Fingerprint: []byte{1, 2}}}
	if a.key() != b.key() {
		t.Errorf("equal targets, keys %+v and %+v", a.key(), b.key())
	}
}

func BenchmarkPoolAcquireRelease(b *testing.B) {
	srv := newConnTestServer(b, nil)
	c := NewTCPConnector(TCPConnectorOptions{})
	defer c.Close()
	tgt := srv.target("http")
	b.ReportAllocs()
	for b.Loop() {
		cc, err := c.acquire(context.Background(), tgt)
		if err != nil {
			b.Fatal(err)
		}
		c.release(cc, true)
	}
}

// A connection released after the janitor dropped its pool key's state
// goes back into the pool all the same.
func TestPoolReleaseAfterKeyDropped(t *testing.T) {
	srv, c, tgt := newPoolTest(t, TCPConnectorOptions{})
	cc := mustAcquire(t, c, tgt)
	c.release(cc, true) // idle: its key state is known to it
	if cc = mustAcquire(t, c, tgt); !cc.reused {
		t.Fatal("not reused")
	}
	c.sweep() // no idle connection left under the key: its state goes
	c.pool.mu.Lock()
	keys := len(c.keys)
	c.pool.mu.Unlock()
	if keys != 0 {
		t.Fatalf("the sweep kept %d key states", keys)
	}
	c.release(cc, true)
	again := mustAcquire(t, c, tgt)
	defer c.release(again, true)
	if n := srv.acceptedBefore(t); again != cc || n != 1 {
		t.Errorf("the connection released after the sweep was not reused (%d dialed)", n)
	}
}

// TestPoolCloseIdleAtLimit: with CloseIdleAtLimit, a new connection at
// the limit closes the least recently used idle one; without it, idle
// connections do not count.
func TestPoolCloseIdleAtLimit(t *testing.T) {
	for _, strict := range []bool{false, true} {
		srvs := []*connTestServer{newConnTestServer(t, nil), newConnTestServer(t, nil), newConnTestServer(t, nil)}
		c := NewTCPConnector(TCPConnectorOptions{Limit: 2, CloseIdleAtLimit: strict})
		for _, s := range srvs[:2] {
			cc, err := c.acquire(context.Background(), s.target("http"))
			if err != nil {
				t.Fatal(err)
			}
			c.release(cc, true)
		}
		cc, err := c.acquire(context.Background(), srvs[2].target("http"))
		if err != nil {
			t.Fatal(err)
		}
		want := ConnectorStats{Open: 3, Idle: 2, InUse: 1}
		if strict {
			want = ConnectorStats{Open: 2, Idle: 1, InUse: 1}
		}
		if got := c.Stats(); got != want {
			t.Errorf("CloseIdleAtLimit %v: stats %+v, want %+v", strict, got, want)
		}
		c.release(cc, true)
		if strict { // the oldest idle one, to the first server, was closed
			cc, err := c.acquire(context.Background(), srvs[1].target("http"))
			if err != nil || !cc.reused {
				t.Errorf("the second server's idle connection was not kept: %v", err)
			}
			c.release(cc, true)
		}
		c.Close()
	}
}
