package metrics_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/metrics"
	"github.com/aiohttp-go/aiohttp/web"
)

// BenchmarkServerMiddleware is a request over a socket with and without
// the server metrics: the difference is their cost.
func BenchmarkServerMiddleware(b *testing.B) {
	for _, instrumented := range []bool{false, true} {
		name := "bare"
		if instrumented {
			name = "instrumented"
		}
		b.Run(name, func(b *testing.B) {
			app := web.NewApplication()
			if instrumented {
				m, err := metrics.NewServer(metrics.Options{Registerer: prometheus.NewRegistry()})
				if err != nil {
					b.Fatal(err)
				}
				m.Instrument(app)
			}
			app.Router.Get("/users/{id}", func(req *web.Request) (web.Response, error) { return web.Text("user"), nil })
			c := aiotest.NewServer(b, app).NewClient()
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.Get(b.Context(), "/users/7")
				if err != nil {
					b.Fatal(err)
				}
				resp.Close()
			}
		})
	}
}
