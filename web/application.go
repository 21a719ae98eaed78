package web

import (
	"context"
	"errors"
	"log/slog"
	"sync"
)

// DefaultClientMaxSize is the largest request body Request.Bytes accepts
// unless the application says otherwise: 1 MiB, as in aiohttp.
const DefaultClientMaxSize = 1 << 20

// Application is aiohttp's web.Application: a router, middlewares, signals,
// typed state and sub-applications. Build it before it runs; once a runner
// starts it the application is frozen and registering routes, middlewares
// or signal handlers panics.
type Application struct {
	// Router holds the routes (aiohttp's app.router).
	Router *Router

	// OnStartup handlers run, in order, when the application starts.
	OnStartup Signal[AppHook]
	// OnShutdown handlers run when a graceful shutdown begins, after the
	// listeners stopped and idle connections were closed; close long-lived
	// connections (WebSockets, SSE) here.
	OnShutdown Signal[AppHook]
	// OnCleanup handlers run last, after every request finished or was
	// cancelled.
	OnCleanup Signal[AppHook]
	// OnResponsePrepare handlers run just before a response's head is sent;
	// they may still change its status and headers.
	OnResponsePrepare Signal[PrepareHook]
	// CleanupCtx holds setup/teardown pairs (aiohttp's cleanup_ctx): each
	// setup runs at startup, before OnStartup handlers, and the teardowns of
	// those that succeeded run in reverse order at cleanup, before OnCleanup
	// handlers.
	CleanupCtx Signal[CleanupContext]

	middlewares   []Middleware
	clientMaxSize int64
	debug         bool
	logger        *slog.Logger
	errorHandler  ErrorHandler // nil: DefaultErrorHandler
	logs          requestLog   // counts and rate-limits the lines about failed requests

	parent  *Application
	subapps []*Application
	domains []domainApp // the sub-applications of AddDomain, in order

	stateMu sync.RWMutex
	state   map[any]any

	frozen       bool
	freezeOnce   sync.Once
	teardowns    []func(context.Context) error
	shutdownOnce onceErr
	cleanupOnce  onceErr
	notFound     Handler // middleware chain around the 404/405 answer

	bridged bridgedSockets // open WebSockets served through net/http
}

// AppHook is a startup, shutdown or cleanup signal handler.
type AppHook func(ctx context.Context, app *Application) error

// PrepareHook is an on_response_prepare signal handler.
type PrepareHook func(req *Request, resp Response) error

// CleanupContext is one setup/teardown pair of Application.CleanupCtx: it
// sets a resource up and returns the function that tears it down.
type CleanupContext func(ctx context.Context, app *Application) (teardown func(context.Context) error, err error)

// AppOption configures an Application.
type AppOption func(*Application)

// WithMiddlewares appends middlewares; the first one listed is the outermost.
func WithMiddlewares(m ...Middleware) AppOption {
	return func(a *Application) { a.middlewares = append(a.middlewares, m...) }
}

// WithClientMaxSize sets the largest request body Request.Bytes accepts
// (aiohttp's client_max_size); a negative size means no limit.
func WithClientMaxSize(n int64) AppOption {
	return func(a *Application) { a.clientMaxSize = n }
}

// WithDebug turns on debug mode: a handler panic's 500 page shows the panic
// value and stack.
func WithDebug(debug bool) AppOption {
	return func(a *Application) { a.debug = debug }
}

// WithLogger sets the logger for failed requests (slog.Default otherwise):
// handler errors and panics at error level, clients that went away at
// debug level, identical lines rate-limited (see [LogStats]).
func WithLogger(l *slog.Logger) AppOption {
	return func(a *Application) { a.logger = l }
}

// NewApplication returns an empty application with aiohttp's defaults.
func NewApplication(opts ...AppOption) *Application {
	a := &Application{clientMaxSize: DefaultClientMaxSize, logger: slog.Default()}
	for _, o := range opts {
		o(a)
	}
	a.Router = NewRouter()
	a.Router.app = a
	return a
}

// Use appends middlewares; the first one added is the outermost.
func (a *Application) Use(m ...Middleware) {
	a.mustNotBeFrozen()
	a.middlewares = append(a.middlewares, m...)
}

// Debug reports whether the application runs in debug mode.
func (a *Application) Debug() bool { return a.debug }

// Logger returns the application's logger.
func (a *Application) Logger() *slog.Logger { return a.logger }

// ClientMaxSize returns the largest request body Request.Bytes accepts, or a
// negative number for no limit.
func (a *Application) ClientMaxSize() int64 { return a.clientMaxSize }

// Frozen reports whether the application started and can no longer change.
func (a *Application) Frozen() bool { return a.frozen }

// Parent returns the application sub is mounted in, or nil.
func (a *Application) Parent() *Application { return a.parent }

// AddSubapp mounts sub under prefix ("/admin"): its routes answer below the
// prefix, the middlewares of a wrap those of sub, its signals run with a's,
// and URLFor includes the prefix. The prefix must start with "/" and not end
// with one.
func (a *Application) AddSubapp(prefix string, sub *Application) {
	a.mustNotBeFrozen()
	if sub.parent != nil || sub == a {
		panic("web: sub-application is already mounted")
	}
	a.Router.mount(prefix, sub.Router)
	sub.parent = a
	a.subapps = append(a.subapps, sub)
}

