package frontier_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/frontier"
	"github.com/aiohttp-go/aiohttp/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// newFrontier makes a fresh frontier of one kind for a test; the same
// name gives frontiers that share their state (more workers).
type newFrontier func(t *testing.T, name string, visibility time.Duration, follow bool) frontier.Frontier

// kinds are the implementations every contract test runs against.
func kinds(t *testing.T) map[string]newFrontier {
	var srv *redistest.Server
	var rdb *redis.Client
	mems := map[string]*frontier.Memory{}
	return map[string]newFrontier{
		"memory": func(t *testing.T, name string, visibility time.Duration, follow bool) frontier.Frontier {
			// Workers of one process share the Memory itself.
			if m, ok := mems[name]; ok {
				return m
			}
			m := frontier.NewMemory(frontier.MemoryOptions{VisibilityTimeout: visibility, Follow: follow})
			mems[name] = m
			t.Cleanup(func() { m.Close() })
			return m
		},
		"redis": func(t *testing.T, name string, visibility time.Duration, follow bool) frontier.Frontier {
			if srv == nil {
				srv = redistest.Start(t)
				rdb = redis.NewClient(&redis.Options{Addr: srv.Addr()})
				t.Cleanup(func() { rdb.Close() })
			}
			f, err := frontier.NewRedis(context.Background(), rdb, frontier.RedisOptions{
				Name: t.Name() + "/" + name, VisibilityTimeout: visibility, Follow: follow,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		},
	}
}

// forEachKind runs test against every implementation.
func forEachKind(t *testing.T, test func(t *testing.T, mk newFrontier)) {
	for name, mk := range kinds(t) {
		t.Run(name, func(t *testing.T) { test(t, mk) })
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestAddNextCompleteDrain(t *testing.T) {
	forEachKind(t, func(t *testing.T, mk newFrontier) {
		ctx := ctxT(t)
		f := mk(t, "a", time.Minute, false)
		n, err := f.Add(ctx, "http://a/1", "http://a/2", "http://a/1", "http://b/1")
		if err != nil || n != 3 {
			t.Fatalf("Add = %d, %v; want 3 new", n, err)
		}
		if n, _ := f.Add(ctx, "http://a/2"); n != 0 {
			t.Fatalf("Add of a seen URL = %d, want 0", n)
		}
		var got []string
		for range 3 {
			task, err := f.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if task.Attempt != 1 {
				t.Errorf("%s: Attempt = %d, want 1", task.URL, task.Attempt)
			}
			got = append(got, task.URL)
			rec, err := f.Complete(ctx, task, frontier.Result{Failed: task.URL == "http://b/1", Data: []byte("r " + task.URL)})
			if err != nil || !rec {
				t.Fatalf("Complete = %v, %v", rec, err)
			}
		}
		if want := []string{"http://a/1", "http://a/2", "http://b/1"}; !slices.Equal(got, want) {
			t.Errorf("order %q, want %q", got, want)
		}
		if _, err := f.Next(ctx); !errors.Is(err, frontier.ErrDrained) {
			t.Fatalf("Next on an empty frontier = %v, want ErrDrained", err)
		}
		s, err := f.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.Done != 2 || s.Failed != 1 || s.Queued != 0 || s.InFlight != 0 || s.Rate <= 0 {
			t.Errorf("Stats = %+v", s)
		}
		results := map[string]string{}
		err = f.Results(ctx, func(r frontier.Result) error {
			if r.Failed != (r.URL == "http://b/1") {
				t.Errorf("%s: Failed = %v", r.URL, r.Failed)
			}
			results[r.URL] = string(r.Data)
			return nil
		})
		if err != nil || len(results) != 3 || results["http://a/2"] != "r http://a/2" {
			t.Errorf("Results = %v, %v", results, err)
		}
	})
}

func TestNextWaitsForTasksInFlight(t *testing.T) {
	forEachKind(t, func(t *testing.T, mk newFrontier) {
		ctx := ctxT(t)
		f := mk(t, "a", time.Minute, false)
		f.Add(ctx, "http://a/1")
		first, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Another worker's Next waits: the task in flight may add URLs.
		got := make(chan error, 1)
		go func() {
			second := mk(t, "a", time.Minute, false)
			task, err := second.Next(ctx)
			if err == nil {
				err = fmt.Errorf("got %s", task.URL)
				if task.URL == "http://a/2" {
					err = nil
				}
			}
			got <- err
		}()
		select {
		case err := <-got:
			t.Fatalf("Next returned while a task was in flight: %v", err)
		case <-time.After(300 * time.Millisecond):
		}
		f.Add(ctx, "http://a/2")
		f.Complete(ctx, first, frontier.Result{})
		if err := <-got; err != nil {
			t.Fatal(err)
		}
	})
}

func TestAbandonedTaskReturns(t *testing.T) {
	forEachKind(t, func(t *testing.T, mk newFrontier) {
		ctx := ctxT(t)
		const vis = 300 * time.Millisecond
		dead := mk(t, "a", vis, false)
		dead.Add(ctx, "http://a/1")
		lost, err := dead.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, shared := dead.(*frontier.Memory); !shared {
			dead.Close() // the worker dies: no heartbeat, no completion
		}
		alive := mk(t, "a", vis, false)
		start := time.Now()
		again, err := alive.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if again.URL != lost.URL || again.Attempt != 2 {
			t.Fatalf("took %s attempt %d, want %s attempt 2", again.URL, again.Attempt, lost.URL)
		}
		if waited := time.Since(start); waited < vis/2 {
			t.Errorf("taken over after %v, before the visibility timeout %v", waited, vis)
		}
		if rec, err := alive.Complete(ctx, again, frontier.Result{Data: []byte("x")}); !rec || err != nil {
			t.Fatalf("Complete = %v, %v", rec, err)
		}
		if _, err := alive.Next(ctx); !errors.Is(err, frontier.ErrDrained) {
			t.Fatalf("Next = %v, want ErrDrained", err)
		}
	})
}

func TestReleaseReturnsAtOnce(t *testing.T) {
	forEachKind(t, func(t *testing.T, mk newFrontier) {
		ctx := ctxT(t)
		f := mk(t, "a", time.Hour, false)
		f.Add(ctx, "http://a/1")
		task, _ := f.Next(ctx)
		if err := f.Release(ctx, task); err != nil {
			t.Fatal(err)
		}
		other := mk(t, "a", time.Hour, false)
		again, err := other.Next(ctx)
		if err != nil || again.URL != "http://a/1" {
			t.Fatalf("Next after Release = %v, %v", again, err)
		}
	})
}

func TestFollowWaitsForNewURLs(t *testing.T) {
	forEachKind(t, func(t *testing.T, mk newFrontier) {
		ctx := ctxT(t)
		f := mk(t, "a", time.Minute, true)
		got := make(chan string, 1)
		go func() {
			task, err := f.Next(ctx)
			if err != nil {
				got <- err.Error()
				return
			}
			got <- task.URL
		}()
		time.Sleep(300 * time.Millisecond)
		select {
		case u := <-got:
			t.Fatalf("Next of an empty following frontier returned %q", u)
		default:
		}
		f.Add(ctx, "http://a/late")
		if u := <-got; u != "http://a/late" {
			t.Fatalf("Next = %q", u)
		}
		short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, err := f.Next(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Next after its context ended = %v", err)
		}
	})
}

func TestCloseIsIdempotent(t *testing.T) {
	forEachKind(t, func(t *testing.T, mk newFrontier) {
		f := mk(t, "a", time.Minute, false)
		for range 2 {
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.Next(context.Background()); !errors.Is(err, frontier.ErrClosed) {
			t.Fatalf("Next after Close = %v", err)
		}
	})
}

func TestRedisSkipsMalformedEntries(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	ctx := ctxT(t)
	f, err := frontier.NewRedis(ctx, rdb, frontier.RedisOptions{Name: "m"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: "{m}:queue", Values: []string{"link", "http://x/"}})
	f.Add(ctx, "http://a/1")
	task, err := f.Next(ctx)
	if err != nil || task.URL != "http://a/1" {
		t.Fatalf("Next = %v, %v; want the good entry after the bad one", task, err)
	}
	f.Complete(ctx, task, frontier.Result{})
	if _, err := f.Next(ctx); !errors.Is(err, frontier.ErrDrained) {
		t.Fatalf("Next = %v, want ErrDrained", err)
	}
	if s, _ := f.Stats(ctx); s.Malformed != 1 || s.Done != 1 || s.InFlight != 0 {
		t.Fatalf("Stats = %+v", s)
	}
}

// TestOpenRedisUnavailable dials 127.0.0.1:1, where nothing listens: a
// port freed by a stopped server may go to a server of another test
// package.
func TestOpenRedisUnavailable(t *testing.T) {
	const addr = "127.0.0.1:1"
	ctx := ctxT(t)
	_, err := frontier.OpenRedis(ctx, "redis://"+addr+"/0", frontier.RedisOptions{})
	if err == nil {
		t.Fatal("OpenRedis of an address where nothing listens succeeded")
	}
	if want := "frontier: redis at " + addr + ":"; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("error %q, want it to name the server and the refusal", err)
	}
	if _, err := frontier.OpenRedis(ctx, "http://nope", frontier.RedisOptions{}); err == nil {
		t.Fatal("OpenRedis of a non-Redis URL succeeded")
	}
}
