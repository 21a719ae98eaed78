package ratelimit

import "context"

// Store keeps token buckets: [*MemoryStore] for one process,
// [*RedisStore] for many. A Store is safe for concurrent use.
type Store interface {
	// Take takes a token from the bucket named key, of the given limit
	// (normalized: Period and Burst set), creating it full when missing.
	// An error means the store could not answer; the limiter then
	// applies its failure policy.
	Take(ctx context.Context, key string, limit Limit) (Result, error)
}
