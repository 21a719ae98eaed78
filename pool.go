package aiohttp

import (
	"container/list"
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/http1"
)

// ConnectorStats is a snapshot of a connector's pool.
type ConnectorStats struct {
	// Open counts the open connections, idle or in use; an HTTP/2
	// connection counts once however many requests share it.
	Open int
	// Idle counts the open connections that nobody uses, kept for reuse.
	Idle int
	// InUse counts the acquisitions holding a slot of the limits: the
	// requests in flight, those still connecting included. Requests
	// sharing an HTTP/2 connection count one each.
	InUse int
	// Waiting counts the acquisitions queued for a slot.
	Waiting int
}

// errConnectorClosed is the cause of acquiring from a closed connector.
var errConnectorClosed = errors.New("connector is closed")

// defaultKeepAlive is aiohttp's keepalive_timeout, and how often the
// janitor tidies the pool's bookkeeping when connections are not kept.
const defaultKeepAlive = 15 * time.Second

// pool is the part that TCPConnector and UnixConnector share: the idle
// connections, the limits with their queue of waiters, and the janitor
// that closes connections idle for longer than the keep-alive timeout.
// New connections come from newConn, the connector's own way of dialing.
//
// Limits count acquisitions (slots), as aiohttp does: a connection holds
// a slot from acquire to release, idle connections hold none. Waiters
// queue per host in arrival order; a freed slot goes to the oldest waiter
// whose host is below its own limit, so after every change no waiter that
// could proceed is left waiting, and a new acquire that the limits admit
// overtakes nobody.
//
// The state of a host (its slots and waiters) and of a pool key (its idle
// connections) stays in the maps while unused, so that the steady state
// of acquiring and releasing allocates nothing; the janitor drops the
// unused entries, and it runs only while there are entries or idle
// connections: a timer, no goroutine.
type pool struct {
	owner     Connector // put in every clientConn, for release
	newConn   func(ctx context.Context, t *dialTarget) (*clientConn, error)
	keepAlive time.Duration // how long a connection may stay idle; <= 0: never pooled
	closeDone chan struct{} // closed when Close has closed the idle connections

	mu           sync.Mutex
	closed       bool
	limit        int  // <= 0: none
	limitPerHost int  // <= 0: none
	limitOpen    bool // limit bounds open connections too (CloseIdleAtLimit)
	inUse        int
	hosts        map[hostKey]*hostState
	keys         map[poolKey]*keyState
	queued       map[*hostState]struct{} // the hosts with waiters
	open, nidle  int
	dialing      int // connections being dialed, not open yet
	nwait        int
	seq          uint64 // arrival number of the last waiter
	janitor      *time.Timer
	janitorArmed bool
}

// hostState is what the limits keep per host key.
type hostState struct {
	key     hostKey
	inUse   int
	waiters list.List // of *waiter, oldest first
}

// keyState holds the pooled connections of one pool key.
type keyState struct {
	idle    []*clientConn // HTTP/1 connections, oldest first
	h2      []*clientConn // shared HTTP/2 connections
	dropped bool          // no longer in the pool's map
}

// waiter is an acquisition queued for a slot. The pool closes ready when
// it grants the slot (granted) or closes (closed).
type waiter struct {
	host    *hostState
	seq     uint64
	ready   chan struct{}
	granted bool
	closed  bool
	elem    *list.Element
}

// newPool returns a pool with opts' limits and keep-alive, in which owner
// dials with newConn.
func newPool(opts TCPConnectorOptions, owner Connector, newConn func(context.Context, *dialTarget) (*clientConn, error)) *pool {
	p := &pool{
		owner:        owner,
		newConn:      newConn,
		keepAlive:    opts.KeepAliveTimeout,
		limit:        opts.Limit,
		limitPerHost: opts.LimitPerHost,
		limitOpen:    opts.CloseIdleAtLimit,
		hosts:        make(map[hostKey]*hostState),
		keys:         make(map[poolKey]*keyState),
		queued:       make(map[*hostState]struct{}),
		closeDone:    make(chan struct{}),
	}
	if p.limit == 0 {
		p.limit = 100
	}
	if p.keepAlive == 0 {
		p.keepAlive = defaultKeepAlive
	}
	if opts.ForceClose {
		p.keepAlive = -1
	}
	return p
}

