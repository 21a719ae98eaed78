package hub_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/hub"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/redistest"
	"github.com/redis/go-redis/v9"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// pair returns two hubs that share their messages, as two instances of
// an application would: the same Memory twice, or two Redis hubs on one
// server.
func pairs(t *testing.T) map[string]func(t *testing.T, buffer int) (hub.Hub, hub.Hub) {
	return map[string]func(*testing.T, int) (hub.Hub, hub.Hub){
		"memory": func(t *testing.T, buffer int) (hub.Hub, hub.Hub) {
			h := hub.NewMemory(buffer)
			t.Cleanup(func() { h.Close() })
			return h, h
		},
		"redis": func(t *testing.T, buffer int) (hub.Hub, hub.Hub) {
			srv := redistest.Start(t)
			return newRedisHub(t, srv, buffer, nil), newRedisHub(t, srv, buffer, nil)
		},
	}
}

func newRedisHub(t *testing.T, srv *redistest.Server, buffer int, log *slog.Logger) *hub.Redis {
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	h, err := hub.NewRedis(context.Background(), rdb, hub.RedisOptions{Buffer: buffer, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(); rdb.Close() })
	return h
}

func TestPublishReachesEverySubscriber(t *testing.T) {
	for name, pair := range pairs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := ctxT(t)
			a, b := pair(t, 0)
			subA, err := a.Subscribe(ctx, "chat")
			if err != nil {
				t.Fatal(err)
			}
			subB, _ := b.Subscribe(ctx, "chat", "news")
			other, _ := b.Subscribe(ctx, "other")
			defer other.Close()
			for i := range 3 {
				if err := a.Publish(ctx, "chat", fmt.Appendf(nil, "m%d", i)); err != nil {
					t.Fatal(err)
				}
			}
			b.Publish(ctx, "news", []byte("n"))
			for i := range 3 {
				for _, s := range []*hub.Subscription{subA, subB} {
					m, err := s.Receive(ctx)
					if err != nil || m.Topic != "chat" || string(m.Data) != fmt.Sprintf("m%d", i) {
						t.Fatalf("got %q %q, %v; want m%d", m.Topic, m.Data, err, i)
					}
				}
			}
			if m, _ := subB.Receive(ctx); m.Topic != "news" || string(m.Data) != "n" {
				t.Fatalf("got %q %q", m.Topic, m.Data)
			}
			short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			if m, err := other.Receive(short); err == nil {
				t.Fatalf("a subscriber of another topic got %q", m.Data)
			}
			subA.Close()
			subA.Close()
			if _, err := subA.Receive(ctx); !errors.Is(err, hub.ErrClosed) {
				t.Fatalf("Receive after Close = %v", err)
			}
			// Unsubscribed: b still gets what a publishes.
			a.Publish(ctx, "chat", []byte("late"))
			if m, _ := subB.Receive(ctx); string(m.Data) != "late" {
				t.Fatalf("got %q", m.Data)
			}
		})
	}
}

func TestSlowSubscriberDropsOldest(t *testing.T) {
	for name, pair := range pairs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := ctxT(t)
			a, b := pair(t, 4)
			slow, _ := b.Subscribe(ctx, "t")
			fast, _ := b.Subscribe(ctx, "t")
			for i := range 10 {
				a.Publish(ctx, "t", fmt.Appendf(nil, "%d", i))
				if m, err := fast.Receive(ctx); err != nil || string(m.Data) != fmt.Sprint(i) {
					t.Fatalf("fast subscriber: %q, %v", m.Data, err)
				}
			}
			// The hub hands each message to the subscribers one after
			// another: the last may reach the slow one a moment after
			// the fast one had it.
			for deadline := time.Now().Add(5 * time.Second); slow.Dropped() < 6 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			var got []string
			for range 4 {
				m, _ := slow.Receive(ctx)
				got = append(got, string(m.Data))
			}
			if strings.Join(got, ",") != "6,7,8,9" || slow.Dropped() != 6 || fast.Dropped() != 0 {
				t.Fatalf("slow got %v, dropped %d; fast dropped %d", got, slow.Dropped(), fast.Dropped())
			}
		})
	}
}

func TestCloseEndsSubscriptions(t *testing.T) {
	for name, pair := range pairs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := ctxT(t)
			a, _ := pair(t, 0)
			s, _ := a.Subscribe(ctx, "t")
			for range 2 {
				if err := a.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if _, ok := <-s.C(); ok {
				t.Fatal("C still open after the hub closed")
			}
			if err := a.Publish(ctx, "t", nil); !errors.Is(err, hub.ErrClosed) {
				t.Fatalf("Publish after Close = %v", err)
			}
			if _, err := a.Subscribe(ctx, "t"); !errors.Is(err, hub.ErrClosed) {
				t.Fatalf("Subscribe after Close = %v", err)
			}
		})
	}
}

// TestRedisUnavailable dials 127.0.0.1:1, where nothing listens: a port
// freed by a stopped server may go to a server of another test package.
func TestRedisUnavailable(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer rdb.Close()
	_, err := hub.NewRedis(ctxT(t), rdb, hub.RedisOptions{})
	if err == nil || !strings.Contains(err.Error(), "hub: redis:") || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("NewRedis with the server down = %v", err)
	}
}

// TestRedisReconnects loses the server and gets it back: the hub says so
// in its log, subscribes again, and messages published afterwards arrive.
func TestRedisReconnects(t *testing.T) {
	srv := redistest.Start(t)
	ctx := ctxT(t)
	var logs apptest.SyncBuffer
	h := newRedisHub(t, srv, 0, slog.New(slog.NewTextHandler(&logs, nil)))
	pub := newRedisHub(t, srv, 0, nil)
	sub, _ := h.Subscribe(ctx, "t")
	srv.Restart()
	deadline := time.Now().Add(15 * time.Second)
	for {
		// Publish until the resubscribed hub receives: messages published
		// while it reconnects are lost, as Redis pub/sub loses them.
		pub.Publish(ctx, "t", []byte("after"))
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		m, err := sub.Receive(short)
		cancel()
		if err == nil && string(m.Data) == "after" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message after the restart; log:\n%s", logs.String())
		}
	}
	out := logs.String()
	if !strings.Contains(out, "lost the redis connection") || !strings.Contains(out, "redis connection back") {
		t.Errorf("the outage was not logged:\n%s", out)
	}
}
