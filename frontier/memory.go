package frontier

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// MemoryOptions tune a Memory frontier; the zero value is the default.
type MemoryOptions struct {
	// VisibilityTimeout is how long a task may stay taken before it goes
	// back to the queue (DefaultVisibilityTimeout when zero).
	VisibilityTimeout time.Duration
	// Follow makes Next wait for new URLs instead of returning ErrDrained.
	Follow bool
}

// Memory is a Frontier kept in the process, for a crawl on one machine.
type Memory struct {
	opts MemoryOptions

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	closed   bool
	seen     map[string]struct{}
	queue    []*Task
	inFlight map[string]*Task
	results  map[string]Result
	order    []string // recorded URLs, in completion order
	nextID   uint64
	stats    Stats
	rate     rateWindow
}

// NewMemory returns an empty in-memory frontier.
func NewMemory(opts MemoryOptions) *Memory {
	if opts.VisibilityTimeout <= 0 {
		opts.VisibilityTimeout = DefaultVisibilityTimeout
	}
	return &Memory{
		opts:     opts,
		changed:  make(chan struct{}),
		seen:     make(map[string]struct{}),
		inFlight: make(map[string]*Task),
		results:  make(map[string]Result),
	}
}

// notify wakes the waiters of Next; m.mu is held.
func (m *Memory) notify() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// Add queues the URLs never seen before.
func (m *Memory) Add(ctx context.Context, urls ...string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	n := 0
	for _, u := range urls {
		if _, ok := m.seen[u]; ok {
			continue
		}
		m.seen[u] = struct{}{}
		m.queue = append(m.queue, &Task{URL: u})
		n++
	}
	if n > 0 {
		m.notify()
	}
	return n, nil
}

// Next takes the oldest queued URL, or a task whose visibility timeout
// passed.
func (m *Memory) Next(ctx context.Context) (*Task, error) {
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return nil, ErrClosed
		}
		now := time.Now()
		t, wake := m.take(now)
		if t != nil {
			m.mu.Unlock()
			return t, nil
		}
		if len(m.inFlight) == 0 && !m.opts.Follow {
			m.mu.Unlock()
			return nil, ErrDrained
		}
		changed := m.changed
		m.mu.Unlock()

		if err := waitChange(ctx, changed, wake, now); err != nil {
			return nil, err
		}
	}
}

// waitChange waits until changed is closed, wake passes (zero for never)
// or ctx ends.
func waitChange(ctx context.Context, changed <-chan struct{}, wake, now time.Time) error {
	var timer <-chan time.Time
	if !wake.IsZero() {
		tm := time.NewTimer(wake.Sub(now))
		defer tm.Stop()
		timer = tm.C
	}
	select {
	case <-changed:
	case <-timer:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// take hands out a task, or returns when the earliest task in flight
// times out (zero for none); m.mu is held.
func (m *Memory) take(now time.Time) (*Task, time.Time) {
	var t *Task
	var wake time.Time
	if len(m.queue) > 0 {
		t = m.queue[0]
		m.queue[0] = nil
		m.queue = m.queue[1:]
	} else {
		for _, ft := range m.inFlight {
			if !ft.deadline.After(now) {
				delete(m.inFlight, ft.id)
				t = &Task{URL: ft.URL, Attempt: ft.Attempt}
				break
			}
			if wake.IsZero() || ft.deadline.Before(wake) {
				wake = ft.deadline
			}
		}
	}
	if t == nil {
		return nil, wake
	}
	m.nextID++
	t.id = strconv.FormatUint(m.nextID, 10)
	t.Attempt++
	t.deadline = now.Add(m.opts.VisibilityTimeout)
	m.inFlight[t.id] = t
	// The caller gets its own copy: the frontier's one may be replaced.
	c := *t
	return &c, time.Time{}
}

// Complete records r once and ends t.
func (m *Memory) Complete(ctx context.Context, t *Task, r Result) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false, ErrClosed
	}
	delete(m.inFlight, t.id)
	_, dup := m.results[t.URL]
	if !dup {
		r.URL = t.URL
		r.Data = append([]byte(nil), r.Data...)
		m.results[t.URL] = r
		m.order = append(m.order, t.URL)
		if r.Failed {
			m.stats.Failed++
		} else {
			m.stats.Done++
		}
		m.rate.add(time.Now())
	}
	m.notify()
	return !dup, nil
}

// Release puts t back at the front of the queue.
func (m *Memory) Release(ctx context.Context, t *Task) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if ft, ok := m.inFlight[t.id]; ok {
		delete(m.inFlight, t.id)
		m.queue = append([]*Task{{URL: ft.URL, Attempt: ft.Attempt}}, m.queue...)
		m.notify()
	}
	return nil
}

// Stats counts the frontier's URLs.
func (m *Memory) Stats(ctx context.Context) (Stats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.stats
	s.Queued = int64(len(m.queue))
	s.InFlight = int64(len(m.inFlight))
	s.Rate = m.rate.perSecond(time.Now())
	return s, nil
}

// Results calls fn with every recorded result, in completion order.
func (m *Memory) Results(ctx context.Context, fn func(Result) error) error {
	m.mu.Lock()
	rs := make([]Result, len(m.order))
	for i, u := range m.order {
		rs[i] = m.results[u]
	}
	m.mu.Unlock()
	for _, r := range rs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// Close makes further calls fail with ErrClosed and wakes Next.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		m.notify()
	}
	return nil
}

// rateWindow counts events a second over the last minute.
type rateWindow struct {
	secs   [60]int64 // unix second of each slot
	counts [60]int64
}

func (w *rateWindow) add(now time.Time) {
	s := now.Unix()
	i := s % 60
	if w.secs[i] != s {
		w.secs[i], w.counts[i] = s, 0
	}
	w.counts[i]++
}

// perSecond is the mean rate over the minute before now.
func (w *rateWindow) perSecond(now time.Time) float64 {
	s := now.Unix()
	var n int64
	for i := range w.secs {
		if s-w.secs[i] < 60 {
			n += w.counts[i]
		}
	}
	return float64(n) / 60
}
