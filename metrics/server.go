package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aiohttp-go/aiohttp/web"
)

// Server holds the metrics of an application's requests; make it with
// [NewServer] and attach it with Instrument.
type Server struct {
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	inFlight   prometheus.Gauge
	websockets prometheus.Gauge
}

// NewServer makes and registers the server metrics. It fails without
// opts.Registerer, or when metrics of the same names are registered
// already.
func NewServer(opts Options) (*Server, error) {
	f, err := newFactory(opts, "server")
	if err != nil {
		return nil, err
	}
	s := &Server{
		requests:   f.counter("requests_total", "Requests answered, by method, route pattern and status.", "method", "route", "status"),
		duration:   f.histogram("request_duration_seconds", "Time from the metrics middleware to the handler's return, by method and route pattern.", "method", "route"),
		inFlight:   f.gauge("requests_in_flight", "Requests being handled."),
		websockets: f.gauge("websockets_open", "WebSockets open."),
	}
	return s, f.register()
}

// Instrument measures app's requests: it appends the metrics middleware
// (call it before adding other middlewares to measure them too) and an
// OnResponsePrepare handler that counts WebSockets as they open.
func (s *Server) Instrument(app *web.Application) {
	app.Use(s.middleware)
	app.OnResponsePrepare.Append(s.prepare)
}

// websocketKey marks a request whose WebSocket was counted open.
var websocketKey = web.NewRequestKey[bool]("metrics.websocket")

func (s *Server) prepare(req *web.Request, resp web.Response) error {
	if _, ok := resp.(*web.WebSocketResponse); ok && !websocketKey.Get(req) {
		websocketKey.Set(req, true)
		s.websockets.Inc()
	}
	return nil
}

func (s *Server) middleware(req *web.Request, next web.Handler) (web.Response, error) {
	start := time.Now()
	s.inFlight.Inc()
	resp, err := next(req)
	s.inFlight.Dec()
	if websocketKey.Get(req) {
		s.websockets.Dec()
	}
	if err != nil {
		resp, err = req.App().ErrorResponse(req, err), nil
	}
	method, route := standardMethod(req.Method()), "unmatched"
	if r := req.MatchInfo().Route(); r != nil {
		route = r.Pattern()
	}
	status := "hijacked"
	if resp != nil {
		status = strconv.Itoa(resp.Status())
	}
	s.requests.WithLabelValues(method, route, status).Inc()
	if resp != nil && resp.Status() != 101 {
		s.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
	}
	return resp, err
}
