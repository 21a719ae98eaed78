package aiohttp

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// fakeResolver answers from a table, counting its lookups; while gate is
// not nil, lookups wait for it (or their context) first.
type fakeResolver struct {
	addrs map[string][]net.IPAddr
	gate  chan struct{}
	calls atomic.Int64
}

func (r *fakeResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	r.calls.Add(1)
	if r.gate != nil {
		select {
		case <-r.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if a, ok := r.addrs[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// ipAddrs parses IP literals.
func ipAddrs(ips ...string) []net.IPAddr {
	var out []net.IPAddr
	for _, s := range ips {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	return out
}

func TestDNSCacheHitMissTTL(t *testing.T) {
	r := &fakeResolver{addrs: map[string][]net.IPAddr{"a.test": ipAddrs("192.0.2.1")}}
	c := NewTCPConnector(TCPConnectorOptions{Resolver: r, DNSCacheTTL: time.Hour})
	defer c.Close()
	var tr connTestTrace
	ctx := context.Background()
	for range 3 {
		addrs, err := c.resolve(ctx, "a.test", tr.tracer(), "http://a.test:80")
		if err != nil {
			t.Fatal(err)
		}
		if len(addrs) != 1 || !addrs[0].IP.Equal(net.ParseIP("192.0.2.1")) {
			t.Fatalf("addresses %v", addrs)
		}
	}
	if r.calls.Load() != 1 || tr.dnsMiss.Load() != 1 || tr.dnsHit.Load() != 2 || tr.dnsStart.Load() != 1 || tr.dnsEnd.Load() != 1 {
		t.Errorf("calls %d, miss %d, hit %d, start %d, end %d", r.calls.Load(), tr.dnsMiss.Load(), tr.dnsHit.Load(), tr.dnsStart.Load(), tr.dnsEnd.Load())
	}
	c.dns.mu.Lock()
	ent := c.dns.entries["a.test"].Value.(*dnsEntry)
	if d := time.Until(ent.expires); d < 59*time.Minute || d > time.Hour {
		t.Errorf("the entry expires in %v, want the TTL", d)
	}
	ent.expires = time.Now().Add(-time.Millisecond) // the TTL has passed
	c.dns.mu.Unlock()
	if _, err := c.resolve(ctx, "a.test", tr.tracer(), ""); err != nil {
		t.Fatal(err)
	}
	if r.calls.Load() != 2 || tr.dnsMiss.Load() != 2 {
		t.Errorf("after the TTL: calls %d, misses %d", r.calls.Load(), tr.dnsMiss.Load())
	}
	c.ClearDNSCache("a.test")
	c.resolve(ctx, "a.test", nil, "")
	c.ClearDNSCache("")
	c.resolve(ctx, "a.test", nil, "")
	if r.calls.Load() != 4 {
		t.Errorf("after clearing: calls %d, want 4", r.calls.Load())
	}
}

func TestDNSCacheNeverExpires(t *testing.T) {
	r := &fakeResolver{addrs: map[string][]net.IPAddr{"a.test": ipAddrs("192.0.2.1")}}
	d := newDNSCache(TCPConnectorOptions{Resolver: r, DNSCacheTTL: -1})
	d.lookup(context.Background(), "a.test", nil)
	d.mu.Lock()
	d.entries["a.test"].Value.(*dnsEntry).expires = time.Now().Add(-time.Hour)
	d.mu.Unlock()
	d.lookup(context.Background(), "a.test", nil)
	if r.calls.Load() != 1 {
		t.Errorf("calls %d, want 1", r.calls.Load())
	}
}

func TestDNSCacheDisabled(t *testing.T) {
	r := &fakeResolver{addrs: map[string][]net.IPAddr{"a.test": ipAddrs("192.0.2.1")}}
	c := NewTCPConnector(TCPConnectorOptions{Resolver: r, DisableDNSCache: true})
	defer c.Close()
	var tr connTestTrace
	for range 3 {
		if _, err := c.resolve(context.Background(), "a.test", tr.tracer(), ""); err != nil {
			t.Fatal(err)
		}
	}
	if r.calls.Load() != 3 || tr.dnsHit.Load()+tr.dnsMiss.Load() != 0 || tr.dnsStart.Load() != 3 {
		t.Errorf("calls %d, hits+misses %d, starts %d", r.calls.Load(), tr.dnsHit.Load()+tr.dnsMiss.Load(), tr.dnsStart.Load())
	}
}

func TestDNSCacheSizeBound(t *testing.T) {
	r := &fakeResolver{addrs: map[string][]net.IPAddr{
		"a.test": ipAddrs("192.0.2.1"), "b.test": ipAddrs("192.0.2.2"), "c.test": ipAddrs("192.0.2.3"),
	}}
	d := newDNSCache(TCPConnectorOptions{Resolver: r, DNSCacheSize: 2})
	ctx := context.Background()
	for _, h := range []string{"a.test", "b.test", "a.test", "c.test"} { // b is the least recently used
		if _, err := d.lookup(ctx, h, nil); err != nil {
			t.Fatal(err)
		}
	}
	if r.calls.Load() != 3 || len(d.entries) != 2 || d.lru.Len() != 2 {
		t.Fatalf("calls %d, entries %d", r.calls.Load(), len(d.entries))
	}
	d.lookup(ctx, "a.test", nil)
	if r.calls.Load() != 3 {
		t.Error("a recently used entry was evicted")
	}
	d.lookup(ctx, "b.test", nil)
	if r.calls.Load() != 4 {
		t.Error("the least recently used entry stayed")
	}
}

func TestDNSCoalescing(t *testing.T) {
	r := &fakeResolver{addrs: map[string][]net.IPAddr{"a.test": ipAddrs("192.0.2.1")}, gate: make(chan struct{})}
	c := NewTCPConnector(TCPConnectorOptions{Resolver: r})
	defer c.Close()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			addrs, err := c.resolve(context.Background(), "a.test", nil, "")
			if err != nil || len(addrs) != 1 {
				t.Errorf("%v %v", addrs, err)
			}
		})
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		c.dns.mu.Lock()
		call := c.dns.calls["a.test"]
		n := 0
		if call != nil {
			n = call.waiters
		}
		c.dns.mu.Unlock()
		if n == 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waiters on the lookup", n)
		}
		time.Sleep(time.Millisecond)
	}
	close(r.gate)
	wg.Wait()
	if r.calls.Load() != 1 {
		t.Errorf("20 concurrent lookups called the resolver %d times", r.calls.Load())
	}
}

func TestDNSCoalescedCancel(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	r := &fakeResolver{addrs: map[string][]net.IPAddr{"a.test": ipAddrs("192.0.2.1")}, gate: make(chan struct{})}
	d := newDNSCache(TCPConnectorOptions{Resolver: r})

	// One caller giving up does not fail the other.
	ctx1, cancel1 := context.WithCancel(context.Background())
	err1 := make(chan error, 1)
	go func() { _, err := d.lookup(ctx1, "a.test", nil); err1 <- err }()
	res2 := make(chan error, 1)
	go func() { _, err := d.lookup(context.Background(), "a.test", nil); res2 <- err }()
	for r.calls.Load() == 0 || waiters(d, "a.test") != 2 {
		time.Sleep(time.Millisecond)
	}
	cancel1()
	if err := <-err1; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v", err)
	}
	r.gate <- struct{}{}
	if err := <-res2; err != nil {
		t.Errorf("remaining caller: %v", err)
	}

	// When every caller gives up, the lookup is cancelled.
	ctx3, cancel3 := context.WithCancel(context.Background())
	d.clear("")
	done := make(chan error, 1)
	go func() { _, err := d.lookup(ctx3, "a.test", nil); done <- err }()
	for waiters(d, "a.test") != 1 {
		time.Sleep(time.Millisecond)
	}
	cancel3()
	<-done
}

