package aiohttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// errSockReadTimeout is the cause of an HTTP/2 request's context ended by
// the socket-read timeout.
var errSockReadTimeout = errors.New("socket read timeout")

// roundTripH2 sends the request over an HTTP/2 connection through
// net/http's ClientConn and returns the response once its head arrived.
func (ex *exchange) roundTripH2() (*Response, error) {
	req, st, c := ex.req, ex.st, ex.conn
	ctx, cancel := context.WithCancelCause(req.watched())
	b := &h2Body{ex: ex, ctx: ctx, cancel: cancel}
	if total := st.ctx.deadlineTime(); !total.IsZero() {
		b.total = time.AfterFunc(time.Until(total), func() { cancel(context.DeadlineExceeded) })
	}
	if st.to.sockRead > 0 {
		b.idle = time.AfterFunc(st.to.sockRead, func() { cancel(errSockReadTimeout) })
	}
	hreq, err := ex.h2Request(ctx)
	if err != nil {
		b.release(err)
		return nil, req.error(ErrClient, err)
	}
	st.trace.requestHeadersSent(TraceRequest{Method: req.Method, URL: req.URL, Header: req.Header})
	hresp, err := c.h2.RoundTrip(hreq)
	if err != nil {
		b.release(err)
		return nil, b.error(err, ErrServerDisconnected)
	}
	b.rc = hresp.Body
	a := st.responseAlloc()
	items := a.items[:0]
	var keys [16]string
	for _, k := range appendHeaderKeys(keys[:0], hresp.Header) {
		for _, v := range hresp.Header[k] {
			items = append(items, multidict.Item{Key: k, Value: v})
		}
	}
	a.header = *multidict.NewCI(items...)
	r := &a.resp
	r.Status = hresp.StatusCode
	_, r.Reason, _ = strings.Cut(hresp.Status, " ") // net/http's "200 OK"
	r.Method, r.URL, r.RealURL = req.Method, req.URL, req.realURL
	r.Version = Version{2, 0}
	r.Header = &a.header
	r.Request = req.info()
	r.opts = st.body
	r.raw, r.rel = b, b
	r.noteHeader()
	return r, nil
}

// h2Request builds the net/http request of an HTTP/2 exchange.
func (ex *exchange) h2Request(ctx context.Context) (*http.Request, error) {
	req, st := ex.req, ex.st
	items := req.Header.Items()
	hreq := &http.Request{
		Method: req.Method, URL: req.URL, Header: make(http.Header, len(items)),
		Host: req.Header.Get("Host"), ProtoMajor: 2, Proto: "HTTP/2.0",
	}
	values := make([]string, len(items)) // the value lists of one element share it
	for i, it := range items {
		if isConnectionField(it.Key) {
			continue
		}
		if !field.IsToken(it.Key) || !http1.ValidFieldValue(it.Value) {
			return nil, errors.New("invalid header field " + strconv.Quote(it.Key))
		}
		key := http.CanonicalHeaderKey(it.Key) // allocates only a name not in canonical form
		if vs := hreq.Header[key]; len(vs) > 0 {
			hreq.Header[key] = append(vs, it.Value)
		} else {
			values[i] = it.Value
			hreq.Header[key] = values[i : i+1 : i+1]
		}
	}
	length, chunked, err := ex.framing()
	if err != nil || req.body == nil {
		return hreq.WithContext(ctx), err
	}
	src, err := ex.bodyReader()
	if err != nil {
		return nil, err
	}
	body := &tracedBody{req: req}
	if enc := st.cfg.compress; enc != "" {
		pr, pw := io.Pipe()
		body.closer = pr // ends the compressing goroutine if the stream fails
		go func(plain io.Reader) {
			zw := compressor(enc, pw)
			_, err := io.Copy(zw, plain)
			if err == nil {
				err = zw.Close()
			}
			pw.CloseWithError(err)
		}(src)
		src = pr
	}
	hreq.ContentLength = length
	if chunked {
		hreq.ContentLength = -1
	}
	body.r = src
	hreq.Body = body
	return hreq.WithContext(ctx), nil
}

// connectionFields are the header fields HTTP/2 does not carry (RFC 9113
// 8.2.2), or carries otherwise (Host as :authority, Content-Length from
// the body).
var connectionFields = []string{"Host", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "Content-Length"}

// isConnectionField reports whether name is one of connectionFields, in
// any case.
func isConnectionField(name string) bool {
	for _, f := range connectionFields {
		if multidict.EqualFold(name, f) {
			return true
		}
	}
	return false
}

// appendHeaderKeys appends the keys of h to keys in order.
func appendHeaderKeys(keys []string, h http.Header) []string {
	n := len(keys)
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys[n:])
	return keys
}

// tracedBody is a request body that reports each piece read to the
// tracer as sent.
type tracedBody struct {
	r      io.Reader
	req    *ClientRequest
	closer io.Closer // what Close closes, when the body is ours
}

func (b *tracedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 {
		b.req.st.trace.requestChunkSent(TraceChunk{Method: b.req.Method, URL: b.req.URL, Chunk: p[:n]})
	}
	return n, err
}

// Close closes the body when it is a pipe of ours; the caller's reader
// stays open, as the caller owns it.
func (b *tracedBody) Close() error {
	if b.closer != nil {
		return b.closer.Close()
	}
	return nil
}

// h2Body is the body of an HTTP/2 response, and the state of its
// exchange: the context that ends the stream on a timeout and the timers
// of the total and socket-read timeouts.
type h2Body struct {
	ex     *exchange
	ctx    context.Context
	cancel context.CancelCauseFunc
	total  *time.Timer
	idle   *time.Timer
	rc     io.ReadCloser
	once   sync.Once
}

func (b *h2Body) Read(p []byte) (int, error) {
	if b.idle != nil {
		b.idle.Reset(b.ex.st.to.sockRead)
	}
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = b.error(err, ErrClientPayload)
	}
	return n, err
}

// error turns a failure of the stream into the client error it means, of
// kind when no timeout or cancellation caused it.
func (b *h2Body) error(err error, kind *errorKind) error {
	req := b.ex.req
	if cerr := req.watched().Err(); cerr != nil {
		return req.error(ctxErrorKind(cerr), cerr)
	}
	switch context.Cause(b.ctx) {
	case errResponseClosed:
		return req.error(ErrClientConnection, errResponseClosed)
	case errSockReadTimeout:
		return req.error(ErrSocketTimeout, sockReadTimeout(b.ex.st.to.sockRead, err))
	case context.DeadlineExceeded:
		return req.error(ErrServerTimeout, totalTimeout(b.ex.st.to.total))
	}
	return req.error(kind, err)
}

// abort implements bodyReleaser: it ends the stream, so that a read
// fails at once.
func (b *h2Body) abort() { b.cancel(errResponseClosed) }

// release ends the stream and releases the connection, once. The
// exchange counts as released, which lets Session.With recycle the
// request's state, only when net/http is done with the request: its
// body's Close returns once the stream's goroutine has finished with it,
// or at once when the stream's context is done, and only in the first
// case is the context still live after it.
func (b *h2Body) release(error) {
	b.once.Do(func() {
		if b.rc != nil {
			b.rc.Close()
			b.ex.released = b.ctx.Err() == nil
		}
		b.cancel(context.Canceled)
		if b.total != nil {
			b.total.Stop()
		}
		if b.idle != nil {
			b.idle.Stop()
		}
		c := b.ex.conn
		b.ex.st.s.connector.release(c, c.h2.Err() == nil)
	})
}
