package ratelimit_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/ratelimit"
)

func ok(req *web.Request) (web.Response, error) { return web.Text("ok"), nil }

// get sends a GET and returns the response, its body read.
func get(t *testing.T, c *aiotest.Client, path string, opts ...aiohttp.RequestOption) *aiohttp.Response {
	t.Helper()
	resp, err := c.Get(t.Context(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resp.Bytes(); err != nil {
		t.Fatal(err)
	}
	resp.Close()
	return resp
}

// want checks a response's status and fields ("" for absent).
func want(t *testing.T, resp *aiohttp.Response, status int, fields ...string) {
	t.Helper()
	if resp.Status != status {
		t.Errorf("%s: status %d, want %d", resp.URL.Path, resp.Status, status)
	}
	for i := 0; i < len(fields); i += 2 {
		if got := resp.Header.Get(fields[i]); got != fields[i+1] {
			t.Errorf("%s: %s = %q, want %q", resp.URL.Path, fields[i], got, fields[i+1])
		}
	}
}

func TestLimiterAnswers429(t *testing.T) {
	app := web.NewApplication()
	l := ratelimit.Setup(app, ratelimit.Options{Limit: ratelimit.PerMinute(2)})
	app.Router.Get("/", ok)
	l.Exempt(app.Router.Get("/healthz", ok))
	l.Route(app.Router.Post("/login", ok), ratelimit.Rule{Limit: ratelimit.PerHour(1), Scope: "auth"})
	l.Route(app.Router.Post("/reset", ok), ratelimit.Rule{Limit: ratelimit.PerHour(1), Scope: "auth"})
	app.Router.Get("/stream", func(req *web.Request) (web.Response, error) {
		s := web.NewStreamResponse()
		if err := s.Prepare(req); err != nil {
			return nil, err
		}
		_, err := s.Write([]byte("streamed"))
		return s, err
	})
	c := aiotest.NewClient(t, app)

	want(t, get(t, c, "/"), 200, "RateLimit-Limit", "2", "RateLimit-Remaining", "1", "RateLimit-Reset", "30")
	want(t, get(t, c, "/"), 200, "RateLimit-Remaining", "0", "RateLimit-Reset", "60")
	refused := get(t, c, "/")
	want(t, refused, 429, "Retry-After", "30", "RateLimit-Limit", "2", "RateLimit-Remaining", "0", "RateLimit-Reset", "60")
	for range 3 {
		want(t, get(t, c, "/healthz"), 200, "RateLimit-Limit", "")
	}
	// The streamed route shares the application's bucket, which is empty.
	want(t, get(t, c, "/stream"), 429)

	post := func(path string) *aiohttp.Response {
		resp, err := c.Post(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Close()
		return resp
	}
	want(t, post("/login"), 200, "RateLimit-Limit", "1", "RateLimit-Remaining", "0", "RateLimit-Reset", "3600")
	want(t, post("/reset"), 429, "Retry-After", "3600")
}

func TestLimiterFieldsOnStreams(t *testing.T) {
	app := web.NewApplication()
	ratelimit.Setup(app, ratelimit.Options{Limit: ratelimit.PerSecond(5)})
	app.Router.Get("/stream", func(req *web.Request) (web.Response, error) {
		s := web.NewStreamResponse()
		if err := s.Prepare(req); err != nil {
			return nil, err
		}
		_, err := s.Write([]byte("streamed"))
		return s, err
	})
	c := aiotest.NewClient(t, app)
	want(t, get(t, c, "/stream"), 200, "RateLimit-Limit", "5", "RateLimit-Remaining", "4", "RateLimit-Reset", "1")
}

func TestLimiterKeys(t *testing.T) {
	app := web.NewApplication()
	ratelimit.Setup(app, ratelimit.Options{
		Limit: ratelimit.PerMinute(1),
		Key:   func(req *web.Request) string { return req.Header().Get("X-Api-Key") },
	})
	app.Router.Get("/", ok)
	c := aiotest.NewClient(t, app)
	key := func(k string) aiohttp.RequestOption { return aiohttp.Header("X-Api-Key", k) }
	want(t, get(t, c, "/", key("a")), 200)
	want(t, get(t, c, "/", key("b")), 200)
	want(t, get(t, c, "/", key("a")), 429)
	for range 3 { // no key: not limited
		want(t, get(t, c, "/"), 200, "RateLimit-Limit", "")
	}
}

func TestClientIP(t *testing.T) {
	for remote, key := range map[string]string{
		"192.0.2.7:4242":            "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:80": "2001:db8:1:2::/64",
		"[::1]:80":                  "::/64",
		"/run/app.sock":             "/run/app.sock",
	} {
		req := aiotest.NewMockedRequest("GET", "/", aiotest.WithRemote(remote))
		if got := ratelimit.ClientIP(req); got != key {
			t.Errorf("ClientIP(%s) = %q, want %q", remote, got, key)
		}
	}
}

func TestForwardedIP(t *testing.T) {
	key := ratelimit.ForwardedIP("X-Forwarded-For")
	for _, tc := range []struct {
		fields []string
		key    string
	}{
		{nil, "192.0.2.7"},
		{[]string{"203.0.113.9"}, "203.0.113.9"},
		{[]string{"10.1.1.1, 203.0.113.9"}, "203.0.113.9"},
		{[]string{"10.1.1.1", "198.51.100.2 , 203.0.113.9"}, "203.0.113.9"},
		{[]string{"2001:db8:1:2::7"}, "2001:db8:1:2::/64"},
		{[]string{"10.1.1.1, "}, "192.0.2.7"},
	} {
		opts := []aiotest.RequestOption{aiotest.WithRemote("192.0.2.7:4242")}
		for _, f := range tc.fields {
			opts = append(opts, aiotest.WithHeader("X-Forwarded-For", f))
		}
		if got := key(aiotest.NewMockedRequest("GET", "/", opts...)); got != tc.key {
			t.Errorf("X-Forwarded-For %q: key %q, want %q", tc.fields, got, tc.key)
		}
	}
}

func TestLimiterConcurrent(t *testing.T) {
	app := web.NewApplication()
	ratelimit.Setup(app, ratelimit.Options{Limit: ratelimit.PerHour(50)})
	app.Router.Get("/", ok)
	c := aiotest.NewClient(t, app)
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				resp := get(t, c, "/")
				mu.Lock()
				counts[resp.Status]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if counts[200] != 50 || counts[429] != 110 {
		t.Errorf("statuses %v, want 50 × 200 and 110 × 429", counts)
	}
}

// logBuffer is a logger whose lines a test reads.
type logBuffer struct{ apptest.SyncBuffer }

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// count returns how many lines of the log contain s.
func (b *logBuffer) count(s string) int { return strings.Count(b.String(), s) }

// eventually waits up to 10 s for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// stallingStore is a store whose first call waits for its context.
type stallingStore struct {
	ratelimit.Store
	once    sync.Once
	stalled chan struct{}
}

func (s *stallingStore) Take(ctx context.Context, key string, l ratelimit.Limit) (ratelimit.Result, error) {
	stall := false
	s.once.Do(func() { stall = true })
	if stall {
		close(s.stalled)
		<-ctx.Done()
		return ratelimit.Result{}, ctx.Err()
	}
	return s.Store.Take(ctx, key, l)
}

func TestClientGoneIsNoStoreFailure(t *testing.T) {
	var log logBuffer
	store := &stallingStore{Store: ratelimit.NewMemoryStore(ratelimit.MemoryOptions{}), stalled: make(chan struct{})}
	app := web.NewApplication(web.WithLogger(log.logger()))
	ratelimit.Setup(app, ratelimit.Options{Limit: ratelimit.PerHour(1), Store: store})
	app.Router.Get("/", ok)
	c := aiotest.NewClient(t, app)

	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-store.stalled
		cancel() // the client gives up while the store is asked
	}()
	if resp, err := c.Get(ctx, "/"); err == nil {
		resp.Close()
		t.Fatal("the request outlived its context")
	}
	want(t, get(t, c, "/"), 200, "RateLimit-Remaining", "0")
	want(t, get(t, c, "/"), 429)
	if strings.Contains(log.String(), "store unavailable") {
		t.Errorf("a client that went away was taken for a store failure:\n%s", log.String())
	}
}

// failingStore fails every call, slowly, and counts them.
type failingStore struct{ calls atomic.Int32 }

func (s *failingStore) Take(ctx context.Context, key string, l ratelimit.Limit) (ratelimit.Result, error) {
	s.calls.Add(1)
	time.Sleep(100 * time.Millisecond)
	return ratelimit.Result{}, errors.New("no store here")
}

func TestFailedStoreIsProbedByOneRequest(t *testing.T) {
	var log logBuffer
	store := new(failingStore)
	app := web.NewApplication()
	ratelimit.Setup(app, ratelimit.Options{Limit: ratelimit.PerHour(1), Store: store, FailClosed: true, Logger: log.logger()})
	app.Router.Get("/", ok)
	c := aiotest.NewClient(t, app)
	want(t, get(t, c, "/"), 503, "Retry-After", "1")
	want(t, get(t, c, "/"), 503) // within the backoff: not asked
	if n := store.calls.Load(); n != 1 {
		t.Fatalf("the store was asked %d times, want 1", n)
	}
	time.Sleep(time.Second) // the backoff
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { want(t, get(t, c, "/"), 503) })
	}
	wg.Wait()
	if n := store.calls.Load(); n != 2 {
		t.Errorf("the store was asked %d times, want 2: one request probes it after the backoff", n)
	}
	want(t, get(t, c, "/"), 503, "Retry-After", "2") // the backoff doubled
	if n := log.count("store unavailable"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, log.String())
	}
}
