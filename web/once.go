package web

import (
	"context"
	"sync"
)

// onceErr runs an operation (a shutdown, a cleanup) once for any number of
// callers, at once or later: the first runs it, the others wait until it
// finished, or until their own context ends, and all get its error.
type onceErr struct {
	mu   sync.Mutex
	done chan struct{} // nil until the operation starts; closed when it ended
	err  error
}

// do runs f if no call ran it yet, and returns its error.
func (o *onceErr) do(ctx context.Context, f func() error) error {
	o.mu.Lock()
	if o.done == nil {
		done := make(chan struct{})
		o.done = done
		o.mu.Unlock()
		defer close(done)
		o.err = f()
		return o.err
	}
	done := o.done
	o.mu.Unlock()
	select {
	case <-done:
		return o.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
