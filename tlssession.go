package aiohttp

import (
	"crypto/tls"
)

// defaultTLSSessions is how many TLS sessions a connector keeps for
// resumption when TCPConnectorOptions.TLSSessionCacheSize is 0. A session
// holds the server's ticket and its certificate chain, a few KiB.
const defaultTLSSessions = 256

// tlsSessions is a connector's cache of TLS sessions, so that a new
// connection to a server it connected to before resumes the session (an
// abbreviated handshake: no certificate sent or verified, no signature)
// instead of running a full handshake.
//
// It serves only the handshakes that run with the connector's own
// tls.Config (nil included), so that a session made under one Config
// (its client certificate, its roots) is never resumed under another; a
// request's own TLSOptions that differ from the connector's only in
// InsecureSkipVerify, Fingerprint or ServerName share it, as crypto/tls
// keys sessions by server name and resumes a session made without
// verification only where verification is off too, and the pin is
// checked on resumed connections as well. A Config that brings its own
// ClientSessionCache keeps it.
type tlsSessions struct {
	cache  tls.ClientSessionCache // nil when resumption is off
	config *tls.Config            // the connector's Config
}

// newTLSSessions returns the session cache of a connector with opts.
func newTLSSessions(opts TCPConnectorOptions) *tlsSessions {
	s := &tlsSessions{config: opts.TLS.Config}
	switch n := opts.TLSSessionCacheSize; {
	case n == 0:
		s.cache = tls.NewLRUClientSessionCache(defaultTLSSessions)
	case n > 0:
		s.cache = tls.NewLRUClientSessionCache(n)
	}
	return s
}

// use makes cfg, cloned from o.Config for a handshake with the server at
// port, resume sessions from the cache when it may (see tlsSessions).
func (s *tlsSessions) use(cfg *tls.Config, o *TLSOptions, port string) {
	if s == nil || s.cache == nil || cfg.ClientSessionCache != nil || o.Config != s.config {
		return
	}
	cfg.ClientSessionCache = originSessions{s.cache, port}
}

// originSessions keys sessions by server name and port: crypto/tls keys
// them by server name alone, and two servers of one host on different
// ports would otherwise take each other's tickets, which the other cannot
// decrypt, and fall back to full handshakes.
type originSessions struct {
	cache tls.ClientSessionCache
	port  string
}

// Get returns the session for the server name key at the port.
func (o originSessions) Get(key string) (*tls.ClientSessionState, bool) {
	return o.cache.Get(key + ":" + o.port)
}

// Put keeps cs as the session for the server name key at the port; a nil
// cs forgets it.
func (o originSessions) Put(key string, cs *tls.ClientSessionState) {
	o.cache.Put(key+":"+o.port, cs)
}
