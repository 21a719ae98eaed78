package aiohttp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"

	"github.com/aiohttp-go/aiohttp/internal/compress"
)

// ErrChunkTooBig is returned by [StreamReader.ReadUntil] and
// [StreamReader.ReadLine] when the line, separator included, would be
// longer than twice the session's read buffer size (aiohttp's "Chunk too
// big"); what was received stays buffered for the other reads.
var ErrChunkTooBig = errors.New("aiohttp: chunk too big")

var errEmptySeparator = errors.New("aiohttp: empty separator")

// StreamReader is a response body as it arrives, decoded (aiohttp's
// StreamReader, resp.content); get it with [Response.Content]. It is an
// io.Reader, and reads by size, by line, by separator or by what arrived,
// also as Go iterators. At the end of the body reads return io.EOF; a
// body cut short gives an *Error of kind ErrClientPayload.
//
// Received bytes not yet consumed are buffered in a 32 KiB buffer that
// grows only for a line or separator search, up to twice the session's
// read buffer size (256 KiB by default). Slices returned belong to the
// caller. The chunks the OnResponseChunkReceived trace hook sees are
// valid only during the call.
//
// A StreamReader is not safe for concurrent use.
type StreamReader struct {
	resp    *Response
	src     io.Reader        // the body as delivered: the raw body or dec
	dec     compress.Reader  // the decoder, when the body has a content coding
	chunks  rawChunkBoundary // the raw body, when it tells chunk ends and is not decoded
	maxLine int              // bound on a line or separator search

	bufp     *[]byte // the pooled buffer buf lives in, nil when buf is not pooled
	buf      []byte  // buf[off:] is received and not yet consumed
	off      int
	chunkEnd bool  // the last byte received ends an HTTP chunk
	eof      bool  // src has ended cleanly
	err      error // why src failed, or that the response was closed; sticky
}

// maxEmptyReads is how many reads returning nothing src may answer in a
// row before it is deemed stuck.
const maxEmptyReads = 100

// maxPrealloc bounds the buffer readAll allocates on the word of a
// Content-Length.
const maxPrealloc = 1 << 20

// begin takes the body for a read, which then calls s.resp.give(taken),
// and sets the stream up on its first read.
func (s *StreamReader) begin() (taken bool, err error) {
	r := s.resp
	if taken, err = r.take(); err != nil {
		return false, err
	}
	if r.ctnt == nil {
		s.init(r)
		r.ctnt = s
	}
	return taken, nil
}

func (s *StreamReader) init(r *Response) {
	s.resp = r
	s.src = (*rawBody)(r)
	size := r.opts.readBufSize
	if size <= 0 {
		size = defaultReadBufSize
	}
	s.maxLine = 2 * size
	if r.opts.autoDecompress && r.Header != nil && r.encoded() {
		limit := r.opts.maxDecompressed
		if limit <= 0 {
			limit = defaultMaxDecompressed
		}
		decoding, err := s.dec.Reset(r.Header.GetAll("Content-Encoding"), s.src, limit)
		var unknown *compress.UnknownCodingError
		switch {
		case errors.As(err, &unknown):
			// An unknown coding leaves the body as sent, as in aiohttp.
		case err != nil:
			s.end(err)
		case decoding:
			s.src = &s.dec
		}
	}
	if !s.dec.Decoding() {
		if r.raw == nil && s.err == nil {
			s.end(io.EOF) // no body: nothing to read, nothing to allocate
		}
		if cb, ok := r.raw.(rawChunkBoundary); ok {
			s.chunks = cb
		}
	}
	if r.closed {
		s.close()
	}
}

// ended returns what reads return once the buffer is empty: nil while
// the body goes on, io.EOF at its end, or the error that ended it.
func (s *StreamReader) ended() error {
	if s.err != nil {
		return s.err
	}
	if s.eof {
		return io.EOF
	}
	return nil
}

// end records that src returned err, io.EOF included, and finishes the
// body: the raw body's trailing bytes (after a decoded end) are drained
// when cheap, the decoders go back to their pools.
func (s *StreamReader) end(err error) {
	r := s.resp
	if err == io.EOF {
		s.eof = true
		if !r.finished {
			if !r.drainRest() {
				r.rawErr = errBodyAbandoned
			}
			r.finish()
		}
	} else {
		s.err = r.payloadError(err)
		if !r.finished {
			r.rawErr = s.err
			r.finish()
		}
	}
	s.dec.Release()
	s.src = nil
}

