package park

import (
	"io"
	"net"
	"sync"
)

// Parked parks one connection at a time: its owner calls [Parked.Park]
// when the connection is idle, and [Parked.Unpark] before it closes the
// connection from another goroutine. The zero value is ready to use; a
// Parked must not be copied after its first use. It is meant to live in
// the connection's record, so that parking allocates nothing of its own.
type Parked struct {
	// Guarded by mu.
	state int8   // free, waiting or unparked
	fd    int32  // the socket while it waits in the epoll set
	gen   uint32 // tells this wait's events from an earlier wait's
	wake  func(error)
}

// The states of a Parked.
const (
	free     = iota // not waiting in the epoll set
	waiting         // in the epoll set
	unparked        // Unpark was called: it never waits again
)

// mu guards every Parked and the epoll set.
var mu sync.Mutex

// Park waits for nc to become readable without a buffer, and then calls
// wake in a new goroutine: with nil when nc is readable (input, or the
// peer closed or reset it: the read that follows tells which), with the
// wait's error otherwise. On Linux, when [Epoll] is on, nc waits in an
// epoll set with no goroutine of its own; elsewhere, and when the socket
// cannot be added to the set, it waits with [Wait] in a new goroutine,
// whose stack starts small whatever the caller's grew to. Either way the
// caller returns after Park and leaves only its record and the socket
// behind while the connection is idle; wake typically takes the
// connection's state from a pool and serves it. Park must not be called
// again before wake ran.
//
// An owner that closes a parked connection from another goroutine does so
// with [Parked.Close], or calls [Parked.Unpark] first.
func (p *Parked) Park(nc net.Conn, wake func(error)) {
	mu.Lock()
	if p.state == unparked {
		mu.Unlock()
		go wake(net.ErrClosed)
		return
	}
	if epollAdd(p, nc, wake) {
		mu.Unlock()
		return
	}
	mu.Unlock()
	go func() { wake(Wait(nc)) }()
}

// Unpark takes a parked connection back for its owner, who is about to
// close it from another goroutine (a keep-alive timeout, a shutdown, a
// WebSocket's Close). Call it before the close, never after: a closed
// socket leaves the epoll set silently, and its number may be reused by a
// new one.
//
// Exactly one of wake and the caller owns the connection afterwards.
// Unpark returns true when it ended the wait: wake does not run, and the
// caller does what wake would have done with an error. It returns false
// when wake runs instead: it ran, or is about to, or the connection waits
// in a goroutine, which the close that follows ends (wake then gets
// net.ErrClosed). Once Unpark was called, Park does not wait any more: it
// calls wake at once with net.ErrClosed.
func (p *Parked) Unpark() bool { return p.unpark() != nil }

// unpark is Unpark, returning the wake it took over, or nil.
func (p *Parked) unpark() func(error) {
	mu.Lock()
	defer mu.Unlock()
	was, wake := p.state, p.wake
	p.state, p.wake = unparked, nil
	if was != waiting {
		return nil
	}
	epollRemove(p)
	return wake
}

// Close closes nc, the connection p parked or may park, for an owner in
// another goroutine: wake then runs once with net.ErrClosed, unless it ran
// or runs for input that came first, whether nc waits in the epoll set or
// in a goroutine. It returns nc.Close's error.
func (p *Parked) Close(nc io.Closer) error {
	wake := p.unpark()
	if wake == nil {
		return nc.Close()
	}
	err := nc.Close()
	go wake(net.ErrClosed)
	return err
}
