// Package frontier is the shared to-do list of a crawl: the URLs still to
// fetch, handed to any number of workers, each URL queued once (a
// seen-set), taken by one worker at a time, and its result recorded once.
// It is what scrapy-redis gives Scrapy, for Go crawlers and for
// "aiohttp fetch --frontier".
//
// A [Frontier] is the queue; [Memory] keeps it in the process, [Redis] in
// a Redis server shared by workers on any number of machines (a stream
// with a consumer group). A task taken by a worker that stops without
// completing it, killed or cut off, goes back to the queue after the
// visibility timeout, so delivery is at least once while results are
// recorded exactly once: the first completion of a URL wins.
//
// [Hosts] are the politeness limits (concurrent fetches and a request
// rate per host) every worker obeys; [MemoryHosts] within a process,
// [RedisHosts] across all workers sharing a Redis, on expiring leases so
// that a dead worker's slots free themselves.
//
// A [Worker] runs the loop: take a task, wait for its host, fetch,
// complete, at most Limit at once, until the frontier is drained.
package frontier
