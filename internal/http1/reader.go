package http1

import (
	"bytes"
	"errors"
	"io"
)

// Reader is the buffered input of one connection. It reads message heads in
// place and serves the bytes after them to [Body] and, after an upgrade, to
// Read. Its buffer comes from a pool and goes back with Release while the
// connection is idle.
//
// The buffer holds, in order: bytes of earlier messages, the current head
// (ending at buf[head]), bytes already consumed, and the unconsumed bytes
// buf[r:w]. Body reads only ever write after the head, so a head's slices
// stay valid until the next ReadRequestHead, ReadResponseHead, Release or
// Reset.
type Reader struct {
	src  io.Reader
	bufp *[]byte // the pooled buffer, nil while released
	buf  []byte  // *bufp
	r, w int     // the unconsumed bytes are buf[r:w]
	head int     // the current head ends at buf[head]; nothing before is written
	scan int     // where the search for the end of the head resumes
	lim  limits  // limits of the current message, for chunk lines and trailers
	err  error   // a read error held back until the bytes read with it are used
}

// NewReader returns a Reader reading from src. It holds no buffer until the
// first read.
func NewReader(src io.Reader) *Reader {
	return &Reader{src: src, lim: Limits{}.resolve()}
}

// Reset makes r read from src, dropping any buffered bytes and returning the
// buffer to its pool.
func (r *Reader) Reset(src io.Reader) {
	if r.bufp != nil {
		putBuf(r.bufp)
	}
	*r = Reader{src: src, lim: Limits{}.resolve()}
}

// Release returns the buffer to its pool when no byte is buffered, as while
// a keep-alive connection waits for its next request; the next read takes a
// buffer again. It ends the validity of the last head.
func (r *Reader) Release() {
	if r.bufp == nil || r.r != r.w {
		return
	}
	putBuf(r.bufp)
	r.bufp, r.buf = nil, nil
	r.r, r.w, r.head, r.scan = 0, 0, 0, 0
}

// Buffered returns the number of bytes received but not yet consumed: the
// start of a pipelined request, or body bytes.
func (r *Reader) Buffered() int { return r.w - r.r }

// Read reads raw bytes: first those buffered after the current position,
// then from the source. It serves a connection after an upgrade.
func (r *Reader) Read(p []byte) (int, error) {
	if r.r < r.w {
		n := copy(p, r.buf[r.r:r.w])
		r.r += n
		return n, nil
	}
	return r.readSrc(p)
}

// Unread returns a copy of the buffered, unconsumed bytes and consumes them,
// so that the connection can be handed to another protocol with what was
// already read (for instance the HTTP/2 preface after [ErrHTTP2Preface]).
func (r *Reader) Unread() []byte {
	if r.r == r.w {
		return nil
	}
	p := bytes.Clone(r.buf[r.r:r.w])
	r.r = r.w
	return p
}

// ReadRequestHead reads the next request head into h. The previous
// message, body included, must have been consumed: what follows it is
// parsed as the next head. It returns io.EOF when
// the source ends before the request starts, io.ErrUnexpectedEOF when it
// ends inside the head, read errors as they are and a [*ParseError] (or
// [ErrHTTP2Preface], consuming nothing) for a rejected head.
func (r *Reader) ReadRequestHead(h *RequestHead, lim Limits) error {
	return r.readHead(lim, func(b []byte) (int, error) { return ParseRequestHead(b, h, lim) })
}

// ReadResponseHead reads the next response head into h, like
// ReadRequestHead.
func (r *Reader) ReadResponseHead(h *ResponseHead, lim Limits) error {
	return r.readHead(lim, func(b []byte) (int, error) { return ParseResponseHead(b, h, lim) })
}

func (r *Reader) readHead(lim Limits, parse func([]byte) (int, error)) error {
	r.lim = lim.resolve()
	r.acquire()
	// The message starts at r.r. Pipelined bytes are parsed where they are
	// and moved to the start of the buffer only when it is full.
	if r.r == r.w {
		r.r, r.w = 0, 0
	}
	r.head, r.scan = 0, r.r

	// Parse on the first chance, whenever a head may have ended and when the
	// buffered bytes have doubled since the last try: on drip-fed input that
	// is linear work, and garbage is still rejected early. At the end of the
	// input, parse what there is once more, for its error.
	parsed, eof := 0, false
	for {
		if n := r.w - r.r; n > 0 && (eof || parsed == 0 || n >= 2*parsed || r.w == len(r.buf) || r.headEnd()) {
			parsed = n
			n, err := parse(r.buf[r.r:r.w])
			if err != nil {
				return err
			}
			if n > 0 {
				r.r += n
				r.head = r.r
				return nil
			}
		}
		if eof {
			return io.ErrUnexpectedEOF
		}
		if r.w == len(r.buf) {
			// A head the limits allow fits in maxHead bytes, so the parser
			// has decided before the buffer needs to grow beyond.
			r.scan -= r.r
			if r.r > 0 {
				r.w = copy(r.buf, r.buf[r.r:r.w])
				r.r = 0
			} else {
				r.grow(min(2*len(r.buf), r.lim.maxHead()))
			}
		}
		if err := r.fill(); err != nil {
			if err != io.EOF {
				return err
			}
			if i, _ := skipEmptyLines(r.buf[r.r:r.w]); i == r.w-r.r {
				r.r = r.w
				return io.EOF
			}
			eof = true
		}
	}
}