// SetLimit changes the total limit of connections in use at run time; n
// <= 0 removes it. Raising it lets queued requests proceed at once;
// lowering it closes nothing: connections in use finish their requests
// and new ones wait until fewer than n are in use.
func (p *pool) SetLimit(n int) {
	p.mu.Lock()
	p.limit = n
	p.grant()
	p.mu.Unlock()
}

// Limit returns the total limit of connections in use; 0 means none.
func (p *pool) Limit() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.limit, 0)
}

// SetLimitPerHost changes, like SetLimit, the limit of connections in use
// to one (scheme, host, port); n <= 0 removes it.
func (p *pool) SetLimitPerHost(n int) {
	p.mu.Lock()
	p.limitPerHost = n
	p.grant()
	p.mu.Unlock()
}

// LimitPerHost returns the limit of connections in use to one (scheme,
// host, port); 0 means none.
func (p *pool) LimitPerHost() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.limitPerHost, 0)
}

// Stats returns a snapshot of the pool.
func (p *pool) Stats() ConnectorStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ConnectorStats{Open: p.open, Idle: p.nidle, InUse: p.inUse, Waiting: p.nwait}
}

// Close closes the idle connections and fails the queued and later
// acquisitions with an error of kind ErrClientConnection; connections in
// use close when they are released. It always returns nil. It may be
// called more than once, from any goroutine: every call returns once the
// idle connections are closed.
func (p *pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.closeDone
		return nil
	}
	p.closed = true
	var dead []*clientConn
	for key, ks := range p.keys {
		dead = append(dead, ks.idle...)
		ks.idle = nil
		kept := ks.h2[:0]
		for _, b := range ks.h2 {
			if b.users == 0 {
				dead = append(dead, b)
			} else {
				b.draining = true
				kept = append(kept, b)
			}
		}
		clear(ks.h2[len(kept):])
		ks.h2 = kept
		if len(kept) == 0 {
			ks.dropped = true
			delete(p.keys, key)
		}
	}
	for hs := range p.queued {
		for e := hs.waiters.Front(); e != nil; e = e.Next() {
			w := e.Value.(*waiter)
			w.closed = true
			close(w.ready)
		}
		hs.waiters.Init()
	}
	clear(p.queued)
	p.nwait = 0
	if p.janitor != nil {
		p.janitor.Stop()
		p.janitorArmed = false
	}
	p.open -= len(dead)
	p.nidle = 0
	p.mu.Unlock()
	for _, c := range dead {
		closeConn(c)
	}
	close(p.closeDone)
	return nil
}

// acquire implements Connector.acquire.
func (p *pool) acquire(ctx context.Context, t *dialTarget) (*clientConn, error) {
	key := t.key()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, &Error{Kind: ErrClientConnection, URL: key.hostKey.String(), Err: errConnectorClosed}
	}
	hs := p.host(key.hostKey)
	var queued time.Duration
	if p.admits(hs) {
		p.take(hs)
	} else {
		wctx, cancel := t.withDeadline(ctx)
		var err error
		queued, err = p.wait(wctx, t, hs)
		cancel()
		if err != nil {
			return nil, err
		}
		p.mu.Lock()
	}
	// The slot is ours: a connection takes it, or we give it back.
	if c := p.reuse(key, hs, queued, t.idempotent, t.start); c != nil {
		t.trace.connectionReuseconn()
		return c, nil
	}
	if old := p.makeRoom(); old != nil {
		closeConn(old)
	}
	t.trace.connectionCreateStart()
	dctx, cancel := t.withDeadline(ctx)
	c, err := p.newConn(dctx, t)
	cancel()
	if err != nil {
		p.mu.Lock()
		p.dialing--
		p.free(hs)
		p.mu.Unlock()
		return nil, err
	}
	if c, err = p.adopt(c, key, hs, queued); err != nil {
		return nil, err
	}
	t.trace.connectionCreateEnd()
	return c, nil
}

// host returns the state of the host key k, making it when missing.
func (p *pool) host(k hostKey) *hostState {
	if hs := p.hosts[k]; hs != nil {
		return hs
	}
	hs := &hostState{key: k}
	p.hosts[hs.key] = hs
	return hs
}

