package frontier

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"
)

// ErrDrained is returned by Next when the frontier is empty and no task is
// in flight in any worker: the crawl is over.
var ErrDrained = errors.New("frontier: drained")

// ErrClosed is returned by the methods of a closed frontier.
var ErrClosed = errors.New("frontier: closed")

// DefaultVisibilityTimeout is how long a task may stay taken without news
// from its worker before another worker may take it again.
const DefaultVisibilityTimeout = 30 * time.Second

// Frontier is a crawl's queue of URLs, shared by its workers. Its methods
// are safe for concurrent use.
type Frontier interface {
	// Add queues the URLs never seen before, in order, and returns how
	// many were new.
	Add(ctx context.Context, urls ...string) (int, error)
	// Next takes a URL to fetch. While the queue is empty but tasks are in
	// flight (which may fail back into the queue, or whose workers may
	// add more), it waits; once nothing is queued or in flight anywhere it
	// returns ErrDrained, unless the frontier follows (then it waits for
	// new URLs until ctx ends).
	Next(ctx context.Context) (*Task, error)
	// Complete records r as the result of t's URL, unless a result was
	// recorded for it already, and ends the task; recorded says which. A
	// result is recorded once even when a task was delivered twice.
	Complete(ctx context.Context, t *Task, r Result) (recorded bool, err error)
	// Release gives t back to the queue at once, for a worker that stops
	// before it fetched it.
	Release(ctx context.Context, t *Task) error
	// Stats counts the frontier's URLs.
	Stats(ctx context.Context) (Stats, error)
	// Results calls fn with every recorded result, in no set order, until
	// fn returns an error.
	Results(ctx context.Context, fn func(Result) error) error
	// Close releases the frontier's resources (not the shared state: the
	// queue and results stay for other workers). It is idempotent.
	Close() error
}

// Task is one URL handed to one worker.
type Task struct {
	// URL is the URL to fetch.
	URL string
	// Attempt counts the deliveries of the URL, 1 the first time; more
	// means a worker took it before and never completed it.
	Attempt int

	id       string    // the frontier's receipt
	deadline time.Time // Memory: when the task goes back to the queue
}

// Result is the outcome of fetching a URL.
type Result struct {
	URL string
	// Failed says that the fetch did not succeed (the worker's judgement:
	// for aiohttp fetch, a connection error or a timeout, not a status).
	Failed bool
	// Data is what the worker recorded, opaque to the frontier (aiohttp
	// fetch stores its JSON line).
	Data []byte
}

// Stats counts a frontier's URLs.
type Stats struct {
	Queued   int64 // added, not yet taken
	InFlight int64 // taken, not yet completed
	Done     int64 // completed without failure
	Failed   int64 // completed with Failed set
	// Malformed counts entries the frontier could not read and skipped.
	Malformed int64
	// Rate is completions a second over the last minute.
	Rate float64
}

// Host returns the unit of per-host limits of a URL: its scheme and
// host, lower-cased ("https://example.com:8443").
func Host(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("not an absolute http or https URL")
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}
