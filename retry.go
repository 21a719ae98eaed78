package aiohttp

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RetryOptions configure RetryMiddleware. The zero value retries
// idempotent requests up to 3 attempts in all on 429, 500, 502, 503 and
// 504 and on connection errors and timeouts, with an exponential backoff
// from 500 ms, capped at 30 s, honouring Retry-After.
type RetryOptions struct {
	// Attempts is the number of attempts in all, the first included: 0
	// means 3.
	Attempts int
	// Statuses are the response statuses retried: nil means 429, 500,
	// 502, 503 and 504.
	Statuses []int
	// Methods are the methods retried: nil means the idempotent ones,
	// GET, HEAD, OPTIONS, TRACE, PUT and DELETE.
	Methods []string
	// BaseDelay is the backoff before the first retry, doubled for each
	// next one: 0 means 500 ms. Each wait is drawn at random between half
	// the backoff and all of it (jitter).
	BaseDelay time.Duration
	// MaxDelay caps every wait, those asked by Retry-After included: 0
	// means 30 s.
	MaxDelay time.Duration
	// IgnoreRetryAfter waits the backoff even when a response says how
	// long to wait with Retry-After (seconds or an HTTP date).
	IgnoreRetryAfter bool
}

// RetryMiddleware returns a middleware that sends a request again when its
// response has one of the retried statuses or it failed with a connection
// error (ErrClientConnection, timeouts included), waiting between attempts.
// It never retries a method not listed, a request whose body cannot be
// sent again (a stream), or a request whose context or total timeout ended;
// it gives up early when the wait would outlast the total timeout. The
// last response or error is returned as is.
func RetryMiddleware(opts RetryOptions) Middleware {
	o := opts
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Statuses == nil {
		o.Statuses = []int{429, 500, 502, 503, 504}
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = 500 * time.Millisecond
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 30 * time.Second
	}
	return func(req *ClientRequest, next Handler) (*Response, error) {
		if !o.retries(req.Method) {
			return next(req)
		}
		for attempt := 1; ; attempt++ {
			resp, err := next(req)
			if attempt >= o.Attempts || !req.BodyReplayable() {
				return resp, err
			}
			var wait time.Duration
			switch {
			case err != nil:
				if !retryableError(req, err) {
					return nil, err
				}
				wait = o.backoff(attempt)
			case slices.Contains(o.Statuses, resp.Status):
				wait = o.backoff(attempt)
				if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok && !o.IgnoreRetryAfter {
					wait = min(d, o.MaxDelay)
				}
			default:
				return resp, nil
			}
			ctx := req.Context()
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
				return resp, err
			}
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return resp, err
			}
			if resp != nil {
				resp.Close()
			}
		}
	}
}

// retries reports whether requests with method m are retried.
func (o *RetryOptions) retries(m string) bool {
	if o.Methods == nil {
		return idempotent(m)
	}
	for _, x := range o.Methods {
		if strings.EqualFold(x, m) {
			return true
		}
	}
	return false
}

// backoff returns the wait before retry number n (from 1): BaseDelay
// doubled n-1 times, capped, with equal jitter.
func (o *RetryOptions) backoff(n int) time.Duration {
	d := o.BaseDelay
	for i := 1; i < n && d < o.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, o.MaxDelay)
	return d/2 + rand.N(d/2+1)
}

// retryableError reports whether a failed request may be sent again: a
// connection error or timeout, while its context (the caller's, and the
// total timeout) has not ended.
func retryableError(req *ClientRequest, err error) bool {
	return errors.Is(err, ErrClientConnection) && req.Context().Err() == nil
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(time.Until(t), 0), true
}