// wait queues for a slot of hs, called with p.mu held, which it releases;
// it returns how long it queued.
func (p *pool) wait(ctx context.Context, t *dialTarget, hs *hostState) (time.Duration, error) {
	start := time.Now()
	w := p.enqueue(hs)
	p.mu.Unlock()

	t.trace.connectionQueuedStart()
	select {
	case <-w.ready:
	case <-ctx.Done():
	}
	p.mu.Lock()
	ctxErr := ctx.Err()
	switch {
	case w.granted && ctxErr == nil:
		p.mu.Unlock()
		t.trace.connectionQueuedEnd()
		return time.Since(start), nil
	case w.granted:
		p.free(hs)
	case !w.closed:
		p.dequeue(w)
	}
	full := p.fullLimit(hs)
	p.mu.Unlock()
	if w.closed {
		return 0, &Error{Kind: ErrClientConnection, URL: hs.key.String(), Err: errConnectorClosed}
	}
	waited := &slotWaitError{waited: time.Since(start), host: hs.key, limit: full, err: ctxErr}
	return 0, contextError(waited, hs.key.String())
}

// fullLimit names the limit that keeps hs waiting, called with p.mu held.
func (p *pool) fullLimit(hs *hostState) string {
	if p.limitPerHost > 0 && hs.inUse >= p.limitPerHost {
		return "LimitPerHost " + strconv.Itoa(p.limitPerHost)
	}
	return "Limit " + strconv.Itoa(p.limit)
}

// slotWaitError says how long a request waited for a connection slot, to
// which origin, and behind which limit, until its context ended; it wraps
// the context's error.
type slotWaitError struct {
	waited time.Duration
	host   hostKey
	limit  string
	err    error
}

func (e *slotWaitError) Error() string {
	return "waited " + e.waited.Round(time.Millisecond).String() + " for a connection slot to " +
		net.JoinHostPort(e.host.host, e.host.port) + " (" + e.limit + ", all in use): " + e.err.Error()
}

func (e *slotWaitError) Unwrap() error { return e.err }

// withDeadline returns ctx bounded by t's deadline, if it has one.
func (t *dialTarget) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if t.deadline == 0 {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, processStart.Add(t.deadline))
}

// causeOr returns w as the cause of an error when there was a wait for a
// slot, err otherwise.
func causeOr(w *slotWaitError, err error) error {
	if w != nil {
		return w
	}
	return err
}

// admits reports whether the limits leave a slot for hs.
func (p *pool) admits(hs *hostState) bool {
	return (p.limit <= 0 || p.inUse < p.limit) &&
		(p.limitPerHost <= 0 || hs.inUse < p.limitPerHost)
}

// take counts a slot of hs as used.
func (p *pool) take(hs *hostState) {
	p.inUse++
	hs.inUse++
}

// free gives back a slot of hs and hands it on.
func (p *pool) free(hs *hostState) {
	p.inUse--
	hs.inUse--
	p.grant()
	p.armJanitor()
}

// enqueue queues a waiter for hs.
func (p *pool) enqueue(hs *hostState) *waiter {
	p.seq++
	w := &waiter{host: hs, seq: p.seq, ready: make(chan struct{})}
	w.elem = hs.waiters.PushBack(w)
	p.queued[hs] = struct{}{}
	p.nwait++
	return w
}

// dequeue removes a waiter from its queue.
func (p *pool) dequeue(w *waiter) {
	hs := w.host
	hs.waiters.Remove(w.elem)
	if hs.waiters.Len() == 0 {
		delete(p.queued, hs)
	}
	p.nwait--
}

// grant hands free slots to the oldest waiters the limits admit.
func (p *pool) grant() {
	for p.nwait > 0 && (p.limit <= 0 || p.inUse < p.limit) {
		var next *waiter
		for hs := range p.queued {
			if p.limitPerHost > 0 && hs.inUse >= p.limitPerHost {
				continue
			}
			if w := hs.waiters.Front().Value.(*waiter); next == nil || w.seq < next.seq {
				next = w
			}
		}
		if next == nil {
			return
		}
		p.dequeue(next)
		p.take(next.host)
		next.granted = true
		close(next.ready)
	}
}

