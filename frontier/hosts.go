package frontier

import (
	"context"
	"sync"
	"time"
)

// Hosts are the politeness limits of a crawl: how many fetches may run
// at once to one host and how often one may start. Acquire waits for a
// slot of host and returns the function that gives it back (to be called
// once).
type Hosts interface {
	Acquire(ctx context.Context, host string) (release func(), err error)
}

// HostLimits are the per-host limits of MemoryHosts and RedisHosts.
type HostLimits struct {
	// PerHost is the most fetches running at once to one host (0 for no
	// limit).
	PerHost int
	// Rate is the most fetches started a second to one host (0 for no
	// limit): starts are at least 1/Rate apart.
	Rate float64
}

// interval is the least time between two starts to one host.
func (l HostLimits) interval() time.Duration {
	if l.Rate <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / l.Rate)
}

// MemoryHosts enforces HostLimits among the workers of one process.
type MemoryHosts struct {
	limits HostLimits

	mu      sync.Mutex
	changed chan struct{}
	hosts   map[string]*hostState
}

type hostState struct {
	active int
	next   time.Time // the earliest next start
}

// NewMemoryHosts returns limits kept in the process.
func NewMemoryHosts(limits HostLimits) *MemoryHosts {
	return &MemoryHosts{limits: limits, changed: make(chan struct{}), hosts: make(map[string]*hostState)}
}

// Acquire waits until host has a free slot and its rate allows a start.
func (h *MemoryHosts) Acquire(ctx context.Context, host string) (func(), error) {
	for {
		h.mu.Lock()
		st := h.hosts[host]
		if st == nil {
			st = &hostState{}
			h.hosts[host] = st
		}
		now := time.Now()
		full := h.limits.PerHost > 0 && st.active >= h.limits.PerHost
		if !full && !now.Before(st.next) {
			st.active++
			st.next = now.Add(h.limits.interval())
			h.mu.Unlock()
			var once sync.Once
			return func() { once.Do(func() { h.release(host) }) }, nil
		}
		var wake time.Time
		if !full {
			wake = st.next
		}
		changed := h.changed
		h.mu.Unlock()
		if err := waitChange(ctx, changed, wake, now); err != nil {
			return nil, err
		}
	}
}

func (h *MemoryHosts) release(host string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.hosts[host]
	st.active--
	if st.active == 0 && !time.Now().Before(st.next) {
		delete(h.hosts, host) // forget hosts with nothing to remember
	}
	close(h.changed)
	h.changed = make(chan struct{})
}
