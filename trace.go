package aiohttp

import (
	"context"
	"net/url"

	"github.com/aiohttp-go/aiohttp/multidict"
)

// TraceConfig holds callbacks for aiohttp's trace signals; set the ones you
// need and pass the config in SessionOptions.TraceConfigs. Callbacks run
// synchronously on the request's goroutine with the request's context
// (carry per-request trace data in it, aiohttp's trace_request_ctx).
type TraceConfig struct {
	OnRequestStart          func(ctx context.Context, p TraceRequest)
	OnRequestHeadersSent    func(ctx context.Context, p TraceRequest)
	OnRequestChunkSent      func(ctx context.Context, p TraceChunk)
	OnResponseChunkReceived func(ctx context.Context, p TraceChunk)
	OnRequestEnd            func(ctx context.Context, p TraceResponse)
	OnRequestRedirect       func(ctx context.Context, p TraceResponse)
	OnRequestException      func(ctx context.Context, p TraceException)

	OnConnectionQueuedStart func(ctx context.Context)
	OnConnectionQueuedEnd   func(ctx context.Context)
	OnConnectionCreateStart func(ctx context.Context)
	OnConnectionCreateEnd   func(ctx context.Context)
	OnConnectionReuseconn   func(ctx context.Context)

	OnDNSResolveHostStart func(ctx context.Context, host string)
	OnDNSResolveHostEnd   func(ctx context.Context, host string)
	OnDNSCacheHit         func(ctx context.Context, host string)
	OnDNSCacheMiss        func(ctx context.Context, host string)
}

// TraceRequest describes a request being sent.
type TraceRequest struct {
	Method string
	URL    *url.URL
	Header *multidict.CIMultiDict
}

// TraceChunk is a piece of a body sent or received.
type TraceChunk struct {
	Method string
	URL    *url.URL
	Chunk  []byte
}

// TraceResponse describes a response received (the end of a request, or a
// redirect).
type TraceResponse struct {
	Method   string
	URL      *url.URL
	Header   *multidict.CIMultiDict
	Response *Response
}

// TraceException describes a request that failed.
type TraceException struct {
	Method string
	URL    *url.URL
	Header *multidict.CIMultiDict
	Err    error
}

// tracer sends one request's trace signals to the session's configs. A nil
// *tracer sends nothing, so callers need no checks.
type tracer struct {
	ctx     context.Context
	configs []*TraceConfig
}

func newTracer(ctx context.Context, configs []*TraceConfig) *tracer {
	if len(configs) == 0 {
		return nil
	}
	return &tracer{ctx: ctx, configs: configs}
}

// each calls f for every config.
func (t *tracer) each(f func(*TraceConfig)) {
	if t == nil {
		return
	}
	for _, c := range t.configs {
		f(c)
	}
}

func (t *tracer) requestStart(p TraceRequest) {
	t.each(func(c *TraceConfig) { call1(c.OnRequestStart, t.ctx, p) })
}
func (t *tracer) requestHeadersSent(p TraceRequest) {
	t.each(func(c *TraceConfig) { call1(c.OnRequestHeadersSent, t.ctx, p) })
}
func (t *tracer) requestChunkSent(p TraceChunk) {
	t.each(func(c *TraceConfig) { call1(c.OnRequestChunkSent, t.ctx, p) })
}
func (t *tracer) responseChunkReceived(p TraceChunk) {
	t.each(func(c *TraceConfig) { call1(c.OnResponseChunkReceived, t.ctx, p) })
}
func (t *tracer) requestEnd(p TraceResponse) {
	t.each(func(c *TraceConfig) { call1(c.OnRequestEnd, t.ctx, p) })
}
func (t *tracer) requestRedirect(p TraceResponse) {
	t.each(func(c *TraceConfig) { call1(c.OnRequestRedirect, t.ctx, p) })
}
func (t *tracer) requestException(p TraceException) {
	t.each(func(c *TraceConfig) { call1(c.OnRequestException, t.ctx, p) })
}
func (t *tracer) connectionQueuedStart() {
	t.each(func(c *TraceConfig) { call0(c.OnConnectionQueuedStart, t.ctx) })
}
func (t *tracer) connectionQueuedEnd() {
	t.each(func(c *TraceConfig) { call0(c.OnConnectionQueuedEnd, t.ctx) })
}
func (t *tracer) connectionCreateStart() {
	t.each(func(c *TraceConfig) { call0(c.OnConnectionCreateStart, t.ctx) })
}
func (t *tracer) connectionCreateEnd() {
	t.each(func(c *TraceConfig) { call0(c.OnConnectionCreateEnd, t.ctx) })
}
func (t *tracer) connectionReuseconn() {
	t.each(func(c *TraceConfig) { call0(c.OnConnectionReuseconn, t.ctx) })
}
func (t *tracer) dnsResolveHostStart(host string) {
	t.each(func(c *TraceConfig) { call1(c.OnDNSResolveHostStart, t.ctx, host) })
}
func (t *tracer) dnsResolveHostEnd(host string) {
	t.each(func(c *TraceConfig) { call1(c.OnDNSResolveHostEnd, t.ctx, host) })
}
func (t *tracer) dnsCacheHit(host string) {
	t.each(func(c *TraceConfig) { call1(c.OnDNSCacheHit, t.ctx, host) })
}
func (t *tracer) dnsCacheMiss(host string) {
	t.each(func(c *TraceConfig) { call1(c.OnDNSCacheMiss, t.ctx, host) })
}

func call0(f func(context.Context), ctx context.Context) {
	if f != nil {
		f(ctx)
	}
}

func call1[P any](f func(context.Context, P), ctx context.Context, p P) {
	if f != nil {
		f(ctx, p)
	}
}
