package aiohttp

import (
	"cmp"
	"context"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
)

// exchange is one request sent over one connection and the response read
// from it; for HTTP/1.1 it is also the response body's source.
type exchange struct {
	req    *ClientRequest
	st     *requestState
	target dialTarget
	conn   *clientConn // its head is the response's, being read
	body   http1.Body
	stop   func() bool // stops the watch on the request's context
	fields requestFields

	keepAlive bool // the connection can carry another request after this one
	// released is set once the connection was released and nothing
	// outside the request state refers to its memory any more.
	released bool
	aborted  atomic.Bool // the Response's Close interrupted the connection
}

// requestFields are the header fields of a request that its exchange acts
// on, found in one pass over the header as sent.
type requestFields struct {
	te, cl       string // the first Transfer-Encoding and Content-Length
	hasTE, hasCL bool
	expect100    bool // Expect: 100-continue
	upgrade      bool // an Upgrade field
	close        bool // Connection: close
}

// scanRequestFields finds the requestFields of h.
func scanRequestFields(h *multidict.CIMultiDict) requestFields {
	var f requestFields
	for _, it := range h.Items() {
		k := it.Key
		switch {
		case multidict.EqualFold(k, "Transfer-Encoding"):
			if !f.hasTE {
				f.te, f.hasTE = it.Value, true
			}
		case multidict.EqualFold(k, "Content-Length"):
			if !f.hasCL {
				f.cl, f.hasCL = it.Value, true
			}
		case multidict.EqualFold(k, "Expect"):
			f.expect100 = f.expect100 || multidict.EqualFold(it.Value, "100-continue")
		case multidict.EqualFold(k, "Upgrade"):
			f.upgrade = true
		case multidict.EqualFold(k, "Connection"):
			f.close = f.close || multidict.EqualFold(it.Value, "close")
		}
	}
	return f
}

// writeBufPool recycles the buffers request heads are written into.
var writeBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// putWriteBuf gives the buffer of a request head back to writeBufPool,
// unless it grew too big to keep.
func putWriteBuf(bufp *[]byte, buf []byte) {
	if cap(buf) <= 4*inlineBody {
		*bufp = buf[:0]
		writeBufPool.Put(bufp)
	}
}

// inlineBody is the size up to which an in-memory body goes out in the
// same write as the head.
const inlineBody = 64 << 10

// roundTrip sends the request over an HTTP/1.1 connection and reads the
// response head.
func (ex *exchange) roundTrip() (*Response, error) {
	req, st, c := ex.req, ex.st, ex.conn
	if err := c.setDeadline(st.socketDeadline()); err != nil {
		return nil, ex.fail(ErrClientOS, err)
	}
	if ctx := req.watched(); ctx.Done() != nil {
		ex.stop = context.AfterFunc(ctx, ex.interrupt)
	}
	length, chunked, err := ex.framing()
	if err != nil {
		return nil, ex.fail(ErrClient, err)
	}
	expect := ex.fields.expect100
	body := req.body

	bufp := writeBufPool.Get().(*[]byte)
	var via *proxyHead
	if c.proxied {
		via = &proxyHead{auth: c.proxyAuth}
		if p := ex.target.proxy; p != nil {
			via.header = p.header
		}
	}
	buf, err := appendRequestHead((*bufp)[:0], req.Method, req.URL, req.Header, via)
	if err != nil {
		writeBufPool.Put(bufp)
		return nil, ex.fail(ErrClient, err)
	}
	inline := body != nil && body.r == nil && !chunked && !expect && len(body.data) <= inlineBody && st.cfg.progress == nil
	switch {
	case inline:
		buf = append(buf, body.data...)
	case body == nil && chunked:
		buf = append(buf, "0\r\n\r\n"...) // a chunked body was announced: an empty one
	}
	sendBody := body != nil && !inline
	// With nothing more to send before the answer, a plain socket sends
	// the request from within the read of the answer, saving a system
	// call (see sockReader); not when traced, as the trace hooks say the
	// request has left.
	deferred := c.sock != nil && st.trace == nil && !sendBody && !expect && c.r.Buffered() == 0
	if deferred {
		c.sock.send(buf)
	} else {
		_, err = c.nc.Write(buf)
		putWriteBuf(bufp, buf)
		if err != nil {
			return nil, ex.ioError(err, true)
		}
	}
	st.trace.requestHeadersSent(TraceRequest{Method: req.Method, URL: req.URL, Header: req.Header})
	if inline && len(body.data) > 0 {
		st.trace.requestChunkSent(TraceChunk{Method: req.Method, URL: req.URL, Chunk: body.data})
	}

	haveHead := false
	ex.keepAlive = true
	if expect {
		if err := ex.readHead(true); err != nil {
			return nil, ex.ioError(err, false)
		}
		if c.head.Status != 100 {
			// A final answer without the body: the server may still be
			// waiting for it, so the connection cannot carry on.
			haveHead, sendBody, ex.keepAlive = true, false, false
		}
	}
	if sendBody {
		if err := ex.writeBody(length, chunked); err != nil {
			var se *sourceError
			if errors.As(err, &se) {
				return nil, ex.fail(ErrClientPayload, se.err)
			}
			// The server may have answered before reading the whole body.
			ex.keepAlive = false
			if ex.readHead(false) != nil {
				return nil, ex.ioError(err, false)
			}
			haveHead = true
		}
	}
	if !haveHead {
		err := ex.readHead(false)
		if deferred {
			// Before the response may hand the connection to another
			// request: unsent when the read failed before it began.
			c.sock.send(nil)
			putWriteBuf(bufp, buf)
		}
		if err != nil {
			return nil, ex.ioError(err, c.sock.failedWriting())
		}
	}
	return ex.response(), nil
}

