package sse

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Event is one Server-Sent Event: the fields of one block of the stream.
//
// On the way out, ID and Event are sent when not empty, Data always (an
// empty Data is one empty data line, which a client dispatches as an
// event with empty data), Retry when positive, in whole milliseconds. On
// the way in, [Reader.Next] fills them as the WHATWG spec says: ID is the
// last event ID in effect, Event the type ("message" unless the block
// named one), Data the data lines joined with "\n", Retry the
// reconnection time the block set, 0 when it set none.
type Event struct {
	ID    string        // the event ID (id:)
	Event string        // the event type (event:)
	Data  string        // the payload (data:), may span several lines
	Retry time.Duration // the reconnection time the client should use (retry:)
}

// DefaultEventType is the type of an event whose block names none.
const DefaultEventType = "message"

// ErrInvalidEvent reports an event that cannot be sent as given: a line
// break in its ID or type (it would end the field early and inject
// others), a NUL in its ID (clients ignore such an ID), or a negative
// Retry. The error wraps it with the details.
var ErrInvalidEvent = errors.New("sse: invalid event")

// Validate reports whether e can be sent: nil, or an error wrapping
// [ErrInvalidEvent].
func (e *Event) Validate() error {
	switch {
	case strings.ContainsAny(e.ID, "\r\n\x00"):
		return &fieldError{"id", e.ID}
	case strings.ContainsAny(e.Event, "\r\n"):
		return &fieldError{"event", e.Event}
	case e.Retry < 0:
		return &fieldError{"retry", e.Retry.String()}
	}
	return nil
}

// fieldError names the field of an invalid event.
type fieldError struct{ field, value string }

func (e *fieldError) Error() string {
	return "sse: invalid event: bad " + e.field + " " + strconv.Quote(e.value)
}

func (e *fieldError) Unwrap() error { return ErrInvalidEvent }
