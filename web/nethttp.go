package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp/multidict"
)

// ServeHTTP serves the application under any net/http server, which makes
// HTTP/2, HTTP/3 and every net/http middleware available to it. Call
// app.Startup first when the application has startup handlers; ServeHTTP
// freezes the application on first use either way.
//
// The Shutdown of the http.Server closes the WebSockets the application
// serves through it with 1001 Going Away, as [Server.Shutdown] does, from
// a hook it registers with RegisterOnShutdown. net/http runs that hook in
// the background: its Shutdown returns without waiting for the closing
// handshakes, each bounded by the socket's close timeout.
func (a *Application) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.serveStd(w, r, nil, nil)
}

// serveStd serves a net/http request, writing its access log line to
// access when there is one, under the minimum data rates of opts when
// there are some (both for our server's HTTP/2 connections).
func (a *Application) serveStd(w http.ResponseWriter, r *http.Request, access AccessLogger, opts *ServerOptions) {
	a.freeze()
	x := stdExchanges.Get().(*stdExchange)
	out := &x.out
	out.reset(w, r.Context(), opts)
	req := &x.req
	initStdRequest(req, r, out)
	out.req = req
	var body *stdRatedBody
	if req.bodyExists {
		body = &stdRatedBody{body: req.body, out: out} // stdBody: read errors are the client's
		req.body = body
	}
	if access != nil {
		req.start = time.Now()
	}
	resp := a.handle(req)
	if body != nil && !out.taken {
		body.boundDiscard()
	}
	if resp != nil {
		if err := resp.finish(req); err != nil {
			logFailure(req.app, req, err)
		}
	}
	out.stopWatchdog()
	req.removeSpooled()
	if access != nil && !out.taken {
		access.Log(req, SentResponse{req: req, head: &out.head, size: out.size}, time.Since(req.start))
	}
	req.ctx.cancel(context.Canceled)
	if !out.taken {
		x.recycle()
	}
}

// stdExchange holds what the bridge needs for one request. The Request
// belongs to the handler only until it returns (as on the engine, which
// reuses it for the connection's next request), so an exchange serves
// request after request from stdExchanges; one whose connection was
// hijacked is left to the garbage collector.
type stdExchange struct {
	req Request
	out stdOutbound
}

var stdExchanges = sync.Pool{New: func() any { return new(stdExchange) }}

// recycle returns x to stdExchanges, keeping the response Respond hands
// out and a request context nobody obtained or watched; serveStd sets
// every other field anew.
func (x *stdExchange) recycle() {
	if ctx := x.req.ctx; ctx.handedOut || ctx.done != nil {
		x.req.ctx = nil
	}
	stdExchanges.Put(x)
}

// newStdRequest returns the Request of a net/http request, answered
// through out.
func newStdRequest(r *http.Request, out outbound) *Request {
	req := new(Request)
	initStdRequest(req, r, out)
	return req
}

// initStdRequest makes req the Request of a net/http request, answered
// through out, keeping only the response Respond hands out and a context
// (nil for a new one) of what req held.
func initStdRequest(req *Request, r *http.Request, out outbound) {
	own, ctx := req.own, req.ctx
	if ctx == nil {
		ctx = new(reqContext)
	}
	*ctx = reqContext{parent: r.Context(), watcher: stdWatcher{r}}
	// Field by field: a composite literal of the whole Request would be
	// built in a temporary of its size on the stack, and HTTP/2 runs each
	// request on a new goroutine, whose small stack would have to grow.
	*req = Request{}
	req.out = out
	req.netAddr = r.RemoteAddr
	req.method = r.Method
	req.target = r.RequestURI
	if req.target == "" {
		req.target = r.URL.RequestURI()
	}
	req.rawPath = r.URL.EscapedPath()
	req.rawQuery = r.URL.RawQuery
	req.path = routingPath(req.rawPath)
	req.major, req.minor = uint8(r.ProtoMajor), uint8(r.ProtoMinor)
	req.keepAlive = !r.Close
	req.tls = r.TLS
	req.std = stdHeader{r}
	req.body = stdBody{r}
	req.bodyLength = r.ContentLength
	req.bodyExists = r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 // HTTP/2 gives a body to every request
	req.ctx = ctx
	req.own = own
}

// stdBody is a bridged request's body. A read error other than its end
// is the client's doing: its leaving (a reset stream, a closed
// connection), or else a body that breaks its framing (longer than its
// Content-Length), answered 400 as the engine answers framing errors.
type stdBody struct{ r *http.Request }

func (b stdBody) Read(p []byte) (int, error) {
	if b.r.Body == nil {
		return 0, io.EOF
	}
	n, err := b.r.Body.Read(p)
	if err != nil && err != io.EOF {
		var mb *http.MaxBytesError
		switch {
		case b.r.Context().Err() != nil:
			err = clientLeftError{err}
		case !errors.As(err, &mb):
			err = &BodyError{Err: err, HTTP: HTTPBadRequest().WithText(formatErrorText(400, err.Error()))}
		}
	}
	return n, err
}

// routingPath returns the path the router matches for an escaped path.
func routingPath(raw string) string {
	p, _ := unescapePath(raw, nil, true)
	return p
}

