package aiohttp

import (
	"context"
	"errors"
	"io"
	"iter"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp/sse"
)

// DefaultEventSourceRetry is how long an [EventSource] waits before it
// reconnects, until the stream sets another time with a retry field.
const DefaultEventSourceRetry = 3 * time.Second

// Events returns the body read as a Server-Sent Events stream, one event
// at a time as it arrives, parsed as the WHATWG spec says (see
// [sse.Reader], whose default limits apply). The sequence ends at the end
// of the body; an error (of the body, or a line past the limits) is
// yielded once, last. It does not check the Content-Type and does not
// reconnect: [Session.EventSource] does both.
//
//	for ev, err := range resp.Events() {
//		if err != nil {
//			return err
//		}
//		fmt.Println(ev.ID, ev.Event, ev.Data)
//	}
func (r *Response) Events() iter.Seq2[sse.Event, error] {
	return func(yield func(sse.Event, error) bool) {
		events(sse.NewReader(r.Content(), sse.ReaderOptions{}), yield)
	}
}

// events yields the events of rd until the stream ends (it returns nil),
// fails (it yields the error, then returns it) or yield asks to stop (it
// returns errStop).
func events(rd *sse.Reader, yield func(sse.Event, error) bool) error {
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			yield(sse.Event{}, err)
			return err
		}
		if !yield(ev, nil) {
			return errStop
		}
	}
}

// EventSourceOptions configure [Session.EventSource]; the zero value is a
// browser's EventSource.
type EventSourceOptions struct {
	// Retry is the reconnection time until the stream sets one;
	// DefaultEventSourceRetry when zero.
	Retry time.Duration
	// LastEventID, when set, is sent as Last-Event-ID from the first
	// connection on, to resume a stream read before.
	LastEventID string
	// Reader bounds the lines and events of the stream.
	Reader sse.ReaderOptions
}

// EventSource reads a Server-Sent Events stream and reconnects when it
// ends, as a browser's EventSource does; [Session.EventSource] makes one.
// Read it with Events. Its methods are safe for concurrent use; one
// goroutine ranges over Events at a time.
type EventSource struct {
	s       *Session
	url     string
	opts    EventSourceOptions
	reqOpts []RequestOption
	ctx     context.Context
	stop    context.CancelCauseFunc

	mu     sync.Mutex
	lastID string
	retry  time.Duration
}

// errEventSourceClosed is the cause of an EventSource's context after
// Close.
var errEventSourceClosed = errors.New("aiohttp: event source closed")

// EventSource returns an event source for url; it connects when Events is
// ranged over. Each connection is a GET with Accept: text/event-stream,
// Cache-Control: no-cache and, once the stream set an ID (or
// opts.LastEventID did), Last-Event-ID, plus reqOpts. The session's total
// timeout does not apply, as a stream has no end; the other timeouts do,
// and ctx bounds the whole.
//
// As the WHATWG spec says: a response other than 200 with media type
// text/event-stream fails the source (Events yields a
// *ClientResponseError: kind ErrContentType for a wrong type,
// ErrClientResponse for a status), except 204 No Content, which ends it
// without an error; a stream that ends or breaks, or a connection that
// fails, is reconnected after the reconnection time (3 seconds unless the
// stream set another, other than 0) for as long as ctx lasts.
func (s *Session) EventSource(ctx context.Context, url string, opts EventSourceOptions, reqOpts ...RequestOption) *EventSource {
	if opts.Retry <= 0 {
		opts.Retry = DefaultEventSourceRetry
	}
	es := &EventSource{s: s, url: url, opts: opts, reqOpts: reqOpts, lastID: opts.LastEventID, retry: opts.Retry}
	es.ctx, es.stop = context.WithCancelCause(ctx)
	return es
}

// LastEventID returns the last event ID in effect: what the source sends
// as Last-Event-ID when it reconnects.
func (es *EventSource) LastEventID() string {
	es.mu.Lock()
	defer es.mu.Unlock()
	return es.lastID
}

// Retry returns the reconnection time in effect.
func (es *EventSource) Retry() time.Duration {
	es.mu.Lock()
	defer es.mu.Unlock()
	return es.retry
}

