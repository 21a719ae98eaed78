package ratelimit

import (
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// Options configure a [Limiter].
type Options struct {
	// Limit is the limit of every route that has no Rule of its own;
	// its Rate must be positive.
	Limit Limit
	// Store keeps the buckets; nil means a new MemoryStore with
	// MaxKeys at its default.
	Store Store
	// Key names the client a request counts against; nil means
	// [ClientIP]. A request whose key is "" is not limited. Behind a
	// reverse proxy, read the address it forwards ([ForwardedIP]).
	Key func(req *web.Request) string
	// FailClosed answers 503 Service Unavailable while the store cannot
	// answer; by default requests are let through unlimited then.
	FailClosed bool
	// Logger gets the warnings about the store; nil means the
	// application's logger.
	Logger *slog.Logger
}

// Rule is the limit of some routes instead of the limiter's.
type Rule struct {
	// Limit is the routes' limit; its Rate must be positive.
	Limit Limit
	// Key names the client; nil means the limiter's Options.Key.
	Key func(req *web.Request) string
	// Scope names the buckets of the rule: rules with the same Scope
	// share them (a login and a password-reset route allowing five
	// tries a minute between them). "" means the route's own buckets.
	Scope string
}

// Limiter is a rate limit on the routes of an application; make it with
// [Setup]. Its methods are safe for concurrent use.
type Limiter struct {
	opts  Options
	base  Rule
	store Store

	mu     sync.Mutex                           // serializes changes to rules
	rules  atomic.Pointer[map[*web.Route]*Rule] // copied on change; nil Rule: exempt
	health health
}

// outcome is a request's result and its limit's size.
type outcome struct {
	Result
	limit int
}

// outcomeKey is where the middleware leaves a request's outcome for the
// response's fields.
var outcomeKey = web.NewRequestKey[*outcome]("ratelimit")

// Setup limits every route of app (and of its sub-applications) to
// opts.Limit: it appends the limiter's middleware, so that middlewares
// added before run first, and an OnResponsePrepare handler that puts the
// RateLimit fields on every limited response, streamed ones and
// WebSockets included. It panics when opts.Limit.Rate is not positive.
func Setup(app *web.Application, opts Options) *Limiter {
	l := &Limiter{opts: opts, store: opts.Store}
	l.base = Rule{Limit: opts.Limit.mustValid(), Key: opts.Key}
	if l.base.Key == nil {
		l.base.Key = ClientIP
	}
	if l.store == nil {
		l.store = NewMemoryStore(MemoryOptions{})
	}
	l.rules.Store(&map[*web.Route]*Rule{})
	app.Use(l.middleware)
	app.OnResponsePrepare.Append(setFields)
	return l
}

// Route gives route a rule of its own instead of the limiter's limit.
// It panics when the rule's Limit.Rate is not positive.
func (l *Limiter) Route(route *web.Route, rule Rule) {
	rule.Limit = rule.Limit.mustValid()
	if rule.Key == nil {
		rule.Key = l.base.Key
	}
	if rule.Scope == "" {
		rule.Scope = route.Method() + " " + route.Pattern()
	}
	l.set(route, &rule)
}

// Exempt takes routes out of the limit: a health check, the metrics.
func (l *Limiter) Exempt(routes ...*web.Route) {
	for _, r := range routes {
		l.set(r, nil)
	}
}

func (l *Limiter) set(route *web.Route, rule *Rule) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := *l.rules.Load()
	rules := make(map[*web.Route]*Rule, len(old)+1)
	for r, v := range old {
		rules[r] = v
	}
	rules[route] = rule
	l.rules.Store(&rules)
}

// rule returns the rule of req's route, nil when exempt.
func (l *Limiter) rule(req *web.Request) *Rule {
	if rule, ok := (*l.rules.Load())[req.MatchInfo().Route()]; ok {
		return rule
	}
	return &l.base
}

// middleware takes a token for req, and answers 429 when there is none.
func (l *Limiter) middleware(req *web.Request, next web.Handler) (web.Response, error) {
	rule := l.rule(req)
	if rule == nil {
		return next(req)
	}
	key := rule.Key(req)
	if key == "" {
		return next(req)
	}
	if !l.health.up() {
		return l.storeDown(req, next)
	}
	res, err := l.store.Take(req.Context(), rule.Scope+"|"+key, rule.Limit)
	if err != nil && req.Context().Err() != nil {
		l.health.abandoned()
		return nil, req.Context().Err() // the client went away: no fault of the store
	}
	if err != nil {
		l.health.failed(l.logger(req), err, l.opts.FailClosed)
		return l.storeDown(req, next)
	}
	l.health.answered(l.logger(req))
	outcomeKey.Set(req, &outcome{res, rule.Limit.Burst})
	if !res.Allowed {
		return nil, web.HTTPTooManyRequests().WithHeader("Retry-After", seconds(res.RetryAfter))
	}
	return next(req)
}

// storeDown applies the failure policy.
func (l *Limiter) storeDown(req *web.Request, next web.Handler) (web.Response, error) {
	if l.opts.FailClosed {
		return nil, web.HTTPServiceUnavailable().
			WithText("503: Service Unavailable (rate limit store unavailable)").
			WithHeader("Retry-After", seconds(l.health.retryIn()))
	}
	return next(req)
}

func (l *Limiter) logger(req *web.Request) *slog.Logger {
	if l.opts.Logger != nil {
		return l.opts.Logger
	}
	return req.App().Logger()
}

// setFields puts the RateLimit fields on the response of a limited
// request.
func setFields(req *web.Request, resp web.Response) error {
	res, ok := outcomeKey.Lookup(req)
	if !ok {
		return nil
	}
	h := resp.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(res.limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(res.Remaining))
	h.Set("RateLimit-Reset", seconds(res.Reset))
	return nil
}

// seconds formats d as whole seconds, rounded up.
func seconds(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}

// ClientIP is the default key: the client's address (Request.Remote),
// IPv6 addresses by their /64 network, which one host or home usually
// has whole.
func ClientIP(req *web.Request) string { return ipKey(req.Remote()) }

// ForwardedIP returns a key for an application behind a reverse proxy:
// the last address of the header field name ("X-Forwarded-For", which
// the proxy appends to, or "X-Real-IP", which it sets), by ClientIP's
// rules; the peer's address when the field is missing. Use it only when
// every request comes through the proxy: a client that reaches the
// application directly could send any address in the field.
func ForwardedIP(name string) func(req *web.Request) string {
	return func(req *web.Request) string {
		v := req.Header().GetAll(name)
		if len(v) == 0 {
			return ClientIP(req)
		}
		last := v[len(v)-1]
		if i := strings.LastIndexByte(last, ','); i >= 0 {
			last = last[i+1:]
		}
		if addr := strings.TrimSpace(last); addr != "" {
			return ipKey(addr)
		}
		return ClientIP(req)
	}
}

// ipKey returns addr, an IPv6 address as its /64 network.
func ipKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