// framing returns how the body goes: its Content-Length, or chunked, as the
// header fields say, checked against the body.
func (ex *exchange) framing() (length int64, chunked bool, err error) {
	f, body := &ex.fields, ex.req.body
	if f.hasTE {
		if !multidict.EqualFold(strings.TrimSpace(f.te), "chunked") {
			return 0, false, errors.New("unsupported Transfer-Encoding " + strconv.Quote(f.te))
		}
		return -1, true, nil
	}
	if f.hasCL {
		n, err := strconv.ParseInt(f.cl, 10, 64)
		if err != nil || n < 0 {
			return 0, false, errors.New("invalid Content-Length " + strconv.Quote(f.cl))
		}
		if (body == nil && n > 0) || (body != nil && body.length >= 0 && body.length != n) {
			return 0, false, errors.New("the Content-Length header does not match the body")
		}
		return n, false, nil
	}
	if body != nil && body.length != 0 {
		return 0, false, errors.New("a request body needs Content-Length or Transfer-Encoding")
	}
	return 0, false, nil
}

// proxyHead is what a plain-HTTP request through an HTTP proxy adds to
// its head: the Proxy-Authorization value and the proxy header fields.
type proxyHead struct {
	auth   string
	header *multidict.CIMultiDict
}

// appendRequestHead appends the request line and header section of a
// request to dst, checking every field. Through an HTTP proxy (via not
// nil) the target is the absolute URL and the proxy's fields follow the
// request's.
func appendRequestHead(dst []byte, method string, u *url.URL, h *multidict.CIMultiDict, via *proxyHead) ([]byte, error) {
	if !field.IsToken(method) {
		return dst, errors.New("invalid method " + strconv.Quote(method))
	}
	dst = append(dst, method...)
	dst = append(dst, ' ')
	if via != nil {
		dst = append(dst, httpScheme(u.Scheme)...)
		dst = append(dst, "://"...)
		dst = append(dst, u.Host...)
	}
	if p := u.EscapedPath(); p != "" {
		dst = append(dst, p...)
	} else {
		dst = append(dst, '/')
	}
	if u.RawQuery != "" || u.ForceQuery {
		dst = append(dst, '?')
		dst = append(dst, u.RawQuery...)
	}
	dst = append(dst, " HTTP/1.1\r\n"...)
	var err error
	if dst, err = appendFields(dst, h, nil); err != nil {
		return dst, err
	}
	if via != nil {
		if via.auth != "" && !h.Has("Proxy-Authorization") {
			dst = http1.AppendField(dst, "Proxy-Authorization", via.auth)
		}
		if via.header != nil {
			if dst, err = appendFields(dst, via.header, h); err != nil {
				return dst, err
			}
		}
	}
	return append(dst, "\r\n"...), nil
}

