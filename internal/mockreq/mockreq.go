// Package mockreq is the door through which package aiotest makes a
// web.Request that no connection carries (aiotest.NewMockedRequest)
// without package web exporting a constructor for it: web fills in [New]
// when it is initialised. It cannot name web's types (web imports it), so
// requests, applications and responses travel as any.
package mockreq

import "net/http"

// Spec is what a mocked request is made of.
type Spec struct {
	// Request gives the method, target, version, header fields, body,
	// remote address, TLS state and the context the request's Context
	// ends with.
	Request *http.Request
	// Writer receives the head and body of a response prepared on the
	// request; it must implement http.Flusher.
	Writer http.ResponseWriter
	// App is the *web.Application the request belongs to, or nil.
	App any
	// MatchInfo holds the path parameters as name/value pairs.
	MatchInfo []string
	// ClientMaxSize, when HasClientMaxSize, overrides the application's
	// limit on the body size.
	ClientMaxSize    int64
	HasClientMaxSize bool
}

// Request is a mocked request and what ends it.
type Request struct {
	// Request is the *web.Request.
	Request any
	// Finish sends what the web.Response resp has not sent yet, as the
	// server does when the handler returned it (nil for a handler that
	// hijacked the connection), then ends the request: its context is
	// cancelled and the temporary files of its uploads are removed.
	Finish func(resp any) error
}

// New makes a mocked request; package web sets it.
var New func(Spec) Request
