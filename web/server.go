package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// ErrServerShutdown is the error of a request context cancelled because
// the server shut down before the handler finished. It matches
// context.Canceled too, as the error of a cancelled context must.
var ErrServerShutdown = fmt.Errorf("web: server shut down: %w", context.Canceled)

// ErrNoResponse reports a handler that returned neither a response nor an
// error; the client gets a 500.
var ErrNoResponse = errors.New("web: handler returned no response")

// ServerOptions tune the HTTP server; the zero value means aiohttp's
// defaults.
type ServerOptions struct {
	// KeepAliveTimeout closes a connection idle for this long between
	// requests (75 s when zero; negative turns keep-alive off).
	KeepAliveTimeout time.Duration
	// HeaderTimeout closes a connection whose request head takes longer
	// than this to arrive, against slow clients (60 s when zero; negative
	// means none).
	HeaderTimeout time.Duration
	// ShutdownTimeout is how long a graceful shutdown waits for running
	// handlers before cancelling them (60 s when zero).
	ShutdownTimeout time.Duration
	// MaxConnections caps the connections served at once; further clients
	// wait in the listen backlog (0 means no cap).
	MaxConnections int
	// MaxLineSize, MaxFieldSize and MaxHeaders bound request heads (8190,
	// 8190 and 128 when zero).
	MaxLineSize, MaxFieldSize, MaxHeaders int
	// AccessLog receives one line per request in AccessLogFormat; nil
	// turns the access log off.
	AccessLog io.Writer
	// AccessLogFormat is aiohttp's access log format (DefaultAccessLogFormat
	// when empty).
	AccessLogFormat string
	// AccessLogger, when set, is given every request instead of AccessLog
	// and AccessLogFormat (aiohttp's access_log_class).
	AccessLogger AccessLogger
	// BaseContext supplies the values of every request context.
	BaseContext context.Context
	// DisableHTTP2 turns off HTTP/2 (h2 over TLS and h2c).
	DisableHTTP2 bool
	// HTTP2 tunes HTTP/2 with net/http's settings; its non-zero fields
	// replace our defaults: MaxConcurrentStreams 100 (the handlers a
	// connection runs at once), MaxReadFrameSize 16 KiB, receive buffers
	// of 1 MiB per connection and per stream, and CountError to count the
	// protocol errors (floods among them) that close connections. An
	// HTTP/2 connection without open streams closes after
	// KeepAliveTimeout (75 s when keep-alive is off).
	HTTP2 *http.HTTP2Config
	// MinRequestBodyRate is the slowest a client may send a request body
	// (Kestrel's MinRequestBodyDataRate): a body read that falls below it
	// fails with ErrRequestBodyTooSlow, the client gets 408 and the
	// connection closes. The zero value means 240 bytes/s after a 5 s
	// grace period; NoMinDataRate turns it off. Routes and requests may
	// set their own (MinRequestBodyRate, Request.SetMinRequestBodyRate).
	MinRequestBodyRate MinDataRate
	// MinResponseRate is the slowest a client may take a response
	// (Kestrel's MinResponseDataRate): a write of n bytes may block for
	// the grace period plus n bytes' time at the rate (give or take two
	// seconds), then fails with ErrResponseTooSlow and the connection
	// closes. The zero value means 240 bytes/s after a 5 s grace period;
	// NoMinDataRate turns it off. Routes and requests may set their own
	// (MinResponseRate, Request.SetMinResponseRate).
	MinResponseRate MinDataRate
	// ParkIdleAt is the number of open connections from which a
	// keep-alive connection parks as soon as it is idle, instead of after
	// a second or two of silence: after its first request, and after
	// every request that came after 10 ms of silence or more (128 when
	// zero; negative: never at once). A parked connection holds about
	// 4 KiB: no buffer and no serving goroutine, only a small one waiting
	// for input (plain TCP and Unix sockets on unix systems; TLS
	// connections do not park). Parking costs a few microseconds of CPU,
	// well spent on a connection that stays silent.
	ParkIdleAt int
}

