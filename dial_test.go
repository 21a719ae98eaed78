package aiohttp

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// scriptedDialer is a fake network dialer: each address behaves as its
// entry says ("ok" connects, "hang" blocks until cancelled, "stubborn"
// connects after 30ms even when cancelled, anything else is refused at
// once), and every dial is recorded.
type scriptedDialer struct {
	script map[string]string
	mu     sync.Mutex
	dialed []string
	conns  []*trackedConn // the connections made
	closed []string       // addresses whose dial ended by cancellation
}

func (d *scriptedDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.dialed = append(d.dialed, addr)
	d.mu.Unlock()
	host, _, _ := net.SplitHostPort(addr)
	switch d.script[host] {
	case "ok":
		return d.conn(), nil
	case "stubborn":
		time.Sleep(30 * time.Millisecond)
		return d.conn(), nil
	case "hang":
		<-ctx.Done()
		d.mu.Lock()
		d.closed = append(d.closed, host)
		d.mu.Unlock()
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	}
	return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
}

func (d *scriptedDialer) conn() net.Conn {
	a, b := net.Pipe()
	b.Close()
	c := &trackedConn{Conn: a}
	d.mu.Lock()
	d.conns = append(d.conns, c)
	d.mu.Unlock()
	return c
}

// trackedConn records whether it was closed.
type trackedConn struct {
	net.Conn
	closed atomic.Bool
}

func (c *trackedConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}

func (d *scriptedDialer) record() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.dialed)
}

func TestHappyEyeballsFirstHangs(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	d := &scriptedDialer{script: map[string]string{"2001:db8::1": "hang", "192.0.2.1": "ok"}}
	start := time.Now()
	c, err := dialHappyEyeballs(context.Background(), d.dial, ipAddrs("2001:db8::1", "192.0.2.1"), "80", 30*time.Millisecond, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if el := time.Since(start); el < 30*time.Millisecond {
		t.Errorf("the second attempt started after %v, before the delay", el)
	}
	if got := d.record(); !slices.Equal(got, []string{"[2001:db8::1]:80", "192.0.2.1:80"}) {
		t.Errorf("dialed %v", got)
	}
	if c != net.Conn(d.conns[0]) {
		t.Error("the winning connection is not the one returned")
	}
	// The hanging attempt is cancelled (goleak checks that it ended).
}

func TestHappyEyeballsFailureStartsNext(t *testing.T) {
	d := &scriptedDialer{script: map[string]string{"192.0.2.2": "ok"}}
	start := time.Now()
	c, err := dialHappyEyeballs(context.Background(), d.dial, ipAddrs("192.0.2.1", "192.0.2.2"), "80", 10*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("the next attempt waited for the delay after a failure (%v)", el)
	}
}

func TestHappyEyeballsInterleaving(t *testing.T) {
	d := &scriptedDialer{script: map[string]string{}}
	// Every attempt is refused at once, which starts the next: with a
	// delay that never runs out, the attempts go one after another, in
	// the order tried (a short delay would race the failures under load).
	_, err := dialHappyEyeballs(context.Background(), d.dial,
		ipAddrs("2001:db8::1", "2001:db8::2", "2001:db8::3", "192.0.2.1", "192.0.2.2"), "80", time.Minute, 0)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("all refused: %v", err)
	}
	want := []string{"[2001:db8::1]:80", "192.0.2.1:80", "[2001:db8::2]:80", "192.0.2.2:80", "[2001:db8::3]:80"}
	if got := d.record(); !slices.Equal(got, want) {
		t.Errorf("dialed %v, want %v", got, want)
	}
	if got := interleaveFamilies(ipAddrs("192.0.2.1", "2001:db8::1", "192.0.2.2")); got[0].String() != "192.0.2.1" || got[1].String() != "2001:db8::1" {
		t.Errorf("IPv4 first: %v", got)
	}
}

func TestHappyEyeballsSequential(t *testing.T) {
	// A negative delay tries one address after the other: the second
	// attempt waits for the first to fail, here by its own timeout.
	d := &scriptedDialer{script: map[string]string{"192.0.2.1": "hang", "192.0.2.2": "ok"}}
	c, err := dialHappyEyeballs(context.Background(), d.dial, ipAddrs("192.0.2.1", "192.0.2.2"), "80", -1, 40*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	d.mu.Lock()
	closed := slices.Clone(d.closed)
	d.mu.Unlock()
	if !slices.Equal(closed, []string{"192.0.2.1"}) {
		t.Errorf("attempts ended by timeout: %v", closed)
	}
}

func TestHappyEyeballsLateWinnerClosed(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	d := &scriptedDialer{script: map[string]string{"192.0.2.1": "stubborn", "192.0.2.2": "ok"}}
	c, err := dialHappyEyeballs(context.Background(), d.dial, ipAddrs("192.0.2.1", "192.0.2.2"), "80", 10*time.Millisecond, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The first attempt, ignoring the cancellation when the second wins,
	// connects late: that connection is closed, so nothing leaks.
	lateClosed := func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return len(d.conns) == 2 && d.conns[1].closed.Load()
	}
	for deadline := time.Now().Add(5 * time.Second); !lateClosed(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the late connection stayed open")
		}
	}
	if c != net.Conn(d.conns[0]) || d.conns[0].closed.Load() {
		t.Error("the winning connection is not the one returned, or was closed")
	}
}

func TestHappyEyeballsContextEnds(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	d := &scriptedDialer{script: map[string]string{"192.0.2.1": "hang", "192.0.2.2": "hang"}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := dialHappyEyeballs(ctx, d.dial, ipAddrs("192.0.2.1", "192.0.2.2"), "80", 5*time.Millisecond, 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v", err)
	}
}

func TestHappyEyeballsThroughConnector(t *testing.T) {
	// The connector's Happy Eyeballs against real sockets: the first
	// address (through the injected dialer) hangs, the second is a server.
	srv := newConnTestServer(t, nil)
	r := &fakeResolver{addrs: map[string][]net.IPAddr{"dual.test": ipAddrs("2001:db8::1", srv.host)}}
	c := NewTCPConnector(TCPConnectorOptions{Resolver: r, HappyEyeballsDelay: 20 * time.Millisecond})
	defer c.Close()
	real := c.dial
	c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, _, _ := net.SplitHostPort(addr); host == "2001:db8::1" {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return real(ctx, network, addr)
	}
	cc, err := c.acquire(context.Background(), &dialTarget{scheme: "http", host: "dual.test", port: srv.port})
	if err != nil {
		t.Fatal(err)
	}
	c.release(cc, false)
	if got := srv.acceptedBefore(t); got != 1 {
		t.Errorf("accepted %d", got)
	}
}
