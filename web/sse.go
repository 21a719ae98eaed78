package web

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/sse"
)

// DefaultPingInterval is how often an [EventSourceResponse] sends a
// comment ping, as aiohttp-sse does.
const DefaultPingInterval = 15 * time.Second

// ErrEventStreamClosed reports a send on an event stream that ended: its
// handler returned it, its client left, a write failed or the server is
// shutting down. The error of a send wraps it together with the cause
// (ErrServerShutdown when the server is shutting down).
var ErrEventStreamClosed = errors.New("web: event stream closed")

// errHeadStream ends the stream of a HEAD request at once.
var errHeadStream = errors.New("web: a HEAD request has no event stream")

// EventSourceOptions configure an [EventSourceResponse]; the zero value
// gives aiohttp-sse's defaults.
type EventSourceOptions struct {
	// PingInterval is the time between the comment pings (": ping") that
	// keep the stream alive through proxies and reveal a client that went
	// away; DefaultPingInterval when zero, no pings when negative.
	PingInterval time.Duration
	// Retry, when positive, is sent with the head as the reconnection
	// time clients should wait after losing the stream (retry:).
	Retry time.Duration
}

// EventSourceResponse streams Server-Sent Events (aiohttp-sse's
// EventSourceResponse). Prepare sends the head (Content-Type
// text/event-stream, Cache-Control no-cache, X-Accel-Buffering no, which
// tells nginx not to buffer) and starts the pings; [Send] and [SendEvent]
// then write events, each flushed to the client at once, from any number
// of goroutines. Return the response from the handler when done, which
// ends the stream.
//
// The stream ends as well when its client goes away, when a write fails,
// at once for a HEAD request, and as soon as the server starts a graceful
// shutdown: its [Context]
// ends then and sends fail with [ErrEventStreamClosed]. A handler waits on
// that Context (not the request's, which a shutdown ends only after its
// timeout) so that an open stream does not hold up the shutdown:
//
//	es := web.NewEventSourceResponse(web.EventSourceOptions{})
//	if err := es.Prepare(req); err != nil {
//		return nil, err
//	}
//	for {
//		select {
//		case <-es.Context().Done():
//			return es, nil
//		case v := <-updates:
//			if err := es.Send(v); err != nil {
//				return es, nil
//			}
//		}
//	}
type EventSourceResponse struct {
	stream StreamResponse
	opts   EventSourceOptions

	ctx    context.Context
	cancel context.CancelCauseFunc
	open   *openSockets // the set the stream is registered in, nil for none

	mu     sync.Mutex // serialises writes
	buf    []byte     // the event being written
	closed bool       // the handler returned the response
}

// NewEventSourceResponse returns an event stream with opts.
func NewEventSourceResponse(opts EventSourceOptions) *EventSourceResponse {
	return &EventSourceResponse{stream: *NewStreamResponse(), opts: opts}
}

// Status returns the status code, 200 unless SetStatus changed it.
func (es *EventSourceResponse) Status() int { return es.stream.Status() }

// SetStatus sets the status and, optionally, a reason phrase; it fails
// once the response is prepared.
func (es *EventSourceResponse) SetStatus(status int, reason ...string) error {
	return es.stream.SetStatus(status, reason...)
}

// Header returns the header fields; changes after Prepare are not sent.
func (es *EventSourceResponse) Header() *multidict.CIMultiDict { return es.stream.Header() }

// Prepare sends the head, with the retry field of the options when set,
// and starts the pings. Calling it again does nothing.
func (es *EventSourceResponse) Prepare(req *Request) error {
	if es.stream.Prepared() {
		return nil
	}
	h := es.stream.Header()
	h.Set("Content-Type", "text/event-stream")
	for _, f := range [...][2]string{{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}} {
		if h.Get(f[0]) == "" {
			h.Set(f[0], f[1])
		}
	}
	if err := es.stream.Prepare(req); err != nil {
		return err
	}
	es.ctx, es.cancel = context.WithCancelCause(req.Context())
	if req.Method() == "HEAD" {
		es.cancel(errHeadStream) // the head is all there is to send
	}
	if open := req.openSockets(); open != nil {
		if open.add(es) {
			es.open = open
		} else {
			es.cancel(ErrServerShutdown) // the shutdown began already
		}
	}
	es.mu.Lock()
	if ms := es.opts.Retry.Milliseconds(); ms > 0 {
		es.buf = fmt.Appendf(es.buf[:0], "retry: %d\n\n", ms)
		_ = es.write() // a failure ends the stream: the next send reports it
	} else {
		_ = es.flush()
	}
	es.mu.Unlock()
	if every := es.pingInterval(); every > 0 {
		go es.ping(every)
	}
	return nil
}

