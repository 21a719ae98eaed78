package sse

import (
	"io"
	"strconv"
)

// AppendEvent appends the wire form of ev to dst: its fields, one line
// each, and the blank line that dispatches it. Data is split at every
// line break (CRLF, CR or LF) into several data lines, which the client
// joins with "\n". An invalid ev (see [Event.Validate]) appends nothing
// and returns an error wrapping [ErrInvalidEvent].
func AppendEvent(dst []byte, ev Event) ([]byte, error) {
	if err := ev.Validate(); err != nil {
		return dst, err
	}
	if ev.ID != "" {
		dst = appendField(dst, "id: ", ev.ID)
	}
	if ev.Event != "" {
		dst = appendField(dst, "event: ", ev.Event)
	}
	dst = appendLines(dst, "data: ", ev.Data)
	if ms := ev.Retry.Milliseconds(); ms > 0 {
		dst = append(dst, "retry: "...)
		dst = strconv.AppendInt(dst, ms, 10)
		dst = append(dst, '\n')
	}
	return append(dst, '\n'), nil
}

// AppendComment appends text as comment lines, which clients ignore: the
// keep-alive ping of a stream, for instance. Each line of text (split as
// data is) becomes a line starting with ":".
func AppendComment(dst []byte, text string) []byte {
	return appendLines(dst, ": ", text)
}

// appendField appends one name/value line.
func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, value...)
	return append(dst, '\n')
}

// appendLines appends a line with prefix for each line of text, splitting
// it at CRLF, CR and LF.
func appendLines(dst []byte, prefix, text string) []byte {
	for {
		i := indexLineBreak(text)
		if i < 0 {
			return appendField(dst, prefix, text)
		}
		dst = appendField(dst, prefix, text[:i])
		if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
			i++
		}
		text = text[i+1:]
	}
}

// indexLineBreak returns the index of the first CR or LF of s, -1 if none.
func indexLineBreak(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return i
		}
	}
	return -1
}

// Encoder writes events to an io.Writer, each event in one Write. It is
// not safe for concurrent use; the server's web.EventSourceResponse is.
type Encoder struct {
	w   io.Writer
	buf []byte
}

// NewEncoder returns an encoder writing to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// Encode writes ev (see [AppendEvent]); an invalid ev writes nothing and
// returns an error wrapping [ErrInvalidEvent].
func (e *Encoder) Encode(ev Event) error {
	b, err := AppendEvent(e.buf[:0], ev)
	if err != nil {
		return err
	}
	return e.write(b)
}

// Comment writes text as comment lines (see [AppendComment]).
func (e *Encoder) Comment(text string) error {
	return e.write(AppendComment(e.buf[:0], text))
}

func (e *Encoder) write(b []byte) error {
	e.buf = b
	_, err := e.w.Write(b)
	if cap(e.buf) > maxKeptBuffer {
		e.buf = nil // an unusually large event: do not keep its buffer
	}
	return err
}

// maxKeptBuffer is the largest buffer an Encoder keeps between events.
const maxKeptBuffer = 64 << 10
