package aiohttp

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"
)

// TCPConnectorOptions configure a TCPConnector (aiohttp's TCPConnector
// arguments). The zero value gives aiohttp's defaults.
type TCPConnectorOptions struct {
	// Limit bounds the connections in use at once, to all hosts: 0 means
	// aiohttp's 100, a negative value no limit. Requests beyond it wait
	// in arrival order; idle pooled connections do not count, unless
	// CloseIdleAtLimit.
	Limit int
	// CloseIdleAtLimit makes Limit bound the open connections too, idle
	// ones included: the least recently used idle connection is closed to
	// make room for a new one, so that no more than Limit connections are
	// ever open (a crawler's promise to the sites it visits), at the cost
	// of closing connections a later request could have reused.
	CloseIdleAtLimit bool
	// LimitPerHost bounds the connections in use at once to one (scheme,
	// host, port); 0 means no limit.
	LimitPerHost int
	// KeepAliveTimeout is how long an idle connection stays pooled: 0
	// means 15s, a negative value no keep-alive (as ForceClose).
	KeepAliveTimeout time.Duration
	// ForceClose closes every connection after its request.
	ForceClose bool
	// DisableDNSCache resolves every new connection's host afresh
	// (aiohttp's use_dns_cache=False).
	DisableDNSCache bool
	// DNSCacheTTL is how long a resolved host stays cached: 0 means 10s,
	// a negative value forever (until ClearDNSCache).
	DNSCacheTTL time.Duration
	// DNSCacheSize bounds the cached hosts, the least recently used going
	// first: 0 means 1000, a negative value no bound.
	DNSCacheSize int
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver Resolver
	// Family restricts the addresses used: 0 any, 4 IPv4 only, 6 IPv6
	// only.
	Family int
	// LocalAddr is the local address to connect from; its IP, when set,
	// also restricts the remote addresses to its family.
	LocalAddr *net.TCPAddr
	// HappyEyeballsDelay is how long a connection attempt has before the
	// next address is tried in parallel (RFC 8305): 0 means 250ms, a
	// negative value one address after the other.
	HappyEyeballsDelay time.Duration
	// TLS are the TLS settings of https requests that bring none of their
	// own.
	TLS TLSOptions
	// TLSSessionCacheSize is how many TLS sessions the connector keeps,
	// one per server (host and port), the least recently used going
	// first, so that a new connection to a server connected to before
	// resumes the session: an abbreviated handshake, without the
	// certificate chain and its verification. 0 means 256, a negative
	// value no resumption. The cache serves the handshakes made with
	// TLS.Config (a request's TLSOptions with another Config do not
	// resume, as a session is bound to the client certificate and the
	// verification it was made with); a Config that has a
	// ClientSessionCache of its own uses that one. Two connectors never
	// share sessions.
	TLSSessionCacheSize int
	// DialContext, when set, opens the connections in place of the
	// connector's resolver and dialer, as http.Transport.DialContext: it
	// is called with network "tcp" and the host:port of the server, or
	// of the proxy, as the URL names them (not resolved), and TLS, proxy
	// handshakes and requests then run over the connection it returns.
	// The DNS settings, Family, LocalAddr and HappyEyeballsDelay then
	// have nothing to do; ctx carries the SockConnect and Connect
	// timeouts. A UnixConnector calls it with "unix" and its path. With
	// it a test can run a session over net.Pipe or an in-memory listener,
	// or a program count, wrap or route its connections.
	DialContext func(ctx context.Context, network, address string) (net.Conn, error)
}

// TCPConnector is the default Connector: a pool of TCP (and TLS)
// connections with limits, keep-alive, a DNS cache, Happy Eyeballs and
// proxies (HTTP, HTTPS with CONNECT tunnels, SOCKS5). Its limits change at
// run time with SetLimit and SetLimitPerHost. It is safe for concurrent
// use and may serve several sessions.
//
// HTTPS connections offer HTTP/2 by ALPN; a connection on which the server
// chose it is shared by concurrent requests to the same target, each
// still taking a slot of the limits.
type TCPConnector struct {
	*pool
	dns      *dnsCache
	family   int           // 0, 4 or 6, from Family or LocalAddr
	delay    time.Duration // Happy Eyeballs delay
	tls      TLSOptions
	sessions *tlsSessions
	dial     netDialFunc // dials one resolved address: net.Dialer.DialContext; tests replace it
	// dialHook is TCPConnectorOptions.DialContext, which replaces
	// resolving and dialing.
	dialHook netDialFunc
}

// NewTCPConnector returns a TCPConnector with opts.
func NewTCPConnector(opts TCPConnectorOptions) *TCPConnector {
	c := &TCPConnector{
		dns:      newDNSCache(opts),
		family:   opts.Family,
		delay:    opts.HappyEyeballsDelay,
		tls:      opts.TLS,
		sessions: newTLSSessions(opts),
		dialHook: opts.DialContext,
	}
	if c.delay == 0 {
		c.delay = 250 * time.Millisecond
	}
	d := &net.Dialer{}
	if opts.LocalAddr != nil {
		d.LocalAddr = opts.LocalAddr
		if ip := opts.LocalAddr.IP; ip != nil && c.family == 0 {
			c.family = 6
			if ip.To4() != nil {
				c.family = 4
			}
		}
	}
	c.dial = d.DialContext
	c.pool = newPool(opts, c, c.connect)
	return c
}