func (es *EventSourceResponse) pingInterval() time.Duration {
	if es.opts.PingInterval == 0 {
		return DefaultPingInterval
	}
	return es.opts.PingInterval
}

// Context returns a context that ends with the stream: when the client
// goes away, a write fails, the server begins to shut down or the handler
// returned the response. Before Prepare it returns nil.
func (es *EventSourceResponse) Context() context.Context { return es.ctx }

// LastEventID returns the Last-Event-ID header of the request, the ID of
// the last event a reconnecting client received, "" when none or before
// Prepare.
func (es *EventSourceResponse) LastEventID() string {
	if es.stream.req == nil {
		return ""
	}
	return es.stream.req.Header().Get("Last-Event-ID")
}

// Send sends data as an event of the default type, "message"; data with
// line breaks becomes several data lines, which the client joins with
// "\n".
func (es *EventSourceResponse) Send(data string) error {
	return es.SendEvent(sse.Event{Data: data})
}

// SendEvent sends ev (aiohttp-sse's send with id, event and retry) and
// flushes it. An ID or type with a line break is refused with an error
// wrapping sse.ErrInvalidEvent; a stream that ended gives an error
// wrapping ErrEventStreamClosed; before Prepare, ErrNotPrepared.
func (es *EventSourceResponse) SendEvent(ev sse.Event) error {
	es.mu.Lock()
	defer es.mu.Unlock()
	if err := es.writable(); err != nil {
		return err
	}
	b, err := sse.AppendEvent(es.buf[:0], ev)
	if err != nil {
		return err
	}
	es.buf = b
	return es.write()
}

// writable reports why the stream takes no more writes, nil when it does.
// es.mu is held.
func (es *EventSourceResponse) writable() error {
	switch {
	case es.ctx == nil:
		return ErrNotPrepared
	case es.closed:
		return ErrEventStreamClosed
	}
	if cause := context.Cause(es.ctx); cause != nil {
		return fmt.Errorf("%w: %w", ErrEventStreamClosed, cause)
	}
	return nil
}

// write writes and flushes es.buf; a failure ends the stream. es.mu is
// held.
func (es *EventSourceResponse) write() error {
	_, err := es.stream.Write(es.buf)
	if cap(es.buf) > maxKeptEventBuffer {
		es.buf = nil
	}
	if err == nil {
		return es.flush()
	}
	es.cancel(err)
	return err
}

// flush pushes what was written to the client; a failure ends the
// stream. es.mu is held.
func (es *EventSourceResponse) flush() error {
	err := es.stream.Flush()
	if err != nil {
		es.cancel(err)
	}
	return err
}

// maxKeptEventBuffer is the largest event buffer a stream keeps.
const maxKeptEventBuffer = 64 << 10

// ping sends a comment every interval until the stream ends.
func (es *EventSourceResponse) ping(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-es.ctx.Done():
			return
		case <-t.C:
		}
		es.mu.Lock()
		err := es.writable()
		if err == nil {
			es.buf = sse.AppendComment(es.buf[:0], "ping")
			err = es.write()
		}
		es.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// goAway ends the stream when the server begins to shut down: its
// Context ends with ErrServerShutdown, so that its handler returns.
func (es *EventSourceResponse) goAway(context.Context) { es.cancel(ErrServerShutdown) }

// ended reports whether the stream ended.
func (es *EventSourceResponse) ended() bool { return es.ctx.Err() != nil }

// finish ends the stream when the handler returns it: later sends fail,
// the pings stop and the body ends. A response never prepared is an
// empty event stream.
func (es *EventSourceResponse) finish(req *Request) error {
	if err := es.Prepare(req); err != nil {
		return err
	}
	es.mu.Lock()
	es.closed = true
	es.mu.Unlock()
	es.cancel(ErrEventStreamClosed)
	es.open.remove(es)
	return es.stream.WriteEOF()
}