// defaultParkIdleAt is ParkIdleAt's default.
const defaultParkIdleAt = 128

// defaultKeepAliveTimeout is aiohttp's keepalive_timeout.
const defaultKeepAliveTimeout = 75 * time.Second

func (o *ServerOptions) setDefaults() {
	if o.KeepAliveTimeout == 0 {
		o.KeepAliveTimeout = defaultKeepAliveTimeout
	}
	if o.HeaderTimeout == 0 {
		o.HeaderTimeout = 60 * time.Second
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = 60 * time.Second
	}
	if o.BaseContext == nil {
		o.BaseContext = context.Background()
	}
	switch {
	case o.ParkIdleAt == 0:
		o.ParkIdleAt = defaultParkIdleAt
	case o.ParkIdleAt < 0, o.ParkIdleAt > math.MaxInt32:
		o.ParkIdleAt = math.MaxInt32
	}
	o.MinRequestBodyRate = o.MinRequestBodyRate.or(MinDataRate{})
	o.MinResponseRate = o.MinResponseRate.or(MinDataRate{})
}

// Server serves an application over HTTP/1.x (our engine) and HTTP/2. Make
// one with NewServer, or let a runner make it.
type Server struct {
	app    *Application
	opts   ServerOptions
	limits http1.Limits
	h2     *h2Server    // nil when HTTP/2 is off
	access AccessLogger // nil when there is no access log

	baseCtx   context.Context
	cancelled chan struct{} // closed when running handlers must stop
	closing   atomic.Bool   // graceful shutdown started
	clock     atomic.Int64  // coarse unix seconds, kept by the sweeper
	open      atomic.Int32  // connections served, parked ones included
	parkAt    int32         // opts.ParkIdleAt

	mu        sync.Mutex
	conns     map[*connRecord]struct{}
	h2conns   map[*h2Conn]struct{}
	listeners map[net.Listener]struct{}
	active    sync.WaitGroup
	slots     chan struct{}
	sweeping  chan struct{}
	cancelOne sync.Once
	sockets   openSockets // open WebSockets, closed with 1001 on shutdown
	shutdown  onceErr
}

// NewServer returns a server for app. The application is frozen; call
// app.Startup (or use a runner, which does) before serving.
func NewServer(app *Application, opts ServerOptions) *Server {
	opts.setDefaults()
	app.freeze()
	s := &Server{
		app:       app,
		opts:      opts,
		limits:    http1.Limits{MaxLineSize: opts.MaxLineSize, MaxFieldSize: opts.MaxFieldSize, MaxHeaders: opts.MaxHeaders},
		baseCtx:   opts.BaseContext,
		cancelled: make(chan struct{}),
		conns:     make(map[*connRecord]struct{}),
		h2conns:   make(map[*h2Conn]struct{}),
		listeners: make(map[net.Listener]struct{}),
		parkAt:    int32(opts.ParkIdleAt),
	}
	switch {
	case opts.AccessLogger != nil:
		s.access = opts.AccessLogger
	case opts.AccessLog != nil:
		s.access = NewFormatAccessLogger(opts.AccessLog, opts.AccessLogFormat)
	}
	if !opts.DisableHTTP2 {
		s.h2 = newH2Server(app, s.access, &opts)
	}
	if opts.MaxConnections > 0 {
		s.slots = make(chan struct{}, opts.MaxConnections)
	}
	s.clock.Store(time.Now().Unix())
	return s
}

// Application returns the application the server serves.
func (s *Server) Application() *Application { return s.app }

// Serve accepts connections on l until l is closed or the server shuts
// down. It returns nil after a shutdown, the accept error otherwise.
func (s *Server) Serve(l net.Listener) error {
	if !s.track(l) {
		return nil
	}
	defer s.untrack(l)
	s.startSweeper()
	var delay time.Duration
	for {
		if s.slots != nil {
			s.slots <- struct{}{}
		}
		nc, err := l.Accept()
		if err != nil {
			if s.slots != nil {
				<-s.slots
			}
			if s.closing.Load() || errors.Is(err, net.ErrClosed) {
				return nil
			}
			if isTemporaryAcceptError(err) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		s.serveConn(nc)
	}
}

// serveConn serves one accepted connection in its own goroutine; the
// caller holds a connection slot when the server caps connections.
func (s *Server) serveConn(nc net.Conn) {
	c := newServerConn(s, nc)
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		nc.Close()
		c.release()
		if s.slots != nil {
			<-s.slots
		}
		return
	}
	s.conns[c.connRecord] = struct{}{}
	s.active.Add(1)
	s.open.Add(1)
	s.mu.Unlock()
	go c.serve()
}