// stdWatcher cancels a bridged request's context with net/http's. It
// holds the request, not its context: a struct of one pointer goes into
// the watcher interface without an allocation.
type stdWatcher struct{ r *http.Request }

func (w stdWatcher) watch(c *reqContext) {
	parent := w.r.Context()
	go func(done <-chan struct{}) {
		select {
		case <-parent.Done():
			c.cancel(parent.Err())
		case <-done:
		}
	}(c.done)
}

// stdHeader gives a net/http request's header fields, Host first, names in
// sorted order (net/http does not keep the order the client used).
type stdHeader struct{ r *http.Request }

func (h stdHeader) fields(yield func(name, value string) bool) {
	if h.r.Host != "" && !yield("Host", h.r.Host) {
		return
	}
	for _, name := range slices.Sorted(mapKeys(h.r.Header)) {
		for _, v := range h.r.Header[name] {
			if !yield(name, v) {
				return
			}
		}
	}
}

func mapKeys(h http.Header) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range h {
			if !yield(k) {
				return
			}
		}
	}
}

// stdOutbound sends a response through a net/http ResponseWriter.
type stdOutbound struct {
	taken  bool // the handler hijacked the connection
	w      http.ResponseWriter
	ctx    context.Context // the request's: done when the client left
	noBody bool            // HEAD, 1xx, 204 or 304: body writes are dropped, as on the engine
	// what the access log reports
	head responseHead
	size int64
	// the minimum data rates: the request they are the rates of (nil
	// for none), the controller that sets the deadlines (once needed)
	// and the write deadline set
	req           *Request
	opts          *ServerOptions          // our HTTP/2 server's, with its rates; nil under ServeHTTP
	rc            http.ResponseController // once hasRC
	hasRC         bool
	writeDeadline time.Time
	// watchdog enforces writeDeadline, kept with the exchange from
	// request to request (see armWrite).
	watchdog *time.Timer
	wdMu     sync.Mutex // guards writeDeadline for the watchdog, and wdDone
	wdDone   bool       // the handler returned: the writer is net/http's again
}

// setHead sends the head through net/http: the fields [appendHead] sends,
// and no Content-Type when it sends none (net/http would sniff one).
// net/http frames the body by the Content-Length or Transfer-Encoding it
// finds and honours the Connection field; a body that ends with the
// connection has its head sent at once, before net/http could count a
// short body and add a Content-Length. So the engine and the bridge send
// the same head.
//
// The fields cost two allocations whatever their number: one string holds
// every name and value, one slice every value list of one element.
func (o *stdOutbound) setHead(req *Request, h *responseHead) {
	// The head is built in a pooled buffer, not on the stack: HTTP/2 runs
	// each request on a new goroutine, whose stack would have to grow.
	buf := headBuffers.Get().(*[]byte)
	head := appendHead((*buf)[:0], req, h)
	_, fieldBytes, _ := bytes.Cut(head, crlf) // the status line
	fields := string(fieldBytes)
	*buf = head
	headBuffers.Put(buf)
	values := make([]string, h.header.Len()+len(h.cookies)+8) // room for every line appendHead adds
	dst := o.w.Header()
	dst["Content-Type"] = nil
	for i := 0; ; i++ {
		line, rest, _ := strings.Cut(fields, "\r\n")
		name, value, ok := strings.Cut(line, ": ")
		if !ok {
			break
		}
		fields = rest
		key := http.CanonicalHeaderKey(name) // allocates only a name not in canonical form
		if vs := dst[key]; len(vs) > 0 || i == len(values) {
			dst[key] = append(vs, value)
		} else {
			values[i] = value
			dst[key] = values[i : i+1 : i+1]
		}
	}
	o.head = *h
	o.noBody = req.method == "HEAD" || !bodyAllowed(h.status)
	o.w.WriteHeader(h.status)
	if h.framing(req) == byClose {
		_ = o.flush()
	}
}

// reset makes o the outbound of a new request through w, keeping its
// watchdog timer. Field by field, for the reason initStdRequest gives.
func (o *stdOutbound) reset(w http.ResponseWriter, ctx context.Context, opts *ServerOptions) {
	wd := o.watchdog
	*o = stdOutbound{}
	o.w, o.ctx, o.opts, o.watchdog = w, ctx, opts, wd
	o.head.header = &noHeader
}

// headBuffers holds the buffers setHead builds heads in.
var headBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (o *stdOutbound) writeResponse(req *Request, r *BodyResponse) error {
	h := r.head()
	o.setHead(req, &h)
	if req.method == "HEAD" || !bodyAllowed(r.status) {
		return nil
	}
	var n int
	var err error
	if size := len(r.body) + len(r.text); o.opts == nil || size > h2HandlerBuffered {
		o.armWrite(size)
	}
	if r.isText {
		n, err = io.WriteString(o.w, r.text)
	} else {
		n, err = o.w.Write(r.body)
	}
	o.size += int64(n)
	return o.writeFailed(err)
}

func (o *stdOutbound) writeHead(req *Request, h *responseHead) error {
	o.setHead(req, h)
	return nil
}

