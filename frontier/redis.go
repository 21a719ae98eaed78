package frontier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions tune a Redis frontier; the zero value is the default.
type RedisOptions struct {
	// Name prefixes the frontier's keys ("aiohttp-fetch" when empty): the
	// workers of one crawl share a name. The keys carry it as a Redis
	// Cluster hash tag, "{name}:...", so they live in one slot.
	Name string
	// VisibilityTimeout is how long a task may go without its worker's
	// heartbeat (sent every third of it) before another worker takes it
	// again (DefaultVisibilityTimeout when zero).
	VisibilityTimeout time.Duration
	// Follow makes Next wait for new URLs instead of returning ErrDrained.
	Follow bool
	// Consumer names this worker in the consumer group (host name, process
	// id and a random suffix when empty).
	Consumer string
	// Logger receives the malformed entries skipped (slog.Default when
	// nil).
	Logger *slog.Logger
}

// Redis is a Frontier in a Redis server (5.0 or later; 7.0 is tested),
// shared by any number of workers:
//
//	{name}:queue    a stream of {url} entries and the consumer group
//	                "workers": delivery, in-flight tasks, reclaiming
//	{name}:seen     the set of every URL ever added
//	{name}:results  a hash URL -> recorded result
//	{name}:open     URLs added and not yet recorded (0: drained)
//	{name}:done, {name}:failed, {name}:malformed   counters
//	{name}:rate:S   completions in unix second S (kept two minutes)
type Redis struct {
	rdb     redis.UniversalClient
	owned   bool // Close closes rdb
	opts    RedisOptions
	log     *slog.Logger
	k       redisKeys
	stop    chan struct{}
	stopped sync.WaitGroup
	once    sync.Once

	mu        sync.Mutex
	held      map[string]struct{} // entry ids this consumer holds
	lastSweep time.Time           // the last search for abandoned tasks
}

type redisKeys struct {
	queue, seen, results, open, done, failed, malformed, rate string
}

const redisGroup = "workers"

// NewRedis returns the frontier named by opts.Name in rdb, creating its
// consumer group when it has none. The caller keeps rdb and closes it
// after the frontier.
func NewRedis(ctx context.Context, rdb redis.UniversalClient, opts RedisOptions) (*Redis, error) {
	if opts.Name == "" {
		opts.Name = "aiohttp-fetch"
	}
	if opts.VisibilityTimeout <= 0 {
		opts.VisibilityTimeout = DefaultVisibilityTimeout
	}
	if opts.Consumer == "" {
		host, _ := os.Hostname()
		opts.Consumer = fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixNano()%1e6)
	}
	f := &Redis{rdb: rdb, opts: opts, log: opts.Logger, stop: make(chan struct{}), held: make(map[string]struct{})}
	if f.log == nil {
		f.log = slog.Default()
	}
	p := "{" + opts.Name + "}:"
	f.k = redisKeys{p + "queue", p + "seen", p + "results", p + "open", p + "done", p + "failed", p + "malformed", p + "rate:"}
	err := rdb.XGroupCreateMkStream(ctx, f.k.queue, redisGroup, "0").Err()
	if err != nil && !redis.HasErrorPrefix(err, "BUSYGROUP") {
		return nil, fmt.Errorf("frontier: %w", err)
	}
	f.stopped.Add(1)
	go f.heartbeat()
	return f, nil
}

// OpenRedis connects to the Redis server of rawURL
// ("redis://[user:password@]host:port/db", "rediss://" for TLS,
// "unix://path?db=N") and returns the frontier there; Close closes the
// connection too. A server that does not answer is an error at once.
func OpenRedis(ctx context.Context, rawURL string, opts RedisOptions) (*Redis, error) {
	rdb, err := dialRedis(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	f, err := NewRedis(ctx, rdb, opts)
	if err != nil {
		rdb.Close()
		return nil, err
	}
	f.owned = true
	return f, nil
}

// dialRedis connects to the Redis server of rawURL and checks that it
// answers.
func dialRedis(ctx context.Context, rawURL string) (*redis.Client, error) {
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("frontier: %w", err)
	}
	rdb := redis.NewClient(o)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("frontier: redis at %s: %w", o.Addr, err)
	}
	return rdb, nil
}

