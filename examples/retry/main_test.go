package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/web"
)

// hits records when each path was requested.
type hits struct {
	mu sync.Mutex
	at map[string][]time.Time
}

func (h *hits) add(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.at[path] = append(h.at[path], time.Now())
	return len(h.at[path])
}

func (h *hits) get(path string) []time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.at[path]
}

// retryApp serves:
//
//	/flaky       429 with Retry-After: 1, then 429 without it, then JSON
//	/busy        always 429
//	/broken      always 500
//	/recovering  500, then JSON
//	/slowdown    429 with Retry-After: 3600, then JSON
func retryApp(h *hits) *web.Application {
	tooMany := func(retryAfter string) error {
		e := web.HTTPTooManyRequests()
		if retryAfter != "" {
			e = e.WithHeader("Retry-After", retryAfter)
		}
		return e
	}
	app := web.NewApplication()
	r := app.Router
	r.Get("/flaky", func(req *web.Request) (web.Response, error) {
		switch n := h.add(req.Path()); n {
		case 1:
			return nil, tooMany("1")
		case 2:
			return nil, tooMany("")
		default:
			return web.JSON(map[string]any{"ok": true, "attempt": n})
		}
	})
	r.Get("/busy", func(req *web.Request) (web.Response, error) {
		h.add(req.Path())
		return nil, tooMany("")
	})
	r.Get("/broken", func(req *web.Request) (web.Response, error) {
		h.add(req.Path())
		return nil, web.HTTPInternalServerError()
	})
	r.Get("/recovering", func(req *web.Request) (web.Response, error) {
		if h.add(req.Path()) == 1 {
			return nil, web.HTTPInternalServerError()
		}
		return web.JSON([]string{"back", "again"})
	})
	r.Get("/slowdown", func(req *web.Request) (web.Response, error) {
		if h.add(req.Path()) == 1 {
			return nil, tooMany("3600")
		}
		return web.JSON(nil)
	})
	return app
}

const delay = 50 * time.Millisecond

func TestRetry(t *testing.T) {
	h := &hits{at: map[string][]time.Time{}}
	srv := aiotest.NewServer(t, retryApp(h))

	for _, tt := range []struct {
		path string
		want string
		hits int
	}{
		{"/flaky", "{'attempt': 3, 'ok': True}", 3},
		{"/busy", "None", 3},
		{"/broken", "{'error': 'aiohttp: GET " + srv.URL + "/broken: 500, message=\"Internal Server Error\"'}", 3},
		{"/recovering", "['back', 'again']", 2},
	} {
		var out strings.Builder
		if err := run(context.Background(), &out, srv.URL+tt.path, delay); err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		apptest.CompareLines(t, out.String(), tt.want)
		if n := len(h.get(tt.path)); n != tt.hits {
			t.Errorf("%s: %d requests, want %d", tt.path, n, tt.hits)
		}
	}

	// The waits between attempts: Retry-After's second, then the seed's
	// backoff (2 × delay) for a 429 without it.
	at := h.get("/flaky")
	if d := at[1].Sub(at[0]); d < time.Second {
		t.Errorf("retried %v after 429 with Retry-After: 1", d)
	}
	if d := at[2].Sub(at[1]); d < 2*delay || d >= time.Second {
		t.Errorf("retried %v after the second 429, want about %v", d, 2*delay)
	}
	// After a 500, the seed waits retry_delay.
	at = h.get("/broken")
	if d := at[1].Sub(at[0]); d < delay {
		t.Errorf("retried %v after a 500, want at least %v", d, delay)
	}
}

func TestRetryCancel(t *testing.T) {
	// Retry-After: 3600 is cut to 30 seconds; the caller gives up sooner.
	h := &hits{at: map[string][]time.Time{}}
	srv := aiotest.NewServer(t, retryApp(h))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := run(ctx, new(strings.Builder), srv.URL+"/slowdown", delay)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("run = %v, want context.DeadlineExceeded", err)
	}
	if n := len(h.get("/slowdown")); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		v    string
		want time.Duration
	}{
		{"", -1},
		{"0", 0},
		{" 5 ", 5 * time.Second},
		{"120", 30 * time.Second},
		{"-1", -1},
		{"soon", -1},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"Monday, 23-Nov-26 12:00:07 GMT", 7 * time.Second}, // RFC 850
	} {
		if got := retryAfter(tt.v, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