// acquire takes a buffer from the pool when r has none.
func (r *Reader) acquire() {
	if r.bufp == nil {
		r.bufp = getBuf(minBufSize)
		r.buf = *r.bufp
	}
}

// headEnd reports whether the bytes read since the last call hold an LF,
// ending a non-empty line of the message at r.r, followed by an empty line
// (CRLF, or a bare LF that the parser then rejects).
func (r *Reader) headEnd() bool {
	b := r.buf[:r.w]
	for i := r.scan; ; i++ {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			r.scan = len(b)
			return false
		}
		i += j
		next := i + 1
		if next < len(b) && b[next] == '\r' {
			next++
		}
		if next >= len(b) {
			r.scan = i
			return false
		}
		if b[next] != '\n' {
			continue
		}
		r.scan = i + 1
		end := i
		if end > r.r && b[end-1] == '\r' {
			end--
		}
		if end > r.r && b[end-1] != '\n' {
			return true
		}
	}
}

// grow moves the unconsumed bytes to a buffer of at least n bytes. The old
// buffer goes back to its pool only when no head points into it.
func (r *Reader) grow(n int) {
	p := getBuf(n)
	r.w = copy(*p, r.buf[r.r:r.w])
	r.r = 0
	if r.head == 0 {
		putBuf(r.bufp)
	}
	r.head = 0
	r.bufp, r.buf = p, *p
}

// errBadRead is returned when the source reports an impossible count.
var errBadRead = errors.New("http1: source returned an invalid count")

// fill reads at least one byte into buf[w:], which must have room.
func (r *Reader) fill() error {
	if err := r.err; err != nil {
		r.err = nil
		return err
	}
	for range 100 {
		n, err := r.src.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			return errBadRead
		}
		r.w += n
		if n > 0 {
			r.err = err
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// readSrc reads from the source straight into p.
func (r *Reader) readSrc(p []byte) (int, error) {
	if err := r.err; err != nil {
		r.err = nil
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := r.src.Read(p)
	if n < 0 || n > len(p) {
		return 0, errBadRead
	}
	return n, err
}

// more reads at least one more byte after the unconsumed ones, never
// touching the head: when the buffer is full it first moves the unconsumed
// bytes down to just after the head, and when they fill everything after
// the head it moves them to a bigger buffer, leaving the old one (and the
// head in it) alone.
func (r *Reader) more() error {
	r.acquire()
	if r.r == r.w {
		r.r, r.w = r.head, r.head
	}
	if r.w == len(r.buf) {
		if r.r > r.head {
			r.w = r.head + copy(r.buf[r.head:], r.buf[r.r:r.w])
			r.r = r.head
		} else {
			r.grow(2 * len(r.buf))
		}
	}
	return r.fill()
}

// need makes sure at least n unconsumed bytes are buffered.
func (r *Reader) need(n int) error {
	for r.w-r.r < n {
		if err := r.more(); err != nil {
			return err
		}
	}
	return nil
}

// errLineOverflow reports a body line (chunk size or trailer) longer than
// allowed; Body turns it into the right ParseError.
var errLineOverflow = errors.New("http1: line too long")

// line returns the unconsumed bytes up to and including the next LF,
// reading more as needed, without consuming them. *scanned is how far a
// previous call already searched. A line longer than max bytes gives
// errLineOverflow.
func (r *Reader) line(max int, scanned *int) ([]byte, error) {
	for {
		b := r.buf[r.r:r.w]
		if i := bytes.IndexByte(b[*scanned:], '\n'); i >= 0 {
			n := *scanned + i + 1
			if n > max {
				return nil, errLineOverflow
			}
			*scanned = 0
			return b[:n], nil
		}
		*scanned = len(b)
		if len(b) >= max {
			return nil, errLineOverflow
		}
		if err := r.more(); err != nil {
			return nil, err
		}
	}
}

// readBody reads body bytes into p: buffered ones first, then straight from
// the source when p is at least as big as the room after the head, else
// through the buffer.
func (r *Reader) readBody(p []byte) (int, error) {
	if r.r == r.w {
		if len(p) >= len(r.buf)-r.head {
			return r.readSrc(p)
		}
		if err := r.more(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf[r.r:r.w])
	r.r += n
	return n, nil
}

// skip consumes up to n body bytes, reading when none is buffered.
func (r *Reader) skip(n int64) (int64, error) {
	if r.r == r.w {
		if err := r.more(); err != nil {
			return 0, err
		}
	}
	k := min(int64(r.w-r.r), n)
	r.r += int(k)
	return k, nil
}
