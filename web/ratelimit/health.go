package ratelimit

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Backoff bounds of a store that failed: how long the limiter leaves it
// alone before trying again, doubling from the first to the second.
const (
	minBackoff = time.Second
	maxBackoff = 30 * time.Second
)

// health tracks whether the store answers, so that a failed store is
// tried again by one request after a backoff, and its failure and
// recovery are logged once each.
type health struct {
	down    atomic.Bool // set and cleared with mu held
	mu      sync.Mutex
	since   time.Time // when the store failed
	retryAt time.Time // until then, the store is not asked
	backoff time.Duration
	probing bool // a request asks the failed store
}

// up reports whether the store may be asked: while it is down, by one
// request at a time once the backoff has passed.
func (h *health) up() bool {
	if !h.down.Load() {
		return true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down.Load() {
		return true
	}
	if h.probing || time.Now().Before(h.retryAt) {
		return false
	}
	h.probing = true
	return true
}

// retryIn is how long until the store is asked again, a second at
// least.
func (h *health) retryIn() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return max(time.Until(h.retryAt), time.Second)
}

// failed records a failure of the store.
func (h *health) failed(log *slog.Logger, err error, closed bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	switch {
	case h.down.Load() && !h.probing:
		return // a request that asked before another's failure
	case h.down.Load():
		h.probing = false
		h.backoff = min(2*h.backoff, maxBackoff)
	default:
		h.down.Store(true)
		h.since, h.backoff = now, minBackoff
		policy := "letting requests through unlimited (fail open)"
		if closed {
			policy = "answering 503 (fail closed)"
		}
		log.Warn("ratelimit: store unavailable; "+policy+" until it answers again", "err", err)
	}
	h.retryAt = now.Add(h.backoff)
}

// answered records an answer of the store.
func (h *health) answered(log *slog.Logger) {
	if !h.down.Load() {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down.Load() {
		h.down.Store(false)
		h.probing = false
		log.Info("ratelimit: store answers again; limiting requests", "down", time.Since(h.since).Round(time.Millisecond))
	}
}

// abandoned records a request that stopped asking the store before it
// answered (its client went away): another may ask.
func (h *health) abandoned() {
	if !h.down.Load() {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.probing = false
}