var addScript = redis.NewScript(`
local n = 0
for i = 1, #ARGV do
	if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
		redis.call('XADD', KEYS[2], '*', 'url', ARGV[i])
		n = n + 1
	end
end
if n > 0 then redis.call('INCRBY', KEYS[3], n) end
return n`)

// addBatch bounds the URLs of one script call.
const addBatch = 500

// Add queues the URLs never seen before, each atomically with its entry
// in the seen-set.
func (f *Redis) Add(ctx context.Context, urls ...string) (int, error) {
	if f.isClosed() {
		return 0, ErrClosed
	}
	total := 0
	for len(urls) > 0 {
		batch := urls[:min(len(urls), addBatch)]
		urls = urls[len(batch):]
		args := make([]any, len(batch))
		for i, u := range batch {
			args[i] = u
		}
		n, err := addScript.Run(ctx, f.rdb, []string{f.k.seen, f.k.queue, f.k.open}, args...).Int()
		total += n
		if err != nil {
			return total, fmt.Errorf("frontier: %w", err)
		}
	}
	return total, nil
}

// pollInterval is how long Next blocks on the stream before it looks
// again for abandoned tasks and for the end of the crawl.
const pollInterval = 200 * time.Millisecond

// Next takes a new entry of the stream or, when none comes, an entry a
// worker abandoned (idle past the visibility timeout).
func (f *Redis) Next(ctx context.Context) (*Task, error) {
	for {
		if f.isClosed() {
			return nil, ErrClosed
		}
		if f.sweepDue() {
			if t, err := f.reclaim(ctx); t != nil || err != nil {
				return t, err
			}
		}
		streams, err := f.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group: redisGroup, Consumer: f.opts.Consumer,
			Streams: []string{f.k.queue, ">"}, Count: 1, Block: pollInterval,
		}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, f.wrap(ctx, err)
		}
		for _, s := range streams {
			for _, m := range s.Messages {
				if t := f.task(ctx, m, 1); t != nil {
					return t, nil
				}
			}
		}
		if len(streams) > 0 {
			continue // a malformed entry: look again at once
		}
		if t, err := f.reclaim(ctx); t != nil || err != nil {
			return t, err
		}
		if !f.opts.Follow {
			open, err := f.rdb.Get(ctx, f.k.open).Int64()
			if err != nil && !errors.Is(err, redis.Nil) {
				return nil, f.wrap(ctx, err)
			}
			if open <= 0 {
				return nil, ErrDrained
			}
		}
	}
}

// sweepDue reports whether a second passed since the last search for
// abandoned tasks, and starts a new period.
func (f *Redis) sweepDue() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if time.Since(f.lastSweep) < time.Second {
		return false
	}
	f.lastSweep = time.Now()
	return true
}

// reclaim takes one entry this consumer lost or another abandoned, or
// returns nothing.
func (f *Redis) reclaim(ctx context.Context) (*Task, error) {
	if t, err := f.orphan(ctx); t != nil || err != nil {
		return t, err
	}
	for {
		msgs, _, err := f.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: f.k.queue, Group: redisGroup, Consumer: f.opts.Consumer,
			MinIdle: f.opts.VisibilityTimeout, Start: "0-0", Count: 1,
		}).Result()
		if err != nil {
			return nil, f.wrap(ctx, err)
		}
		if len(msgs) == 0 {
			return nil, nil
		}
		m := msgs[0]
		attempt := 2
		p, err := f.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
			Stream: f.k.queue, Group: redisGroup, Start: m.ID, End: m.ID, Count: 1,
		}).Result()
		if err == nil && len(p) == 1 {
			attempt = int(p[0].RetryCount)
		}
		if t := f.task(ctx, m, attempt); t != nil {
			f.log.Info("frontier: took over a task its worker abandoned", "url", t.URL, "attempt", attempt)
			return t, nil
		}
	}
}

// orphanAge is how long an entry delivered to this consumer and not held
// waits before orphan takes it: longer than any read's way from the
// server to task.
const orphanAge = 3 * time.Second

