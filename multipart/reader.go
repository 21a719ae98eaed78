package multipart

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"sync"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// Defaults of [Limits] for the fields left zero.
const (
	DefaultMaxParts       = 1000
	DefaultMaxHeaderBytes = 16 << 10
)

// Limits bound what a [Reader] accepts; a body past one fails with a
// [*LimitError], which a server answers with 413. A zero field takes its
// default, a negative one means no limit.
type Limits struct {
	// MaxParts is the number of parts, nested ones included
	// (DefaultMaxParts).
	MaxParts int
	// MaxHeaderBytes bounds the header block of each part
	// (DefaultMaxHeaderBytes).
	MaxHeaderBytes int
	// MaxSize bounds the bytes read from the source, the whole body
	// (no limit by default).
	MaxSize int64
}

// ErrMalformed is wrapped by the errors of a body that is not multipart:
// no opening boundary, a bad header line, a body that ends before its
// closing boundary (then io.ErrUnexpectedEOF is wrapped too). A server
// answers it with 400.
var ErrMalformed = errors.New("multipart: malformed body")

// The limits a [*LimitError] reports, for errors.Is.
var (
	ErrTooManyParts   = errors.New("multipart: too many parts")
	ErrHeaderTooLarge = errors.New("multipart: part header too large")
	ErrTooLarge       = errors.New("multipart: body too large")
)

// LimitError reports a body past one of its reader's [Limits]. It
// matches ErrTooManyParts, ErrHeaderTooLarge or ErrTooLarge with errors.Is.
type LimitError struct {
	Err   error // ErrTooManyParts, ErrHeaderTooLarge or ErrTooLarge
	Limit int64 // the limit that was passed
}

func (e *LimitError) Error() string { return fmt.Sprintf("%v (limit %d)", e.Err, e.Limit) }

// Unwrap returns Err.
func (e *LimitError) Unwrap() error { return e.Err }

// malformed returns an error wrapping ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// errTruncated reports a body that ends before its closing boundary.
var errTruncated = fmt.Errorf("%w: %w before the closing boundary", ErrMalformed, io.ErrUnexpectedEOF)

// bufSize is the size of a reader's pooled buffer.
const bufSize = 64 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// maxPadding bounds the white space allowed after a boundary.
const maxPadding = 256

// Reader reads a multipart body part by part (aiohttp's MultipartReader),
// streaming: a part's body is read from the source as the caller reads
// it, and reading the next part skips what is left of the current one.
// It scans for boundaries with bytes.Index over a pooled 64 KiB buffer,
// which Close gives back (the end of the body and an error give it back
// too). A Reader is not safe for use by several goroutines at once.
type Reader struct {
	// Limits bound the body; set them before the first NextPart.
	Limits Limits

	src         io.Reader
	delim       []byte // "\r\n--" + boundary ("\n--" + boundary for bare-LF bodies)
	boundaryLen int
	buf         []byte // buf[r:w] is read and not yet consumed; nil once released
	bufp        *[]byte
	r, w        int
	read        int64 // bytes taken from src
	eof         bool  // src reported io.EOF
	err         error // sticky: the end of the body or the first error
	part        *Part // the current part
	parts       *int  // parts seen, shared with nested readers
	start       bool  // the opening boundary was found
}

// NewReader returns a Reader of the multipart body r, whose parts are
// separated by boundary (the boundary parameter of its Content-Type: see
// [Boundary]).
func NewReader(r io.Reader, boundary string) *Reader {
	return &Reader{src: r, delim: []byte("\r\n--" + boundary), boundaryLen: len(boundary), parts: new(int)}
}

// Boundary returns the boundary parameter of a multipart Content-Type
// value, with an error wrapping ErrMalformed when the value is not
// multipart/* or its boundary is missing or invalid (RFC 2046: 1 to 70
// characters).
func Boundary(contentType string) (string, error) {
	mt := field.MediaType(contentType)
	if !strings.HasPrefix(mt, "multipart/") {
		return "", malformed("content type %q is not multipart", mt)
	}
	b := field.Param(contentType, "boundary")
	if b == "" || len(b) > 70 || strings.ContainsAny(b, "\r\n") {
		return "", malformed("invalid boundary %q", b)
	}
	return b, nil
}