// close makes later reads fail unless the body was read to its end, and
// frees what the stream holds.
func (s *StreamReader) close() {
	if !s.eof && s.err == nil {
		s.err = s.resp.newError(ErrClientConnection, errResponseClosed)
		s.off = len(s.buf)
	}
	s.dec.Release()
	s.src = nil
	s.consumed()
}

// readSrc reads from src into p, at least one byte unless the body has
// ended, and tells the trace hooks.
func (s *StreamReader) readSrc(p []byte) (int, error) {
	if err := s.ended(); err != nil {
		return 0, err
	}
	for range maxEmptyReads {
		n, err := s.src.Read(p)
		if n > 0 {
			if s.chunks != nil {
				s.chunkEnd = s.chunks.EndOfChunk()
			}
			if t := s.resp.opts.trace; t != nil {
				t.responseChunkReceived(TraceChunk{Method: s.resp.Method, URL: s.resp.URL, Chunk: p[:n]})
			}
		}
		if err != nil {
			s.end(err)
			if n > 0 {
				return n, nil
			}
			return 0, s.ended()
		}
		if n > 0 {
			return n, nil
		}
	}
	s.end(io.ErrNoProgress)
	return 0, s.err
}

// fill reads once more into the buffer.
func (s *StreamReader) fill() error {
	s.makeRoom()
	n, err := s.readSrc(s.buf[len(s.buf):cap(s.buf)])
	s.buf = s.buf[:len(s.buf)+n]
	return err
}

// makeRoom makes sure the buffer has space for a read: it takes a pooled
// buffer, moves the unconsumed bytes to its front, or grows it.
func (s *StreamReader) makeRoom() {
	const minRead = 4 << 10
	if s.buf == nil {
		s.bufp = getStreamBuf()
		s.buf = (*s.bufp)[:0]
		return
	}
	if s.off == len(s.buf) {
		s.buf, s.off = s.buf[:0], 0
	}
	if cap(s.buf)-len(s.buf) >= minRead {
		return
	}
	if s.off > 0 {
		s.buf = s.buf[:copy(s.buf, s.buf[s.off:])]
		s.off = 0
		if cap(s.buf)-len(s.buf) >= minRead {
			return
		}
	}
	grown := make([]byte, len(s.buf), 2*cap(s.buf))
	copy(grown, s.buf)
	s.freeBuf()
	s.buf = grown
}

// consumed frees the buffer when the body is over and all of it was
// consumed.
func (s *StreamReader) consumed() {
	if s.off == len(s.buf) && (s.eof || s.err != nil) {
		s.freeBuf()
	}
}

func (s *StreamReader) freeBuf() {
	if s.bufp != nil {
		streamBufPool.Put(s.bufp)
		s.bufp = nil
	}
	s.buf, s.off = nil, 0
}

// take returns a copy of the next n buffered bytes and consumes them.
func (s *StreamReader) take(n int) []byte {
	b := bytes.Clone(s.buf[s.off : s.off+n])
	s.off += n
	s.consumed()
	return b
}

// Read reads up to len(p) bytes into p: buffered bytes first, else
// straight from the connection. It returns io.EOF at the end of the body.
func (s *StreamReader) Read(p []byte) (int, error) {
	taken, err := s.begin()
	if err != nil {
		return 0, err
	}
	defer s.resp.give(taken)
	return s.read(p)
}

// read is [StreamReader.Read] once the body is taken.
func (s *StreamReader) read(p []byte) (int, error) {
	if s.off < len(s.buf) {
		n := copy(p, s.buf[s.off:])
		s.off += n
		s.consumed()
		return n, nil
	}
	if len(p) == 0 {
		return 0, nil
	}
	return s.readSrc(p)
}

// ReadN reads up to n bytes (aiohttp's read(n)): what is buffered, or
// what the next read brings, io.EOF at the end. A negative n reads the
// whole rest like io.ReadAll, with a nil error at the end; n == 0 reads
// nothing.
func (s *StreamReader) ReadN(n int) ([]byte, error) {
	taken, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer s.resp.give(taken)
	return s.readN(n)
}

// readN is [StreamReader.ReadN] once the body is taken.
func (s *StreamReader) readN(n int) ([]byte, error) {
	switch {
	case n < 0:
		return s.readAll()
	case n == 0:
		return nil, nil
	}
	if s.off == len(s.buf) {
		if err := s.fill(); err != nil {
			return nil, err
		}
	}
	return s.take(min(n, len(s.buf)-s.off)), nil
}

// ReadAny returns what is buffered, or else what the next read brings
// (aiohttp's readany); io.EOF at the end.
func (s *StreamReader) ReadAny() ([]byte, error) {
	taken, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer s.resp.give(taken)
	return s.readAny()
}

