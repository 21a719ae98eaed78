package frontier

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultLeaseTimeout is how long a host slot of a worker that stopped
// renewing it (killed, cut off) stays taken.
const DefaultLeaseTimeout = 30 * time.Second

// RedisHostsOptions tune RedisHosts; the zero value is the default.
type RedisHostsOptions struct {
	// Name prefixes the keys, as RedisOptions.Name ("aiohttp-fetch" when
	// empty).
	Name string
	// LeaseTimeout is how long a slot stays taken without its worker's
	// renewal, sent every third of it (DefaultLeaseTimeout when zero).
	LeaseTimeout time.Duration
	// Logger receives failed renewals (slog.Default when nil).
	Logger *slog.Logger
}

// RedisHosts enforces HostLimits among every worker sharing a Redis
// server. A slot is a lease, a member of the host's sorted set scored by
// its expiry on the server's clock, renewed while held: the slots of a
// dead worker free themselves after LeaseTimeout. The rate is the
// earliest next start, a key of the host.
type RedisHosts struct {
	rdb    redis.UniversalClient
	limits HostLimits
	opts   RedisHostsOptions
	log    *slog.Logger
	prefix string
	seq    atomic.Uint64
	token  string // this process's lease prefix

	mu      sync.Mutex
	held    map[string]string // lease token -> leases key
	stop    chan struct{}
	stopped sync.WaitGroup
	once    sync.Once
}

// NewRedisHosts returns limits kept in rdb; the caller keeps rdb and
// closes it after Close.
func NewRedisHosts(rdb redis.UniversalClient, limits HostLimits, opts RedisHostsOptions) *RedisHosts {
	if opts.Name == "" {
		opts.Name = "aiohttp-fetch"
	}
	if opts.LeaseTimeout <= 0 {
		opts.LeaseTimeout = DefaultLeaseTimeout
	}
	h := &RedisHosts{
		rdb: rdb, limits: limits, opts: opts, log: opts.Logger,
		prefix: "{" + opts.Name + "}:host:",
		token:  strconv.FormatInt(time.Now().UnixNano(), 36) + "-",
		held:   make(map[string]string),
		stop:   make(chan struct{}),
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.stopped.Add(1)
	go h.renew()
	return h
}

// acquireScript takes a slot when the host has one free and its rate
// allows a start: 0, or else how many milliseconds to wait at least (-1:
// all slots are taken).
var acquireScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, lease, interval = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if limit > 0 and redis.call('ZCARD', KEYS[1]) >= limit then return -1 end
if interval > 0 then
	local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
	if nxt > now then return nxt - now end
	redis.call('SET', KEYS[2], now + interval, 'PX', interval + 1000)
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[4])
redis.call('PEXPIRE', KEYS[1], lease + 1000)
return 0`)

// renewScript extends the leases still held; ARGV[1] is the lease time.
var renewScript = redis.NewScript(`
local t = redis.call('TIME')
local exp = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 1, #KEYS do
	redis.call('ZADD', KEYS[i], 'XX', exp, ARGV[i + 1])
	redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[1]) + 1000)
end
return 0`)

// maxPoll bounds the wait between two tries for a full host.
const maxPoll = 100 * time.Millisecond

// Acquire waits until host has a free slot among all workers and its rate
// allows a start.
func (h *RedisHosts) Acquire(ctx context.Context, host string) (func(), error) {
	if h.limits.PerHost <= 0 && h.limits.Rate <= 0 {
		return func() {}, nil
	}
	leases, next := h.prefix+host+":leases", h.prefix+host+":next"
	token := h.token + strconv.FormatUint(h.seq.Add(1), 10)
	poll := 5 * time.Millisecond
	for {
		wait, err := acquireScript.Run(ctx, h.rdb, []string{leases, next},
			h.limits.PerHost, h.opts.LeaseTimeout.Milliseconds(), h.limits.interval().Milliseconds(), token).Int64()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("frontier: redis: %w", err)
		}
		if wait == 0 {
			h.mu.Lock()
			h.held[token] = leases
			h.mu.Unlock()
			var once sync.Once
			return func() { once.Do(func() { h.release(token, leases) }) }, nil
		}
		d := poll
		if wait > 0 {
			d = time.Duration(wait) * time.Millisecond
		} else {
			poll = min(2*poll, maxPoll)
		}
		if err := sleepCtx(ctx, d); err != nil {
			return nil, err
		}
	}
}

// release gives a lease back. When Redis cannot be reached, a goroutine
// keeps trying until the lease would have expired anyway.
func (h *RedisHosts) release(token, leases string) {
	h.mu.Lock()
	delete(h.held, token)
	h.mu.Unlock()
	if h.zrem(token, leases) == nil {
		return
	}
	h.stopped.Add(1)
	go func() {
		defer h.stopped.Done()
		expires := time.Now().Add(h.opts.LeaseTimeout)
		for backoff := 50 * time.Millisecond; ; backoff = min(2*backoff, maxBackoff) {
			select {
			case <-time.After(backoff):
			case <-h.stop:
				return
			}
			err := h.zrem(token, leases)
			if err == nil {
				return
			}
			if time.Now().Add(backoff).After(expires) {
				h.log.Warn("frontier: could not give a host slot back; it expires on its own", "key", leases, "err", err)
				return
			}
		}
	}()
}

// zrem removes a lease.
func (h *RedisHosts) zrem(token, leases string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return h.rdb.ZRem(ctx, leases, token).Err()
}

// renew extends the held leases every third of the lease time.
func (h *RedisHosts) renew() {
	defer h.stopped.Done()
	tick := time.NewTicker(h.opts.LeaseTimeout / 3)
	defer tick.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-tick.C:
		}
		h.mu.Lock()
		keys := make([]string, 0, len(h.held))
		args := []any{h.opts.LeaseTimeout.Milliseconds()}
		for token, key := range h.held {
			keys = append(keys, key)
			args = append(args, token)
		}
		h.mu.Unlock()
		if len(keys) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), h.opts.LeaseTimeout/3)
		err := renewScript.Run(ctx, h.rdb, keys, args...).Err()
		cancel()
		if err != nil {
			h.log.Warn("frontier: could not renew host slots", "err", err)
		}
	}
}

// Close stops renewing; slots still held expire after LeaseTimeout.
func (h *RedisHosts) Close() error {
	h.once.Do(func() {
		close(h.stop)
		h.stopped.Wait()
	})
	return nil
}

// sleepCtx waits for d or the end of ctx.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