// trustIdle is how long an idle connection is trusted, for idempotent
// requests, without checking that the server kept it open.
const trustIdle = time.Second

// reuse returns a pooled connection for key, or nil: a shared HTTP/2
// connection with room for one more request, else the most recently idle
// HTTP/1 connection that is neither expired nor closed by the server.
// Whether the server closed it costs a system call to learn; for an
// idempotent request on a connection idle for less than trustIdle the pool
// skips it, since the session retries such a request once when a reused
// connection turns out closed. It is called with p.mu held, which it
// releases.
func (p *pool) reuse(key poolKey, hs *hostState, queued time.Duration, idempotent bool, start time.Duration) *clientConn {
	ks := p.keys[key]
	if ks == nil {
		p.mu.Unlock()
		return nil
	}
	if len(ks.h2) > 0 {
		if b, dead := p.pickH2(ks); b != nil || len(dead) > 0 {
			p.mu.Unlock()
			for _, d := range dead {
				closeConn(d)
			}
			if b != nil {
				return p.share(b, hs, queued, true)
			}
			p.mu.Lock()
		}
	}
	for {
		now := start
		if now <= 0 || queued > 0 {
			now = monotime()
		}
		start = 0
		c, expired := p.popIdle(ks, now)
		if c == nil {
			p.mu.Unlock()
			for _, e := range expired {
				closeConn(e)
			}
			return nil
		}
		if idempotent && now-c.idleSince < trustIdle {
			c.held, c.reused, c.queued, c.host = true, true, queued, hs
			p.mu.Unlock()
			return c
		}
		p.mu.Unlock()
		if c.alive.ok() {
			p.mu.Lock()
			c.held, c.reused, c.queued, c.host = true, true, queued, hs
			p.mu.Unlock()
			return c
		}
		closeConn(c)
		p.mu.Lock()
		p.open--
	}
}

// pickH2 returns a shared HTTP/2 connection of ks that can take one more
// request, counting the new user, and takes out the idle ones that can
// no longer serve (for the caller to close).
func (p *pool) pickH2(ks *keyState) (found *clientConn, dead []*clientConn) {
	kept := ks.h2[:0]
	for _, b := range ks.h2 {
		switch {
		case found == nil && !b.draining && h2Usable(b.h2):
			found = b
		case b.users == 0 && !h2Usable(b.h2):
			dead = append(dead, b)
			p.open--
			p.nidle--
			continue
		}
		kept = append(kept, b)
	}
	clear(ks.h2[len(kept):])
	ks.h2 = kept
	if found != nil {
		if found.users == 0 {
			p.nidle--
		}
		found.users++
	}
	return found, dead
}

// popIdle takes the newest idle connection of ks. When that one has been
// idle for the keep-alive timeout, so have the older ones: it returns
// them all as expired instead, counted as closed.
func (p *pool) popIdle(ks *keyState, now time.Duration) (c *clientConn, expired []*clientConn) {
	n := len(ks.idle)
	if n == 0 {
		return nil, nil
	}
	c = ks.idle[n-1]
	if now-c.idleSince >= p.keepAlive {
		expired = slices.Clone(ks.idle)
		clear(ks.idle)
		ks.idle = ks.idle[:0]
		p.open -= n
		p.nidle -= n
		return nil, expired
	}
	ks.idle[n-1] = nil
	ks.idle = ks.idle[:n-1]
	p.nidle--
	return c, nil
}

// makeRoom counts a connection about to be dialed and, under
// CloseIdleAtLimit, when the open connections would then exceed the total
// limit, takes the least recently used idle connection out of the pool
// for the caller to close. In-use and dialing connections hold slots, so
// past the limit there is always an idle one.
func (p *pool) makeRoom() *clientConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dialing++
	if !p.limitOpen || p.limit <= 0 || p.open+p.dialing <= p.limit || p.nidle == 0 {
		return nil
	}
	var (
		oldest *clientConn
		remove func()
	)
	for _, ks := range p.keys {
		if len(ks.idle) > 0 && (oldest == nil || ks.idle[0].idleSince < oldest.idleSince) {
			oldest, remove = ks.idle[0], func() {
				n := copy(ks.idle, ks.idle[1:])
				ks.idle[n] = nil
				ks.idle = ks.idle[:n]
			}
		}
		for i, b := range ks.h2 {
			if b.users == 0 && (oldest == nil || b.idleSince < oldest.idleSince) {
				oldest, remove = b, func() { ks.h2 = slices.Delete(ks.h2, i, i+1) }
			}
		}
	}
	if oldest == nil {
		return nil
	}
	remove()
	p.open--
	p.nidle--
	return oldest
}

