package sse

import (
	"bytes"
	"errors"
	"io"
	"time"
)

// Default limits of a [Reader].
const (
	DefaultMaxLineSize  = 1 << 20 // 1 MiB
	DefaultMaxEventSize = 8 << 20 // 8 MiB
)

// Errors of a [Reader] whose stream passes its limits. Once a Reader
// returned one, it returns it again on every call.
var (
	ErrLineTooLong   = errors.New("sse: line too long")
	ErrEventTooLarge = errors.New("sse: event too large")
)

// ReaderOptions bound what a [Reader] buffers; the zero value takes the
// defaults.
type ReaderOptions struct {
	// MaxLineSize bounds one line, its line break excluded;
	// DefaultMaxLineSize when zero. A longer line is ErrLineTooLong.
	MaxLineSize int
	// MaxEventSize bounds the data of one event, all its data lines
	// together; DefaultMaxEventSize when zero. More is ErrEventTooLarge.
	MaxEventSize int
}

// Reader parses an event stream as the WHATWG HTML spec's EventSource
// does (§9.2.6, "Interpreting an event stream"): a leading byte order
// mark is skipped; lines end with CRLF, LF or CR; lines starting with ":"
// are comments; a field name is what comes before the first colon, and
// one space after the colon is dropped; "event" sets the type, "data"
// adds a line of data, "id" sets the last event ID (unless it holds a
// NUL), which stays in effect for the events that follow, and "retry" of
// ASCII digits only sets the reconnection time; other fields are ignored.
// A blank line dispatches the event, unless it has no data line. At the
// end of the stream, an event (or line) without its terminating blank
// line (or line break) is discarded.
//
// It reads as the bytes arrive, buffering one line at a time, bounded by
// its [ReaderOptions]. Apart from the strings of each event, it does not
// allocate once its buffers have grown: an ID or type equal to the
// previous one is the same string. A Reader is not safe for concurrent
// use.
type Reader struct {
	src  io.Reader
	opts ReaderOptions

	buf        []byte // buf[start:end] is read but not yet parsed
	start, end int
	started    bool  // the byte order mark was looked for
	skipLF     bool  // the last line ended with CR: a LF right after it belongs to it
	err        error // what ends the stream, returned once buf is used up

	data       []byte        // data buffer
	eventType  []byte        // event type buffer
	idBuf      []byte        // last event ID buffer
	hasData    bool          // a data field was seen since the last dispatch
	blockRetry time.Duration // the last retry field since the last dispatch

	lastID   string        // last event ID string
	lastType string        // the previous event's type, reused when equal
	retry    time.Duration // reconnection time, 0 until the stream sets one
}

// NewReader returns a reader of the event stream src.
func NewReader(src io.Reader, opts ReaderOptions) *Reader {
	if opts.MaxLineSize <= 0 {
		opts.MaxLineSize = DefaultMaxLineSize
	}
	if opts.MaxEventSize <= 0 {
		opts.MaxEventSize = DefaultMaxEventSize
	}
	return &Reader{src: src, opts: opts, lastType: DefaultEventType}
}

// LastEventID returns the last event ID string: the ID of the last
// dispatched block, as a client sends it in Last-Event-ID when it
// reconnects. It may be set by a block that carried no data.
func (r *Reader) LastEventID() string { return r.lastID }

// SetLastEventID sets the last event ID the reader starts from, as a
// reconnecting client does.
func (r *Reader) SetLastEventID(id string) {
	r.lastID = id
	r.idBuf = append(r.idBuf[:0], id...)
}

// Retry returns the reconnection time the stream last set, 0 if none (or
// if it set 0).
func (r *Reader) Retry() time.Duration { return r.retry }

// Next returns the next event. At the end of the stream it returns io.EOF
// (a partial event before it is discarded); an error of the source ends
// the stream too, with that error; a stream past the limits gives
// ErrLineTooLong or ErrEventTooLarge.
func (r *Reader) Next() (Event, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return Event{}, err
		}
		if len(line) == 0 {
			if ev, ok := r.dispatch(); ok {
				return ev, nil
			}
			continue
		}
		if err := r.field(line); err != nil {
			return Event{}, r.fail(err)
		}
	}
}

// field processes one non-blank line.
func (r *Reader) field(line []byte) error {
	if line[0] == ':' {
		return nil // a comment
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) { // no allocation: the compiler compares in place
	case "event":
		r.eventType = append(r.eventType[:0], value...)
	case "data":
		if len(r.data)+len(value)+1 > r.opts.MaxEventSize {
			return ErrEventTooLarge
		}
		if r.hasData {
			r.data = append(r.data, '\n')
		}
		r.data = append(r.data, value...)
		r.hasData = true
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			r.idBuf = append(r.idBuf[:0], value...)
		}
	case "retry":
		if ms, ok := parseDigits(value); ok {
			r.retry, r.blockRetry = ms, ms
		}
	}
	return nil
}

