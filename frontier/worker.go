package frontier

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// Worker fetches the URLs of a Frontier, Limit at once, within the
// per-host limits of Hosts, until the frontier is drained.
type Worker struct {
	Frontier Frontier
	// Hosts are the politeness limits (none when nil).
	Hosts Hosts
	// Limit is the most fetches running at once (100 when zero).
	Limit int
	// Fetch fetches t.URL; it should end when ctx does.
	Fetch func(ctx context.Context, t *Task) Result
	// OnResult, when set, is called (from one goroutine at a time) with
	// every result this worker recorded.
	OnResult func(Result)
	// Logger receives the frontier's outages and recoveries
	// (slog.Default when nil).
	Logger *slog.Logger
}

// maxBackoff bounds the wait between two tries while the frontier cannot
// be reached.
const maxBackoff = 5 * time.Second

// Run takes tasks until the frontier is drained (nil), ctx ends (its
// error; tasks taken and not completed are released) or the frontier
// fails for good. While the frontier cannot be reached it retries with
// backoff, holding the results it has not recorded yet.
func (w *Worker) Run(ctx context.Context) error {
	limit := w.Limit
	if limit <= 0 {
		limit = 100
	}
	r := &run{w: w, log: w.Logger, fetching: make(chan struct{}, limit)}
	if r.log == nil {
		r.log = slog.Default()
	}
	// A worker holds up to twice its limit: tasks waiting for their host
	// beside those fetching, so that one busy host does not idle it.
	holding := make(chan struct{}, 2*limit)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case holding <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		t, err := r.next(ctx)
		if err != nil {
			<-holding
			wg.Wait()
			if errors.Is(err, ErrDrained) {
				return nil
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-holding }()
			r.do(ctx, t)
		}()
	}
}

// run is the state of one Worker.Run.
type run struct {
	w        *Worker
	log      *slog.Logger
	fetching chan struct{}

	mu       sync.Mutex
	resultMu sync.Mutex
	down     time.Time // when the frontier became unreachable, zero while up
}

// next takes a task, retrying while the frontier is unreachable.
func (r *run) next(ctx context.Context) (*Task, error) {
	return retry(ctx, r, func() (*Task, error) { return r.w.Frontier.Next(ctx) })
}

// do fetches t within the limits and records its result.
func (r *run) do(ctx context.Context, t *Task) {
	release := func() {}
	if h := r.w.Hosts; h != nil {
		host, err := Host(t.URL)
		if err == nil {
			release, err = retry(ctx, r, func() (func(), error) { return h.Acquire(ctx, host) })
			if err != nil {
				r.giveBack(t)
				return
			}
		}
	}
	select {
	case r.fetching <- struct{}{}:
	case <-ctx.Done():
		release()
		r.giveBack(t)
		return
	}
	res := r.w.Fetch(ctx, t)
	res.URL = t.URL
	<-r.fetching
	release()
	if ctx.Err() != nil {
		r.giveBack(t) // cut short: another worker fetches it again
		return
	}
	recorded, err := retry(ctx, r, func() (bool, error) { return r.w.Frontier.Complete(ctx, t, res) })
	if err != nil {
		return // not recorded: the task returns after the visibility timeout
	}
	if recorded && r.w.OnResult != nil {
		r.resultMu.Lock()
		r.w.OnResult(res)
		r.resultMu.Unlock()
	}
}

// giveBack releases t for other workers, within a short time of its own
// since ctx may have ended.
func (r *run) giveBack(t *Task) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.w.Frontier.Release(ctx, t); err != nil {
		r.log.Debug("frontier: could not release a task; it returns after the visibility timeout", "url", t.URL, "err", err)
	}
}

// retry calls f until it succeeds, fails for good or ctx ends, waiting
// with exponential backoff while the frontier cannot be reached and
// logging the outage once and the recovery.
func retry[T any](ctx context.Context, r *run, f func() (T, error)) (T, error) {
	backoff := 100 * time.Millisecond
	for {
		v, err := f()
		if err == nil || !transient(ctx, err) {
			if err == nil {
				r.up()
			}
			return v, err
		}
		r.lost(err)
		if err := sleepCtx(ctx, backoff); err != nil {
			return v, err
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// transient reports whether err is the frontier being out of reach (a
// network error, a timeout, a server still loading) rather than a refusal
// or the end of ctx.
func transient(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, redis.ErrPoolTimeout) ||
		redis.HasErrorPrefix(err, "LOADING") || redis.HasErrorPrefix(err, "TRYAGAIN") || redis.HasErrorPrefix(err, "MASTERDOWN")
}

// lost logs the start of an outage.
func (r *run) lost(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down.IsZero() {
		r.down = time.Now()
		r.log.Warn("frontier unreachable; retrying with backoff, results kept until recorded", "err", err)
	}
}

// up logs the end of an outage.
func (r *run) up() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.down.IsZero() {
		r.log.Warn("frontier reachable again", "down", time.Since(r.down).Round(time.Millisecond))
		r.down = time.Time{}
	}
}