// processStart anchors the pool's clock.
var processStart = time.Now()

// monotime returns the time since processStart. It reads only the
// monotonic clock, where time.Now reads the wall clock too: half the cost,
// and the pool reads it twice per request.
func monotime() time.Duration { return time.Since(processStart) }

// keyState returns the state of the pool key, making it when missing.
func (p *pool) keyState(key poolKey) *keyState {
	ks := p.keys[key]
	if ks == nil {
		ks = &keyState{}
		p.keys[key] = ks
	}
	return ks
}

// adopt makes a new connection part of the pool, holding the caller's
// slot of hs; an HTTP/2 one becomes shared when connections are kept
// alive.
func (p *pool) adopt(c *clientConn, key poolKey, hs *hostState, queued time.Duration) (*clientConn, error) {
	c.key, c.host, c.connector, c.queued = key, hs, p.owner, queued
	if c.h2 == nil {
		if c.sock = newSockReader(c.nc); c.sock != nil {
			c.r = http1.NewReader(c.sock)
		} else {
			c.r = http1.NewReader(c.nc)
		}
		c.alive = newAliveCheck(c.nc)
	}
	p.mu.Lock()
	if p.closed {
		p.dialing--
		p.free(hs)
		p.mu.Unlock()
		closeConn(c)
		return nil, &Error{Kind: ErrClientConnection, URL: hs.key.String(), Err: errConnectorClosed}
	}
	p.open++
	p.dialing--
	if c.h2 != nil && p.keepAlive > 0 {
		c.users = 1
		ks := p.keyState(key)
		ks.h2 = append(ks.h2, c)
		p.mu.Unlock()
		return p.share(c, hs, queued, false), nil
	}
	c.held = true
	p.mu.Unlock()
	return c, nil
}

// share returns one acquisition of the shared HTTP/2 connection b, whose
// users count already includes it.
func (p *pool) share(b *clientConn, hs *hostState, queued time.Duration, reused bool) *clientConn {
	c, _ := shares.Get().(*clientConn)
	if c == nil {
		c = new(clientConn)
	}
	*c = clientConn{
		nc: b.nc, h2: b.h2, tls: b.tls, key: b.key, host: hs, connector: p.owner,
		h2base: b, held: true, reused: reused, queued: queued,
	}
	return c
}

// shares recycles the clientConns of HTTP/2 acquisitions.
var shares sync.Pool

// recycleShare recycles c when it is a released HTTP/2 acquisition. Only
// a caller holding the last reference to it may call it: Session.With,
// recycling the state of a request whose exchange is over.
func recycleShare(c *clientConn) {
	if c.h2base != nil && !c.held {
		*c = clientConn{}
		shares.Put(c)
	}
}

// release implements Connector.release. A second release of the same
// acquisition does nothing.
func (p *pool) release(c *clientConn, reuse bool) {
	p.mu.Lock()
	if !c.held {
		p.mu.Unlock()
		return
	}
	c.held = false
	var drop *clientConn
	if b := c.h2base; b != nil {
		b.users--
		if !reuse {
			b.draining = true
		}
		if b.users == 0 {
			if b.draining || !h2Usable(b.h2) {
				p.removeH2(b)
				drop = b
			} else {
				b.idleSince = monotime()
				p.nidle++
			}
		}
	} else if reuse && p.keepAlive > 0 && !p.closed && c.h2 == nil && c.r.Buffered() == 0 {
		// An idle connection keeps no part of its last exchange: the
		// read buffer, the slices of the head into it, and the request's
		// method and path (which may pin the URL string it came in).
		c.r.Release()
		c.head.Forget()
		c.unclosed = unclosedWatch{}
		c.idleSince = monotime()
		if c.ks == nil || c.ks.dropped {
			c.ks = p.keyState(c.key)
		}
		c.ks.idle = append(c.ks.idle, c)
		p.nidle++
	} else {
		drop = c
	}
	if drop != nil {
		// Close before freeing the slot, so that a waiter's new
		// connection never overlaps the old one past the limits.
		p.open--
		p.mu.Unlock()
		closeConn(drop)
		p.mu.Lock()
	}
	p.free(c.host)
	p.mu.Unlock()
}