// readAny is [StreamReader.ReadAny] once the body is taken.
func (s *StreamReader) readAny() ([]byte, error) {
	if s.off == len(s.buf) {
		if err := s.fill(); err != nil {
			return nil, err
		}
	}
	return s.take(len(s.buf) - s.off), nil
}

// ReadChunk is ReadAny that also reports whether the data ends an HTTP
// chunk of a chunked body (aiohttp's readchunk). The flag is known only
// for an HTTP/1.1 body that is not decoded (HTTP/2 has no chunks); the
// data may span several chunks when other reads left them buffered.
func (s *StreamReader) ReadChunk() (data []byte, endOfHTTPChunk bool, err error) {
	taken, err := s.begin()
	if err != nil {
		return nil, false, err
	}
	defer s.resp.give(taken)
	return s.readChunk()
}

// readChunk is [StreamReader.ReadChunk] once the body is taken.
func (s *StreamReader) readChunk() (data []byte, endOfHTTPChunk bool, err error) {
	if s.off == len(s.buf) {
		if err := s.fill(); err != nil {
			return nil, false, err
		}
	}
	end := s.chunkEnd
	return s.take(len(s.buf) - s.off), end, nil
}

// ReadExactly reads exactly n bytes (aiohttp's readexactly). A body that
// ends before gives the bytes read and an *Error of kind
// ErrClientPayload that matches io.ErrUnexpectedEOF (aiohttp's
// IncompleteReadError).
func (s *StreamReader) ReadExactly(n int) ([]byte, error) {
	taken, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer s.resp.give(taken)
	return s.readExactly(n)
}

