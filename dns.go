package aiohttp

import (
	"container/list"
	"context"
	"net"
	"sync"
	"time"
)

// Resolver looks up the addresses of a host name (aiohttp's resolver
// argument). *net.Resolver satisfies it; tests and special setups plug in
// their own.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// dnsCache resolves host names through a Resolver, keeps the answers for
// a time to live in a cache bounded in size (the least recently used
// entry goes first), and coalesces concurrent lookups of one host into a
// single call of the resolver.
type dnsCache struct {
	resolver Resolver
	caching  bool
	ttl      time.Duration // < 0: entries never expire
	size     int           // < 0: no bound

	mu      sync.Mutex
	entries map[string]*list.Element // of *dnsEntry, in lru
	lru     list.List                // most recently used first
	calls   map[string]*dnsCall      // lookups in flight
}

// dnsEntry is a cached answer.
type dnsEntry struct {
	host    string
	addrs   []net.IPAddr
	expires time.Time
}

// dnsCall is a lookup in flight and the callers waiting for it. The lookup
// is cancelled when every waiter has gone.
type dnsCall struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int
	addrs   []net.IPAddr
	err     error
}

// newDNSCache returns a cache with opts' settings.
func newDNSCache(opts TCPConnectorOptions) *dnsCache {
	d := &dnsCache{
		resolver: opts.Resolver,
		caching:  !opts.DisableDNSCache,
		ttl:      opts.DNSCacheTTL,
		size:     opts.DNSCacheSize,
		entries:  make(map[string]*list.Element),
		calls:    make(map[string]*dnsCall),
	}
	if d.resolver == nil {
		d.resolver = net.DefaultResolver
	}
	if d.ttl == 0 {
		d.ttl = 10 * time.Second
	}
	if d.size == 0 {
		d.size = 1000
	}
	return d
}

// lookup returns the addresses of host, from the cache when it holds a
// fresh answer. The returned slice is shared: callers must not modify it.
// It sends aiohttp's trace signals: dns_cache_hit, or dns_cache_miss
// (when caching) then dns_resolvehost_start and, on success,
// dns_resolvehost_end; a lookup joined while in flight is a miss too.
func (d *dnsCache) lookup(ctx context.Context, host string, tr *tracer) ([]net.IPAddr, error) {
	if d.caching {
		if addrs, ok := d.cached(host); ok {
			tr.dnsCacheHit(host)
			return addrs, nil
		}
		tr.dnsCacheMiss(host)
	}
	tr.dnsResolveHostStart(host)
	addrs, err := d.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	tr.dnsResolveHostEnd(host)
	return addrs, nil
}

// cached returns the fresh cached answer for host, dropping a stale one.
func (d *dnsCache) cached(host string) ([]net.IPAddr, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[host]
	if !ok {
		return nil, false
	}
	ent := e.Value.(*dnsEntry)
	if d.ttl >= 0 && !time.Now().Before(ent.expires) {
		d.lru.Remove(e)
		delete(d.entries, host)
		return nil, false
	}
	d.lru.MoveToFront(e)
	return ent.addrs, true
}

// resolve asks the resolver, joining a lookup of host already in flight.
// The lookup runs on its own goroutine with ctx's values but not its
// cancellation, so that one caller giving up does not fail the others.
func (d *dnsCache) resolve(ctx context.Context, host string) ([]net.IPAddr, error) {
	d.mu.Lock()
	call := d.calls[host]
	if call == nil {
		lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		call = &dnsCall{done: make(chan struct{}), cancel: cancel}
		d.calls[host] = call
		go d.run(lctx, host, call)
	}
	call.waiters++
	d.mu.Unlock()

	select {
	case <-call.done:
		return call.addrs, call.err
	case <-ctx.Done():
		d.mu.Lock()
		call.waiters--
		if call.waiters == 0 && d.calls[host] == call {
			delete(d.calls, host)
			call.cancel()
		}
		d.mu.Unlock()
		return nil, ctx.Err()
	}
}

// run performs call's lookup and caches a successful answer.
func (d *dnsCache) run(ctx context.Context, host string, call *dnsCall) {
	addrs, err := d.resolver.LookupIPAddr(ctx, host)
	call.cancel()
	if err == nil && len(addrs) == 0 {
		err = &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	d.mu.Lock()
	if d.calls[host] == call {
		delete(d.calls, host)
		if err == nil && d.caching {
			d.store(host, addrs)
		}
	}
	call.addrs, call.err = addrs, err
	d.mu.Unlock()
	close(call.done)
}

// store caches addrs for host, evicting the least recently used entries
// beyond the size bound.
func (d *dnsCache) store(host string, addrs []net.IPAddr) {
	ent := &dnsEntry{host: host, addrs: addrs, expires: time.Now().Add(d.ttl)}
	if e, ok := d.entries[host]; ok {
		e.Value = ent
		d.lru.MoveToFront(e)
		return
	}
	d.entries[host] = d.lru.PushFront(ent)
	for d.size > 0 && d.lru.Len() > d.size {
		old := d.lru.Back()
		d.lru.Remove(old)
		delete(d.entries, old.Value.(*dnsEntry).host)
	}
}

// clear drops the cached answer for host, or every answer when host is "".
func (d *dnsCache) clear(host string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if host == "" {
		clear(d.entries)
		d.lru.Init()
		return
	}
	if e, ok := d.entries[host]; ok {
		d.lru.Remove(e)
		delete(d.entries, host)
	}
}