// ClearDNSCache forgets the cached addresses of host, or of every host
// when host is "".
func (c *TCPConnector) ClearDNSCache(host string) { c.dns.clear(host) }

// connect opens a new connection for t: directly, or through t's proxy.
func (c *TCPConnector) connect(ctx context.Context, t *dialTarget) (*clientConn, error) {
	origin := t.origin().String()
	if t.proxy != nil {
		return c.connectProxy(ctx, t, origin)
	}
	nc, err := c.dialHost(ctx, t, t.host, t.port, ErrClientConnector, origin)
	if err != nil {
		return nil, err
	}
	if t.scheme == "https" {
		return secure(ctx, nc, t, c.tlsOptions(t), c.sessions, origin)
	}
	return &clientConn{nc: nc}, nil
}

// tlsOptions returns the TLS settings for t.
func (c *TCPConnector) tlsOptions(t *dialTarget) *TLSOptions {
	if t.tls != nil {
		return t.tls
	}
	return &c.tls
}

// dialHost resolves host and connects to it on port; failures to connect
// are of kind (ErrClientConnector, or ErrClientProxyConnection for a
// proxy) and name url.
func (c *TCPConnector) dialHost(ctx context.Context, t *dialTarget, host, port string, kind *errorKind, url string) (net.Conn, error) {
	if c.dialHook != nil {
		return dialWithin(ctx, c.dialHook, "tcp", net.JoinHostPort(host, port), t.dialTimeout, kind, url)
	}
	addrs, err := c.resolve(ctx, host, t.trace, url)
	if err != nil {
		return nil, err
	}
	nc, err := dialHappyEyeballs(ctx, c.dial, addrs, port, c.delay, t.dialTimeout)
	if err != nil {
		return nil, connectError(ctx, kind, url, err)
	}
	return nc, nil
}

// dialWithin opens a connection with dial (the DialContext hook, or a
// Unix socket dialer), within timeout when positive; failures are of
// kind and name url.
func dialWithin(ctx context.Context, dial netDialFunc, network, address string, timeout time.Duration, kind *errorKind, url string) (net.Conn, error) {
	dctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	nc, err := dial(dctx, network, address)
	if err == nil && nc == nil {
		err = errNilConn
	}
	if err != nil {
		if _, ok := errors.AsType[*net.DNSError](err); ok && kind == ErrClientConnector {
			kind = ErrClientConnectorDNS // the hook resolved the name itself
		}
		return nil, connectError(ctx, kind, url, err)
	}
	return nc, nil
}

// errNilConn reports a DialContext hook that returned no connection and
// no error.
var errNilConn = errors.New("DialContext returned neither a connection nor an error")

// resolve returns the addresses of host in the connector's family: an IP
// literal as it is, a name through the DNS cache. Failures are
// ErrClientConnectorDNS errors naming url.
func (c *TCPConnector) resolve(ctx context.Context, host string, tr *tracer, url string) ([]net.IPAddr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		if !c.familyOK(ip.Unmap().Is4()) {
			return nil, &Error{Kind: ErrClientConnectorDNS, URL: url, Err: errNoAddress(host)}
		}
		return []net.IPAddr{{IP: ip.AsSlice(), Zone: ip.Zone()}}, nil
	}
	addrs, err := c.dns.lookup(ctx, host, tr)
	if err != nil {
		if ctxErr := contextEnded(ctx); ctxErr != nil {
			return nil, contextError(ctxErr, url)
		}
		return nil, &Error{Kind: ErrClientConnectorDNS, URL: url, Err: err}
	}
	if c.family == 0 {
		return addrs, nil
	}
	var kept []net.IPAddr
	for _, a := range addrs {
		if c.familyOK(a.IP.To4() != nil) {
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 {
		return nil, &Error{Kind: ErrClientConnectorDNS, URL: url, Err: errNoAddress(host)}
	}
	return kept, nil
}

// familyOK reports whether an address of the family given by is4 may be
// used.
func (c *TCPConnector) familyOK(is4 bool) bool {
	switch c.family {
	case 4:
		return is4
	case 6:
		return !is4
	}
	return true
}

// errNoAddress reports a host without an address of the wanted family.
func errNoAddress(host string) error {
	return &net.DNSError{Err: "no address of the requested family", Name: host, IsNotFound: true}
}

// connectError classifies a failure to connect: the context's end, a
// timeout (ErrConnectionTimeout), or kind with the cause (an OS error
// such as syscall.ECONNREFUSED stays reachable with errors.Is).
func connectError(ctx context.Context, kind *errorKind, url string, err error) error {
	if ctxErr := contextEnded(ctx); ctxErr != nil {
		return contextError(ctxErr, url)
	}
	if isTimeout(err) {
		kind = ErrConnectionTimeout
	}
	return &Error{Kind: kind, URL: url, Err: err}
}

// isTimeout reports whether err is a timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
