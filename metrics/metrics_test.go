package metrics_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/metrics"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// scrape reads /metrics over the socket.
func scrape(t *testing.T, c *aiotest.Client) string {
	t.Helper()
	resp, err := c.Get(t.Context(), "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	if resp.Status != 200 {
		t.Fatalf("/metrics: status %d", resp.Status)
	}
	body, err := resp.Text()
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// has checks that the exposition holds each sample line.
func has(t *testing.T, body string, samples ...string) {
	t.Helper()
	for _, s := range samples {
		if !strings.Contains(body, "\n"+s+"\n") {
			t.Errorf("no sample %q in:\n%s", s, body)
		}
	}
}

func echo(req *web.Request) (web.Response, error) {
	ws := web.NewWebSocketResponse(web.WebSocketOptions{})
	sock, err := ws.Prepare(req)
	if err != nil {
		return nil, err
	}
	for msg := range sock.Messages(req.Context()) {
		sock.SendStr(req.Context(), msg.Text())
	}
	return ws, nil
}

func TestServerMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.NewServer(metrics.Options{Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	app := web.NewApplication(web.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	m.Instrument(app)
	app.Router.Get("/users/{id}", func(req *web.Request) (web.Response, error) { return web.Text("user"), nil })
	app.Router.Post("/fail", func(req *web.Request) (web.Response, error) { return nil, web.HTTPConflict() })
	app.Router.Get("/panic", func(req *web.Request) (web.Response, error) { panic("boom") })
	app.Router.Get("/ws", echo)
	app.Router.Get("/metrics", metrics.Handler(reg))
	c := aiotest.NewClient(t, app)

	for _, path := range []string{"/users/1", "/users/2", "/users/3", "/nope", "/a/b/c", "/panic"} {
		resp, err := c.Get(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Close()
	}
	for _, method := range []string{"POST", "BREW"} {
		resp, err := c.Request(t.Context(), method, "/fail")
		if err != nil {
			t.Fatal(err)
		}
		resp.Close()
	}
	ws, err := c.WSConnect(t.Context(), "/ws", aiohttp.WSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body := scrape(t, c)
	has(t, body,
		`aiohttp_server_requests_total{method="GET",route="/users/{id}",status="200"} 3`,
		`aiohttp_server_requests_total{method="GET",route="unmatched",status="404"} 2`,
		`aiohttp_server_requests_total{method="GET",route="/panic",status="500"} 1`,
		`aiohttp_server_requests_total{method="POST",route="/fail",status="409"} 1`,
		`aiohttp_server_requests_total{method="OTHER",route="unmatched",status="405"} 1`,
		`aiohttp_server_request_duration_seconds_count{method="GET",route="/users/{id}"} 3`,
		`aiohttp_server_requests_in_flight 2`, // the WebSocket and the scrape itself
		`aiohttp_server_websockets_open 1`,
	)
	if strings.Contains(body, "/users/1") || strings.Contains(body, `"/nope"`) {
		t.Errorf("a raw path became a label:\n%s", body)
	}

	if err := ws.Close(t.Context(), websocket.CloseOK, ""); err != nil {
		t.Fatal(err)
	}
	// The socket may still be counted open for a scrape or two: each
	// scrape a body shows is counted in the next.
	scrapes := 1
	deadline := time.Now().Add(10 * time.Second)
	for body = scrape(t, c); !strings.Contains(body, "\naiohttp_server_websockets_open 0\n"); body = scrape(t, c) {
		if time.Now().After(deadline) {
			t.Fatalf("the WebSocket is still counted open:\n%s", body)
		}
		scrapes++
		time.Sleep(10 * time.Millisecond)
	}
	has(t, body,
		`aiohttp_server_requests_total{method="GET",route="/ws",status="101"} 1`,
		fmt.Sprintf(`aiohttp_server_request_duration_seconds_count{method="GET",route="/metrics"} %d`, scrapes),
	)
	if strings.Contains(body, `request_duration_seconds_count{method="GET",route="/ws"}`) {
		t.Errorf("a WebSocket's lifetime went into the duration histogram:\n%s", body)
	}
}

func TestRegistration(t *testing.T) {
	if _, err := metrics.NewServer(metrics.Options{}); err != metrics.ErrNoRegisterer {
		t.Errorf("no registerer: %v", err)
	}
	reg := prometheus.NewRegistry()
	if _, err := metrics.NewServer(metrics.Options{Registerer: reg}); err != nil {
		t.Fatal(err)
	}
	var are prometheus.AlreadyRegisteredError
	if _, err := metrics.NewServer(metrics.Options{Registerer: reg}); err == nil {
		t.Error("registered twice")
	} else if !asAlreadyRegistered(err, &are) {
		t.Errorf("second registration: %v", err)
	}
	if _, err := metrics.NewServer(metrics.Options{Registerer: reg, Namespace: "other"}); err != nil {
		t.Errorf("another namespace: %v", err)
	}
	if _, err := metrics.NewClient(metrics.Options{Registerer: reg}); err != nil {
		t.Errorf("client beside server: %v", err)
	}
}

func asAlreadyRegistered(err error, target *prometheus.AlreadyRegisteredError) bool {
	are, ok := err.(prometheus.AlreadyRegisteredError)
	if ok {
		*target = are
	}
	return ok
}

func TestClientMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	release := make(chan struct{})
	var entered sync.WaitGroup
	app := web.NewApplication()
	app.Router.Get("/slow", func(req *web.Request) (web.Response, error) {
		entered.Done()
		<-release
		return web.Text("slow"), nil
	})
	app.Router.Get("/ok", func(req *web.Request) (web.Response, error) { return web.Text("ok"), nil })
	app.Router.Get("/teapot", func(req *web.Request) (web.Response, error) { return nil, web.NewHTTPError(418) })
	app.Router.Get("/metrics", metrics.Handler(reg))
	srv := aiotest.NewServer(t, app)

	m, err := metrics.NewClient(metrics.Options{Registerer: reg, Host: func(u *url.URL) string { return "test" }})
	if err != nil {
		t.Fatal(err)
	}
	session, err := aiohttp.NewSession(m.Instrument(aiohttp.SessionOptions{
		Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{LimitPerHost: 1, ForceClose: true}),
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	c := srv.NewClient()
	u, _ := url.Parse(srv.URL)
	base := "http://localhost:" + u.Port()
	get := func(ctx context.Context, path string) {
		resp, err := session.Get(ctx, base+path)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Bytes()
		resp.Close()
	}

	entered.Add(1)
	var wg sync.WaitGroup
	wg.Go(func() { get(t.Context(), "/slow") })
	entered.Wait() // the one connection is taken
	wg.Go(func() { get(t.Context(), "/ok") })
	waitFor(t, func() bool { return strings.Contains(scrape(t, c), "\naiohttp_client_connection_waits_total 1\n") })
	close(release)
	wg.Wait()
	get(t.Context(), "/teapot")
	resp, err := session.Get(t.Context(), "http://127.0.0.1:1/refused")
	if err == nil {
		resp.Close()
		t.Fatal("a request to a closed port succeeded")
	}

	has(t, scrape(t, c),
		`aiohttp_client_requests_total{host="test",method="GET",status="200"} 2`,
		`aiohttp_client_requests_total{host="test",method="GET",status="418"} 1`,
		`aiohttp_client_requests_total{host="test",method="GET",status="error"} 1`,
		`aiohttp_client_request_duration_seconds_count{host="test",method="GET"} 3`,
		`aiohttp_client_connection_waits_total 1`,
		`aiohttp_client_connection_waits_granted_total 1`,
		`aiohttp_client_dns_cache_misses_total 1`,
		`aiohttp_client_dns_cache_hits_total 2`,
	)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
