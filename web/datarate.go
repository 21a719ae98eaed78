package web

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// MinDataRate is the slowest a peer may send a request body or take a
// response (Kestrel's MinDataRate): BytesPerSecond on average once Grace
// has passed. The zero value means the server's setting (240 bytes/s
// after a 5 s grace period unless ServerOptions say otherwise); a
// negative BytesPerSecond, as in [NoMinDataRate], turns the check off.
type MinDataRate struct {
	BytesPerSecond int64
	Grace          time.Duration
}

// NoMinDataRate turns a minimum data rate off: for long polling, slow
// uploads and other peers that are slow on purpose.
var NoMinDataRate = MinDataRate{BytesPerSecond: -1}

// Kestrel's defaults for both directions.
const (
	defaultMinRate  = 240
	defaultMinGrace = 5 * time.Second
)

// ErrRequestBodyTooSlow is the error of a request body read whose client
// sends below the minimum request body data rate; the read's error is a
// [*BodyError] that also matches a 408 [*HTTPError], so a handler that
// returns it answers 408 Request Timeout, and the connection closes.
var ErrRequestBodyTooSlow = errors.New("web: request body arrives below the minimum data rate")

// ErrResponseTooSlow is the error of a response write whose client takes
// the data below the minimum response data rate (it stopped reading); the
// connection closes.
var ErrResponseTooSlow = errors.New("web: client takes the response below the minimum data rate")

// or returns r, or def when r is the zero MinDataRate; a missing grace
// period is the default one.
func (r MinDataRate) or(def MinDataRate) MinDataRate {
	if r == (MinDataRate{}) {
		r = def
	}
	if r.BytesPerSecond == 0 {
		r.BytesPerSecond = defaultMinRate
	}
	if r.Grace <= 0 {
		r.Grace = defaultMinGrace
	}
	return r
}

// on reports whether the rate is enforced.
func (r MinDataRate) on() bool { return r.BytesPerSecond > 0 }

// duration is how long n bytes take at the rate.
func (r MinDataRate) duration(n int64) time.Duration {
	return time.Duration(n * int64(time.Second) / r.BytesPerSecond)
}

// MinRequestBodyRate sets the minimum request body data rate of a route's
// requests, instead of the server's ([NoMinDataRate] for slow uploads).
func MinRequestBodyRate(r MinDataRate) RouteOption {
	return func(o *routeOptions) { o.bodyRate = r }
}

// MinResponseRate sets the minimum response data rate of a route's
// requests, instead of the server's ([NoMinDataRate] for long polling and
// slow streams).
func MinResponseRate(r MinDataRate) RouteOption {
	return func(o *routeOptions) { o.responseRate = r }
}

// SetMinRequestBodyRate sets the minimum data rate at which this request's
// body must arrive, instead of its route's or the server's
// ([NoMinDataRate] turns it off). Call it before reading the body.
func (r *Request) SetMinRequestBodyRate(rate MinDataRate) {
	r.bodyRate, r.dirty = rate, true
}

// SetMinResponseRate sets the minimum data rate at which the client must
// take this request's response, instead of its route's or the server's
// ([NoMinDataRate] turns it off, as for a long-lived stream).
func (r *Request) SetMinResponseRate(rate MinDataRate) {
	r.responseRate, r.dirty = rate, true
}

// minRate returns the request's own rate, else its route's, else def.
func (r *Request) minRate(own MinDataRate, route func(*Route) MinDataRate, def MinDataRate) MinDataRate {
	if own == (MinDataRate{}) && r.match.route != nil {
		own = route(r.match.route)
	}
	return own.or(def)
}

func routeBodyRate(rt *Route) MinDataRate     { return rt.bodyRate }
func routeResponseRate(rt *Route) MinDataRate { return rt.responseRate }

// bodyTimer enforces the minimum request body data rate on the engine: a
// body read may wait for data only as long as the grace period plus the
// time the bytes received so far are worth at the rate, less the time
// earlier reads waited. Time the handler spends between reads does not
// count. The read deadline is armed once per body and moved only when it
// fires early, so a fast body costs no more than two clock reads per read.
type bodyTimer struct {
	rate     MinDataRate
	started  bool
	armed    bool
	waited   time.Duration
	received int64
}

