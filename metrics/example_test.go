package metrics_test

import (
	"log"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/metrics"
	"github.com/aiohttp-go/aiohttp/web"
)

// A server that exports its own metrics, those of the client it calls
// other services with, and Go's runtime metrics, on /metrics.
func Example() {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	server, err := metrics.NewServer(metrics.Options{Registerer: reg})
	if err != nil {
		log.Fatal(err)
	}
	app := web.NewApplication()
	server.Instrument(app) // first, so that it measures the other middlewares too
	app.Router.Get("/users/{id}", func(req *web.Request) (web.Response, error) {
		return web.Text("user " + req.MatchInfo().Get("id")), nil
	})
	app.Router.Get("/metrics", metrics.Handler(reg))

	client, err := metrics.NewClient(metrics.Options{Registerer: reg})
	if err != nil {
		log.Fatal(err)
	}
	session, err := aiohttp.NewSession(client.Instrument(aiohttp.SessionOptions{}))
	if err != nil {
		log.Fatal(err)
	}
	defer session.Close()
	_ = web.NewServer(app, web.ServerOptions{})
}
