package aiohttp

import (
	"context"
	"errors"
	"time"
)

// Default timeouts, aiohttp's ClientTimeout defaults.
const (
	DefaultTotalTimeout       = 5 * time.Minute
	DefaultSockConnectTimeout = 30 * time.Second
	DefaultCeilThreshold      = 5 * time.Second
)

// ClientTimeout bounds a request (aiohttp's ClientTimeout). A zero field
// takes aiohttp's default: Total 5 minutes, SockConnect 30 seconds, Connect
// and SockRead none; a negative field means no bound. It is a
// SessionOptions field and, for one request, a RequestOption that replaces
// the session's.
type ClientTimeout struct {
	// Total bounds the whole request: waiting for a connection slot,
	// connecting, sending, redirects, middlewares and reading the
	// response body, as in aiohttp. It is the deadline of the request's
	// context, [ClientRequest.Context]. So a request never waits forever
	// behind responses that were never closed: it fails with an error
	// that says how long it waited for a slot to which host, behind which
	// limit. ExcludeQueue leaves the wait out.
	Total time.Duration
	// Connect bounds getting a connection: waiting in the queue for a free
	// slot, DNS, dialing, TLS and proxy handshakes. It fails with
	// ErrConnectionTimeout.
	Connect time.Duration
	// SockConnect bounds one dial attempt to one address.
	SockConnect time.Duration
	// SockRead bounds the wait for each read from the server, between the
	// chunks of a response as well as for its head; it fails with
	// ErrSocketTimeout.
	SockRead time.Duration
	// ExcludeQueue leaves the time queued for a connection slot (and in
	// ClientRequest.Queue, a rate limit's wait for instance) out of Total
	// (aiohttp#10313): the total deadline pauses while the request waits.
	// The wait is then bounded by Connect and the context alone.
	ExcludeQueue bool
	// CeilThreshold is aiohttp's ceil_threshold: a Total of at least this
	// much (5 seconds when zero; none when negative) ends on a whole
	// second, up to one second late, so that the requests one after
	// another on a connection share one socket deadline.
	CeilThreshold time.Duration
}

func (t ClientTimeout) applyRequest(c *requestConfig) { c.timeout = &t }

// timeouts are a ClientTimeout with its defaults resolved; 0 means none.
type timeouts struct {
	total, connect, sockConnect, sockRead time.Duration
	countQueue                            bool
	ceil                                  bool // the total timeout ends on a whole second
}

func (t ClientTimeout) resolve() timeouts {
	to := timeouts{
		total:       orDefault(t.Total, DefaultTotalTimeout),
		connect:     orDefault(t.Connect, 0),
		sockConnect: orDefault(t.SockConnect, DefaultSockConnectTimeout),
		sockRead:    orDefault(t.SockRead, 0),
		countQueue:  !t.ExcludeQueue,
	}
	ceil := orDefault(t.CeilThreshold, DefaultCeilThreshold)
	to.ceil = ceil > 0 && to.total >= ceil
	return to
}

func orDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// ceilSecond returns t rounded up to a whole second, without its
// monotonic clock reading (as Truncate would), and without the division
// Truncate makes.
func ceilSecond(t time.Time) time.Time {
	ns := t.Nanosecond()
	if ns == 0 {
		return t.Round(0)
	}
	return t.Add(time.Second - time.Duration(ns)).Round(0)
}

// ctxErrorKind is the kind of error a done context gives: a timeout for a
// deadline, ErrCanceled (not a client error) for a cancellation.
func ctxErrorKind(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrServerTimeout
	}
	return ErrCanceled
}

// contextEnded returns ctx's error, or context.DeadlineExceeded once its
// deadline has passed though ctx has not noticed yet: an operation bounded
// by the deadline itself (a dial, a DNS query) can fail with its own
// timeout a moment before ctx's timer fires, and that failure is the
// context's.
func contextEnded(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

// timeoutCause says which timeout ended a request, and how long it was,
// in the words a user reads; it wraps the error that reported it
// (os.ErrDeadlineExceeded, context.DeadlineExceeded) for errors.Is.
type timeoutCause struct {
	what string        // what did not happen in time, up to the duration
	name string        // the ClientTimeout field
	d    time.Duration // its value
	err  error
}

func (e *timeoutCause) Error() string {
	return e.what + " " + e.d.String() + " (ClientTimeout." + e.name + ")"
}

func (e *timeoutCause) Unwrap() error { return e.err }

// sockReadTimeout is the cause of a socket-read timeout after d.
func sockReadTimeout(d time.Duration, err error) error {
	return &timeoutCause{what: "the server sent nothing for", name: "SockRead", d: d, err: err}
}

// totalTimeout is the cause of a request that outlived its total timeout
// d.
func totalTimeout(d time.Duration) error {
	return &timeoutCause{what: "the request did not finish within", name: "Total", d: d, err: context.DeadlineExceeded}
}
