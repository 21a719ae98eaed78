// Package multidict holds the ordered multi-valued dictionaries that both
// the client and the server hand to users: [MultiDict] for query strings and
// forms (case-sensitive keys) and [CIMultiDict] for HTTP headers
// (case-insensitive keys that keep the casing they were added with).
//
// They mirror Python's multidict, which aiohttp uses: a key may appear more
// than once, insertion order is kept, Get returns the first value and
// GetAll every value in order.
//
// The zero value of both types is an empty dictionary ready to use. Neither
// is safe for concurrent mutation.
package multidict
