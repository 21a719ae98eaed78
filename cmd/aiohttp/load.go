package main

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/internal/hdr"
)

// dialFunc opens a connection, as TCPConnectorOptions.DialContext does.
type dialFunc = func(ctx context.Context, network, address string) (net.Conn, error)

// load is one run of the bench command: cfg.workers() workers, each with
// one request under way at a time, through Session.With, which allocates
// nothing in the steady state, each counting what comes of its requests
// on its own, so that they share nothing but the request counter.
type load struct {
	cfg      *benchConfig
	session  *aiohttp.Session
	opts     []aiohttp.RequestOption // the --body
	start    time.Time
	deadline time.Time // of -d; zero with -n
	interval float64   // ns between two requests due with --rate

	next   atomic.Int64 // requests claimed, with -n or --rate
	ending atomic.Bool  // no new request starts
	endCh  chan struct{}
	endOne sync.Once

	conns connSet
	// interruptMu guards the interrupt: set when ctx ended the run, at
	// (since start) the moment it did.
	interruptMu sync.Mutex
	interrupted atomic.Bool
	interruptAt time.Duration
}

// runLoad loads cfg.url as cfg says until the run is over or ctx ends,
// and returns its summary.
func runLoad(ctx context.Context, cfg *benchConfig) (*benchSummary, error) {
	l := &load{cfg: cfg, endCh: make(chan struct{})}
	l.conns.conns = make(map[*trackedConn]struct{})
	s, err := aiohttp.NewSession(benchSessionOptions(cfg, l.conns.dial))
	if err != nil {
		return nil, err
	}
	defer s.Close()
	l.session = s
	if cfg.body != nil {
		l.opts = []aiohttp.RequestOption{aiohttp.Bytes(cfg.body)}
	}
	if cfg.rate > 0 {
		l.interval = float64(time.Second) / cfg.rate
	}
	workers := make([]*worker, cfg.workers())
	for i := range workers {
		workers[i] = newWorker(l)
	}

	l.start = time.Now()
	if cfg.duration > 0 {
		l.deadline = l.start.Add(cfg.duration)
		t := time.AfterFunc(cfg.duration, l.end)
		defer t.Stop()
	}
	stopWatch := context.AfterFunc(ctx, l.interrupt)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(w.run)
	}
	wg.Wait()
	elapsed := time.Since(l.start)
	stopWatch()
	l.interruptMu.Lock()
	interrupted := l.interrupted.Load()
	if interrupted {
		elapsed = l.interruptAt
	}
	l.interruptMu.Unlock()
	sum := newBenchSummary(workers, elapsed)
	sum.interrupted = interrupted
	return sum, nil
}

// end stops new requests: those under way finish.
func (l *load) end() {
	l.endOne.Do(func() {
		l.ending.Store(true)
		close(l.endCh)
	})
}

// interrupt ends the run now: the requests under way are cut short, by
// closing their connections, and left out of the summary.
func (l *load) interrupt() {
	l.interruptMu.Lock()
	l.interruptAt = time.Since(l.start)
	l.interrupted.Store(true)
	l.interruptMu.Unlock()
	l.end()
	l.conns.closeAll()
}

// worker makes requests one after another and counts what comes of them.
type worker struct {
	l          *load
	read       func(*aiohttp.Response) error // w.readResponse, bound once
	lastStatus int
	lastMajor  int
	requests   uint64 // answered or failed
	failed     uint64
	http2      uint64         // responses over HTTP/2
	status     map[int]uint64 // responses by status code
	errors     map[string]uint64
	hist       hdr.Histogram // latencies of the responses, in ns
}

func newWorker(l *load) *worker {
	w := &worker{l: l, status: make(map[int]uint64), errors: make(map[string]uint64)}
	w.read = w.readResponse
	return w
}

// readResponse reads the whole body of resp and notes its status and
// protocol.
func (w *worker) readResponse(resp *aiohttp.Response) error {
	w.lastStatus, w.lastMajor = resp.Status, resp.Version.Major
	_, err := resp.Bytes()
	return err
}

// run makes requests until the run is over: -n requests claimed, the -d
// deadline passed, or an interrupt.
func (w *worker) run() {
	l := w.l
	cfg := l.cfg
	var timer *time.Timer
	if cfg.rate > 0 {
		timer = time.NewTimer(time.Hour)
		timer.Stop()
	}
	var last time.Time // when the previous request ended
	for {
		var due time.Time // when the request should go out
		switch {
		case cfg.rate > 0:
			k := l.next.Add(1) - 1
			if cfg.requests > 0 && k >= cfg.requests {
				return
			}
			due = l.start.Add(time.Duration(float64(k) * l.interval))
			if !l.deadline.IsZero() && !due.Before(l.deadline) {
				return
			}
			if wait := time.Until(due); wait > 0 {
				timer.Reset(wait)
				select {
				case <-timer.C:
				case <-l.endCh:
					return
				}
			}
		case cfg.requests > 0:
			if l.next.Add(1) > cfg.requests {
				return
			}
		}
		if l.ending.Load() {
			return
		}
		if due.IsZero() {
			// As fast as answered: due when the previous one ended (one
			// clock reading a request, not two).
			due = last
			if due.IsZero() {
				due = time.Now()
			}
		}
		err := l.session.With(context.Background(), cfg.method, cfg.url, w.read, l.opts...)
		done := time.Now()
		last = done
		if l.interrupted.Load() {
			return // cut short, or finished after the run's end
		}
		w.requests++
		if err != nil {
			w.failed++
			w.errors[errorKind(context.Background(), err)]++
			continue
		}
		w.hist.Record(int64(done.Sub(due)))
		w.status[w.lastStatus]++
		if w.lastMajor == 2 {
			w.http2++
		}
	}
}

// errInterrupted fails the dials that come after an interrupt.
var errInterrupted = errors.New("the bench was interrupted")

// connSet keeps the open connections of a run, so that an interrupt can
// cut the requests under way short by closing them. It dials with Go's
// net.Dialer (which resolves names and tries their addresses in turn)
// and hands out the *net.TCPConn inside, so that the client still reads
// the socket directly.
type connSet struct {
	dialer net.Dialer
	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	closed bool
}

func (s *connSet) dial(ctx context.Context, network, address string) (net.Conn, error) {
	nc, err := s.dialer.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		nc.Close()
		return nil, errors.New("not a TCP connection: " + network)
	}
	c := &trackedConn{TCPConn: tc, set: s}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		tc.Close()
		return nil, errInterrupted
	}
	s.conns[c] = struct{}{}
	return c, nil
}

// closeAll closes every connection, and those dialed from now on.
func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for c := range s.conns {
		c.TCPConn.Close()
	}
	clear(s.conns)
}

// trackedConn is a connection of a connSet, which it leaves on Close.
type trackedConn struct {
	*net.TCPConn
	set *connSet
}

func (c *trackedConn) Close() error {
	c.set.mu.Lock()
	delete(c.set.conns, c)
	c.set.mu.Unlock()
	return c.TCPConn.Close()
}
