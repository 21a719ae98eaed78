package metrics

import (
	"errors"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aiohttp-go/aiohttp/web"
)

// DefaultNamespace starts every metric's name unless Options say
// otherwise.
const DefaultNamespace = "aiohttp"

// Options configure the metrics of a [Server] or a [Client].
type Options struct {
	// Registerer registers the metrics; it is required
	// (prometheus.DefaultRegisterer for the process's default registry).
	Registerer prometheus.Registerer
	// Namespace starts the metrics' names; "" means DefaultNamespace.
	Namespace string
	// ConstLabels are labels every metric gets (an instance's name).
	ConstLabels prometheus.Labels
	// Buckets are the upper bounds of the duration histograms, in
	// seconds; nil means prometheus.DefBuckets (5 ms to 10 s).
	Buckets []float64
	// Host gives a client request's host label; nil means the URL's
	// host and port. Return a bounded set of values ("other" for the
	// rest) when the client talks to many hosts. Servers ignore it.
	Host func(u *url.URL) string
}

// ErrNoRegisterer is the error of NewServer and NewClient without
// Options.Registerer.
var ErrNoRegisterer = errors.New("metrics: Options.Registerer is required")

// factory builds metrics with the options' names and labels.
type factory struct {
	opts Options
	subs string // subsystem: "server" or "client"
	all  []prometheus.Collector
}

func newFactory(opts Options, subsystem string) (*factory, error) {
	if opts.Registerer == nil {
		return nil, ErrNoRegisterer
	}
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	if opts.Buckets == nil {
		opts.Buckets = prometheus.DefBuckets
	}
	return &factory{opts: opts, subs: subsystem}, nil
}

func (f *factory) counter(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: f.opts.Namespace, Subsystem: f.subs, Name: name, Help: help, ConstLabels: f.opts.ConstLabels,
	}, labels)
	f.all = append(f.all, c)
	return c
}

func (f *factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: f.opts.Namespace, Subsystem: f.subs, Name: name, Help: help, ConstLabels: f.opts.ConstLabels,
	})
	f.all = append(f.all, g)
	return g
}

func (f *factory) histogram(name, help string, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: f.opts.Namespace, Subsystem: f.subs, Name: name, Help: help, ConstLabels: f.opts.ConstLabels,
		Buckets: f.opts.Buckets,
	}, labels)
	f.all = append(f.all, h)
	return h
}

// register registers every metric built, or none: a registration that
// fails (a metric of that name registered already) undoes the others.
func (f *factory) register() error {
	for i, c := range f.all {
		if err := f.opts.Registerer.Register(c); err != nil {
			for _, done := range f.all[:i] {
				f.opts.Registerer.Unregister(done)
			}
			return err
		}
	}
	return nil
}

// Handler serves the metrics of g in Prometheus's text (or negotiated
// protocol buffer) format, for a route: app.Router.Get("/metrics",
// metrics.Handler(reg)). It is promhttp.HandlerFor with its defaults.
func Handler(g prometheus.Gatherer) web.Handler {
	return web.WrapHandler(promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
}

// standardMethod returns m when it is a standard method, "OTHER"
// otherwise: a label must not take every token a client sends.
func standardMethod(m string) string {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE":
		return m
	}
	return "OTHER"
}