// NextPart returns the next part, skipping what is left of the current
// one; io.EOF after the last. Its errors are sticky: once NextPart
// failed, it fails again the same way.
func (mr *Reader) NextPart() (*Part, error) {
	if mr.err != nil {
		return nil, mr.err
	}
	if mr.part != nil {
		if _, err := mr.part.WriteTo(io.Discard); err != nil {
			return nil, err
		}
		mr.part = nil
		if mr.err != nil { // the closing boundary
			return nil, mr.err
		}
	} else if !mr.start {
		if err := mr.skipPreamble(); err != nil {
			return nil, mr.fail(err)
		}
		mr.start = true
		if mr.err != nil { // the closing boundary: no parts
			return nil, mr.err
		}
	}
	if max := limit(mr.Limits.MaxParts, DefaultMaxParts); max >= 0 && *mr.parts >= max {
		return nil, mr.fail(&LimitError{Err: ErrTooManyParts, Limit: int64(max)})
	}
	*mr.parts++
	p := &Part{mr: mr}
	if err := mr.readHeader(p); err != nil {
		return nil, mr.fail(err)
	}
	mr.part = p
	return p, nil
}

// Parts iterates over the parts, as NextPart returns them, until the end
// of the body or the first error, which it yields with a nil part.
func (mr *Reader) Parts() iter.Seq2[*Part, error] {
	return func(yield func(*Part, error) bool) {
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if !yield(p, err) || err != nil {
				return
			}
		}
	}
}

// Close gives the reader's buffer back; the reader then fails with
// io.ErrClosedPipe. It does not close the source. Close may be called
// more than once.
func (mr *Reader) Close() error {
	if mr.err == nil {
		mr.err = io.ErrClosedPipe
	}
	mr.release()
	return nil
}

// fail makes err sticky and releases the buffer.
func (mr *Reader) fail(err error) error {
	if mr.err == nil {
		mr.err = err
	}
	mr.release()
	return mr.err
}

func (mr *Reader) release() {
	if mr.bufp != nil {
		bufPool.Put(mr.bufp)
		mr.bufp, mr.buf = nil, nil
	}
}

