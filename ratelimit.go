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
// how often they start. Requests wait in arrival order. As with time
// queued for a connection, the wait does not count in the total timeout
// unless ClientTimeout.CountQueue is set; then a request that could not
// start within it fails at once with ErrServerTimeout. The request's
// context ends the wait. Each redirect is a request of its own; place the
// middleware after RetryMiddleware to space retries too.
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
		if err := l.wait(req); err != nil {
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
// past its total timeout.
var errRateLimitWait = fmt.Errorf("the rate limit holds the request past its total timeout: %w", context.DeadlineExceeded)

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

// wait holds req back until it may start, then moves its total deadline
// later by the time waited unless the total timeout counts queueing.
func (l *rateLimits) wait(req *ClientRequest) error {
	start := time.Now()
	r := l.limiter(req).ReserveN(start, 1)
	delay := r.DelayFrom(start)
	if delay <= 0 {
		return nil
	}
	st := req.st
	countQueue := st != nil && st.to.countQueue && !st.deadline.IsZero()
	if countQueue && st.deadline.Sub(start) < delay {
		r.CancelAt(start)
		return req.error(ErrServerTimeout, errRateLimitWait)
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-req.Context.Done():
		r.Cancel()
		err := req.Context.Err()
		return req.error(ctxErrorKind(err), err)
	}
	if st != nil && !countQueue && !st.deadline.IsZero() {
		st.deadline = st.deadline.Add(time.Since(start))
	}
	return nil
}