func (o *stdOutbound) write(p []byte) error {
	if o.noBody {
		return nil
	}
	o.armWrite(len(p))
	n, err := o.w.Write(p)
	o.size += int64(n)
	return o.writeFailed(err)
}

func (o *stdOutbound) sendFile(f *os.File, off, n int64) error {
	if o.noBody {
		return nil
	}
	o.armWrite(int(n))
	sent, err := io.Copy(o.w, io.NewSectionReader(f, off, n))
	o.size += sent
	if err == nil && sent < n {
		err = io.ErrUnexpectedEOF // the file shrank
	}
	return o.writeFailed(err)
}

func (o *stdOutbound) flush() error { return o.controller().Flush() }

// controller returns the ResponseController of o's writer.
func (o *stdOutbound) controller() *http.ResponseController {
	if !o.hasRC {
		o.rc, o.hasRC = *http.NewResponseController(o.w), true
	}
	return &o.rc
}

func (o *stdOutbound) end() error { return nil }

func (o *stdOutbound) writeContinue() {} // net/http sends 100 Continue when the body is read

func (o *stdOutbound) hijacked() bool { return o.taken }

func (o *stdOutbound) clientLeft() bool { return o.ctx.Err() != nil }

func (o *stdOutbound) hijack() (net.Conn, io.Reader, error) {
	if o.taken {
		return nil, nil, ErrHijacked
	}
	nc, rw, err := o.controller().Hijack()
	if err != nil {
		return nil, nil, err
	}
	o.taken = true
	o.stopWatchdog()
	if !o.writeDeadline.IsZero() {
		_ = nc.SetWriteDeadline(time.Time{})
	}
	return nc, rw.Reader, nil
}

// WrapHandler turns any net/http handler into a route handler, so that
// pprof, Prometheus, or a whole http.ServeMux can be mounted in the router:
//
//	app.Router.Any("/debug/pprof/{tail:.*}", web.WrapHandler(http.DefaultServeMux))
//
// The handler gets an *http.Request carrying the request's context, header,
// body and remote address; what it writes is streamed to the client.
func WrapHandler(h http.Handler) Handler {
	return func(req *Request) (Response, error) {
		hr, err := req.toStd()
		if err != nil {
			return nil, err
		}
		rw := &stdResponseWriter{req: req, resp: NewStreamResponse(), header: make(http.Header)}
		h.ServeHTTP(rw, hr)
		if !rw.resp.Prepared() {
			rw.resp.SetContentLength(0)
			rw.WriteHeader(http.StatusOK)
		}
		return rw.resp, rw.err
	}
}

// toStd builds the *http.Request a net/http handler sees for r.
func (r *Request) toStd() (*http.Request, error) {
	hr, err := http.NewRequestWithContext(r.Context(), r.method, r.PathQS(), io.NopCloser(r.body))
	if err != nil {
		return nil, HTTPBadRequest().WithText(err.Error())
	}
	hr.Proto = r.Version().String()
	hr.ProtoMajor, hr.ProtoMinor = r.Version().Major, r.Version().Minor
	hr.RequestURI = r.Target()
	hr.Host = r.Host()
	hr.URL.Host = hr.Host
	hr.RemoteAddr = r.remoteAddr()
	hr.TLS = r.tls
	hr.ContentLength = r.bodyLength
	if !r.bodyExists {
		hr.Body = http.NoBody
		hr.ContentLength = 0
	}
	for _, it := range r.Header().Items() {
		if !multidict.EqualFold(it.Key, "Host") {
			hr.Header.Add(it.Key, it.Value)
		}
	}
	hr.Close = !r.keepAlive
	return hr, nil
}

// stdResponseWriter is the http.ResponseWriter a wrapped net/http handler
// writes to: a StreamResponse underneath.
type stdResponseWriter struct {
	req    *Request
	resp   *StreamResponse
	header http.Header
	err    error
}

func (w *stdResponseWriter) Header() http.Header { return w.header }

func (w *stdResponseWriter) WriteHeader(status int) {
	if w.resp.Prepared() || w.err != nil {
		return
	}
	for name, values := range w.header {
		for _, v := range values {
			w.resp.Header().Add(name, v)
		}
	}
	if cl := w.header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			w.resp.SetContentLength(n)
		}
	}
	_ = w.resp.SetStatus(status)
	w.err = w.resp.Prepare(w.req)
}

func (w *stdResponseWriter) Write(p []byte) (int, error) {
	if !w.resp.Prepared() {
		if w.header.Get("Content-Type") == "" && len(p) > 0 {
			w.header.Set("Content-Type", http.DetectContentType(p))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.resp.Write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}

// Flush pushes what was written to the client (http.Flusher).
func (w *stdResponseWriter) Flush() {
	if !w.resp.Prepared() {
		w.WriteHeader(http.StatusOK)
	}
	if w.err == nil {
		w.err = w.resp.Flush()
	}
}

// remoteAddr returns the client's address with its port.
func (r *Request) remoteAddr() string {
	if r.netConn != nil {
		return r.netConn.RemoteAddr().String()
	}
	return r.netAddr
}
