package aiohttp

import (
	"errors"
	"io"
)

// Close closes the response (aiohttp's release and close in one): it
// gives the connection back to the pool when the body has been read to
// its end or its unread rest is small (already received, or at most 64
// KiB by Content-Length and arriving within 100 ms) and is drained, and
// closes the connection otherwise. Reading a closed response fails,
// except for a body [Response.Bytes] had already returned or a stream
// already at its end.
//
// Close may be called more than once, and from any goroutine: while
// another goroutine reads the body, that read fails at once and the
// response is closed when it returns. It always returns nil.
func (r *Response) Close() error {
	for {
		switch r.state.Load() {
		case bodyIdle:
			if r.state.CompareAndSwap(bodyIdle, bodyBusy) {
				r.closeBody()
				// Another Close may have aborted the connection meanwhile.
				r.settle(r.state.Swap(bodyClosed) == bodyCloseAsked)
				return nil
			}
		case bodyBusy:
			if r.state.CompareAndSwap(bodyBusy, bodyCloseAsked) {
				if r.rel != nil {
					r.rel.abort()
				}
				return nil
			}
		default: // over, closed, or about to be
			return nil
		}
	}
}

// The states of a Response's body, in Response.state. A read of the body
// takes it (idle to busy) and gives it back when done: idle, or over when
// the body is over. Close takes an idle body to close it, or asks the
// read that holds it to close it when done (busy to closeAsked), and
// interrupts the read's connection. Once the body is over or closed,
// Close has nothing left to do and nothing but the caller's own reads
// touches the body: they return what was left at the end, or fail.
//
// A connection goes back when the body is given back (see settle), after
// the last state change that Close could have interrupted it before:
// never once it is pooled.
const (
	bodyIdle       = iota // nobody touches the body
	bodyBusy              // a read (or Close) holds the body
	bodyCloseAsked        // a read holds the body, and closes it when done
	bodyOver              // read to its end or failed; the connection went back
	bodyClosed            // closed
)

// errBodyInUse is the cause of the error a read of the body gives while
// another read holds it: a Response is not safe for concurrent use.
var errBodyInUse = errors.New("the response body is being read by another call")

// take takes the body for a read, which then calls give(taken). A body
// over or closed is read without being taken: nothing else touches it
// any more.
func (r *Response) take() (taken bool, err error) {
	if r.state.CompareAndSwap(bodyIdle, bodyBusy) {
		return true, nil
	}
	return r.takeTaken()
}

// takeTaken is take for a body that is not idle.
func (r *Response) takeTaken() (taken bool, err error) {
	if s := r.state.Load(); s == bodyOver || s == bodyClosed {
		return false, nil
	}
	return false, r.newError(ErrClient, errBodyInUse)
}

// give gives the body back after a read, closing it when Close asked
// meanwhile.
func (r *Response) give(taken bool) {
	if !taken {
		return
	}
	next := int32(bodyIdle)
	if r.finished {
		next = bodyOver
	}
	if r.state.CompareAndSwap(bodyBusy, next) {
		r.settle(false)
		return
	}
	r.closeBody()
	r.settle(true)
	r.state.Store(bodyClosed)
}

// closeBody finishes the body, draining its rest when it is small, and
// makes later reads fail; it is called by whoever holds the body, and
// does its work once.
func (r *Response) closeBody() {
	if r.closed {
		return
	}
	r.closed = true
	if !r.finished {
		if !r.drain() {
			r.rawErr = errBodyAbandoned
		}
		r.finish()
	}
	if r.ctnt != nil {
		r.ctnt.close()
	}
}

// finish records, once, that the body is over; rawErr says how (io.EOF:
// cleanly, and the connection may be reused). rel learns it from
// settle, when the body is given back.
func (r *Response) finish() {
	if r.finished {
		return
	}
	r.finished = true
	r.relPending = r.rel != nil
}

// settle tells rel that the body is over, once it is, and ends the
// request's context; aborted reports that Close interrupted the
// connection.
func (r *Response) settle(aborted bool) {
	if !r.relPending {
		return
	}
	r.relPending = false
	err := r.rawErr
	switch {
	case aborted:
		err = errBodyAbandoned
	case err == io.EOF:
		err = nil
	}
	r.rel.release(err)
	if r.endCtx != nil {
		r.endCtx.end()
	}
}
