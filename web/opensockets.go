package web

import (
	"context"
	"net/http"
	"sync"

	"github.com/aiohttp-go/aiohttp/websocket"
)

// shutdownReason is the reason of the 1001 Going Away close frame a
// graceful shutdown sends to open WebSockets.
const shutdownReason = "server shutdown"

// longLived is a response a graceful shutdown ends at once rather than
// wait for, as it would never end by itself: an open WebSocket or an
// event stream.
type longLived interface {
	// goAway ends it, telling the client that the server is going away,
	// within ctx.
	goAway(ctx context.Context)
	// ended reports whether it ended already.
	ended() bool
}

// openSocket is an open WebSocket in a set of [openSockets]: goAway closes
// it with 1001 Going Away.
type openSocket struct{ *websocket.Socket }

func (s openSocket) goAway(ctx context.Context) {
	_ = s.Close(ctx, websocket.CloseGoingAway, shutdownReason)
}

func (s openSocket) ended() bool { return s.Closed() }

// openSockets is the set of open WebSockets and event streams of one
// server, which its graceful shutdown ends at once: WebSockets with 1001
// Going Away. The engine's [Server] has one; under the net/http bridge,
// the application keeps one for each http.Server (see
// [Application.ServeHTTP]).
type openSockets struct {
	mu      sync.Mutex
	closing bool // the shutdown began: no socket joins any more
	m       map[longLived]struct{}
	pruneAt int // the size at which add first drops closed sockets
}

// minPrune is the smallest size at which add looks for closed sockets.
const minPrune = 64

// add registers s; it reports false when the shutdown already began.
// Sockets leave the set when their handler returns them; those whose
// handler did not (it failed after Prepare) and that closed meanwhile are
// dropped here, once the set doubled since the last look, so that the set
// stays within twice the number of open sockets.
func (o *openSockets) add(s longLived) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closing {
		return false
	}
	if o.m == nil {
		o.m = make(map[longLived]struct{})
	}
	if len(o.m) >= max(o.pruneAt, minPrune) {
		for k := range o.m {
			if k.ended() {
				delete(o.m, k)
			}
		}
		o.pruneAt = 2 * len(o.m)
	}
	o.m[s] = struct{}{}
	return true
}

// remove drops s from the set; o may be nil.
func (o *openSockets) remove(s longLived) {
	if o == nil {
		return
	}
	o.mu.Lock()
	delete(o.m, s)
	o.mu.Unlock()
}

// closeAll ends every socket and stream of the set, all at once:
// WebSockets with 1001 Going Away, waiting for their closing handshakes,
// each bounded by its close timeout and by ctx. From then on add refuses new sockets. Calling it
// again closes nothing more.
func (o *openSockets) closeAll(ctx context.Context) {
	o.mu.Lock()
	o.closing = true
	open := make([]longLived, 0, len(o.m))
	for s := range o.m {
		open = append(open, s)
	}
	o.m = nil
	o.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range open {
		wg.Go(func() { s.goAway(ctx) })
	}
	wg.Wait()
}

// bridgedSockets holds the open WebSockets of an application served by
// net/http, a set for each http.Server.
type bridgedSockets struct {
	mu sync.Mutex
	m  map[*http.Server]*openSockets
}

// of returns the set of srv. The first call for srv hooks the set to
// srv.Shutdown with http.Server.RegisterOnShutdown: net/http's Shutdown
// neither closes nor waits for hijacked connections and offers that hook
// for them, and it is the one event that tells this application's sockets
// on srv that srv is going away. net/http runs the hook in a goroutine
// of its own: Shutdown does not wait for the closing handshakes.
func (b *bridgedSockets) of(srv *http.Server) *openSockets {
	b.mu.Lock()
	defer b.mu.Unlock()
	if o := b.m[srv]; o != nil {
		return o
	}
	if b.m == nil {
		b.m = make(map[*http.Server]*openSockets)
	}
	o := new(openSockets)
	b.m[srv] = o
	srv.RegisterOnShutdown(func() { o.closeAll(context.Background()) })
	return o
}

// openSockets returns the set of open WebSockets of the server serving r,
// or nil when no server can close them on shutdown (a net/http handler
// called without an http.Server). A clone's sockets are those of the
// request it was cloned from.
func (r *Request) openSockets() *openSockets {
	switch out := r.origin().out.(type) {
	case *serverConn:
		return &out.srv.sockets
	case *stdOutbound:
		if srv, ok := r.ctx.Value(http.ServerContextKey).(*http.Server); ok {
			root := r.app
			for root.parent != nil {
				root = root.parent
			}
			return root.bridged.of(srv)
		}
	}
	return nil
}