// budget is how much longer the body may wait for its next byte.
func (t *bodyTimer) budget() time.Duration {
	return t.rate.Grace + t.rate.duration(t.received+1) - t.waited
}

// readBody reads body bytes from the socket under the minimum request
// body data rate.
func (c *serverConn) readBody(p []byte) (int, error) {
	t := &c.bodyTimer
	if !t.started {
		t.started = true
		t.rate = c.req.minRate(c.req.bodyRate, routeBodyRate, c.srv.opts.MinRequestBodyRate)
	}
	if !t.rate.on() {
		return c.nc.Read(p)
	}
	for {
		if !t.armed {
			t.armed = true
			if c.nc.SetReadDeadline(time.Now().Add(t.budget())) != nil {
				return 0, ErrRequestBodyTooSlow
			}
		}
		start := time.Now()
		n, err := c.nc.Read(p)
		t.waited += time.Since(start)
		t.received += int64(n)
		if n > 0 || !isTimeout(err) {
			return n, err
		}
		b := t.budget()
		if b <= 0 {
			return 0, ErrRequestBodyTooSlow
		}
		_ = c.nc.SetReadDeadline(time.Now().Add(b))
	}
}

// endBody stops the body timer once the body is read, the request ends
// or another protocol takes the connection over.
func (c *serverConn) endBody() {
	if !c.bodyTimer.started {
		return
	}
	if c.bodyTimer.armed {
		_ = c.nc.SetReadDeadline(time.Time{})
	}
	c.bodyTimer = bodyTimer{}
}

// bodyReadError turns the body timer's error into the 408 a handler
// returns.
func bodyReadError(err error) error {
	if errors.Is(err, ErrRequestBodyTooSlow) {
		return &BodyError{Err: err, HTTP: HTTPRequestTimeout()}
	}
	return err
}

// armWrite makes sure the write deadline leaves a write of n bytes the
// grace period plus the time n bytes take at the minimum response data
// rate. The deadline is kept in coarse seconds and moved at most about
// once a second, so that a busy keep-alive connection does not re-arm it
// for every response: a client that stops reading is cut between the
// grace period (plus n's time) and two seconds later.
func (c *serverConn) armWrite(n int) {
	r := c.req.minRate(c.req.responseRate, routeResponseRate, c.srv.opts.MinResponseRate)
	if !r.on() {
		c.clearWriteDeadline()
		return
	}
	now := c.srv.clock.Load()
	if c.srv.closing.Load() {
		now = time.Now().Unix() // the sweeper that keeps the clock has stopped
	}
	need := now + 1 + int64((r.Grace+r.duration(int64(n))+time.Second-1)/time.Second)
	if c.writeDeadline >= need {
		return
	}
	c.writeDeadline = need + 1
	_ = c.nc.SetWriteDeadline(time.Unix(c.writeDeadline, 0))
}

// clearWriteDeadline removes the deadline armWrite set, before the
// connection serves a request without a minimum response rate or is
// handed to another protocol (which also ends the body timer).
func (c *serverConn) clearWriteDeadline() {
	if c.writeDeadline != 0 {
		c.writeDeadline = 0
		_ = c.nc.SetWriteDeadline(time.Time{})
	}
}

// writeFailed names a write the minimum response data rate cut; such a
// connection cannot write anymore (a TLS connection least of all).
func (c *serverConn) writeFailed(err error) error {
	if c.writeDeadline != 0 && isTimeout(err) {
		c.writeErr = fmt.Errorf("%w: %w", ErrResponseTooSlow, err)
		return c.writeErr
	}
	return err
}

// isTimeout reports whether err is a deadline that passed.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// stdRatedBody is a net/http request body read under the minimum request
// body data rate. A net/http connection cannot go on reading after a read
// deadline passed, so each read gets the exact deadline the rate allows;
// the deadline is cleared when the body ends, before net/http's own
// background read could trip on it, and kept when it passed, so that
// net/http does not wait for the rest of the body before it answers.
// Servers whose ResponseWriter cannot set deadlines go without.
type stdRatedBody struct {
	body io.Reader
	out  *stdOutbound
	t    bodyTimer
	end  bool // the body ended or failed
}