// appendFields appends the fields of h, checked, except those whose name
// skip has.
func appendFields(dst []byte, h, skip *multidict.CIMultiDict) ([]byte, error) {
	for _, it := range h.Items() {
		if !field.IsToken(it.Key) || !http1.ValidFieldValue(it.Value) {
			return dst, errors.New("invalid header field " + strconv.Quote(it.Key))
		}
		if skip != nil && skip.Has(it.Key) {
			continue
		}
		dst = http1.AppendField(dst, it.Key, it.Value)
	}
	return dst, nil
}

// readHead reads the response head, skipping interim responses other than
// 101, and 100 when stopAt100 is set.
func (ex *exchange) readHead(stopAt100 bool) error {
	r := ex.conn.r
	for {
		ex.armRead()
		if err := r.ReadResponseHead(&ex.conn.head, ex.st.limits()); err != nil {
			return err
		}
		s := ex.conn.head.Status
		if s >= 200 || s == 101 || (s == 100 && stopAt100) {
			return nil
		}
	}
}

// limits returns the parser limits of the request: the session's, but
// those the request sets.
func (st *requestState) limits() http1.Limits {
	l, set := st.s.limits, st.cfg.limits
	if set == (http1.Limits{}) {
		return l
	}
	return http1.Limits{
		MaxLineSize:  cmp.Or(set.MaxLineSize, l.MaxLineSize),
		MaxFieldSize: cmp.Or(set.MaxFieldSize, l.MaxFieldSize),
		MaxHeaders:   cmp.Or(set.MaxHeaders, l.MaxHeaders),
	}
}

// armRead sets the read deadline of the socket-read timeout before a read.
func (ex *exchange) armRead() {
	st := ex.st
	if st.to.sockRead <= 0 {
		return
	}
	d := time.Now().Add(st.to.sockRead)
	if total := st.ctx.deadlineTime(); !total.IsZero() && total.Before(d) {
		d = total
	}
	ex.conn.setReadDeadline(d)
}

// interrupt ends blocked reads and writes when the request's context is
// done.
func (ex *exchange) interrupt() { ex.conn.nc.SetDeadline(aLongTimeAgo) }

// sourceError is an error of the reader a request body comes from.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }

// bodyBufPool recycles the buffers streamed bodies are sent through.
var bodyBufPool = sync.Pool{New: func() any { b := make([]byte, chunkRoom+32<<10+2); return &b }}

// chunkRoom is the room kept before the data in a body buffer for a
// chunk-size line.
const chunkRoom = 18

// writeBody sends the request body: length bytes, or chunked, compressed
// when asked.
func (ex *exchange) writeBody(length int64, chunked bool) error {
	req, st := ex.req, ex.st
	nc := ex.conn.nc
	if b := req.body; b.r == nil && !chunked && st.cfg.progress == nil {
		if _, err := nc.Write(b.data); err != nil {
			return err
		}
		st.trace.requestChunkSent(TraceChunk{Method: req.Method, URL: req.URL, Chunk: b.data})
		return nil
	}
	src, err := ex.bodyReader()
	if err != nil {
		return &sourceError{err}
	}
	bufp := bodyBufPool.Get().(*[]byte)
	defer bodyBufPool.Put(bufp)
	buf := *bufp
	if enc := st.cfg.compress; enc != "" {
		cw := &chunkWriter{ex: ex}
		zw := compressor(enc, cw)
		if err := ex.copyBody(zw, src, buf[:len(buf)-chunkRoom-2], -1); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if cw.err != nil {
			return cw.err
		}
		_, err := nc.Write([]byte("0\r\n\r\n"))
		return err
	}
	if !chunked {
		return ex.copyBody(nc, src, buf[:len(buf)-chunkRoom-2], length)
	}
	data := buf[chunkRoom : len(buf)-2]
	var line [chunkRoom]byte
	for {
		n, rerr := src.Read(data)
		if n > 0 {
			st.trace.requestChunkSent(TraceChunk{Method: req.Method, URL: req.URL, Chunk: data[:n]})
			size := http1.AppendChunkHeader(line[:0], n)
			start := chunkRoom - len(size)
			copy(buf[start:], size)
			end := chunkRoom + n
			buf[end], buf[end+1] = '\r', '\n'
			if _, err := nc.Write(buf[start : end+2]); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			_, err := nc.Write([]byte("0\r\n\r\n"))
			return err
		}
		if rerr != nil {
			return &sourceError{rerr}
		}
	}
}