// cancelGrace is how long a shutdown whose context ended waits for the
// handlers it cancelled to return.
const cancelGrace = time.Second

// isTemporaryAcceptError reports the accept errors worth a retry after a
// pause: out of file descriptors, or a connection reset before it was
// accepted.
func isTemporaryAcceptError(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ECONNRESET)
}

// forget closes c's connection and drops it from the server.
func (s *Server) forget(c *serverConn) {
	rec := c.connRecord
	hijacked := c.state.Swap(stateClosed) == stateHijacked
	switch {
	case hijacked:
	case c.linger:
		c.lingerClose()
	default:
		c.nc.Close()
	}
	if !hijacked {
		c.release()
	}
	s.drop(rec)
}

// drop removes a closed connection from the server.
func (s *Server) drop(rec *connRecord) {
	s.mu.Lock()
	delete(s.conns, rec)
	s.open.Add(-1)
	s.mu.Unlock()
	if s.slots != nil {
		<-s.slots
	}
	s.active.Done()
}

func (s *Server) track(l net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return false
	}
	s.listeners[l] = struct{}{}
	return true
}

func (s *Server) untrack(l net.Listener) {
	s.mu.Lock()
	delete(s.listeners, l)
	s.mu.Unlock()
}

// startSweeper starts, once, the goroutine that keeps the coarse clock,
// closes connections idle or stuck in a request head for too long and asks
// idle ones to park.
func (s *Server) startSweeper() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sweeping != nil || s.closing.Load() {
		return
	}
	s.sweeping = make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-s.sweeping:
				return
			case now := <-t.C:
				s.clock.Store(now.Unix())
				s.sweep(now.Unix())
			}
		}
	}()
}

func (s *Server) sweep(now int64) {
	idle := int64(s.opts.KeepAliveTimeout / time.Second)
	head := int64(s.opts.HeaderTimeout / time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		since := now - c.since.Load()
		switch st := c.state.Load(); {
		case (st == stateIdle || st == stateParking || st == stateParked) && since >= idle,
			(st == stateNew || st == stateHead) && head > 0 && since >= head:
			if c.state.CompareAndSwap(st, stateClosed) {
				c.close()
			}
		case st == stateIdle && since >= parkAfter && c.parkable:
			// The connection's read ends at once; its goroutine parks it
			// (serverConn.park), or clears the deadline under s.mu when a
			// request came in meanwhile (serverConn.unpark).
			if c.state.CompareAndSwap(stateIdle, stateParking) {
				_ = c.nc.SetReadDeadline(aLongTimeAgo)
			}
		}
	}
}

// closeIdle closes every connection that is not serving a request: idle
// between requests, or still waiting for a request head, as aiohttp does.
func (s *Server) closeIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		for _, st := range [...]int32{stateIdle, stateParking, stateParked, stateNew, stateHead} {
			if c.state.CompareAndSwap(st, stateClosed) {
				c.close()
				break
			}
		}
	}
}

// Shutdown shuts the server down gracefully, in aiohttp's order: stop
// listening, close idle keep-alive connections, run the application's
// OnShutdown handlers, wait up to the shutdown timeout for running
// requests, cancel what is left, then run the cleanup handlers. ctx bounds
// the whole; when it ends early, the remaining handlers are cancelled at
// once.
//
// The server shuts down once: calls after the first, from any goroutine,
// wait for it to finish (or for their ctx to end) and return its error.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.shutdown.do(ctx, func() error { return s.shutDown(ctx) })
}