// waiters returns the number of callers waiting for a lookup of host.
func waiters(d *dnsCache, host string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.calls[host]; c != nil {
		return c.waiters
	}
	return 0
}

func TestDNSErrors(t *testing.T) {
	r := &fakeResolver{addrs: map[string][]net.IPAddr{"empty.test": {}}}
	c := NewTCPConnector(TCPConnectorOptions{Resolver: r})
	defer c.Close()
	_, err := c.acquire(context.Background(), &dialTarget{scheme: "http", host: "missing.test", port: "80"})
	wantKind(t, err, ErrClientConnectorDNS)
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound || !errors.Is(err, ErrClientConnector) {
		t.Errorf("DNS error %v", err)
	}
	_, err = c.acquire(context.Background(), &dialTarget{scheme: "http", host: "empty.test", port: "80"})
	wantKind(t, err, ErrClientConnectorDNS)
	if c.Stats().InUse != 0 {
		t.Error("a failed lookup kept its slot")
	}
}

func TestFamilyFilter(t *testing.T) {
	r := &fakeResolver{addrs: map[string][]net.IPAddr{
		"dual.test": ipAddrs("2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2"),
		"v6.test":   ipAddrs("2001:db8::1"),
	}}
	for _, tc := range []struct {
		family int
		host   string
		want   []string
	}{
		{0, "dual.test", []string{"2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2"}},
		{4, "dual.test", []string{"192.0.2.1", "192.0.2.2"}},
		{6, "dual.test", []string{"2001:db8::1", "2001:db8::2"}},
		{4, "v6.test", nil},
		{4, "127.0.0.1", []string{"127.0.0.1"}},
		{6, "127.0.0.1", nil},
		{6, "::1", []string{"::1"}},
		{0, "fe80::1%lo", []string{"fe80::1%lo"}},
	} {
		c := NewTCPConnector(TCPConnectorOptions{Resolver: r, Family: tc.family})
		addrs, err := c.resolve(context.Background(), tc.host, nil, "")
		var got []string
		for _, a := range addrs {
			got = append(got, a.String())
		}
		if tc.want == nil {
			if err == nil {
				t.Errorf("family %d, %s: %v, want an error", tc.family, tc.host, got)
			} else {
				wantKind(t, err, ErrClientConnectorDNS)
			}
			continue
		}
		if err != nil || len(got) != len(tc.want) {
			t.Errorf("family %d, %s: %v %v, want %v", tc.family, tc.host, got, err, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("family %d, %s: %v, want %v", tc.family, tc.host, got, tc.want)
				break
			}
		}
		c.Close()
	}
}
