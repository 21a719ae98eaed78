// Package ratelimit limits how often each client may call an
// application: a token bucket per key (the client's IP address unless
// told otherwise), kept in memory for one instance or in Redis for many
// instances behind a load balancer, which then share one limit.
//
//	l := ratelimit.Setup(app, ratelimit.Options{Limit: ratelimit.PerMinute(600)})
//	l.Route(app.Router.Post("/login", login), ratelimit.Rule{Limit: ratelimit.PerMinute(5)})
//	l.Exempt(app.Router.Get("/healthz", health))
//
// A bucket holds at most Limit.Burst tokens and refills continuously at
// Limit.Rate tokens per Limit.Period; each request takes one. A request
// that finds the bucket empty gets 429 Too Many Requests with
// Retry-After. Every limited response carries the fields of the IETF
// draft "RateLimit header fields for HTTP"
// (draft-ietf-httpapi-ratelimit-headers-06):
//
//	RateLimit-Limit: 600       the bucket's size (Limit.Burst)
//	RateLimit-Remaining: 599   the tokens left after this request
//	RateLimit-Reset: 1         seconds until the bucket is full again
//
// # Stores
//
// [MemoryStore] keeps the buckets of one process, bounded: a full bucket
// is the same as none, so buckets that refilled are dropped, and beyond
// MaxKeys the least recently used bucket goes. [RedisStore] keeps them in
// Redis (github.com/redis/go-redis/v9), one key per bucket that expires
// once the bucket is full again, updated by one atomic Lua script per
// request on the Redis server's clock, so that any number of instances
// enforce one limit and their clocks do not matter.
//
// # When the store fails
//
// When the store cannot answer (Redis down or too slow), the request is
// let through unlimited (fail open) unless Options.FailClosed asks for a
// 503 Service Unavailable instead. The limiter logs one warning when the
// store fails and one line when it answers again; meanwhile it leaves the
// store alone for a backoff that grows from one second to thirty (then
// one request tries it), so that a dead Redis costs requests nothing but
// the policy.
package ratelimit