func (s *Server) shutDown(ctx context.Context) error {
	s.mu.Lock()
	s.closing.Store(true)
	for l := range s.listeners {
		l.Close()
	}
	if s.sweeping != nil {
		close(s.sweeping)
	}
	s.mu.Unlock()
	s.closeIdle()
	if s.h2 != nil {
		_ = s.h2.base.Shutdown(ctx) // GOAWAY to HTTP/2 connections
	}
	errs := []error{s.app.Shutdown(ctx)}
	s.sockets.closeAll(ctx) // open WebSockets get 1001 Going Away

	done := make(chan struct{})
	go func() {
		s.active.Wait()
		close(done)
	}()
	timer := time.NewTimer(s.opts.ShutdownTimeout)
	defer timer.Stop()
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		case <-time.After(50 * time.Millisecond):
			s.closeIdle() // connections that finished a request meanwhile
		case <-timer.C:
			s.cancelHandlers()
			waiting = false
		case <-ctx.Done():
			s.cancelHandlers()
			waiting = false
		}
	}
	select {
	case <-done:
	case <-ctx.Done():
		// Cancelled handlers get a moment to return; past it, shutdown
		// goes on without those that ignore their context.
		select {
		case <-done:
		case <-time.After(cancelGrace):
			errs = append(errs, errors.New("web: shutdown went on with handlers that ignored their cancelled context"))
		}
	}
	errs = append(errs, s.app.Cleanup(context.WithoutCancel(ctx)))
	return errors.Join(errs...)
}

// cancelHandlers cancels the contexts of running handlers and closes every
// connection, so that handlers blocked on I/O return.
func (s *Server) cancelHandlers() {
	s.cancelOne.Do(func() { close(s.cancelled) })
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.Swap(stateClosed) != stateHijacked {
			c.close()
		}
	}
	for hc := range s.h2conns {
		hc.abort()
	}
}

// handle routes req and runs its handler chain, turning errors and panics
// into responses. It returns nil when the handler took the connection over.
func (a *Application) handle(req *Request) Response {
	if sub := a.domainApp(req); sub != nil {
		return sub.handle(req)
	}
	route, allow := a.Router.resolve(req.method, req.path, &req.match)
	h := a.notFound
	req.app = a
	if route != nil {
		h = route.chain
		req.app = route.app
		if req.head != nil && req.head.Expect != nil {
			if resp := expect(req, route); resp != nil {
				return resp
			}
		}
	} else {
		req.allow = allow
	}
	resp, err := call(h, req)
	if err != nil {
		return errorResponse(req, err)
	}
	if resp == nil {
		if req.out.hijacked() {
			return nil
		}
		return errorResponse(req, ErrNoResponse)
	}
	return resp
}

// expect answers an Expect header after routing succeeded: the route's
// expect handler when it has one, 417 for anything but "100-continue"
// otherwise; a "100-continue" that gets through is answered with 100
// Continue. It returns the response that ends the request early, or nil
// to go on with the handler.
func expect(req *Request, route *Route) Response {
	continues := multidict.EqualFold(bytesView(req.head.Expect), "100-continue")
	if route.expectHandler != nil {
		resp, err := call(route.expectHandler, req)
		if err != nil {
			return errorResponse(req, err)
		}
		if resp != nil {
			return resp
		}
	} else if !continues {
		return errorResponse(req, HTTPExpectationFailed().WithText("Unknown Expect: "+string(req.head.Expect)))
	}
	if continues && req.minor >= 1 {
		req.out.writeContinue()
	}
	return nil
}

// runPrepareHooks runs the OnResponsePrepare handlers for resp: those of
// the root application first, down to the request's own.
func (r *Request) runPrepareHooks(resp Response) error {
	return runPrepare(r.app, r, resp)
}

func runPrepare(a *Application, req *Request, resp Response) error {
	if a == nil {
		return nil
	}
	if err := runPrepare(a.parent, req, resp); err != nil {
		return err
	}
	return a.OnResponsePrepare.run(func(h PrepareHook) error { return h(req, resp) })
}
