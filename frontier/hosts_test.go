package frontier_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/frontier"
	"github.com/aiohttp-go/aiohttp/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// hostKinds returns n Hosts sharing their limits, as n workers would.
func hostKinds(t *testing.T) map[string]func(n int, l frontier.HostLimits, lease time.Duration) []frontier.Hosts {
	return map[string]func(int, frontier.HostLimits, time.Duration) []frontier.Hosts{
		"memory": func(n int, l frontier.HostLimits, _ time.Duration) []frontier.Hosts {
			h := frontier.NewMemoryHosts(l)
			hs := make([]frontier.Hosts, n)
			for i := range hs {
				hs[i] = h
			}
			return hs
		},
		"redis": func(n int, l frontier.HostLimits, lease time.Duration) []frontier.Hosts {
			srv := redistest.Start(t)
			hs := make([]frontier.Hosts, n)
			for i := range hs {
				rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
				h := frontier.NewRedisHosts(rdb, l, frontier.RedisHostsOptions{LeaseTimeout: lease})
				t.Cleanup(func() { h.Close(); rdb.Close() })
				hs[i] = h
			}
			return hs
		},
	}
}

func TestHostsPerHostLimitHolds(t *testing.T) {
	for name, mk := range hostKinds(t) {
		t.Run(name, func(t *testing.T) {
			ctx := ctxT(t)
			hs := mk(3, frontier.HostLimits{PerHost: 2}, time.Minute)
			var active, peak, done atomic.Int32
			var wg sync.WaitGroup
			for i := range 12 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					release, err := hs[i%3].Acquire(ctx, "http://a")
					if err != nil {
						t.Error(err)
						return
					}
					n := active.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					time.Sleep(20 * time.Millisecond)
					active.Add(-1)
					done.Add(1)
					release()
					release() // a second call is harmless
				}()
			}
			// Another host is not held up by the busy one.
			release, err := hs[0].Acquire(ctx, "http://b")
			if err != nil {
				t.Fatal(err)
			}
			release()
			wg.Wait()
			if peak.Load() != 2 || done.Load() != 12 {
				t.Fatalf("peak %d at once for a limit of 2, %d done", peak.Load(), done.Load())
			}
		})
	}
}

func TestHostsRateSpacesStarts(t *testing.T) {
	for name, mk := range hostKinds(t) {
		t.Run(name, func(t *testing.T) {
			ctx := ctxT(t)
			hs := mk(2, frontier.HostLimits{Rate: 20}, time.Minute) // 50 ms apart
			start := time.Now()
			for i := range 6 {
				release, err := hs[i%2].Acquire(ctx, "http://a")
				if err != nil {
					t.Fatal(err)
				}
				release()
			}
			if took := time.Since(start); took < 240*time.Millisecond {
				t.Fatalf("6 starts at 20/s took %v, want at least 250 ms", took)
			}
		})
	}
}

func TestRedisHostsLeaseOfDeadWorkerExpires(t *testing.T) {
	srv := redistest.Start(t)
	ctx := ctxT(t)
	limits := frontier.HostLimits{PerHost: 1}
	rdbDead := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	dead := frontier.NewRedisHosts(rdbDead, limits, frontier.RedisHostsOptions{LeaseTimeout: 300 * time.Millisecond})
	if _, err := dead.Acquire(ctx, "http://a"); err != nil {
		t.Fatal(err)
	}
	dead.Close() // stops renewing, never releases: a killed worker
	rdbDead.Close()

	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	alive := frontier.NewRedisHosts(rdb, limits, frontier.RedisHostsOptions{LeaseTimeout: time.Minute})
	defer alive.Close()
	start := time.Now()
	release, err := alive.Acquire(ctx, "http://a")
	if err != nil {
		t.Fatal(err)
	}
	release()
	if waited := time.Since(start); waited < 150*time.Millisecond || waited > 5*time.Second {
		t.Fatalf("took the dead worker's slot after %v, want about its 300 ms lease", waited)
	}

	// A slot held longer than the lease is renewed, not lost.
	rdb2 := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb2.Close()
	holder := frontier.NewRedisHosts(rdb2, limits, frontier.RedisHostsOptions{LeaseTimeout: 300 * time.Millisecond})
	defer holder.Close()
	held, err := holder.Acquire(ctx, "http://b")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := alive.Acquire(short, "http://b"); err == nil {
		t.Fatal("took a slot its live holder renews")
	}
	held()
}
