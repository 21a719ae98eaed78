package ratelimit_test

import (
	"github.com/redis/go-redis/v9"

	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/ratelimit"
)

// One limit for a whole application, in memory: 600 requests a minute
// per client address, five login attempts an hour, no limit on the
// health check.
func ExampleSetup() {
	app := web.NewApplication()
	l := ratelimit.Setup(app, ratelimit.Options{Limit: ratelimit.PerMinute(600)})
	app.Router.Get("/", func(req *web.Request) (web.Response, error) { return web.Text("hello"), nil })
	l.Route(app.Router.Post("/login", login), ratelimit.Rule{Limit: ratelimit.PerHour(5)})
	l.Exempt(app.Router.Get("/healthz", func(req *web.Request) (web.Response, error) { return web.Text("ok"), nil }))
	_ = web.NewServer(app, web.ServerOptions{})
}

func login(req *web.Request) (web.Response, error) { return web.Text("welcome"), nil }

// Many instances behind a load balancer share one limit through Redis.
// ContextTimeoutEnabled lets the store's timeout bound a call to a Redis
// that stopped answering; while Redis is down, requests go through
// unlimited (FailClosed would answer 503 instead). Behind a proxy the
// key is the address the proxy forwards.
func ExampleNewRedisStore() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer rdb.Close()
	app := web.NewApplication()
	ratelimit.Setup(app, ratelimit.Options{
		Limit: ratelimit.Limit{Rate: 10, Burst: 20}, // 10 a second, bursts of 20
		Store: ratelimit.NewRedisStore(rdb, ratelimit.RedisOptions{}),
		Key:   ratelimit.ForwardedIP("X-Real-IP"), // nginx: proxy_set_header X-Real-IP $remote_addr;
	})
}
