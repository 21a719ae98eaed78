package aiohttp_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

// arrivals serves 204 to every request and records when each arrived, by
// path.
type arrivals struct {
	mu    sync.Mutex
	times map[string][]time.Time
}

func startArrivals(t *testing.T) (*arrivals, string) {
	a := &arrivals{times: map[string][]time.Time{}}
	srv := startRaw(t, serveRequests(func(r *http.Request) string {
		a.mu.Lock()
		a.times[r.URL.Path] = append(a.times[r.URL.Path], time.Now())
		a.mu.Unlock()
		return "HTTP/1.1 204 No Content\r\n\r\n"
	}))
	return a, srv.URL
}

func (a *arrivals) at(path string) []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.times[path]
}

// getAll makes the GETs at once, failing the test on any error.
func getAll(t *testing.T, s *aiohttp.Session, urls ...string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Go(func() {
			resp, err := s.Get(testCtx(t), u)
			if err != nil {
				t.Errorf("%s: %v", u, err)
				return
			}
			resp.Close()
		})
	}
	wg.Wait()
}

func TestRateLimitSpacesRequests(t *testing.T) {
	a, base := startArrivals(t)
	const rate, burst, n = 20, 2, 6
	s := newSession(t, aiohttp.SessionOptions{Middlewares: []aiohttp.Middleware{
		rateLimit(t, aiohttp.RateLimitOptions{Rate: rate, Burst: burst}),
	}})
	urls := make([]string, n)
	for i := range urls {
		urls[i] = base + "/r"
	}
	getAll(t, s, urls...)
	times := a.at("/r")
	if len(times) != n {
		t.Fatalf("%d requests arrived, want %d", len(times), n)
	}
	// The burst goes at once; each one after it waits 1/rate more. The
	// limiter sees the requests before the network does, so allow a
	// little slack for their way to the server.
	first := times[0]
	for i, at := range times[burst:] {
		min := time.Duration(i+1) * time.Second / rate
		if d := at.Sub(first); d < min-10*time.Millisecond {
			t.Errorf("request %d arrived %v after the first, want at least %v", burst+i+1, d, min)
		}
	}
}

func TestRateLimitPerHost(t *testing.T) {
	_, slow := startArrivals(t)
	_, other := startArrivals(t)
	// One request every two seconds to each origin.
	limit := aiohttp.RateLimitOptions{Rate: 0.5, PerHost: true}
	s := newSession(t, aiohttp.SessionOptions{Middlewares: []aiohttp.Middleware{rateLimit(t, limit)}})
	getAll(t, s, slow+"/1")
	// The second request to slow waits two seconds; one to another origin
	// does not wait for it.
	done := make(chan struct{})
	go func() {
		defer close(done)
		getAll(t, s, slow+"/2")
	}()
	getAll(t, s, other+"/1")
	select {
	case <-done:
		t.Error("the other origin's request waited for the first origin's allowance")
	default:
	}
	<-done

	// Shared: the other origin waits its turn too.
	limit.PerHost = false
	shared := newSession(t, aiohttp.SessionOptions{Middlewares: []aiohttp.Middleware{rateLimit(t, limit)}})
	getAll(t, shared, slow+"/3")
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	_, err := shared.Get(ctx, other+"/2")
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, aiohttp.ErrServerTimeout) {
		t.Errorf("a request held back past its context's end: %v", err)
	}
}

func TestRateLimitWaitAndTotalTimeout(t *testing.T) {
	_, base := startArrivals(t)
	// Two requests, half a second apart, each with 200 ms in all.
	newLimited := func(excludeQueue bool) *aiohttp.Session {
		return newSession(t, aiohttp.SessionOptions{
			Timeout:     aiohttp.ClientTimeout{Total: 200 * time.Millisecond, ExcludeQueue: excludeQueue},
			Middlewares: []aiohttp.Middleware{rateLimit(t, aiohttp.RateLimitOptions{Rate: 2})},
		})
	}
	s := newLimited(true)
	getAll(t, s, base+"/a", base+"/b") // the wait is not counted

	s = newLimited(false)
	getAll(t, s, base+"/c")
	start := time.Now()
	_, err := s.Get(testCtx(t), base+"/d")
	if !errors.Is(err, aiohttp.ErrServerTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("counted wait over the total timeout: %v", err)
	}
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Errorf("a request that cannot start in time waited %v before failing", d)
	}
}

func TestRateLimitOptionsChecked(t *testing.T) {
	for _, rate := range []float64{0, -1, math.NaN()} {
		if m, err := aiohttp.RateLimitMiddleware(aiohttp.RateLimitOptions{Rate: rate}); m != nil || err == nil {
			t.Errorf("Rate %v accepted", rate)
		}
	}
}

// rateLimit returns RateLimitMiddleware(opts), failing the test on an
// error.
func rateLimit(t testing.TB, opts aiohttp.RateLimitOptions) aiohttp.Middleware {
	t.Helper()
	m, err := aiohttp.RateLimitMiddleware(opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