// parseDigits parses a retry value: ASCII digits only, in milliseconds.
// A value too large for a Duration is the largest one.
func parseDigits(v []byte) (time.Duration, bool) {
	if len(v) == 0 {
		return 0, false
	}
	const limit = int64(1<<63-1) / int64(time.Millisecond)
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n <= limit {
			n = n*10 + int64(c-'0')
		}
	}
	if n > limit {
		n = limit
	}
	return time.Duration(n) * time.Millisecond, true
}

// dispatch ends the block at a blank line: it returns its event, or false
// when it had no data.
func (r *Reader) dispatch() (Event, bool) {
	if string(r.idBuf) != r.lastID {
		r.lastID = string(r.idBuf)
	}
	retry := r.blockRetry
	r.blockRetry = 0
	if !r.hasData {
		r.eventType = r.eventType[:0]
		return Event{}, false
	}
	ev := Event{ID: r.lastID, Data: string(r.data), Retry: retry}
	switch {
	case len(r.eventType) == 0:
		ev.Event = DefaultEventType
	case string(r.eventType) == r.lastType:
		ev.Event = r.lastType
	default:
		r.lastType = string(r.eventType)
		ev.Event = r.lastType
	}
	r.data, r.eventType, r.hasData = r.data[:0], r.eventType[:0], false
	if cap(r.data) > maxKeptBuffer {
		r.data = nil
	}
	return ev, true
}

// readLine returns the next line without its line break, valid until the
// next call.
func (r *Reader) readLine() ([]byte, error) {
	scanned := 0 // buf[start:start+scanned] holds no line break
	for {
		if !r.started && !r.skipBOM() {
			if err := r.fill(); err != nil {
				return nil, err
			}
			continue
		}
		if r.skipLF && r.start < r.end {
			if r.buf[r.start] == '\n' {
				r.start++
			}
			r.skipLF = false
		}
		pending := r.buf[r.start+scanned : r.end]
		if i := indexCRLF(pending); i >= 0 {
			line := r.buf[r.start : r.start+scanned+i]
			r.start += scanned + i + 1
			if pending[i] == '\r' {
				r.skipLF = true
			}
			if len(line) > r.opts.MaxLineSize {
				return nil, r.fail(ErrLineTooLong)
			}
			return line, nil
		}
		scanned = r.end - r.start
		if scanned > r.opts.MaxLineSize {
			return nil, r.fail(ErrLineTooLong)
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// fail ends the stream with err.
func (r *Reader) fail(err error) error {
	r.err = err
	r.start, r.end = 0, 0
	return err
}

// skipBOM drops a leading byte order mark once enough bytes are there to
// tell; it reports false when more are needed.
func (r *Reader) skipBOM() bool {
	const bom = "\xef\xbb\xbf"
	n := r.end - r.start
	if n < len(bom) && bytes.HasPrefix([]byte(bom), r.buf[r.start:r.end]) && r.err == nil {
		return false
	}
	if bytes.HasPrefix(r.buf[r.start:r.end], []byte(bom)) {
		r.start += len(bom)
	}
	r.started = true
	return true
}

// indexCRLF returns the index of the first CR or LF in b, -1 if none.
func indexCRLF(b []byte) int {
	for i, c := range b {
		if c == '\n' || c == '\r' {
			return i
		}
	}
	return -1
}

// fill reads more of the source into buf, growing it when it is full.
// It returns the error that ended the source once the buffered bytes
// hold no more lines; io.EOF then means a clean end.
func (r *Reader) fill() error {
	if r.err != nil {
		return r.err
	}
	if r.start > 0 && r.start == r.end {
		r.start, r.end = 0, 0
	}
	if r.end == len(r.buf) {
		// A line is at most MaxLineSize bytes and its line break: the
		// buffer never needs more.
		limit := r.opts.MaxLineSize + 1
		if pending := r.end - r.start; r.start > 0 && (pending < len(r.buf)/2 || len(r.buf) >= limit) {
			r.end = copy(r.buf, r.buf[r.start:r.end])
			r.start = 0
		} else {
			nb := make([]byte, min(max(2*len(r.buf), minBuffer), limit))
			r.end = copy(nb, r.buf[r.start:r.end])
			r.start, r.buf = 0, nb
		}
	}
	for range maxEmptyReads {
		n, err := r.src.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.err = err
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
	r.err = io.ErrNoProgress
	return r.err
}

// minBuffer is the size of a Reader's first buffer.
const minBuffer = 4 << 10

// maxEmptyReads is how many reads returning nothing fill tolerates.
const maxEmptyReads = 100
