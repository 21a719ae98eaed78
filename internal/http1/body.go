package http1

import (
	"io"
	"math"
	"strconv"
)

// Body reads one message body from a [Reader]: exactly Content-Length
// bytes, a chunked body (RFC 9112 7.1) or everything until the connection
// closes. A Body is reused with Reset; it allocates only to grow its
// trailer storage. The zero Body is an empty body.
type Body struct {
	r     *Reader
	kind  BodyKind
	state uint8
	done  bool
	left  int64 // bytes left: of the body (BodyLength) or of the chunk (BodyChunked)
	size  int64 // the Content-Length (BodyLength)
	got   int64 // body bytes read so far
	err   error // a framing error, returned by every later call
	scan  int   // how far the search for the end of the current line got

	trailers []Field
	tbuf     []byte // the trailers' bytes, copied out of the Reader's buffer
}

// States of a chunked body.
const (
	chunkSize    uint8 = iota // before a chunk-size line
	chunkData                 // in chunk data, left bytes to go
	chunkTrailer              // before a trailer field or the final CRLF
)

// Reset prepares b to read a body framed as kind from r; length is the
// Content-Length for BodyLength. It ends the validity of the previous
// trailers.
func (b *Body) Reset(r *Reader, kind BodyKind, length int64) {
	*b = Body{r: r, kind: kind, trailers: b.trailers[:0], tbuf: b.tbuf[:0]}
	switch kind {
	case BodyLength:
		b.left, b.size = length, length
		b.done = length <= 0
	case BodyChunked:
		b.state = chunkSize
	case BodyUntilClose:
		b.left = math.MaxInt64
	default:
		b.kind = BodyNone
	}
}

// Done reports whether the whole body has been read.
func (b *Body) Done() bool { return b.done || b.kind == BodyNone }

// EndOfChunk reports whether the bytes the last Read returned end a chunk
// of a chunked body: Read never returns the data of two chunks at once.
func (b *Body) EndOfChunk() bool {
	return b.kind == BodyChunked && b.state == chunkData && b.left == 0 && b.err == nil
}

// Trailers returns the trailer fields of a chunked body once Read has
// returned io.EOF. They stay valid until the next Reset.
func (b *Body) Trailers() []Field { return b.trailers }

