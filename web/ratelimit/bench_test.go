package ratelimit_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/aiohttp-go/aiohttp/internal/redistest"
	"github.com/aiohttp-go/aiohttp/web/ratelimit"
)

// BenchmarkMemoryStore takes tokens from 10,000 buckets from every
// processor at once; with a limit of a million a second they refill at
// once, so each take drops a full bucket and makes one.
func BenchmarkMemoryStore(b *testing.B) {
	for _, l := range []ratelimit.Limit{ratelimit.PerHour(1_000_000), ratelimit.PerSecond(1_000_000)} {
		b.Run(l.String(), func(b *testing.B) { benchmarkMemoryStore(b, l) })
	}
}

func benchmarkMemoryStore(b *testing.B, l ratelimit.Limit) {
	s := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{})
	keys := make([]string, 10_000)
	for i := range keys {
		keys[i] = "10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s.Take(context.Background(), keys[i%len(keys)], l)
			i++
		}
	})
}

// BenchmarkRedisStore is one round trip to a local redis-server a
// request.
func BenchmarkRedisStore(b *testing.B) {
	srv := redistest.Start(b)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	s := ratelimit.NewRedisStore(rdb, ratelimit.RedisOptions{})
	l := ratelimit.PerSecond(1_000_000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Take(context.Background(), strconv.Itoa(i%1000), l); err != nil {
			b.Fatal(err)
		}
	}
}
