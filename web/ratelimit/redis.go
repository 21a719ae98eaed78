package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisPrefix starts the names of a RedisStore's keys unless told
// otherwise.
const DefaultRedisPrefix = "aiohttp:ratelimit:"

// DefaultRedisTimeout bounds each call of a RedisStore unless told
// otherwise.
const DefaultRedisTimeout = 250 * time.Millisecond

// RedisOptions configure a [RedisStore].
type RedisOptions struct {
	// Prefix starts every key's name; "" means DefaultRedisPrefix.
	Prefix string
	// Timeout bounds each call; 0 means DefaultRedisTimeout. The
	// client enforces it on the network only when made with
	// ContextTimeoutEnabled (otherwise its ReadTimeout applies).
	Timeout time.Duration
}

// RedisStore keeps token buckets in Redis, so that every instance of an
// application using the same Redis shares them: one string key per
// bucket holding when it is full again (GCRA's theoretical arrival time,
// in microseconds of the Redis server's clock), changed by one Lua
// script that reads the server's TIME, so a request costs one round
// trip, is atomic, and the instances' clocks do not matter. A key
// expires when its bucket is full again.
type RedisStore struct {
	client  redis.Scripter
	prefix  string
	timeout time.Duration
}

// NewRedisStore returns a store on client (a *redis.Client,
// *redis.ClusterClient or any redis.UniversalClient).
func NewRedisStore(client redis.Scripter, opts RedisOptions) *RedisStore {
	s := &RedisStore{client: client, prefix: opts.Prefix, timeout: opts.Timeout}
	if s.prefix == "" {
		s.prefix = DefaultRedisPrefix
	}
	if s.timeout <= 0 {
		s.timeout = DefaultRedisTimeout
	}
	return s
}

// takeScript takes a token from the bucket KEYS[1] whose tokens refill
// one per ARGV[1] microseconds up to ARGV[2]; it returns {allowed (0 or
// 1), remaining, retry after, reset}, times in microseconds. It is the
// computation of take, on the server's clock.
var takeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local capacity = interval * tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0) or 0
if tat < now then tat = now end
local nxt = tat + interval
if nxt - now > capacity then
  return {0, 0, nxt - now - capacity, tat - now}
end
redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX', math.ceil((nxt - now) / 1000))
return {1, math.floor((capacity - (nxt - now)) / interval), 0, nxt - now}
`)

// ErrBadReply is the error of a RedisStore whose script answered
// something else than it returns: another program uses the keys.
var ErrBadReply = errors.New("ratelimit: unexpected reply from Redis")

// Take runs the script for key's bucket.
func (s *RedisStore) Take(ctx context.Context, key string, limit Limit) (Result, error) {
	limit = limit.mustValid()
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	iv := limit.interval(time.Microsecond)
	v, err := takeScript.Run(ctx, s.client, []string{s.prefix + key}, iv, limit.Burst).Int64Slice()
	if err != nil {
		return Result{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(v) != 4 {
		return Result{}, ErrBadReply
	}
	return Result{
		Allowed:    v[0] == 1,
		Remaining:  int(v[1]),
		RetryAfter: time.Duration(v[2]) * time.Microsecond,
		Reset:      time.Duration(v[3]) * time.Microsecond,
	}, nil
}