// copyBody copies src to w through buf: length bytes, or everything when
// length < 0.
func (ex *exchange) copyBody(w io.Writer, src io.Reader, buf []byte, length int64) error {
	req, st := ex.req, ex.st
	for length != 0 {
		p := buf
		if length > 0 && int64(len(p)) > length {
			p = p[:length]
		}
		n, rerr := src.Read(p)
		if n > 0 {
			st.trace.requestChunkSent(TraceChunk{Method: req.Method, URL: req.URL, Chunk: p[:n]})
			if _, err := w.Write(p[:n]); err != nil {
				return err
			}
			if length > 0 {
				length -= int64(n)
			}
		}
		if rerr == io.EOF {
			if length > 0 {
				return &sourceError{errors.New("the request body is shorter than its Content-Length")}
			}
			return nil
		}
		if rerr != nil {
			return &sourceError{rerr}
		}
	}
	return nil
}

// chunkWriter sends what is written to it as chunks; a compressor writes
// into it.
type chunkWriter struct {
	ex  *exchange
	buf []byte
	err error
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	if w.err != nil || len(p) == 0 {
		return len(p), w.err
	}
	w.buf = http1.AppendChunk(w.buf[:0], p)
	_, w.err = w.ex.conn.nc.Write(w.buf)
	return len(p), w.err
}

// fail gives the connection up and returns an error of kind.
func (ex *exchange) fail(kind, err error) error {
	ex.release(err)
	return ex.req.error(kind, err)
}

// ioError gives the connection up after a failed read or write and turns
// err into the client error it means: errStale for a reused connection
// the server closed before answering an idempotent request, a timeout, a
// cancellation, a disconnection, or a response the parser rejected.
func (ex *exchange) ioError(err error, writing bool) error {
	ex.release(err)
	req := ex.req
	var pe *http1.ParseError
	cerr := req.watched().Err()
	switch {
	case errors.As(err, &pe):
		return &ClientResponseError{Kind: ErrClientResponse, Request: req.info(), Status: 400, Message: pe.Reason, Err: pe}
	case cerr != nil:
		return req.error(ctxErrorKind(cerr), cerr)
	case isTimeout(err):
		return ex.timeoutError(err)
	case ex.conn.reused && ex.conn.r.Buffered() == 0 && idempotent(req.Method) && req.body.replayable():
		return errStale
	case writing:
		return req.error(ErrClientConnectionReset, err)
	case err == io.EOF:
		err = &describedError{"the server closed the connection without a response", err}
	case err == io.ErrUnexpectedEOF:
		err = &describedError{"the server closed the connection inside the response head", err}
	}
	return req.error(ErrServerDisconnected, err)
}

// timeoutError tells a total timeout from a socket-read timeout.
func (ex *exchange) timeoutError(err error) error {
	if d := ex.st.ctx.deadlineTime(); !d.IsZero() && !time.Now().Before(d) {
		return ex.req.error(ErrServerTimeout, totalTimeout(ex.st.to.total))
	}
	return ex.req.error(ErrSocketTimeout, sockReadTimeout(ex.st.to.sockRead, err))
}

// response makes the Response of the head read, with the body to follow.
func (ex *exchange) response() *Response {
	req, head := ex.req, &ex.conn.head
	kind := http1.ResponseBodyKind(head, req.Method)
	cfg := ex.st.cfg
	if kind == http1.BodyUntilClose && !choose(cfg.hasReadUntilEOF, cfg.readUntilEOF, !ex.st.s.opts.DisableReadUntilEOF) {
		kind, ex.keepAlive = http1.BodyNone, false
	}
	if head.Close || head.Status == 101 || kind == http1.BodyUntilClose || ex.fields.close {
		ex.keepAlive = false
	}
	resp := newResponse(ex.st.responseAlloc(), req, &ex.conn.strs, head)
	resp.Version = Version{1, int(head.Minor)}
	resp.noteHeader()
	if head.Status == 101 && ex.fields.upgrade {
		// The connection now speaks the protocol asked for: it stays
		// with the Response, for Session.WSConnect to take over, and
		// closes when the Response is closed otherwise.
		resp.raw, resp.rel = &upgraded{ex}, ex
		return resp
	}
	if kind == http1.BodyNone {
		ex.release(nil)
		return resp
	}
	ex.body.Reset(ex.conn.r, kind, head.ContentLength)
	resp.raw, resp.rel = ex, ex
	if !ex.st.with {
		ex.watchUnclosed(resp)
	}
	return resp
}

