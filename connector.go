package aiohttp

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// Connector supplies a Session's connections: a *TCPConnector (the
// default) or a *UnixConnector. One connector may serve several sessions.
//
// Its methods other than Close are the package's own: a connector is the
// pool (limits with their queue, keep-alive, liveness checks, HTTP/2
// sharing) working with the session's wire engine, which no outside type
// could stand in for. What a program or a test replaces is how the
// connections are opened: TCPConnectorOptions.DialContext, as with
// net/http's Transport (an in-memory connection, a dialer that counts or
// routes), and a middleware may answer a request without any
// connection.
type Connector interface {
	// Close closes the idle pooled connections and fails later acquires;
	// connections in use close when they are released. It may be called
	// more than once, from any goroutine.
	Close() error

	// acquire returns a connection for t: an idle pooled one when there is
	// one, else a new one, waiting in FIFO order while the limits are
	// reached. ctx bounds the whole wait (queue, DNS, dial, TLS, proxy).
	// The connection holds a slot of the limits until released; its
	// queued field tells how long acquire waited for that slot.
	//
	// Errors are *Error values naming the origin (scheme://host:port) or
	// the proxy in URL, for the caller to complete with the method and
	// the request's URL; a proxy refusing a CONNECT tunnel gives a
	// *ClientResponseError of kind ErrClientHTTPProxy. When ctx ends
	// first, a deadline gives kind ErrConnectionTimeout and a
	// cancellation ErrClientConnection, both wrapping ctx.Err().
	acquire(ctx context.Context, t *dialTarget) (*clientConn, error)
	// release gives a connection back, exactly once per acquire (a second
	// call does nothing): to the idle pool when reuse is set, the
	// connector keeps connections alive, and no unread byte is buffered
	// in c.r; closed otherwise. It frees the slot for the next waiter
	// either way. For an HTTP/2 connection, reuse=false stops handing it
	// out and closes it once its last request is released: pass false
	// only when the connection itself failed, since ending one stream
	// (closing its body) is cheap and leaves the connection sound.
	release(c *clientConn, reuse bool)
}

// dialTarget is what a request needs a connection to.
type dialTarget struct {
	scheme      string // "http" or "https" (ws and wss map to these)
	host        string // host name or IP literal, without brackets
	port        string
	tls         *TLSOptions // the request's TLS settings for https; nil means the connector's
	proxy       *proxyTarget
	trace       *tracer
	dialTimeout time.Duration // aiohttp's sock_connect for one dial attempt; 0: none
	// deadline bounds the acquisition, the wait for a slot and the
	// connecting (the connect timeout, or the total one when it counts
	// the queue), as a monotime; 0 for none. The pool makes a context of
	// it only when it waits or dials, so that taking a pooled connection
	// costs nothing.
	deadline   time.Duration
	forceHTTP1 bool // do not offer h2 by ALPN
	// idempotent is set for requests the session retries once when a
	// reused connection fails; the pool may then skip its liveness check.
	idempotent bool
	// start is the monotime at which the request started, microseconds
	// ago, which the pool takes for the time now unless it queued, saving
	// a clock read; 0: read the clock.
	start time.Duration
}

// proxyTarget is the proxy a request goes through.
type proxyTarget struct {
	url    *url.URL // http://, https:// or socks5:// (socks5h too)
	auth   string   // Proxy-Authorization value for HTTP proxies, "" for none
	header *multidict.CIMultiDict
}

// clientConn is one connection to a server (or to a proxy for plain-HTTP
// requests through it).
type clientConn struct {
	nc       net.Conn
	r        *http1.Reader
	sock     *sockReader        // r's source when nc is a plain socket; nil otherwise
	head     http1.ResponseHead // the head being read, until the Response has copied it
	strs     headStrings        // the strings of the last head read, for the next to reuse
	unclosed unclosedWatch      // see exchange.watchUnclosed
	key      poolKey            // scheme, host, port, TLS settings, proxy
	reused   bool               // it came from the idle pool
	queued   time.Duration      // how long acquire waited in the queue for a slot
	// proxied is set for a plain-HTTP request through an HTTP proxy: the
	// request line carries the absolute URL and proxyAuth goes in
	// Proxy-Authorization.
	proxied   bool
	proxyAuth string
	// tls is the state of the TLS connection nc, nil for plain HTTP;
	// every Response on the connection shares it.
	tls *tls.ConnectionState
	// h2 is set when the server chose HTTP/2 by ALPN; the session then
	// sends requests through it instead of nc (r is nil). Several
	// acquisitions share one HTTP/2 connection: each gets its own
	// clientConn whose h2base is the pooled one.
	h2 *http.ClientConn

	// deadline is the read and write deadline set on nc, valid while
	// deadlineSet; see setDeadline.
	deadline    time.Time
	deadlineSet bool

	connector Connector
	idleSince time.Duration // monotime when it went idle

	// The fields below belong to the pool and are guarded by its mutex.
	host     *hostState  // the limits' state of scheme, host and port, whose slot it holds
	ks       *keyState   // the state of its pool key, once it was idle (see keyState.dropped)
	alive    *aliveCheck // tells whether an idle HTTP/1 connection is still open
	held     bool        // acquired and not yet released
	h2base   *clientConn // for an HTTP/2 acquisition: the shared connection
	users    int         // for a shared HTTP/2 connection: acquisitions not yet released
	draining bool        // for a shared HTTP/2 connection: no longer handed out
}

// TLSOptions configure TLS for HTTPS requests (aiohttp's ssl argument).
// The zero value verifies certificates against the system roots.
type TLSOptions struct {
	// Config is a custom TLS configuration (CA pool, client certificates,
	// versions); nil means Go's defaults.
	Config *tls.Config
	// InsecureSkipVerify turns verification off (aiohttp's ssl=False).
	InsecureSkipVerify bool
	// Fingerprint pins the SHA-256 digest of the server's leaf certificate
	// (DER); a mismatch fails with a *ServerFingerprintMismatch. As in
	// aiohttp, the pin replaces the verification of the certificate
	// chain, so that self-signed certificates can be pinned.
	Fingerprint []byte
	// ServerName overrides the name sent by SNI and verified
	// (aiohttp's server_hostname).
	ServerName string
}

// setDeadline sets nc's read and write deadline to d unless they are set
// to d already: requests one after another on a pooled connection, whose
// total timeouts are rounded up to a whole second (see
// ClientTimeout.CeilThreshold), set it about once a second instead of
// twice a request.
func (c *clientConn) setDeadline(d time.Time) error {
	if c.deadlineSet && d.Equal(c.deadline) {
		return nil
	}
	c.deadline, c.deadlineSet = d, true
	return c.nc.SetDeadline(d)
}

// setReadDeadline sets nc's read deadline alone, to d.
func (c *clientConn) setReadDeadline(d time.Time) {
	c.deadlineSet = false
	c.nc.SetReadDeadline(d)
}
