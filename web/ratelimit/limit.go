package ratelimit

import (
	"fmt"
	"time"
)

// Limit is a token bucket's size and refill rate: Rate requests per
// Period on average, with bursts of up to Burst requests after a quiet
// spell.
type Limit struct {
	// Rate is how many tokens refill per Period; it must be positive.
	Rate int
	// Period is the time Rate tokens take to refill; 0 means a second.
	Period time.Duration
	// Burst is the bucket's size, how many requests may come at once;
	// 0 means Rate.
	Burst int
}

// PerSecond returns a limit of n requests a second, in bursts of up to n.
func PerSecond(n int) Limit { return Limit{Rate: n, Period: time.Second} }

// PerMinute returns a limit of n requests a minute, in bursts of up to n.
func PerMinute(n int) Limit { return Limit{Rate: n, Period: time.Minute} }

// PerHour returns a limit of n requests an hour, in bursts of up to n.
func PerHour(n int) Limit { return Limit{Rate: n, Period: time.Hour} }

// String describes the limit: "5 per 1m0s (burst 5)".
func (l Limit) String() string {
	l = l.normalized()
	return fmt.Sprintf("%d per %v (burst %d)", l.Rate, l.Period, l.Burst)
}

// normalized fills in the defaults.
func (l Limit) normalized() Limit {
	if l.Period <= 0 {
		l.Period = time.Second
	}
	if l.Burst <= 0 {
		l.Burst = l.Rate
	}
	return l
}

// mustValid returns l normalized, or panics: a limit is set up once,
// by the programmer.
func (l Limit) mustValid() Limit {
	if l.Rate <= 0 {
		panic(fmt.Sprintf("ratelimit: Limit.Rate must be positive, not %d", l.Rate))
	}
	return l.normalized()
}

// interval is the time one token takes to refill, in units of unit (at
// least one unit).
func (l Limit) interval(unit time.Duration) int64 {
	return max(int64(l.Period/unit)/int64(l.Rate), 1)
}

// Result is what a store says of one request.
type Result struct {
	// Allowed reports whether the request took a token.
	Allowed bool
	// Remaining is how many tokens are left.
	Remaining int
	// RetryAfter is, for a request refused, how long until a token is
	// there; zero when allowed.
	RetryAfter time.Duration
	// Reset is how long until the bucket is full again.
	Reset time.Duration
}

// take applies one request, at now, to a bucket whose theoretical
// arrival time (GCRA: when the bucket is full again) is tat, with
// tokens refilling one per interval up to burst; all times are in one
// unit. It returns the bucket's new tat and the result's times in that
// unit. RedisStore's script is the same computation in Lua.
func take(tat, now, interval int64, burst int) (newTAT int64, allowed bool, remaining int, retry, reset int64) {
	tat = max(tat, now)
	capacity := interval * int64(burst)
	next := tat + interval
	if next-now > capacity {
		return tat, false, 0, next - now - capacity, tat - now
	}
	return next, true, int((capacity - (next - now)) / interval), 0, next - now
}
