package web

import (
	"context"
	"sync"
	"time"
)

// reqContext is a request's context.Context. It costs nothing until Done
// is called: only then does the connection start watching for the client
// going away.
type reqContext struct {
	mu       sync.Mutex
	parent   context.Context // the server's base context: values only
	shutdown <-chan struct{} // closed when the server cancels its handlers
	done     chan struct{}
	err      error
	// watcher starts watching for the end of the request once Done is
	// first asked for.
	watcher contextWatcher
	// handedOut is set once a handler obtained the context: it may outlive
	// the request, so the next request of the connection gets a new one.
	handedOut bool
}

// contextWatcher is what a request context asks, once Done is first called,
// to cancel it when the request ends early. watch runs with the context's
// mutex held and must not block.
type contextWatcher interface {
	watch(ctx *reqContext)
}

// Deadline reports no deadline: a request ends by cancellation.
func (c *reqContext) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done returns a channel closed when the request is cancelled.
func (c *reqContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		if c.err != nil {
			close(c.done)
		} else if c.watcher != nil {
			c.watcher.watch(c)
		}
	}
	return c.done
}

// Err returns why the request was cancelled, or nil. It notices a server
// cancelling its handlers even when nobody called Done.
func (c *reqContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && c.shutdown != nil {
		select {
		case <-c.shutdown:
			c.err = ErrServerShutdown
			if c.done != nil {
				close(c.done)
			}
		default:
		}
	}
	return c.err
}

// Value returns the server base context's value for key.
func (c *reqContext) Value(key any) any {
	if c.parent == nil {
		return nil
	}
	return c.parent.Value(key)
}

// cancel ends the context with err unless it already ended.
func (c *reqContext) cancel(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	if c.done != nil {
		close(c.done)
	}
}

// String names the context for debugging.
func (c *reqContext) String() string { return "web.Request.Context" }
