package ratelimit_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/redistest"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/ratelimit"
)

func newRedis(t *testing.T, srv *redistest.Server) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// instance is one server of an application limited through store.
func instance(t *testing.T, store ratelimit.Store, opts ratelimit.Options) *aiotest.Client {
	app := web.NewApplication()
	opts.Store = store
	ratelimit.Setup(app, opts)
	app.Router.Get("/", ok)
	return aiotest.NewClient(t, app)
}

func TestRedisLimitHoldsAcrossInstances(t *testing.T) {
	srv := redistest.Start(t)
	a := instance(t, ratelimit.NewRedisStore(newRedis(t, srv), ratelimit.RedisOptions{}), ratelimit.Options{Limit: ratelimit.PerMinute(3)})
	b := instance(t, ratelimit.NewRedisStore(newRedis(t, srv), ratelimit.RedisOptions{}), ratelimit.Options{Limit: ratelimit.PerMinute(3)})
	want(t, get(t, a, "/"), 200, "RateLimit-Remaining", "2")
	want(t, get(t, b, "/"), 200, "RateLimit-Remaining", "1")
	want(t, get(t, a, "/"), 200, "RateLimit-Remaining", "0", "RateLimit-Reset", "60")
	want(t, get(t, b, "/"), 429, "Retry-After", "20", "RateLimit-Limit", "3")
	want(t, get(t, a, "/"), 429, "Retry-After", "20")

	keys, err := newRedis(t, srv).Keys(t.Context(), ratelimit.DefaultRedisPrefix+"*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %q, %v; want one bucket", keys, err)
	}
	ttl, err := newRedis(t, srv).PTTL(t.Context(), keys[0]).Result()
	if err != nil || ttl <= 59*time.Second || ttl > 60*time.Second {
		t.Errorf("the bucket expires in %v (%v), want when it is full again, in 60 s", ttl, err)
	}
}

func TestRedisRefill(t *testing.T) {
	srv := redistest.Start(t)
	store := ratelimit.NewRedisStore(newRedis(t, srv), ratelimit.RedisOptions{Prefix: "test:"})
	l := ratelimit.Limit{Rate: 10, Period: time.Second, Burst: 2}
	start := time.Now()
	for i := range 2 {
		if r := take(t, store, "k", l); !r.Allowed || r.Remaining != 1-i {
			t.Fatalf("request %d: %+v", i, r)
		}
	}
	r := take(t, store, "k", l)
	if r.Allowed || r.RetryAfter <= 0 || r.RetryAfter > 100*time.Millisecond || r.Reset > 200*time.Millisecond {
		t.Fatalf("third request: %+v", r)
	}
	time.Sleep(r.RetryAfter + 5*time.Millisecond)
	if r := take(t, store, "k", l); !r.Allowed || r.Remaining != 0 {
		t.Fatalf("after a refill (%v since the first request): %+v", time.Since(start), r)
	}
	time.Sleep(300 * time.Millisecond)
	if r := take(t, store, "k", l); !r.Allowed || r.Remaining != 1 {
		t.Fatalf("full again: %+v", r)
	}
}

func TestRedisDownFailsOpen(t *testing.T) {
	srv := redistest.Start(t)
	var log logBuffer
	c := instance(t, ratelimit.NewRedisStore(newRedis(t, srv), ratelimit.RedisOptions{}),
		ratelimit.Options{Limit: ratelimit.PerHour(1), Logger: log.logger()})
	want(t, get(t, c, "/"), 200, "RateLimit-Remaining", "0")
	want(t, get(t, c, "/"), 429)

	srv.Stop()
	for range 5 {
		want(t, get(t, c, "/"), 200, "RateLimit-Limit", "")
	}
	if n := log.count("ratelimit: store unavailable; letting requests through unlimited (fail open)"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, log.String())
	}

	srv.Restart() // with its data: the bucket is still empty
	eventually(t, "the limit to apply again", func() bool { return get(t, c, "/").Status == 429 })
	if n := log.count("ratelimit: store answers again"); n != 1 {
		t.Errorf("%d recoveries logged, want 1:\n%s", n, log.String())
	}
}

func TestRedisDownFailsClosed(t *testing.T) {
	srv := redistest.Start(t)
	var log logBuffer
	c := instance(t, ratelimit.NewRedisStore(newRedis(t, srv), ratelimit.RedisOptions{Timeout: 100 * time.Millisecond}),
		ratelimit.Options{Limit: ratelimit.PerHour(100), FailClosed: true, Logger: log.logger()})
	want(t, get(t, c, "/"), 200)

	srv.Pause() // connections stay open and nothing answers
	start := time.Now()
	want(t, get(t, c, "/"), 503, "Retry-After", "1")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a request waited %v for a paused Redis, want about the store's timeout", d)
	}
	want(t, get(t, c, "/"), 503) // within the backoff: Redis is not asked
	if n := log.count("answering 503 (fail closed)"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, log.String())
	}
	srv.Resume()
	eventually(t, "Redis to be asked again", func() bool { return get(t, c, "/").Status == 200 })
}
