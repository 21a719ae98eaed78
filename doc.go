// Package aiohttp is the HTTP client of aiohttp for Go: a Session with a
// connection pool, limits, cookies, proxies, timeouts, redirects,
// middlewares and tracing, on the same HTTP/1.1 engine as the server in
// package web (aiohttp's ClientSession, done the Go way).
//
//	s, err := aiohttp.NewSession(aiohttp.SessionOptions{BaseURL: "http://127.0.0.1:8080/"})
//	if err != nil { ... } // a bad BaseURL, Proxy or Auth
//	defer s.Close()
//	resp, err := s.Get(ctx, "health")
//	if err != nil { ... }
//	defer resp.Close()
//	text, err := resp.Text()
//
// Session.With is aiohttp's `async with session.get(url) as resp:`: the
// response is released when the function returns, and its memory is
// reused for the next request, so that a busy client allocates nothing per
// request:
//
//	err := s.With(ctx, "GET", "health", func(resp *aiohttp.Response) error {
//		body, err := resp.Bytes() // valid until the function returns
//		...
//	})
//
// Every call takes a context.Context. Errors mirror aiohttp's exception
// tree: test them with errors.Is against the Err* kinds (ErrServerTimeout,
// ErrClientConnector, ...) and errors.As into *ClientResponseError and the
// other typed errors.
//
// Server-Sent Events: Response.Events iterates over the events of a
// text/event-stream body as they arrive; Session.EventSource is a
// browser's EventSource, reconnecting with Last-Event-ID until its context
// ends (package sse holds the protocol).
//
//	es := s.EventSource(ctx, "events", aiohttp.EventSourceOptions{})
//	defer es.Close()
//	for ev, err := range es.Events() {
//		if err != nil { ... } // the source failed, or ctx ended
//		fmt.Println(ev.ID, ev.Event, ev.Data)
//	}
//
// Bodies are request options too: JSON, Form, String, Bytes, Body (any
// io.Reader, streamed, chunked when its length is unknown), FormData and
// Multipart (package multipart, files streamed from their readers).
// Responses in gzip, deflate, br and zstd are decoded as they are read,
// bounded against decompression bombs. Session.WSConnect opens a
// WebSocket (package websocket), and Session.HTTPClient hands code written
// for net/http an *http.Client that sends through the session.
//
// Options follow one rule. A constructor of something that lives on
// (NewSession, NewTCPConnector, NewUnixConnector, NewCookieJar,
// RetryMiddleware, RateLimitMiddleware) takes one options struct whose
// zero value is aiohttp's default, after the arguments that say what it
// is (a socket path, credentials); when an option can be wrong, it
// returns an error, rather than panic or fail every later call. The
// settings of one call (a request, Response.JSON) are variadic option
// values: RequestOption, JSONOption.
package aiohttp