// orphan returns an entry delivered to this consumer that it does not
// hold: a read whose answer was lost (the server or the connection went
// away after it delivered), which no heartbeat keeps and which would
// otherwise wait out the visibility timeout.
func (f *Redis) orphan(ctx context.Context) (*Task, error) {
	mine, err := f.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
		Stream: f.k.queue, Group: redisGroup, Start: "-", End: "+", Count: 1000,
		Consumer: f.opts.Consumer, Idle: orphanAge,
	}).Result()
	if err != nil {
		return nil, f.wrap(ctx, err)
	}
	for _, p := range mine {
		f.mu.Lock()
		_, held := f.held[p.ID]
		f.mu.Unlock()
		if held {
			continue
		}
		msgs, err := f.rdb.XClaim(ctx, &redis.XClaimArgs{
			Stream: f.k.queue, Group: redisGroup, Consumer: f.opts.Consumer,
			MinIdle: orphanAge, Messages: []string{p.ID},
		}).Result()
		if err != nil {
			return nil, f.wrap(ctx, err)
		}
		for _, m := range msgs {
			if t := f.task(ctx, m, int(p.RetryCount)+1); t != nil {
				return t, nil
			}
		}
	}
	return nil, nil
}

// task makes a Task of entry m and holds it, or skips and acknowledges a
// malformed entry (nil).
func (f *Redis) task(ctx context.Context, m redis.XMessage, attempt int) *Task {
	u, ok := m.Values["url"].(string)
	if !ok || u == "" {
		f.log.Warn("frontier: skipped a malformed entry", "stream", f.k.queue, "id", m.ID, "fields", m.Values)
		pipe := f.rdb.TxPipeline()
		pipe.XAck(ctx, f.k.queue, redisGroup, m.ID)
		pipe.Incr(ctx, f.k.malformed)
		if _, err := pipe.Exec(ctx); err != nil {
			f.log.Warn("frontier: could not acknowledge a malformed entry", "id", m.ID, "err", err)
		}
		return nil
	}
	f.mu.Lock()
	f.held[m.ID] = struct{}{}
	f.mu.Unlock()
	return &Task{URL: u, Attempt: attempt, id: m.ID}
}

// completeScript records a result as mark, entry id, space, data: a
// retried Complete of the same task (its first answer lost) still learns
// that it recorded the result.
var completeScript = redis.NewScript(`
local recorded = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
if recorded == 1 then
	redis.call('INCR', KEYS[2])
	redis.call('DECR', KEYS[3])
	redis.call('INCR', KEYS[4])
	redis.call('EXPIRE', KEYS[4], 120)
elseif string.sub(redis.call('HGET', KEYS[1], ARGV[1]), 2, #ARGV[4] + 2) == ARGV[4] .. ' ' then
	recorded = 1
end
redis.call('XACK', KEYS[5], ARGV[3], ARGV[4])
return recorded`)

// Complete records r (first completion wins), counts it and
// acknowledges t's entry, in one script.
func (f *Redis) Complete(ctx context.Context, t *Task, r Result) (bool, error) {
	if f.isClosed() {
		return false, ErrClosed
	}
	counter, mark := f.k.done, "d"
	if r.Failed {
		counter, mark = f.k.failed, "f"
	}
	value := make([]byte, 0, 2+len(t.id)+len(r.Data))
	value = append(append(append(append(value, mark...), t.id...), ' '), r.Data...)
	rateKey := f.k.rate + strconv.FormatInt(time.Now().Unix(), 10)
	n, err := completeScript.Run(ctx, f.rdb,
		[]string{f.k.results, counter, f.k.open, rateKey, f.k.queue},
		t.URL, value, redisGroup, t.id).Int()
	if err != nil {
		return false, f.wrap(ctx, err)
	}
	f.forget(t)
	return n == 1, nil
}

// Release makes t's entry idle past the visibility timeout, so that the
// next worker looking for abandoned tasks takes it at once.
func (f *Redis) Release(ctx context.Context, t *Task) error {
	if f.isClosed() {
		return ErrClosed
	}
	err := f.rdb.Do(ctx, "XCLAIM", f.k.queue, redisGroup, f.opts.Consumer, 0, t.id,
		"IDLE", f.opts.VisibilityTimeout.Milliseconds(), "JUSTID").Err()
	if err != nil {
		return f.wrap(ctx, err)
	}
	f.forget(t)
	return nil
}

// forget stops the heartbeat of t.
func (f *Redis) forget(t *Task) {
	f.mu.Lock()
	delete(f.held, t.id)
	f.mu.Unlock()
}