// Close stops the source: a range over Events in progress ends without an
// error, its connection closed. It may be called more than once, from any
// goroutine.
func (es *EventSource) Close() error {
	es.stop(errEventSourceClosed)
	return nil
}

// Events returns the events of the stream, across reconnections, until
// the source fails (the error is yielded, last), ends (a 204, or Close)
// or its context ends (the error of kind ErrCanceled is yielded). The
// errors that make the source reconnect are not yielded. Breaking out of
// the loop closes the connection; ranging again goes on from the last
// event ID.
func (es *EventSource) Events() iter.Seq2[sse.Event, error] {
	return func(yield func(sse.Event, error) bool) {
		for {
			err := es.connection(yield)
			if errors.Is(err, errStop) || context.Cause(es.ctx) == errEventSourceClosed {
				return
			}
			if err != nil && !reconnectable(err) {
				if es.ctx.Err() != nil {
					err = &Error{Kind: ErrCanceled, Method: "GET", URL: es.url, Err: context.Cause(es.ctx)}
				}
				yield(sse.Event{}, err)
				return
			}
			t := time.NewTimer(es.Retry())
			select {
			case <-t.C:
			case <-es.ctx.Done():
				t.Stop()
				if context.Cause(es.ctx) != errEventSourceClosed {
					yield(sse.Event{}, &Error{Kind: ErrCanceled, Method: "GET", URL: es.url, Err: context.Cause(es.ctx)})
				}
				return
			}
		}
	}
}

// errStop ends a connection that must not be followed by another: yield
// asked to stop, or the server answered 204.
var errStop = errors.New("aiohttp: event source stopped")

// connection makes one connection and yields its events. It returns why
// the stream ended: errStop, nil when it ended cleanly, or an error.
func (es *EventSource) connection(yield func(sse.Event, error) bool) error {
	resp, err := es.connect()
	if err != nil {
		return err
	}
	defer resp.Close()
	// Close and the end of ctx interrupt a read in progress.
	defer context.AfterFunc(es.ctx, func() { resp.Close() })()
	switch {
	case resp.Status == 204:
		return errStop
	case resp.Status != 200:
		return resp.responseError(ErrClientResponse, "event source: status "+resp.Reason)
	case resp.ContentType() != "text/event-stream":
		return resp.responseError(ErrContentType, "event source: unexpected mimetype: "+resp.ContentType())
	}
	rd := sse.NewReader(resp.Content(), es.opts.Reader)
	rd.SetLastEventID(es.LastEventID())
	defer es.note(rd)
	// The error that ends the stream is not yielded here: Events decides
	// whether it reconnects.
	return events(rd, func(ev sse.Event, err error) bool {
		es.note(rd)
		return err != nil || yield(ev, nil)
	})
}

// note takes the last event ID and the reconnection time from rd.
func (es *EventSource) note(rd *sse.Reader) {
	es.mu.Lock()
	es.lastID = rd.LastEventID()
	if rd.Retry() > 0 {
		es.retry = rd.Retry()
	}
	es.mu.Unlock()
}

// connect sends the request of one connection.
func (es *EventSource) connect() (*Response, error) {
	timeout := es.s.opts.Timeout
	timeout.Total = -1
	opts := make([]RequestOption, 0, len(es.reqOpts)+4)
	opts = append(opts, timeout, Headers{"Accept": "text/event-stream", "Cache-Control": "no-cache"})
	if id := es.LastEventID(); id != "" {
		opts = append(opts, Headers{"Last-Event-ID": id})
	}
	return es.s.Get(es.ctx, es.url, append(opts, es.reqOpts...)...)
}

// reconnectable reports whether err, which ended a connection, is one an
// event source reconnects after: the stream ended or broke, or the
// connection failed. A failed response, a bad URL or a stream past the
// reader's limits is not.
func reconnectable(err error) bool {
	return err == nil || errors.Is(err, ErrClientConnection) || errors.Is(err, ErrClientPayload)
}

// responseError returns an error of kind k about r.
func (r *Response) responseError(k error, msg string) *ClientResponseError {
	return &ClientResponseError{
		Kind:    k,
		Request: r.Request,
		Status:  r.Status,
		Message: msg,
		Header:  r.Header,
		History: r.History,
	}
}