// removeH2 takes the shared HTTP/2 connection b out of the pool.
func (p *pool) removeH2(b *clientConn) {
	if ks := p.keys[b.key]; ks != nil {
		if i := slices.Index(ks.h2, b); i >= 0 {
			ks.h2 = slices.Delete(ks.h2, i, i+1)
		}
	}
}

// armJanitor makes sure the janitor runs while there is anything to tidy.
// It fires at the latest when the connections idle since it was armed
// expire, and re-arms itself for the rest.
func (p *pool) armJanitor() {
	if p.janitorArmed || p.closed {
		return
	}
	p.janitorArmed = true
	if p.janitor == nil {
		p.janitor = time.AfterFunc(p.sweepEvery(), p.sweep)
	} else {
		p.janitor.Reset(p.sweepEvery())
	}
}

// sweepEvery returns how long the janitor sleeps when it has nothing to
// expire.
func (p *pool) sweepEvery() time.Duration {
	if p.keepAlive > 0 {
		return p.keepAlive
	}
	return defaultKeepAlive
}

// sweep closes the connections idle for the keep-alive timeout, drops the
// unused entries of the maps, and re-arms the janitor while anything is
// left: for when the first remaining idle connection expires.
func (p *pool) sweep() {
	now := monotime()
	var dead []*clientConn
	first := time.Duration(-1) // when the oldest remaining idle connection went idle
	keep := func(since time.Duration) {
		if first < 0 || since < first {
			first = since
		}
	}
	p.mu.Lock()
	p.janitorArmed = false
	if p.closed {
		p.mu.Unlock()
		return
	}
	for key, ks := range p.keys {
		n := 0
		for n < len(ks.idle) && now-ks.idle[n].idleSince >= p.keepAlive {
			n++
		}
		if n > 0 {
			dead = append(dead, ks.idle[:n]...)
			rest := copy(ks.idle, ks.idle[n:])
			clear(ks.idle[rest:])
			ks.idle = ks.idle[:rest]
		}
		if len(ks.idle) > 0 {
			keep(ks.idle[0].idleSince)
		}
		kept := ks.h2[:0]
		for _, b := range ks.h2 {
			switch {
			case b.users > 0:
			case now-b.idleSince >= p.keepAlive:
				dead = append(dead, b)
				continue
			default:
				keep(b.idleSince)
			}
			kept = append(kept, b)
		}
		clear(ks.h2[len(kept):])
		ks.h2 = kept
		if len(ks.idle) == 0 && len(ks.h2) == 0 {
			ks.dropped = true
			delete(p.keys, key)
		}
	}
	for key, hs := range p.hosts {
		if hs.inUse == 0 && hs.waiters.Len() == 0 {
			delete(p.hosts, key)
		}
	}
	p.open -= len(dead)
	p.nidle -= len(dead)
	switch {
	case p.nidle > 0:
		p.janitorArmed = true
		p.janitor.Reset(first + p.keepAlive - now)
	case len(p.keys) > 0 || len(p.hosts) > 0:
		p.janitorArmed = true
		p.janitor.Reset(p.sweepEvery())
	}
	p.mu.Unlock()
	for _, c := range dead {
		closeConn(c)
	}
}

// h2Usable reports whether an HTTP/2 connection can take another request.
func h2Usable(cc *http.ClientConn) bool { return cc.Err() == nil && cc.Available() > 0 }

// closeConn closes c's connection.
func closeConn(c *clientConn) {
	if c.h2 != nil {
		c.h2.Close()
		return
	}
	c.nc.Close()
}

// contextError reports an acquisition ended by its context: a deadline
// is a connection timeout, a cancellation a plain connection error; both
// wrap err, the context's error or what wraps it.
func contextError(err error, url string) error {
	kind := ErrClientConnection
	if errors.Is(err, context.DeadlineExceeded) {
		kind = ErrConnectionTimeout
	}
	return &Error{Kind: kind, URL: url, Err: err}
}
