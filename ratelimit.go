package aiohttp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimitOptions configure RateLimitMiddleware.
type RateLimitOptions struct {
	// Rate is how many requests may start per second, on average; it
	// must be positive (0.5 is one request every two seconds).
	Rate float64
	// Burst is how many requests may start at once after a quiet spell:
	// 0 means 1, requests evenly spaced.
	Burst int
	// PerHost gives every origin (scheme, host and port) an allowance of
	// its own, instead of one that all requests share.
	PerHost bool
}

// RateLimitMiddleware returns a middleware that holds each request back
// until it may start, so that no more than Rate requests a second start
// (aiohttp#3184: "at most 3 calls a second to this API"). Unlike a
// connection limit, which bounds how many requests run at once, it bounds
// how often they start. Requests wait in arrival order, through
// [ClientRequest.Queue]: as with time queued for a connection, the wait
// counts in the total timeout unless ClientTimeout.ExcludeQueue is
// set. A request that could not start before its context's deadline
// fails at once with ErrServerTimeout; the context's end ends the wait.
// Each redirect is a request of its own; place the middleware after
// RetryMiddleware to space retries too. It is built on public API alone,
// as a middleware of yours can be.
//
// It returns an error when opts.Rate is not positive.
func RateLimitMiddleware(opts RateLimitOptions) (Middleware, error) {
	if !(opts.Rate > 0) {
		return nil, errors.New("aiohttp: RateLimitOptions.Rate must be positive")
	}
	l := &rateLimits{rate: rate.Limit(opts.Rate), burst: max(opts.Burst, 1)}
	if !opts.PerHost {
		l.all = rate.NewLimiter(l.rate, l.burst)
	}
	return func(req *ClientRequest, next Handler) (*Response, error) {
		lim := l.limiter(req)
		if err := req.Queue(func(ctx context.Context) error { return waitTurn(ctx, lim) }); err != nil {
			return nil, err
		}
		return next(req)
	}, nil
}

// rateLimits are the allowances of a RateLimitMiddleware: one for all
// requests, or one per origin.
type rateLimits struct {
	rate  rate.Limit
	burst int
	all   *rate.Limiter // nil when per origin

	mu      sync.Mutex
	origins map[string]*rate.Limiter
}

// errRateLimitWait is the cause of a request the rate limit would hold
// past its context's deadline.
var errRateLimitWait = fmt.Errorf("the rate limit would hold the request past its deadline: %w", context.DeadlineExceeded)

// maxIdleOrigins is how many origins rateLimits keeps before it forgets
// those whose allowance is full again, which a new limiter would give
// them anyway.
const maxIdleOrigins = 1024

// limiter returns the allowance of requests to the origin of req.
func (l *rateLimits) limiter(req *ClientRequest) *rate.Limiter {
	if l.all != nil {
		return l.all
	}
	origin := req.URL.Scheme + "://" + req.URL.Host
	l.mu.Lock()
	defer l.mu.Unlock()
	if lim, ok := l.origins[origin]; ok {
		return lim
	}
	if len(l.origins) >= maxIdleOrigins {
		now := time.Now()
		for o, lim := range l.origins {
			if lim.TokensAt(now) >= float64(l.burst) {
				delete(l.origins, o)
			}
		}
	}
	if l.origins == nil {
		l.origins = make(map[string]*rate.Limiter)
	}
	lim := rate.NewLimiter(l.rate, l.burst)
	l.origins[origin] = lim
	return lim
}

// waitTurn holds a request back until lim lets it start, or fails at
// once when it could not start before ctx's deadline.
func waitTurn(ctx context.Context, lim *rate.Limiter) error {
	start := time.Now()
	r := lim.ReserveN(start, 1)
	delay := r.DelayFrom(start)
	if delay <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && dl.Sub(start) < delay {
		r.CancelAt(start)
		return errRateLimitWait
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		r.Cancel()
		return ctx.Err()
	}
}