// Read reads body bytes, returning io.EOF at the end of the body. A body
// cut short by the peer gives a [*ParseError] of kind [ErrContentLength] or
// [ErrTransferEncoding].
func (b *Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.Done() {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if b.left == 0 {
		if err := b.nextChunk(); err != nil {
			return 0, b.fail(err)
		}
		if b.done {
			return 0, io.EOF
		}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.readBody(p)
	b.left -= int64(n)
	b.got += int64(n)
	if b.left == 0 && b.kind == BodyLength {
		b.done = true
		return n, nil
	}
	if err != nil {
		if err == io.EOF && b.kind == BodyUntilClose {
			b.done = true
			return n, io.EOF
		}
		return n, b.fail(err)
	}
	return n, nil
}

// Discard reads and drops the rest of the body, but no more than max body
// bytes. It reports whether the end was reached: if not, the connection
// cannot carry another message.
func (b *Body) Discard(max int64) (drained bool, err error) {
	for !b.Done() {
		if b.err != nil {
			return false, b.err
		}
		if b.left == 0 {
			if err := b.nextChunk(); err != nil {
				return false, b.fail(err)
			}
			continue
		}
		if max <= 0 || (b.kind == BodyLength && b.left > max) {
			return false, nil
		}
		n, err := b.r.skip(min(b.left, max))
		b.left -= n
		b.got += n
		max -= n
		if b.left == 0 && b.kind == BodyLength {
			b.done = true
		}
		if err != nil {
			if err == io.EOF && b.kind == BodyUntilClose {
				b.done = true
				break
			}
			return false, b.fail(err)
		}
	}
	return true, nil
}

// fail turns the end of the input inside the body into the framing error
// of its kind, which says how far the body got and matches
// io.ErrUnexpectedEOF. Framing errors stick; read errors such as timeouts
// do not.
func (b *Body) fail(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		got := strconv.FormatInt(b.got, 10)
		if b.kind == BodyChunked {
			where := "before its last chunk"
			switch {
			case b.state == chunkData && b.left > 0:
				where = strconv.FormatInt(b.left, 10) + " bytes short of the end of a chunk"
			case b.state == chunkTrailer:
				where = "in its trailer section"
			}
			err = &ParseError{Kind: ErrTransferEncoding, Status: 400, Err: io.ErrUnexpectedEOF,
				Reason: "the connection closed after " + got + " body bytes, " + where}
		} else {
			err = &ParseError{Kind: ErrContentLength, Status: 400, Err: io.ErrUnexpectedEOF,
				Reason: "the connection closed after " + got + " of the " + strconv.FormatInt(b.size, 10) + " body bytes of its Content-Length"}
		}
	}
	if _, ok := err.(*ParseError); ok {
		b.err = err
	}
	return err
}

func chunkError(reason string) error {
	return errTransferEncoding(400, reason)
}

// nextChunk moves a chunked body to the next chunk with data, or to its
// end: it checks the CRLF after the chunk just read, parses the chunk-size
// line and, after the last chunk, the trailer section.
func (b *Body) nextChunk() error {
	r := b.r
	for {
		switch b.state {
		case chunkData:
			if err := r.need(2); err != nil {
				return err
			}
			if r.buf[r.r] != '\r' || r.buf[r.r+1] != '\n' {
				return chunkError("missing CRLF after chunk data")
			}
			r.r += 2
			b.state = chunkSize
		case chunkSize:
			line, err := r.line(r.lim.line+2, &b.scan)
			if err != nil {
				if err == errLineOverflow {
					return chunkError("chunk size line too long")
				}
				return err
			}
			size, err := parseChunkLine(line)
			if err != nil {
				return err
			}
			r.r += len(line)
			if size == 0 {
				b.state = chunkTrailer
				continue
			}
			b.left = size
			b.state = chunkData
			return nil
		default:
			line, err := r.line(r.lim.field+2, &b.scan)
			if err != nil {
				if err == errLineOverflow {
					return errFieldTooLong()
				}
				return err
			}
			if len(line) == 2 && line[0] == '\r' {
				r.r += 2
				b.done = true
				return nil
			}
			if err := b.addTrailer(line); err != nil {
				return err
			}
			r.r += len(line)
		}
	}
}

// addTrailer parses a trailer field line with the rules of header fields
// and copies it into b's own storage.
func (b *Body) addTrailer(line []byte) error {
	// The line ends at its first LF, so a field parsed without error spans
	// all of it.
	name, value, _, err := parseField(line, 0, b.r.lim.field)
	if err != nil {
		return err
	}
	if len(b.trailers) == b.r.lim.headers {
		return &ParseError{Kind: ErrBadMessage, Status: 431, Reason: "too many trailers"}
	}
	s := len(b.tbuf)
	b.tbuf = append(b.tbuf, name...)
	m := len(b.tbuf)
	b.tbuf = append(b.tbuf, value...)
	e := len(b.tbuf)
	b.trailers = append(b.trailers, Field{Name: b.tbuf[s:m:m], Value: b.tbuf[m:e:e]})
	return nil
}

// parseChunkLine parses a chunk-size line, CRLF included:
//
//	chunk-size [ chunk-ext ] CRLF
//	chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
//	ext-val   = token / quoted-string
//
// Extensions are checked and ignored.
func parseChunkLine(line []byte) (int64, error) {
	var size int64
	i := 0
	for ; i < len(line); i++ {
		v := hexValue[line[i]]
		if v == 0xff {
			break
		}
		if size > math.MaxInt64>>4 {
			return 0, chunkError("chunk size overflow")
		}
		size = size<<4 | int64(v)
	}
	if i == 0 {
		return 0, chunkError("invalid chunk size")
	}
	for {
		j := skipBWS(line, i)
		if j == len(line) || line[j] != ';' {
			break
		}
		j = skipBWS(line, j+1)
		k := skipToken(line, j)
		if k == j {
			return 0, chunkError("invalid chunk extension name")
		}
		i = k
		j = skipBWS(line, k)
		if j < len(line) && line[j] == '=' {
			j = skipBWS(line, j+1)
			if j < len(line) && line[j] == '"' {
				k = skipQuoted(line, j)
			} else {
				k = skipToken(line, j)
			}
			if k == j {
				return 0, chunkError("invalid chunk extension value")
			}
			i = k
		}
	}
	if i != len(line)-2 || line[i] != '\r' {
		return 0, chunkError("invalid character in chunk size line")
	}
	return size, nil
}

func skipBWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

func skipToken(b []byte, i int) int {
	for i < len(b) && classes[b[i]]&classToken != 0 {
		i++
	}
	return i
}

// skipQuoted returns the index after the quoted-string at b[i] (RFC 9110
// 5.6.4), or i when there is none.
func skipQuoted(b []byte, i int) int {
	for k := i + 1; k < len(b); k++ {
		switch c := b[k]; {
		case c == '"':
			return k + 1
		case c == '\\':
			if k+1 == len(b) || classes[b[k+1]]&classValue == 0 {
				return i
			}
			k++
		case classes[c]&classQdtext == 0:
			return i
		}
	}
	return i
}
