package aiohttp

// AppendRequestHead exposes the request head writer to the external tests'
// benchmarks.
var AppendRequestHead = appendRequestHead

// Parsers of the middlewares, for table tests.
var (
	DigestChallenge = digestChallenge
	RetryAfter      = retryAfter
)