func (a *Application) mustNotBeFrozen() {
	if a.frozen {
		panic("web: cannot change a frozen (running) application")
	}
}

// freeze fixes the application and its sub-applications and builds every
// route's middleware chain once, so that serving a request wraps nothing.
func (a *Application) freeze() {
	a.freezeOnce.Do(func() {
		a.freezeTree()
		a.Router.freeze()
	})
}

func (a *Application) freezeTree() {
	a.frozen = true
	if a.errorHandler == nil && a.parent != nil {
		a.errorHandler = a.parent.errorHandler
	}
	for _, sub := range a.subapps {
		sub.freezeTree()
	}
	chain := a.middlewareChain()
	for _, r := range a.Router.ownRoutes() {
		h := r.handler
		if len(chain) > 0 {
			h = recovering(h) // the middlewares see a panic as an error
		}
		r.chain = wrap(chain, h)
	}
	a.notFound = wrap(chain, answerNoRoute)
	for _, d := range a.domains {
		d.app.Router.freeze() // not mounted in a's router: it matches on its own
	}
}

// middlewareChain returns the middlewares that apply to a's routes: its
// ancestors' first, then its own.
func (a *Application) middlewareChain() []Middleware {
	if a.parent == nil {
		return a.middlewares
	}
	return append(append([]Middleware(nil), a.parent.middlewareChain()...), a.middlewares...)
}

// wrap builds the handler that runs h inside middlewares, the first
// middleware outermost.
func wrap(middlewares []Middleware, h Handler) Handler {
	for i := len(middlewares) - 1; i >= 0; i-- {
		m, next := middlewares[i], h
		h = func(req *Request) (Response, error) { return m(req, next) }
	}
	return h
}

// answerNoRoute is the handler of a request no route matched: 405 when the
// path exists for other methods, 404 otherwise.
func answerNoRoute(req *Request) (Response, error) {
	if req.allow != "" {
		return nil, HTTPMethodNotAllowed(req.Method(), splitAllow(req.allow))
	}
	return nil, HTTPNotFound()
}

// Startup freezes the application and runs its cleanup contexts' setups and
// its OnStartup handlers, then those of its sub-applications. Runners call
// it; call it yourself only when serving the application through your own
// net/http server.
func (a *Application) Startup(ctx context.Context) error {
	a.freeze()
	return a.startup(ctx)
}

func (a *Application) startup(ctx context.Context) error {
	for _, setup := range a.CleanupCtx.handlers {
		teardown, err := setup(ctx, a)
		if err != nil {
			return err
		}
		if teardown != nil {
			a.teardowns = append(a.teardowns, teardown)
		}
	}
	if err := a.OnStartup.run(func(h AppHook) error { return h(ctx, a) }); err != nil {
		return err
	}
	for _, sub := range a.subapps {
		if err := sub.startup(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Shutdown runs the OnShutdown handlers of the application and its
// sub-applications. Every handler runs; their errors are joined. They run
// once: calls after the first, from any goroutine, wait for it to finish
// (or for their ctx to end) and return its error.
func (a *Application) Shutdown(ctx context.Context) error {
	return a.shutdownOnce.do(ctx, func() error {
		errs := []error{a.OnShutdown.runAll(func(h AppHook) error { return h(ctx, a) })}
		for _, sub := range a.subapps {
			errs = append(errs, sub.Shutdown(ctx))
		}
		return errors.Join(errs...)
	})
}

// Cleanup tears down the cleanup contexts in reverse order, then runs the
// OnCleanup handlers, for the application and its sub-applications. Every
// step runs; their errors are joined. It runs once, as Shutdown does.
func (a *Application) Cleanup(ctx context.Context) error {
	return a.cleanupOnce.do(ctx, func() error {
		var errs []error
		for i := len(a.teardowns) - 1; i >= 0; i-- {
			errs = append(errs, a.teardowns[i](ctx))
		}
		a.teardowns = nil
		errs = append(errs, a.OnCleanup.runAll(func(h AppHook) error { return h(ctx, a) }))
		for _, sub := range a.subapps {
			errs = append(errs, sub.Cleanup(ctx))
		}
		return errors.Join(errs...)
	})
}

// Signal is a list of handlers run in order (aiohttp's Signal).
type Signal[F any] struct {
	handlers []F
}

// Append adds handlers to the signal.
func (s *Signal[F]) Append(f ...F) {
	s.handlers = append(s.handlers, f...)
}

// Len returns the number of handlers.
func (s *Signal[F]) Len() int { return len(s.handlers) }

// run calls every handler in order and stops at the first error.
func (s *Signal[F]) run(call func(F) error) error {
	for _, h := range s.handlers {
		if err := call(h); err != nil {
			return err
		}
	}
	return nil
}

// runAll calls every handler in order and joins their errors.
func (s *Signal[F]) runAll(call func(F) error) error {
	var errs []error
	for _, h := range s.handlers {
		errs = append(errs, call(h))
	}
	return errors.Join(errs...)
}
