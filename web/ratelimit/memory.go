package ratelimit

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// DefaultMaxKeys is how many buckets a [MemoryStore] holds unless told
// otherwise: about 10 MiB.
const DefaultMaxKeys = 100_000

// MemoryOptions configure a [MemoryStore].
type MemoryOptions struct {
	// MaxKeys bounds how many buckets the store holds; 0 means
	// DefaultMaxKeys. Beyond it the least recently used bucket is
	// dropped, which gives its client a full bucket again: make it
	// larger than the number of clients active within a Period.
	MaxKeys int
}

// memoryShards is how many independently locked parts a MemoryStore has.
const memoryShards = 32

// MemoryStore keeps token buckets in this process's memory, bounded: a
// bucket that refilled is the same as none and is dropped as new ones
// come, and beyond MaxKeys the least recently used one is dropped, so
// that any number of client addresses costs bounded memory.
type MemoryStore struct {
	seed   maphash.Seed
	start  time.Time
	now    func() time.Duration // time since start; a test may replace it
	shards [memoryShards]memoryShard
}

// memoryShard is a part of a MemoryStore: its buckets by key, and in a
// list from most to least recently used.
type memoryShard struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	lru     bucket // sentinel: lru.next is the most recently used
	max     int
	dropped int // live buckets dropped for room
}

// bucket is one key's state: when it is full again, as time since the
// store's start.
type bucket struct {
	key        string
	tat        int64
	prev, next *bucket
}

// NewMemoryStore returns an empty store.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	maxKeys := opts.MaxKeys
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	s := &MemoryStore{seed: maphash.MakeSeed(), start: time.Now()}
	s.now = func() time.Duration { return time.Since(s.start) }
	per := max(maxKeys/memoryShards, 1)
	for i := range s.shards {
		sh := &s.shards[i]
		sh.buckets = make(map[string]*bucket)
		sh.lru.next, sh.lru.prev = &sh.lru, &sh.lru
		sh.max = per
	}
	return s
}

// Take takes a token from key's bucket; it never fails.
func (s *MemoryStore) Take(_ context.Context, key string, limit Limit) (Result, error) {
	limit = limit.mustValid()
	now := int64(s.now())
	iv := limit.interval(time.Nanosecond)
	sh := &s.shards[maphash.String(s.seed, key)%memoryShards]
	sh.mu.Lock()
	b := sh.buckets[key]
	if b == nil {
		b = sh.add(key, now)
	} else {
		sh.unlink(b)
		sh.pushFront(b)
	}
	var r Result
	var retry, reset int64
	b.tat, r.Allowed, r.Remaining, retry, reset = take(b.tat, now, iv, limit.Burst)
	sh.mu.Unlock()
	r.RetryAfter, r.Reset = time.Duration(retry), time.Duration(reset)
	return r, nil
}

// Len returns how many buckets the store holds.
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.buckets)
		sh.mu.Unlock()
	}
	return n
}

// Dropped returns how many buckets that had not refilled yet were
// dropped to make room: if it grows, MaxKeys is too small.
func (s *MemoryStore) Dropped() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += sh.dropped
		sh.mu.Unlock()
	}
	return n
}

// add makes a full bucket for key, first dropping the least recently
// used buckets that refilled, and one that did not when the shard is
// still full.
func (sh *memoryShard) add(key string, now int64) *bucket {
	var b *bucket // a bucket dropped, reused
	for old := sh.lru.prev; old != &sh.lru && old.tat <= now; old = sh.lru.prev {
		sh.remove(old)
		b = old
	}
	if len(sh.buckets) >= sh.max {
		b = sh.lru.prev
		sh.remove(b)
		sh.dropped++
	}
	if b == nil {
		b = new(bucket)
	}
	b.key, b.tat = key, now
	sh.buckets[key] = b
	sh.pushFront(b)
	return b
}

func (sh *memoryShard) remove(b *bucket) {
	sh.unlink(b)
	delete(sh.buckets, b.key)
}

func (sh *memoryShard) unlink(b *bucket) {
	b.prev.next, b.next.prev = b.next, b.prev
	b.prev, b.next = nil, nil
}

func (sh *memoryShard) pushFront(b *bucket) {
	b.prev, b.next = &sh.lru, sh.lru.next
	sh.lru.next.prev = b
	sh.lru.next = b
}
