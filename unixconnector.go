package aiohttp

import (
	"context"
	"net"
)

// UnixConnector sends every request over the Unix domain socket at its
// path, whatever host the URL names (aiohttp's UnixConnector): the way to
// talk to a local daemon such as Docker's. Limits and keep-alive work as
// in TCPConnector, keyed by the request's scheme, host and port; an https
// request runs TLS over the socket; proxies do not apply.
type UnixConnector struct {
	*pool
	path     string
	tls      TLSOptions
	sessions *tlsSessions
	dial     netDialFunc
}

// NewUnixConnector returns a UnixConnector for the socket at path. Of
// opts it uses the limits, the keep-alive settings, TLS,
// TLSSessionCacheSize and DialContext
// (called with "unix" and path); the DNS and address settings have
// nothing to do.
func NewUnixConnector(path string, opts TCPConnectorOptions) *UnixConnector {
	var d net.Dialer
	c := &UnixConnector{path: path, tls: opts.TLS, sessions: newTLSSessions(opts), dial: d.DialContext}
	if opts.DialContext != nil {
		c.dial = opts.DialContext
	}
	c.pool = newPool(opts, c, c.connect)
	return c
}

// Path returns the path of the socket.
func (c *UnixConnector) Path() string { return c.path }

// connect opens a new connection to the socket for t. Failures are
// ErrUnixClientConnector errors.
func (c *UnixConnector) connect(ctx context.Context, t *dialTarget) (*clientConn, error) {
	origin := t.origin().String()
	nc, err := dialWithin(ctx, c.dial, "unix", c.path, t.dialTimeout, ErrUnixClientConnector, origin)
	if err != nil {
		return nil, err
	}
	if t.scheme == "https" {
		o := t.tls
		if o == nil {
			o = &c.tls
		}
		return secure(ctx, nc, t, o, c.sessions, origin)
	}
	return &clientConn{nc: nc}, nil
}