// responseAlloc holds a Response and its header in one allocation, with
// room for a few fields.
type responseAlloc struct {
	resp   Response
	header multidict.CIMultiDict
	items  [8]multidict.Item
}

// newResponse makes the Response of req from a head's status, reason and
// fields, taking their strings from the connection's last head where they
// repeat it (see headStrings).
func newResponse(a *responseAlloc, req *ClientRequest, strs *headStrings, head *http1.ResponseHead) *Response {
	items := a.items[:0]
	if len(head.Fields) > len(a.items) {
		items = make([]multidict.Item, 0, len(head.Fields))
	}
	r := &a.resp
	r.Reason, items = strs.strings(items, head)
	a.header = *multidict.NewCI(items...)
	r.Status = head.Status
	r.Method = req.Method
	r.URL = req.URL
	r.RealURL = req.realURL
	r.Header = &a.header
	r.Request = req.info()
	r.opts = req.st.body
	return r
}

// Read reads the response body, as the Response's raw stream.
func (ex *exchange) Read(p []byte) (int, error) {
	if ex.released {
		return 0, io.EOF
	}
	ex.armRead()
	n, err := ex.body.Read(p)
	if err != nil && err != io.EOF {
		err = ex.bodyError(err)
	}
	return n, err
}

// EndOfChunk reports whether the bytes the last Read returned end a chunk
// of a chunked body; the Response's StreamReader tells it in ReadChunk.
func (ex *exchange) EndOfChunk() bool { return ex.body.EndOfChunk() }

// bodyError turns a failed body read into the client error it means.
func (ex *exchange) bodyError(err error) error {
	req := ex.req
	cerr := req.watched().Err()
	switch {
	case ex.aborted.Load():
		return req.error(ErrClientConnection, errResponseClosed)
	case cerr != nil:
		return req.error(ctxErrorKind(cerr), cerr)
	case isTimeout(err):
		return ex.timeoutError(err)
	}
	return req.error(ErrClientPayload, err)
}

// release gives the connection back, to the pool when the whole response
// was read cleanly and the connection can carry another request. It is
// the Response's bodyReleaser.
func (ex *exchange) release(err error) {
	if ex.released {
		return
	}
	ex.released = true
	c := ex.conn
	c.unclosed.cleanup.Stop()
	interrupted := ex.stop != nil && !ex.stop()
	if interrupted {
		ex.st.interrupted = true
	}
	reuse := err == nil && !interrupted && ex.keepAlive && ex.body.Done() && c.r.Buffered() == 0
	ex.st.s.connector.release(c, reuse)
}

// abort implements bodyReleaser: it interrupts the connection's reads.
// The Response calls it only before it releases the connection.
func (ex *exchange) abort() {
	ex.aborted.Store(true)
	ex.interrupt()
}

// Discard implements rawDiscarder for the Response.
func (ex *exchange) Discard(max int, wait time.Duration) bool {
	if ex.released || ex.aborted.Load() {
		return false
	}
	if ex.body.Done() {
		return true
	}
	// A deadline in the past makes any read that would touch the network
	// fail at once, so that only what is buffered is discarded.
	c, total := ex.conn, ex.st.socketDeadline()
	dl := aLongTimeAgo
	if wait > 0 {
		if dl = time.Now().Add(wait); !total.IsZero() && total.Before(dl) {
			dl = total
		}
	}
	c.setReadDeadline(dl)
	drained, err := ex.body.Discard(int64(max))
	c.setReadDeadline(total)
	return err == nil && drained
}

// bodyReader returns the request body to send, from its start, reporting
// its progress when the request asks.
func (ex *exchange) bodyReader() (io.Reader, error) {
	body := ex.req.body
	src, err := body.reader()
	if f := ex.st.cfg.progress; f != nil && err == nil {
		src = &progressReader{r: src, total: body.length, f: f}
	}
	return src, err
}

// compressor returns a writer compressing into w with enc, "gzip" or
// "deflate" (zlib).
func compressor(enc string, w io.Writer) io.WriteCloser {
	if enc == "gzip" {
		return gzip.NewWriter(w)
	}
	return zlib.NewWriter(w)
}