// start resolves the rate the body is read under.
func (b *stdRatedBody) start() {
	if !b.t.started {
		b.t.started = true
		req, def := b.out.req, MinDataRate{}
		if b.out.opts != nil {
			def = b.out.opts.MinRequestBodyRate
		}
		b.t.rate = req.minRate(req.bodyRate, routeBodyRate, def)
	}
}

func (b *stdRatedBody) Read(p []byte) (int, error) {
	t, rc := &b.t, b.out.controller()
	b.start()
	if !t.rate.on() {
		return b.body.Read(p)
	}
	start := time.Now()
	if rc.SetReadDeadline(start.Add(t.budget())) != nil {
		t.rate = NoMinDataRate
		return b.body.Read(p)
	}
	n, err := b.body.Read(p)
	t.waited += time.Since(start)
	t.received += int64(n)
	if err != nil {
		b.end = true
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return n, bodyReadError(ErrRequestBodyTooSlow)
		}
		_ = rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// boundDiscard bounds the read net/http makes of a body the handler left
// unread (up to 256 KiB, before it answers) by the minimum rate.
func (b *stdRatedBody) boundDiscard() {
	b.start()
	if !b.end && b.t.rate.on() {
		_ = b.out.controller().SetReadDeadline(time.Now().Add(b.t.rate.Grace + b.t.rate.duration(maxDiscard)))
	}
}

// armWrite gives a write of n bytes through net/http the grace period
// plus n bytes' time at the minimum response data rate, moving the write
// deadline only when it leaves less.
//
// The deadline is kept by a watchdog timer, not set on the writer: a
// write deadline costs HTTP/2 a message to the connection's serve loop
// and a timer of its own on every request, while a response almost always
// goes out long before it. Only when the deadline passes does the watchdog
// set a past write deadline, which fails the write under way (x/net
// resets the stream), as the deadline itself would have.
func (o *stdOutbound) armWrite(n int) {
	if o.req == nil {
		return
	}
	def := MinDataRate{}
	if o.opts != nil {
		def = o.opts.MinResponseRate
	}
	r := o.req.minRate(o.req.responseRate, routeResponseRate, def)
	if !r.on() {
		if !o.writeDeadline.IsZero() {
			o.stopWatchdog()
			o.wdMu.Lock()
			o.writeDeadline = time.Time{}
			o.wdMu.Unlock()
		}
		return
	}
	now := time.Now()
	need := now.Add(r.Grace + r.duration(int64(n)))
	if !o.writeDeadline.Before(need) {
		return
	}
	o.controller() // made here, before the watchdog may use it
	o.wdMu.Lock()
	o.writeDeadline, o.wdDone = need.Add(time.Second), false
	o.wdMu.Unlock()
	if o.watchdog == nil {
		o.watchdog = time.AfterFunc(o.writeDeadline.Sub(now), o.writeTimedOut)
	} else {
		o.watchdog.Reset(o.writeDeadline.Sub(now))
	}
}

// writeTimedOut is the watchdog: past the write deadline of a handler
// still running, it fails the write under way. A late run left from an
// earlier request of the exchange finds the deadline ahead, or the
// handler done, and does nothing.
func (o *stdOutbound) writeTimedOut() {
	o.wdMu.Lock()
	defer o.wdMu.Unlock()
	if o.wdDone || o.writeDeadline.IsZero() || time.Now().Before(o.writeDeadline) {
		return
	}
	_ = o.rc.SetWriteDeadline(time.Unix(1, 0))
}

// stopWatchdog ends the watchdog's hold on the writer, when the handler
// returned or the rate was turned off.
func (o *stdOutbound) stopWatchdog() {
	if o.watchdog == nil {
		return
	}
	o.wdMu.Lock()
	o.wdDone = true
	o.wdMu.Unlock()
	o.watchdog.Stop()
}

// writeFailed names a write through net/http the minimum response data
// rate cut.
func (o *stdOutbound) writeFailed(err error) error {
	if err != nil && !o.writeDeadline.IsZero() && errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrResponseTooSlow, err)
	}
	return err
}