// limit returns v, or def when v is 0.
func limit(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// fill reads more of the source into the buffer, moving what is unread
// to its start. It returns an error when the source fails or ended, or
// when the buffer is full.
func (mr *Reader) fill() error {
	if mr.buf == nil {
		if mr.err != nil {
			return mr.err
		}
		mr.bufp = bufPool.Get().(*[]byte)
		mr.buf = *mr.bufp
		if need := limit(mr.Limits.MaxHeaderBytes, DefaultMaxHeaderBytes) + len(mr.delim) + maxPadding; need > len(mr.buf) {
			mr.buf = make([]byte, need)
		}
	}
	if mr.eof {
		return errTruncated
	}
	if mr.r > 0 {
		mr.w = copy(mr.buf, mr.buf[mr.r:mr.w])
		mr.r = 0
	}
	if mr.w == len(mr.buf) {
		return errBufferFull
	}
	for range 100 {
		n, err := mr.src.Read(mr.buf[mr.w:])
		mr.w += n
		mr.read += int64(n)
		if max := mr.Limits.MaxSize; max > 0 && mr.read > max {
			return &LimitError{Err: ErrTooLarge, Limit: max}
		}
		if err == io.EOF {
			mr.eof = true
			if n > 0 {
				return nil
			}
			return errTruncated
		}
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}

// errBufferFull is what fill returns when nothing more fits.
var errBufferFull = errors.New("multipart: buffer full")

// dashBoundary is "--" + boundary.
func (mr *Reader) dashBoundary() []byte { return mr.delim[2:] }

// skipPreamble consumes the body up to and including the first boundary
// line.
func (mr *Reader) skipPreamble() error {
	for mr.buf == nil || mr.w-mr.r < len(mr.delim)-2 {
		if err := mr.fill(); err != nil {
			if err == errTruncated {
				return malformed("no opening boundary")
			}
			return err
		}
	}
	// The first boundary may open the body, without a line break before.
	if bytes.HasPrefix(mr.buf[mr.r:mr.w], mr.dashBoundary()) {
		ok, err := mr.boundaryAt(mr.r + len(mr.delim) - 2)
		if err != nil || ok {
			return err
		}
	}
	nl := mr.delim[1:] // a boundary at the start of a line
	for {
		i := bytes.Index(mr.buf[mr.r:mr.w], nl)
		if i >= 0 {
			mr.r += i
			ok, err := mr.boundaryAt(mr.r + len(nl))
			if err != nil || ok {
				return err
			}
			mr.r++ // not a delimiter: look further
			continue
		}
		if keep := len(mr.delim) - 1; mr.w-mr.r > keep {
			mr.r = mr.w - keep
		}
		if err := mr.fill(); err != nil {
			if err == errTruncated {
				return malformed("no opening boundary")
			}
			return err
		}
	}
}

// boundaryAt decides whether the boundary whose end is at buf[end] is a
// delimiter: followed by "--" (the closing one) or by optional white
// space and CRLF. When it is, it consumes it with what follows and
// reports true; mr.err is io.EOF after the closing one. It may fill the
// buffer, moving the data: mr.r keeps pointing at the boundary.
//
// As mime/multipart does, an opening boundary line that ends in a bare LF
// switches the reader to bare LF line breaks for the whole body.
func (mr *Reader) boundaryAt(end int) (bool, error) {
	off := end - mr.r
	lf := mr.delim[0] == '\n'
	for {
		rest := mr.buf[mr.r+off : mr.w]
		if len(rest) >= 2 && rest[0] == '-' && rest[1] == '-' {
			if !mr.start { // in the preamble, only a whole line closes
				closing, decided := mr.closingLine(rest[2:])
				if !decided {
					if err := mr.fill(); err != nil {
						return false, err
					}
					continue
				}
				if !closing {
					return false, nil
				}
			}
			mr.r += off + 2
			mr.err = io.EOF
			mr.release()
			return true, nil
		}
		i := 0
		for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
			i++
		}
		switch {
		case i < len(rest) && rest[i] == '\n' && (lf || !mr.start):
			if !lf {
				mr.delim = mr.delim[1:]
			}
			mr.r += off + i + 1
			return true, nil
		case i+1 < len(rest):
			if !lf && rest[i] == '\r' && rest[i+1] == '\n' {
				mr.r += off + i + 2
				return true, nil
			}
			return false, nil
		case i > maxPadding:
			return false, nil
		case i < len(rest) && rest[i] != '\r' && rest[i] != '-':
			return false, nil
		}
		if err := mr.fill(); err != nil {
			return false, err
		}
	}
}

// closingLine reports whether rest, what follows a closing boundary in the
// preamble, ends its line: white space, then CRLF or the end of the body
// (as mime/multipart decides); decided is false when the buffer does not
// hold enough to tell.
func (mr *Reader) closingLine(rest []byte) (closing, decided bool) {
	i := 0
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
		i++
	}
	switch {
	case i+1 < len(rest):
		return rest[i] == '\r' && rest[i+1] == '\n', true
	case i == len(rest) && mr.eof:
		return true, true
	case i < len(rest) && rest[i] != '\r', mr.eof, i > maxPadding:
		return false, true
	}
	return false, false
}

// readHeader reads the header block of a part, up to its empty line,
// into p. The block becomes one string, which the names and values are
// slices of.
func (mr *Reader) readHeader(p *Part) error {
	max := limit(mr.Limits.MaxHeaderBytes, DefaultMaxHeaderBytes)
	scanned := 0 // bytes after mr.r known to hold no end of the block
	var block string
	for {
		data := mr.buf[mr.r:mr.w]
		if end := headerEnd(data, scanned); end >= 0 {
			if max >= 0 && end > max {
				return &LimitError{Err: ErrHeaderTooLarge, Limit: int64(max)}
			}
			block = string(data[:end])
			mr.r += end
			break
		}
		if max >= 0 && len(data) > max {
			return &LimitError{Err: ErrHeaderTooLarge, Limit: int64(max)}
		}
		scanned = len(data)
		if err := mr.fill(); err != nil {
			if err == errBufferFull {
				return malformed("part header too long")
			}
			return err
		}
	}
	items := p.items[:0]
	for {
		line, rest, _ := strings.Cut(block, "\n")
		block = rest
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' { // obs-fold: continues the last field
			if len(items) == 0 {
				return malformed("part header starts with a continuation line")
			}
			last := &items[len(items)-1]
			last.Value = strings.TrimLeft(last.Value+" "+trimSpace(line), " \t")
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !field.IsToken(name) {
			return malformed("invalid part header line %q", line)
		}
		items = append(items, multidict.Item{Key: name, Value: trimSpace(value)})
	}
	p.header = *multidict.NewCI(items...)
	p.Header = &p.header
	return nil
}