// readExactly is [StreamReader.ReadExactly] once the body is taken.
func (s *StreamReader) readExactly(n int) ([]byte, error) {
	if n <= 0 {
		return nil, nil
	}
	k := min(n, len(s.buf)-s.off)
	out := make([]byte, k, min(n, max(k, maxPrealloc)))
	copy(out, s.buf[s.off:])
	s.off += k
	s.consumed()
	for len(out) < n {
		if len(out) == cap(out) {
			out = slices.Grow(out, min(n-len(out), cap(out)))
		}
		m, err := s.readSrc(out[len(out):min(cap(out), n)])
		out = out[:len(out)+m]
		if err == io.EOF {
			return out, s.resp.newError(ErrClientPayload, fmt.Errorf("%w: %d bytes read on a total of %d expected bytes", io.ErrUnexpectedEOF, len(out), n))
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// ReadLine reads through the next "\n" (aiohttp's readline) and returns
// the line with it; a last line without one is returned as is, then
// io.EOF.
func (s *StreamReader) ReadLine() ([]byte, error) {
	return s.ReadUntil(newline)
}

var newline = []byte{'\n'}

// ReadUntil reads through the next sep and returns the bytes with it
// (aiohttp's readuntil); the last bytes without it are returned as they
// are, then io.EOF. It fails with ErrChunkTooBig when sep does not come
// within twice the read buffer size (512 KiB by default).
func (s *StreamReader) ReadUntil(sep []byte) ([]byte, error) {
	taken, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer s.resp.give(taken)
	return s.readUntil(sep)
}

// readUntil is [StreamReader.ReadUntil] once the body is taken.
func (s *StreamReader) readUntil(sep []byte) ([]byte, error) {
	if len(sep) == 0 {
		return nil, errEmptySeparator
	}
	scanned := 0 // bytes of the buffer known not to start sep
	for {
		pending := s.buf[s.off:]
		if i := bytes.Index(pending[scanned:], sep); i >= 0 {
			if n := scanned + i + len(sep); n <= s.maxLine {
				return s.take(n), nil
			}
			return nil, ErrChunkTooBig
		}
		scanned = max(0, len(pending)-len(sep)+1)
		if len(pending) >= s.maxLine {
			return nil, ErrChunkTooBig
		}
		if err := s.fill(); err != nil {
			if err == io.EOF && len(pending) > 0 {
				return s.take(len(pending)), nil
			}
			return nil, err
		}
	}
}

// AtEOF reports whether the body has been read to its end (aiohttp's
// at_eof).
func (s *StreamReader) AtEOF() bool {
	taken, err := s.begin()
	if err != nil {
		return false
	}
	defer s.resp.give(taken)
	return s.eof && s.off == len(s.buf)
}

// IterChunked iterates over the body in pieces of at most n bytes
// (aiohttp's iter_chunked): each is what ReadN(n) returns. A failure is
// yielded once, with a nil slice, and ends the iteration.
func (s *StreamReader) IterChunked(n int) iter.Seq2[[]byte, error] {
	return iterate(func() ([]byte, error) { return s.ReadN(n) })
}

// IterAny iterates over the body as it arrives (aiohttp's iter_any):
// each piece is what ReadAny returns.
func (s *StreamReader) IterAny() iter.Seq2[[]byte, error] {
	return iterate(s.ReadAny)
}

// IterChunks iterates over the body in the pieces ReadChunk returns
// (aiohttp's iter_chunks); use ReadChunk for the end-of-chunk flag.
func (s *StreamReader) IterChunks() iter.Seq2[[]byte, error] {
	return iterate(func() ([]byte, error) {
		b, _, err := s.ReadChunk()
		return b, err
	})
}

// Lines iterates over the lines of the body, each with its "\n" but
// perhaps the last (aiohttp's async for line in resp.content).
func (s *StreamReader) Lines() iter.Seq2[[]byte, error] {
	return iterate(s.ReadLine)
}

// iterate yields what read returns until it returns nothing or io.EOF; it
// yields another error once, then stops.
func iterate(read func() ([]byte, error)) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		for {
			b, err := read()
			if err != nil {
				if err != io.EOF {
					yield(nil, err)
				}
				return
			}
			if len(b) == 0 || !yield(b, nil) {
				return
			}
		}
	}
}

// readAll reads the rest of the body, io.ReadAll-like: the error is nil
// at its end. A body whose length the header gives is read into a slice
// of that length; the rest of a body of unknown length (or one being
// decoded), or of one longer than it said, goes through readRest.
func (s *StreamReader) readAll() ([]byte, error) {
	pending := s.buf[s.off:]
	if len(pending) == 0 {
		if err := s.ended(); err != nil {
			if err == io.EOF {
				err = nil
			}
			return nil, err
		}
	}
	out := s.resp.scratch[:0]
	s.resp.scratch = nil // once: what it returns stays the caller's
	if !s.dec.Decoding() {
		if n := s.resp.bodyLength(); n >= 0 {
			if rest := n - s.resp.rawN; rest >= 0 && rest < maxPrealloc && cap(out) < len(pending)+int(rest) {
				size := len(pending) + int(rest)
				if size < streamBufSize {
					size++ // the read that finds the end goes there, not into a pooled buffer
				}
				out = make([]byte, 0, size)
			}
		}
	}
	s.off = len(s.buf)
	if cap(out) >= len(pending) {
		out = append(out, pending...)
		pending = nil
		for len(out) < cap(out) && s.ended() == nil {
			n, _ := s.readSrc(out[len(out):cap(out)])
			out = out[:len(out)+n]
		}
	}
	out = s.readRest(out, pending)
	s.consumed()
	if s.err != nil {
		return out, s.err
	}
	return out, nil
}

// maxKeptChunks bounds the pooled buffers one readRest gives back to the
// pool; those of a larger body are left to the garbage collector.
const maxKeptChunks = 4

// readRest reads the rest of the body into pooled buffers, then returns
// head (the caller's), tail (borrowed) and what it read in one new slice
// of their length; head alone when there was nothing more (a head that
// ends where the body does costs one read, which finds the end, and no
// copy). A slice grown as the body arrives copies it at every step, and
// io.ReadAll allocates its chunks: this allocates the body's length once.
func (s *StreamReader) readRest(head, tail []byte) []byte {
	var some [maxKeptChunks]*[]byte
	chunks := some[:0]
	var last []byte // the chunk being filled, the last of chunks
	total := len(head) + len(tail)
	for s.ended() == nil {
		if len(last) == cap(last) {
			bp := getStreamBuf()
			chunks = append(chunks, bp)
			last = (*bp)[:0]
		}
		n, _ := s.readSrc(last[len(last):cap(last)])
		last = last[:len(last)+n]
		total += n
	}
	if total == len(head) {
		for _, bp := range chunks {
			streamBufPool.Put(bp)
		}
		return head
	}
	out := make([]byte, 0, total)
	out = append(append(out, head...), tail...)
	for i, bp := range chunks {
		if i == len(chunks)-1 {
			out = append(out, last...)
		} else {
			out = append(out, *bp...)
		}
		if i < maxKeptChunks {
			streamBufPool.Put(bp)
		}
	}
	return out
}

// drainRest reads the rest of the raw body, at most drainLimit bytes, and
// reports whether it reached its end.
func (r *Response) drainRest() bool {
	if r.raw == nil {
		r.rawErr = io.EOF
		return true
	}
	bp := getStreamBuf()
	defer streamBufPool.Put(bp)
	for read := 0; read <= drainLimit; {
		n, err := (*rawBody)(r).Read(*bp)
		read += n
		if err != nil {
			return err == io.EOF
		}
	}
	return false
}
