package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions tune a Redis hub; the zero value is the default.
type RedisOptions struct {
	// Prefix is put before every topic to make its Redis channel
	// ("aiohttp-hub:" when empty), so that several applications can share
	// a server.
	Prefix string
	// Buffer is how many messages a subscription holds (DefaultBuffer
	// when 0).
	Buffer int
	// Logger receives the losses of the Redis connection and its
	// recoveries (slog.Default when nil).
	Logger *slog.Logger
}

// Redis is a Hub across every instance that shares a Redis server:
// Publish is Redis's PUBLISH, and each instance holds one subscriber
// connection for the topics its subscriptions want, fanning what it
// receives out to them.
type Redis struct {
	rdb    redis.UniversalClient
	ps     *redis.PubSub
	prefix string
	log    *slog.Logger
	local  *local
	stop   chan struct{}
	done   sync.WaitGroup
	once   sync.Once

	confirmMu sync.Mutex
	confirm   map[string]chan struct{} // channel -> closed when the server confirms the subscription
}

// NewRedis returns a hub on rdb; the caller keeps rdb and closes it after
// the hub. A server that does not answer is an error at once.
func NewRedis(ctx context.Context, rdb redis.UniversalClient, opts RedisOptions) (*Redis, error) {
	if err := rdb.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("hub: redis: %w", err)
	}
	if opts.Prefix == "" {
		opts.Prefix = "aiohttp-hub:"
	}
	h := &Redis{rdb: rdb, ps: rdb.Subscribe(ctx), prefix: opts.Prefix, log: opts.Logger,
		local: newLocal(opts.Buffer), stop: make(chan struct{}), confirm: make(map[string]chan struct{})}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.local.changed = h.changed
	h.done.Add(1)
	go h.receive()
	return h, nil
}

// changed subscribes the connection to the topics that got their first
// subscriber, waiting for the server's confirmation so that a message
// published after Subscribe returns is received, and unsubscribes it from
// those that lost their last. While Redis cannot be reached, the client
// remembers the topics and subscribes again when it reconnects.
func (h *Redis) changed(added, removed []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	channels := func(topics []string) []string {
		cs := make([]string, len(topics))
		for i, t := range topics {
			cs[i] = h.prefix + t
		}
		return cs
	}
	var err error
	if len(added) > 0 {
		cs := channels(added)
		waits := make([]chan struct{}, len(cs))
		h.confirmMu.Lock()
		for i, c := range cs {
			waits[i] = make(chan struct{})
			h.confirm[c] = waits[i]
		}
		h.confirmMu.Unlock()
		if err = h.ps.Subscribe(ctx, cs...); err == nil {
			for _, w := range waits {
				select {
				case <-w:
				case <-ctx.Done():
					err = fmt.Errorf("no confirmation of the subscription: %w", ctx.Err())
				}
			}
		}
		h.confirmMu.Lock()
		for _, c := range cs {
			delete(h.confirm, c)
		}
		h.confirmMu.Unlock()
	}
	if len(removed) > 0 {
		err = h.ps.Unsubscribe(ctx, channels(removed)...)
	}
	if err != nil {
		h.log.Warn("hub: redis: could not change the subscriptions now; the client retries when it reconnects", "err", err)
	}
}

// receiveTimeout bounds a wait for a message, after which the connection
// is checked with a PING.
const receiveTimeout = 30 * time.Second

// receive delivers what the subscriber connection receives until Close,
// reconnecting with backoff when the connection is lost.
func (h *Redis) receive() {
	defer h.done.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-h.stop
		cancel()
	}()
	var down time.Time
	backoff := 100 * time.Millisecond
	for {
		msg, err := h.ps.ReceiveTimeout(ctx, receiveTimeout)
		if ctx.Err() != nil || h.isClosed() {
			return
		}
		if err != nil {
			if isTimeout(err) {
				if err = h.ps.Ping(ctx); err == nil {
					continue
				}
			}
			if down.IsZero() {
				down = time.Now()
				h.log.Warn("hub: lost the redis connection; messages published meanwhile do not reach this instance; reconnecting", "err", err)
			}
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		if !down.IsZero() {
			h.log.Warn("hub: redis connection back", "down", time.Since(down).Round(time.Millisecond))
			down, backoff = time.Time{}, 100*time.Millisecond
		}
		switch m := msg.(type) {
		case *redis.Message:
			if topic, ok := strings.CutPrefix(m.Channel, h.prefix); ok {
				h.local.deliver(Message{Topic: topic, Data: []byte(m.Payload)})
			}
		case *redis.Subscription:
			h.confirmMu.Lock()
			if w := h.confirm[m.Channel]; w != nil && m.Kind == "subscribe" {
				close(w)
				delete(h.confirm, m.Channel)
			}
			h.confirmMu.Unlock()
		}
	}
}

// isTimeout reports whether err is a receive that saw nothing in time.
func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

// Publish sends data to the topic's subscribers on every instance.
func (h *Redis) Publish(ctx context.Context, topic string, data []byte) error {
	if h.isClosed() {
		return ErrClosed
	}
	if err := h.rdb.Publish(ctx, h.prefix+topic, data).Err(); err != nil {
		return fmt.Errorf("hub: redis: %w", err)
	}
	return nil
}

// Subscribe subscribes to topics, on this instance and at the server.
func (h *Redis) Subscribe(ctx context.Context, topics ...string) (*Subscription, error) {
	if h.isClosed() {
		return nil, ErrClosed
	}
	return h.local.add(topics)
}

// Close ends every subscription and the subscriber connection.
func (h *Redis) Close() error {
	var err error
	h.once.Do(func() {
		close(h.stop)
		h.local.close()
		err = h.ps.Close()
		h.done.Wait()
	})
	return err
}

func (h *Redis) isClosed() bool {
	select {
	case <-h.stop:
		return true
	default:
		return false
	}
}