// heartbeat resets, every third of the visibility timeout, the idle time
// of the entries this consumer holds, so that no other worker takes them
// while it works on them.
func (f *Redis) heartbeat() {
	defer f.stopped.Done()
	tick := time.NewTicker(f.opts.VisibilityTimeout / 3)
	defer tick.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-tick.C:
		}
		f.mu.Lock()
		n := len(f.held)
		f.mu.Unlock()
		if n == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), f.opts.VisibilityTimeout/3)
		// JUSTID claims reset the idle time without counting a delivery;
		// only entries still ours and held are claimed: never one another
		// worker took over meanwhile, nor one Release gave back.
		mine, err := f.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
			Stream: f.k.queue, Group: redisGroup, Start: "-", End: "+",
			Count: int64(n) + 1000, Consumer: f.opts.Consumer,
		}).Result()
		if err == nil {
			claim := make([]string, 0, len(mine))
			f.mu.Lock()
			for _, p := range mine {
				if _, ok := f.held[p.ID]; ok {
					claim = append(claim, p.ID)
				}
			}
			f.mu.Unlock()
			if len(claim) > 0 {
				err = f.rdb.XClaimJustID(ctx, &redis.XClaimArgs{
					Stream: f.k.queue, Group: redisGroup, Consumer: f.opts.Consumer, Messages: claim,
				}).Err()
			}
		}
		cancel()
		if err != nil {
			f.log.Warn("frontier: heartbeat failed; tasks may be taken over by other workers", "err", err)
		}
	}
}

// Stats counts the frontier's URLs in one round trip.
func (f *Redis) Stats(ctx context.Context) (Stats, error) {
	now := time.Now().Unix()
	rateKeys := make([]string, 60)
	for i := range rateKeys {
		rateKeys[i] = f.k.rate + strconv.FormatInt(now-int64(i), 10)
	}
	pipe := f.rdb.Pipeline()
	counts := pipe.MGet(ctx, f.k.open, f.k.done, f.k.failed, f.k.malformed)
	pending := pipe.XPending(ctx, f.k.queue, redisGroup)
	rates := pipe.MGet(ctx, rateKeys...)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Stats{}, f.wrap(ctx, err)
	}
	c := parseInts(counts.Val())
	var s Stats
	if p, err := pending.Result(); err == nil {
		s.InFlight = p.Count
	}
	s.Done, s.Failed, s.Malformed = c[1], c[2], c[3]
	// Open counts the URLs not recorded, in flight or queued; a reclaimed
	// duplicate may be pending after its URL was recorded.
	s.Queued = max(c[0]-s.InFlight, 0)
	var n int64
	for _, v := range parseInts(rates.Val()) {
		n += v
	}
	s.Rate = float64(n) / 60
	return s, nil
}

// parseInts reads MGET's answers, 0 for a missing key.
func parseInts(vals []any) []int64 {
	out := make([]int64, len(vals))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i], _ = strconv.ParseInt(s, 10, 64)
		}
	}
	return out
}

// Results scans the results hash.
func (f *Redis) Results(ctx context.Context, fn func(Result) error) error {
	var cursor uint64
	for {
		kv, next, err := f.rdb.HScan(ctx, f.k.results, cursor, "*", 1000).Result()
		if err != nil {
			return f.wrap(ctx, err)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v := kv[i+1]
			r := Result{URL: kv[i]}
			if mark, rest, ok := strings.Cut(v, " "); ok && mark != "" {
				r.Failed = mark[0] == 'f'
				r.Data = []byte(rest)
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// Client is the Redis client the frontier uses, for RedisHosts and other
// state of the same crawl.
func (f *Redis) Client() redis.UniversalClient { return f.rdb }

// Close stops the heartbeat (and closes the connection OpenRedis made).
// Tasks still held go back to the queue after the visibility timeout.
func (f *Redis) Close() error {
	var err error
	f.once.Do(func() {
		close(f.stop)
		f.stopped.Wait()
		if f.owned {
			err = f.rdb.Close()
		}
	})
	return err
}

func (f *Redis) isClosed() bool {
	select {
	case <-f.stop:
		return true
	default:
		return false
	}
}

// wrap adds the package's prefix to an error of the Redis client; the
// context's own end stays as it is.
func (f *Redis) wrap(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("frontier: redis: %w", err)
}