// trimSpace removes ASCII white space around a header value, as
// net/textproto does.
func trimSpace(s string) string { return strings.Trim(s, " \t\r\n") }

// headerEnd returns the length of the header block data starts with, up
// to and including its empty line, or -1 when data does not hold it all;
// data[:from] holds no line break of the end.
func headerEnd(data []byte, from int) int {
	if len(data) > 0 && data[0] == '\n' {
		return 1
	}
	if len(data) > 1 && data[0] == '\r' && data[1] == '\n' {
		return 2
	}
	for i := max(0, from-2); i < len(data); {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		switch {
		case i < len(data) && data[i] == '\n':
			return i + 1
		case i+1 < len(data) && data[i] == '\r' && data[i+1] == '\n':
			return i + 2
		case i+1 >= len(data):
			return -1
		}
	}
	return -1
}

// next consumes and returns up to limit bytes of the current part's body,
// a view of the buffer valid until the next call. At the part's end it
// returns io.EOF and leaves the reader after the boundary; when the body
// ended badly it returns that error, which the reader keeps.
func (p *Part) next(limit int) ([]byte, error) {
	if p.done {
		if p.atEnd != nil {
			return nil, p.atEnd
		}
		return nil, io.EOF
	}
	mr := p.mr
	if mr.err != nil { // the reader was closed
		p.done, p.atEnd = true, mr.err
		return nil, mr.err
	}
	if !p.started {
		p.started = true
		if ended, err := p.endsAtStart(); ended || err != nil {
			return nil, p.end(err)
		}
	}
	for {
		data := mr.buf[mr.r:mr.w]
		avail := mr.indexDelim(data)
		if avail == 0 {
			ok, err := mr.boundaryAt(mr.r + len(mr.delim))
			if err != nil {
				return nil, p.end(err)
			}
			if ok {
				return nil, p.end(nil)
			}
			avail = 1 // a line like a boundary inside the body: data
		} else if avail < 0 {
			// Keep back what may be the start of a delimiter.
			avail = len(data)
			for k := max(0, len(data)-len(mr.delim)+1); k < len(data); k++ {
				if data[k] == mr.delim[0] && bytes.HasPrefix(mr.delim, data[k:]) {
					avail = k
					break
				}
			}
		}
		if avail > 0 {
			avail = min(avail, limit)
			mr.r += avail
			return data[:avail], nil
		}
		if err := mr.fill(); err != nil {
			return nil, p.end(err)
		}
	}
}

// endsAtStart reports whether the part's body is empty, its boundary
// right after the blank line that ends its header: the line break of that
// line is the delimiter's too, as mime/multipart reads it.
func (p *Part) endsAtStart() (bool, error) {
	mr := p.mr
	dash := mr.delim[len(mr.delim)-mr.boundaryLen-2:]
	for mr.w-mr.r < len(dash) && bytes.HasPrefix(dash, mr.buf[mr.r:mr.w]) && !mr.eof {
		if err := mr.fill(); err != nil {
			return false, err
		}
	}
	if !bytes.HasPrefix(mr.buf[mr.r:mr.w], dash) {
		return false, nil
	}
	return mr.boundaryAt(mr.r + len(dash))
}

// indexDelim returns the index of the first delimiter (CRLF or LF, "--"
// and the boundary) in data, -1 when there is none. It looks for the
// boundary itself first: its characters are rarer in bodies than line
// breaks and dashes (a text file has a CRLF on every line), so that
// bytes.Index skips ahead instead of comparing at every line.
func (mr *Reader) indexDelim(data []byte) int {
	pre := len(mr.delim) - mr.boundaryLen // "\r\n--" or "\n--"
	if mr.boundaryLen < 8 {
		return bytes.Index(data, mr.delim)
	}
	for from := pre; from < len(data); {
		i := bytes.Index(data[from:], mr.delim[pre:])
		if i < 0 {
			return -1
		}
		i += from
		if bytes.Equal(data[i-pre:i], mr.delim[:pre]) {
			return i - pre
		}
		from = i + 1
	}
	return -1
}

// end finishes the part: io.EOF for its reader, or err, which the
// Reader then fails with too.
func (p *Part) end(err error) error {
	p.done = true
	if err != nil {
		p.atEnd = p.mr.fail(err)
		return p.atEnd
	}
	return io.EOF
}
