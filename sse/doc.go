// Package sse implements Server-Sent Events, the text/event-stream format
// of the WHATWG HTML spec (§9.2, "Server-sent events"), for both ends of a
// stream. It is the protocol layer under aiohttp's two SSE APIs: the
// server's web.EventSourceResponse (aiohttp-sse's EventSourceResponse)
// and the client's Response.Events and Session.EventSource; it imports
// neither.
//
// # Events
//
// An [Event] holds the fields of one block of the stream: ID, Event (the
// type), Data and Retry.
//
// # Writing
//
// [AppendEvent] appends an event's wire form to a buffer, splitting
// multi-line data into several data lines; an ID or type holding a line
// break is refused with an error wrapping [ErrInvalidEvent], so that no
// value can inject fields. [AppendComment] appends comment lines, which
// keep a stream alive through proxies. An [Encoder] writes both to an
// io.Writer.
//
// # Reading
//
// A [Reader] parses a stream exactly as a browser's EventSource does: a
// leading byte order mark, CR, LF and CRLF line ends, comments, the
// default type "message", the last event ID that persists from event to
// event, retry values of digits only, no event for a block without data
// and none for a block the stream cut short. It reads as bytes arrive,
// holds one line at a time within [ReaderOptions] limits (typed errors
// [ErrLineTooLong] and [ErrEventTooLarge] past them) and allocates only
// the strings of the events it returns.
package sse
