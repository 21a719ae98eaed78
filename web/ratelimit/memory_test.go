package ratelimit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web/ratelimit"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct{ now time.Duration }

func (c *fakeClock) read() time.Duration { return c.now }

func newMemory(t *testing.T, opts ratelimit.MemoryOptions) (*ratelimit.MemoryStore, *fakeClock) {
	t.Helper()
	s := ratelimit.NewMemoryStore(opts)
	c := &fakeClock{now: time.Hour}
	ratelimit.SetClock(s, c.read)
	return s, c
}

func take(t *testing.T, s ratelimit.Store, key string, l ratelimit.Limit) ratelimit.Result {
	t.Helper()
	r, err := s.Take(context.Background(), key, l)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGCRA(t *testing.T) {
	// Tokens refill one per 10 units, up to 3.
	tat, now := int64(0), int64(100)
	var ok bool
	var remaining int
	var retry, reset int64
	for i, want := range []int{2, 1, 0} {
		tat, ok, remaining, retry, reset = ratelimit.Take(tat, now, 10, 3)
		if !ok || remaining != want || retry != 0 || reset != int64(10*(i+1)) {
			t.Fatalf("take %d: ok=%v remaining=%d retry=%d reset=%d", i, ok, remaining, retry, reset)
		}
	}
	if _, ok, remaining, retry, reset = ratelimit.Take(tat, now, 10, 3); ok || remaining != 0 || retry != 10 || reset != 30 {
		t.Fatalf("empty bucket: ok=%v remaining=%d retry=%d reset=%d", ok, remaining, retry, reset)
	}
	if _, ok, remaining, _, _ = ratelimit.Take(tat, now+10, 10, 3); !ok || remaining != 0 {
		t.Fatalf("one token later: ok=%v remaining=%d", ok, remaining)
	}
	if _, ok, remaining, _, reset = ratelimit.Take(tat, now+1000, 10, 3); !ok || remaining != 2 || reset != 10 {
		t.Fatalf("long after: ok=%v remaining=%d reset=%d", ok, remaining, reset)
	}
}

func TestMemoryRefill(t *testing.T) {
	s, clock := newMemory(t, ratelimit.MemoryOptions{})
	l := ratelimit.Limit{Rate: 2, Period: time.Second, Burst: 4}
	for i := range 4 {
		if r := take(t, s, "a", l); !r.Allowed || r.Remaining != 3-i {
			t.Fatalf("request %d: %+v", i, r)
		}
	}
	r := take(t, s, "a", l)
	if r.Allowed || r.RetryAfter != 500*time.Millisecond || r.Reset != 2*time.Second {
		t.Fatalf("fifth request: %+v", r)
	}
	if r := take(t, s, "b", l); !r.Allowed || r.Remaining != 3 {
		t.Fatalf("another key: %+v", r)
	}
	clock.now += 499 * time.Millisecond
	if r := take(t, s, "a", l); r.Allowed {
		t.Fatalf("before the refill: %+v", r)
	}
	clock.now += time.Millisecond
	if r := take(t, s, "a", l); !r.Allowed || r.Remaining != 0 {
		t.Fatalf("after the refill: %+v", r)
	}
	clock.now += time.Hour
	if r := take(t, s, "a", l); !r.Allowed || r.Remaining != 3 || r.Reset != 500*time.Millisecond {
		t.Fatalf("full again: %+v", r)
	}
}

func TestMemoryEvictsRefilled(t *testing.T) {
	s, clock := newMemory(t, ratelimit.MemoryOptions{MaxKeys: 1000})
	l := ratelimit.PerSecond(10)
	for i := range 100_000 {
		take(t, s, strconv.Itoa(i), l)
		clock.now += time.Millisecond // a key's bucket refills 100 ms after its request
	}
	if n := s.Len(); n > 1000 {
		t.Errorf("%d buckets held, want at most MaxKeys", n)
	}
	if n := s.Dropped(); n != 0 {
		t.Errorf("%d live buckets dropped, want none: refilled ones make the room", n)
	}
}

func TestMemoryBoundedUnderManyClients(t *testing.T) {
	s, _ := newMemory(t, ratelimit.MemoryOptions{MaxKeys: 640})
	l := ratelimit.PerHour(1)
	for i := range 50_000 {
		if r := take(t, s, "10.0."+strconv.Itoa(i/256)+"."+strconv.Itoa(i%256), l); !r.Allowed {
			t.Fatalf("first request of a key refused: %+v", r)
		}
	}
	if n := s.Len(); n > 640 {
		t.Errorf("%d buckets held, want at most 640", n)
	}
	if n := s.Dropped(); n < 50_000-640 {
		t.Errorf("%d live buckets dropped, want at least %d", n, 50_000-640)
	}
	// The most recent keys are still limited.
	if r := take(t, s, "10.0.195.79", l); r.Allowed {
		t.Errorf("the last key got a fresh bucket: %+v", r)
	}
}
