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
// tried again only after a backoff and its failure and recovery are
// logged once each.
type health struct {
	down    atomic.Bool // set and cleared with mu held
	mu      sync.Mutex
	since   time.Time // when the store failed
	retryAt time.Time // until then, the store is not asked
	backoff time.Duration
}

// up reports whether the store may be asked.
func (h *health) up() bool {
	if !h.down.Load() {
		return true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return !time.Now().Before(h.retryAt)
}

// retryIn is how long until the store is asked again.
func (h *health) retryIn() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return max(time.Until(h.retryAt), 0)
}

// failed records a failure of the store.
func (h *health) failed(log *slog.Logger, err error, closed bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if h.down.Load() && now.Before(h.retryAt) {
		return // a request that asked before another's failure
	}
	if !h.down.Load() {
		h.down.Store(true)
		h.since, h.backoff = now, minBackoff
		policy := "letting requests through unlimited (fail open)"
		if closed {
			policy = "answering 503 (fail closed)"
		}
		log.Warn("ratelimit: store unavailable; "+policy+" until it answers again", "err", err)
	} else {
		h.backoff = min(2*h.backoff, maxBackoff)
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
		log.Info("ratelimit: store answers again; limiting requests", "down", time.Since(h.since).Round(time.Millisecond))
	}
}
