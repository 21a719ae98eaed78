package frontier_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/frontier"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// hostCounter is a fake fetch that counts fetches running to each host.
type hostCounter struct {
	mu      sync.Mutex
	active  map[string]int
	peak    map[string]int
	fetches atomic.Int32
	delay   time.Duration
}

func (c *hostCounter) fetch(ctx context.Context, t *frontier.Task) frontier.Result {
	host, _ := frontier.Host(t.URL)
	c.mu.Lock()
	c.active[host]++
	c.peak[host] = max(c.peak[host], c.active[host])
	c.mu.Unlock()
	c.fetches.Add(1)
	select {
	case <-time.After(c.delay):
	case <-ctx.Done():
	}
	c.mu.Lock()
	c.active[host]--
	c.mu.Unlock()
	return frontier.Result{Data: []byte("fetched " + t.URL)}
}

func testURLs(hosts, each int) []string {
	var urls []string
	for i := range each {
		for h := range hosts {
			urls = append(urls, fmt.Sprintf("http://h%d.test/%d", h, i))
		}
	}
	return urls
}

// crawlCheck runs workers over urls and checks that every URL was
// recorded and reported once and that no host ever had more than
// perHost fetches running.
type crawlCheck struct {
	t       *testing.T
	c       *hostCounter
	mu      sync.Mutex
	printed map[string]int
}

func newCrawlCheck(t *testing.T, delay time.Duration) *crawlCheck {
	return &crawlCheck{t: t, printed: map[string]int{},
		c: &hostCounter{active: map[string]int{}, peak: map[string]int{}, delay: delay}}
}

func (k *crawlCheck) worker(f frontier.Frontier, h frontier.Hosts, log *slog.Logger) *frontier.Worker {
	return &frontier.Worker{Frontier: f, Hosts: h, Limit: 4, Fetch: k.c.fetch, Logger: log,
		OnResult: func(r frontier.Result) {
			k.mu.Lock()
			k.printed[r.URL]++
			k.mu.Unlock()
		}}
}

func (k *crawlCheck) check(ctx context.Context, f frontier.Frontier, urls []string, perHost int) {
	k.t.Helper()
	for _, u := range urls {
		if n := k.printed[u]; n != 1 {
			k.t.Errorf("%s reported %d times", u, n)
		}
	}
	for host, p := range k.c.peak {
		if p > perHost {
			k.t.Errorf("%s had %d fetches at once, limit %d", host, p, perHost)
		}
	}
	n := 0
	f.Results(ctx, func(r frontier.Result) error {
		if string(r.Data) != "fetched "+r.URL {
			k.t.Errorf("result of %s: %q", r.URL, r.Data)
		}
		n++
		return nil
	})
	if s, _ := f.Stats(ctx); n != len(urls) || s.Done != int64(len(urls)) || s.Queued+s.InFlight != 0 {
		k.t.Errorf("%d results, stats %+v; want %d done", n, s, len(urls))
	}
}

func TestWorkersShareAFrontier(t *testing.T) {
	ctx := ctxT(t)
	urls := testURLs(3, 30)
	k := newCrawlCheck(t, 5*time.Millisecond)
	f := frontier.NewMemory(frontier.MemoryOptions{})
	defer f.Close()
	f.Add(ctx, urls...)
	h := frontier.NewMemoryHosts(frontier.HostLimits{PerHost: 2})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := k.worker(f, h, nil).Run(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	k.check(ctx, f, urls, 2)
}

func TestWorkersShareARedisFrontier(t *testing.T) {
	srv := redistest.Start(t)
	ctx := ctxT(t)
	urls := testURLs(3, 40)
	k := newCrawlCheck(t, 5*time.Millisecond)
	open := func() (*frontier.Redis, *frontier.RedisHosts, func()) {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		f, err := frontier.NewRedis(ctx, rdb, frontier.RedisOptions{Name: "crawl"})
		if err != nil {
			t.Fatal(err)
		}
		h := frontier.NewRedisHosts(rdb, frontier.HostLimits{PerHost: 2}, frontier.RedisHostsOptions{Name: "crawl"})
		return f, h, func() { h.Close(); f.Close(); rdb.Close() }
	}
	seed, _, done := open()
	defer done()
	if _, err := seed.Add(ctx, urls...); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			f, h, done := open()
			defer done()
			if err := k.worker(f, h, nil).Run(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	k.check(ctx, seed, urls, 2)
}

func TestWorkerRidesOutARedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	urls := testURLs(2, 40)
	k := newCrawlCheck(t, 10*time.Millisecond)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	var logs apptest.SyncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	f, err := frontier.NewRedis(ctx, rdb, frontier.RedisOptions{Name: "crawl", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := frontier.NewRedisHosts(rdb, frontier.HostLimits{PerHost: 2}, frontier.RedisHostsOptions{Name: "crawl", Logger: log})
	defer h.Close()
	f.Add(ctx, urls...)
	var outage sync.WaitGroup
	outage.Go(func() {
		time.Sleep(100 * time.Millisecond)
		srv.Stop()
		time.Sleep(2 * time.Second)
		srv.Restart()
	})
	err = k.worker(f, h, log).Run(ctx)
	outage.Wait()
	if err != nil {
		s, serr := f.Stats(context.Background())
		t.Fatalf("%v; stats %+v %v; log:\n%s", err, s, serr, logs.String())
	}
	k.check(ctx, f, urls, 2)
	out := logs.String()
	if !strings.Contains(out, "frontier unreachable") || !strings.Contains(out, "frontier reachable again") {
		t.Errorf("the outage was not logged:\n%s", out)
	}
	if testing.Verbose() {
		t.Log(out)
	}
}
