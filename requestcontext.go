package aiohttp

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// requestContext is the context of a request, what
// [ClientRequest.Context] returns: the caller's context with the deadline
// of the total timeout. It costs nothing until someone asks for its Done
// channel, or its Err finds it done: only then is its watch made, with a
// timer on the deadline and a watch on the caller's context. The session
// itself never asks: it enforces the deadline on the connection (socket
// deadlines) and watches the caller's context alone.
//
// When the total timeout does not count the time a request waits for a
// connection slot (ClientTimeout.ExcludeQueue), the deadline pauses
// while the request waits, in the pool or in [ClientRequest.Queue], and
// moves later by the time waited when the wait ends; while paused, the
// context reports the caller's deadline alone.
//
// The context ends (context.Canceled) when the request does: when the
// body of its final response is over, or when it fails.
//
// Only middlewares see the context. Without them (shared unset) nothing
// can observe it, and the session skips telling it of pauses and of the
// end: a request then makes no atomic write to it unless it queued.
type requestContext struct {
	parent context.Context
	at     time.Time                    // the total deadline as set; zero for none
	moved  atomic.Int64                 // how much later the deadline moved, in ns
	watch  atomic.Pointer[contextWatch] // endedWatch once the request ended unwatched
	pauses atomic.Int32                 // waits that do not count under way
	shared bool                         // middlewares see the context
}

// contextWatch is the part of a requestContext made when first needed.
// (A request that ends before anyone watched its context takes
// endedWatch instead, done already.)
type contextWatch struct {
	mu    sync.Mutex
	done  chan struct{} // made by Done
	err   error         // why the context is done
	timer *time.Timer   // fires at the deadline, once done is made
	stop  func() bool   // stops the watch on the caller's context
}

// init sets the context up, before anyone sees it, for a request made
// with parent, with a total timeout of total (none when 0), seen by
// middlewares when shared.
func (c *requestContext) init(parent context.Context, total time.Duration, shared bool) {
	c.parent, c.shared = parent, shared
	if total > 0 {
		c.at = time.Now().Add(total)
	}
}

// deadlineTime returns the total deadline, zero for none.
func (c *requestContext) deadlineTime() time.Time {
	if m := c.moved.Load(); m != 0 {
		return c.movedDeadline(time.Duration(m))
	}
	return c.at
}

// movedDeadline returns the total deadline moved m later.
func (c *requestContext) movedDeadline(m time.Duration) time.Time { return c.at.Add(m) }

// Deadline returns the earlier of the total deadline and the caller's.
func (c *requestContext) Deadline() (time.Time, bool) {
	pd, pok := c.parent.Deadline()
	d := c.deadlineTime()
	if d.IsZero() || c.pauses.Load() > 0 || (pok && pd.Before(d)) {
		return pd, pok
	}
	return d, true
}

// Value returns the caller's context's value for key.
func (c *requestContext) Value(key any) any { return c.parent.Value(key) }

// Done returns a channel closed when the caller's context is done, the
// total deadline passes or the request ends.
func (c *requestContext) Done() <-chan struct{} {
	w := c.getWatch()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done == nil {
		w.done = make(chan struct{})
		switch {
		case w.err != nil:
			close(w.done)
		default:
			w.stop = context.AfterFunc(c.parent, c.parentDone)
			if !c.at.IsZero() {
				w.timer = time.AfterFunc(c.left(), c.expire)
			}
		}
	}
	return w.done
}

// Err returns nil until the context is done, then why.
func (c *requestContext) Err() error {
	w := c.watch.Load()
	if w == nil {
		if c.reason() == nil {
			return nil
		}
		w = c.getWatch()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		if err := c.reason(); err != nil {
			w.cancel(err)
		}
	}
	return w.err
}

// reason returns why the context is done, as it is now: the caller's
// context's error or the total deadline past. (Once the request ended,
// the watch says so.)
func (c *requestContext) reason() error {
	switch err := c.parent.Err(); {
	case err != nil:
		return err
	case c.expired():
		return context.DeadlineExceeded
	}
	return nil
}

// getWatch returns the watch, making it the first time.
func (c *requestContext) getWatch() *contextWatch {
	if w := c.watch.Load(); w != nil {
		return w
	}
	w := new(contextWatch)
	if !c.watch.CompareAndSwap(nil, w) {
		w = c.watch.Load()
	}
	return w
}

// left returns the time until the deadline.
func (c *requestContext) left() time.Duration {
	return time.Until(c.deadlineTime())
}

// expired reports whether there is a deadline, not paused, and it has
// passed.
func (c *requestContext) expired() bool {
	return !c.at.IsZero() && c.pauses.Load() == 0 && c.left() <= 0
}

// expire is the timer's function: it ends the context at the deadline,
// or waits for the deadline where it moved (a paused one is rearmed by
// resume).
func (c *requestContext) expire() {
	w := c.watch.Load()
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.err != nil || c.pauses.Load() > 0:
	case c.expired():
		w.cancel(context.DeadlineExceeded)
	default:
		w.timer.Reset(c.left())
	}
}

// parentDone ends the context when the caller's context is done.
func (c *requestContext) parentDone() {
	w := c.watch.Load()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cancel(c.parent.Err())
}

// pause stops the deadline, if the context is shared, for a wait that
// does not count in the total timeout, and reports whether it did;
// resume goes on. An unshared context has nobody to see the pause: the
// deadline just moves when the wait is over.
func (c *requestContext) pause() bool {
	if !c.shared {
		return false
	}
	c.pauses.Add(1)
	return true
}

// resume ends a wait that waited so long, paused or not: the deadline
// moves later by as much.
func (c *requestContext) resume(paused bool, waited time.Duration) {
	if waited > 0 {
		c.moved.Add(int64(waited))
	}
	if !paused {
		return
	}
	c.pauses.Add(-1)
	if w := c.watch.Load(); w != nil {
		w.mu.Lock()
		if w.err == nil && w.timer != nil {
			w.timer.Reset(c.left())
		}
		w.mu.Unlock()
	}
}

// end ends the context when the request is over (context.Canceled,
// unless the caller's context or the deadline ended it): the watch, made
// by now if anyone asked for it, is cancelled, and endedWatch takes the
// place of one not made.
func (c *requestContext) end() {
	if !c.shared {
		return
	}
	reason := c.reason()
	if reason == nil && c.watch.CompareAndSwap(nil, endedWatch) {
		return
	}
	if reason == nil {
		reason = context.Canceled
	}
	w := c.getWatch()
	w.mu.Lock()
	w.cancel(reason)
	w.mu.Unlock()
}

// endedWatch is the watch of every request context that ended before
// anyone watched it: done, with context.Canceled.
var endedWatch = func() *contextWatch {
	w := &contextWatch{done: make(chan struct{}), err: context.Canceled}
	close(w.done)
	return w
}()

// cancel makes the context done with err, once; w.mu is held.
func (w *contextWatch) cancel(err error) {
	if w.err != nil {
		return
	}
	w.err = err
	if w.done != nil {
		close(w.done)
	}
	if w.timer != nil {
		w.timer.Stop()
	}
	if w.stop != nil {
		w.stop()
	}
}
