// Package metrics exports Prometheus metrics (github.com/prometheus/client_golang)
// of aiohttp servers and clients, and serves them on a route.
//
//	reg := prometheus.NewRegistry()
//	srv, err := metrics.NewServer(metrics.Options{Registerer: reg})
//	srv.Instrument(app)
//	app.Router.Get("/metrics", metrics.Handler(reg))
//
//	cli, err := metrics.NewClient(metrics.Options{Registerer: reg})
//	session := aiohttp.NewSession(cli.Instrument(aiohttp.SessionOptions{}))
//
// # Server metrics
//
//	aiohttp_server_requests_total{method,route,status}        counter
//	aiohttp_server_request_duration_seconds{method,route}     histogram
//	aiohttp_server_requests_in_flight                         gauge
//	aiohttp_server_websockets_open                            gauge
//
// route is the matched route's pattern ("/users/{id}"), never the path,
// so that the number of series stays bounded whatever clients ask for;
// requests no route matched count under "unmatched". method is one of
// the standard methods or "OTHER". status is the status sent, errors
// included (the middleware returns [web.Application.ErrorResponse] for
// them, so middlewares outside it see the response, not the error). The
// duration runs from the middleware to the handler's return: a streamed
// response is in it, the write of an in-memory body is not, and a
// WebSocket (status 101), whose handler returns when it closes, is left
// out of the histogram.
//
// # Client metrics
//
//	aiohttp_client_requests_total{method,host,status}         counter
//	aiohttp_client_request_duration_seconds{method,host}      histogram
//	aiohttp_client_connection_waits_total                     counter
//	aiohttp_client_connection_waits_granted_total             counter
//	aiohttp_client_dns_cache_hits_total                       counter
//	aiohttp_client_dns_cache_misses_total                     counter
//
// The requests are counted by a client middleware, one per request sent
// (each redirect and retry is one), status "error" for those that got no
// response; the duration runs until the response's head arrived. The
// connection waits count requests that found their host's connection
// limit reached and queued for a slot, and those that got one (the
// difference: waits that ended in a timeout or cancellation, or are
// still waiting), from the session's [aiohttp.TraceConfig]; so do the
// DNS cache counters. Options.Host bounds the host label for clients
// that talk to many hosts (a crawler).
//
// Every metric is registered on Options.Registerer, which may be
// prometheus.DefaultRegisterer; an explicit registry, as in the
// examples, keeps tests and several instances apart.
package metrics
