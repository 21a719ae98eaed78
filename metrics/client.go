package metrics

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aiohttp-go/aiohttp"
)

// Client holds the metrics of a session's requests; make it with
// [NewClient] and attach it with Instrument.
type Client struct {
	host         func(*url.URL) string
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	waits        prometheus.Counter
	waitsGranted prometheus.Counter
	dnsHits      prometheus.Counter
	dnsMisses    prometheus.Counter
	trace        aiohttp.TraceConfig
}

// NewClient makes and registers the client metrics. It fails without
// opts.Registerer, or when metrics of the same names are registered
// already.
func NewClient(opts Options) (*Client, error) {
	f, err := newFactory(opts, "client")
	if err != nil {
		return nil, err
	}
	c := &Client{
		host:         opts.Host,
		requests:     f.counter("requests_total", "Requests sent, by method, host and status (\"error\" when no response came).", "method", "host", "status"),
		duration:     f.histogram("request_duration_seconds", "Time until the response's head arrived, by method and host.", "method", "host"),
		waits:        f.counter("connection_waits_total", "Requests that queued for a connection slot.").WithLabelValues(),
		waitsGranted: f.counter("connection_waits_granted_total", "Requests that queued for a connection slot and got one.").WithLabelValues(),
		dnsHits:      f.counter("dns_cache_hits_total", "Host names resolved from the DNS cache.").WithLabelValues(),
		dnsMisses:    f.counter("dns_cache_misses_total", "Host names not in the DNS cache.").WithLabelValues(),
	}
	if c.host == nil {
		c.host = func(u *url.URL) string { return u.Host }
	}
	c.trace = aiohttp.TraceConfig{
		OnConnectionQueuedStart: func(context.Context) { c.waits.Inc() },
		OnConnectionQueuedEnd:   func(context.Context) { c.waitsGranted.Inc() },
		OnDNSCacheHit:           func(context.Context, string) { c.dnsHits.Inc() },
		OnDNSCacheMiss:          func(context.Context, string) { c.dnsMisses.Inc() },
	}
	return c, f.register()
}

// Instrument returns opts with the metrics' middleware appended to
// Middlewares (after the others: a RetryMiddleware before it has each
// attempt counted) and their trace config to TraceConfigs, for
// aiohttp.NewSession. The slices given are not changed.
func (c *Client) Instrument(opts aiohttp.SessionOptions) aiohttp.SessionOptions {
	opts.Middlewares = append(opts.Middlewares[:len(opts.Middlewares):len(opts.Middlewares)], c.Middleware)
	opts.TraceConfigs = append(opts.TraceConfigs[:len(opts.TraceConfigs):len(opts.TraceConfigs)], c.TraceConfig())
	return opts
}

// TraceConfig returns the trace config that counts connection waits and
// DNS cache hits and misses.
func (c *Client) TraceConfig() *aiohttp.TraceConfig { return &c.trace }

// Middleware counts and times each request it sends.
func (c *Client) Middleware(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
	start := time.Now()
	resp, err := next(req)
	method, host := standardMethod(req.Method), c.host(req.URL)
	status := "error"
	if resp != nil {
		status = strconv.Itoa(resp.Status)
		c.duration.WithLabelValues(method, host).Observe(time.Since(start).Seconds())
	}
	c.requests.WithLabelValues(method, host, status).Inc()
	return resp, err
}
