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
	// ReadBody reads the body of each response whole before returning it
	// (it stays readable: Bytes, Text, JSON), so that a body the
	// connection cut short (ErrClientPayload, or a connection error while
	// reading) is retried like a failed request.
	ReadBody bool
}

// maxHeldRetryBody bounds the body of a response to be retried that
// RetryMiddleware reads into memory before it waits, so that the
// connection goes back to the pool meanwhile and the response stays
// readable should it be the last; a larger body is closed instead.
const maxHeldRetryBody = 64 << 10

// RetryError is the error of a request RetryMiddleware sent more than
// once: the last attempt's error, and how many attempts were made.
// errors.Is and errors.As see through it to Err.
type RetryError struct {
	Attempts int
	Err      error
}

func (e *RetryError) Error() string {
	return e.Err.Error() + " (after " + strconv.Itoa(e.Attempts) + " attempts)"
}

// Unwrap returns Err.
func (e *RetryError) Unwrap() error { return e.Err }

// RetryMiddleware returns a middleware that sends a request again when its
// response has one of the retried statuses or it failed with a connection
// error (ErrClientConnection, timeouts included), waiting between attempts.
// It never retries a method not listed, a request whose body cannot be
// sent again (a stream), or a request whose context or total timeout ended;
// it gives up early when the wait would outlast the total timeout.
//
// Before it waits, it gives the connection back: it reads a body of up to
// 64 KiB into memory, and closes a larger one. The last response is
// returned with its Attempts set; the last error, after more than one
// attempt, as a *RetryError.
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
			resp, err := o.send(req, next)
			wait, retry := o.verdict(req, resp, err, attempt)
			ctx := req.Context()
			if dl, ok := ctx.Deadline(); retry && ok && time.Until(dl) < wait {
				retry = false
			}
			if !retry {
				return attempted(resp, err, attempt)
			}
			if resp != nil {
				holdForWait(resp)
			}
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return attempted(resp, err, attempt)
			}
			if resp != nil {
				resp.Close()
			}
		}
	}
}

// send sends one attempt, reading the body whole when ReadBody is set; a
// body that fails to arrive whole fails the attempt.
func (o *RetryOptions) send(req *ClientRequest, next Handler) (*Response, error) {
	resp, err := next(req)
	if err != nil || !o.ReadBody {
		return resp, err
	}
	if _, err := resp.Bytes(); err != nil {
		resp.Close()
		return nil, err
	}
	return resp, nil
}

// verdict tells whether attempt number attempt, which gave resp or err,
// is to be retried, and after how long.
func (o *RetryOptions) verdict(req *ClientRequest, resp *Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= o.Attempts || !req.BodyReplayable() {
		return 0, false
	}
	switch {
	case err != nil:
		return o.backoff(attempt), o.retryableError(req, err)
	case slices.Contains(o.Statuses, resp.Status):
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok && !o.IgnoreRetryAfter {
			return min(d, o.MaxDelay), true
		}
		return o.backoff(attempt), true
	}
	return 0, false
}

// holdForWait gives resp's connection back before a wait: it reads a
// small body into memory, where it stays readable, and closes the rest.
func holdForWait(resp *Response) {
	if n := resp.ContentLength(); n < 0 || n > maxHeldRetryBody {
		resp.Close()
		return
	}
	if _, err := resp.Bytes(); err != nil {
		resp.Close()
	}
}

// attempted returns the outcome of the last attempt, number n, saying how
// many attempts there were.
func attempted(resp *Response, err error, n int) (*Response, error) {
	if resp != nil {
		resp.Attempts = n
	}
	if err != nil && n > 1 {
		err = &RetryError{Attempts: n, Err: err}
	}
	return resp, err
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
// connection error or timeout (or, with ReadBody, a body cut short), while
// its context (the caller's, and the total timeout) has not ended.
func (o *RetryOptions) retryableError(req *ClientRequest, err error) bool {
	return (errors.Is(err, ErrClientConnection) || o.ReadBody && errors.Is(err, ErrClientPayload)) &&
		req.Context().Err() == nil
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
