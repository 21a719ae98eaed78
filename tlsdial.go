package aiohttp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
)

// The protocols offered by ALPN.
var (
	alpnH2    = []string{"h2", "http/1.1"}
	alpnHTTP1 = []string{"http/1.1"}
)

// secure runs the TLS handshake for t on nc with the options o, resuming
// a session of sessions when it can, and, when the server picks HTTP/2,
// wraps the connection in an *http.ClientConn. It closes nc when it
// fails.
func secure(ctx context.Context, nc net.Conn, t *dialTarget, o *TLSOptions, sessions *tlsSessions, origin string) (*clientConn, error) {
	tc, err := tlsHandshake(ctx, nc, t.host, t.port, o, sessions, t.forceHTTP1, origin)
	if err != nil {
		return nil, err
	}
	state := tc.ConnectionState()
	if state.NegotiatedProtocol != "h2" {
		return &clientConn{nc: tc, tls: &state}, nil
	}
	h2, err := newH2Conn(ctx, tc, net.JoinHostPort(t.host, t.port))
	if err != nil {
		tc.Close()
		return nil, connectError(ctx, ErrClientConnector, origin, err)
	}
	return &clientConn{nc: tc, h2: h2, tls: &state}, nil
}

// tlsHandshake runs a TLS handshake as client of host on nc within ctx,
// closing nc when it fails:
//
//   - the Config is o.Config cloned, or a new one;
//   - the server name is o.ServerName, else the Config's, else host;
//   - verification is off with o.InsecureSkipVerify, and with
//     o.Fingerprint, whose pin replaces it (as in aiohttp);
//   - ALPN offers h2 and http/1.1, or http/1.1 alone when http1Only;
//   - sessions are resumed from, and kept in, sessions when it serves the
//     Config (see tlsSessions).
//
// Certificate failures are ErrClientConnectorCertificate errors (the x509
// error is reachable with errors.As), other failures
// ErrClientConnectorSSL ones, a pin that does not match a
// *ServerFingerprintMismatch inside an ErrServerFingerprintMismatch one.
func tlsHandshake(ctx context.Context, nc net.Conn, host, port string, o *TLSOptions, sessions *tlsSessions, http1Only bool, origin string) (*tls.Conn, error) {
	cfg := &tls.Config{}
	if o.Config != nil {
		cfg = o.Config.Clone()
	}
	if o.ServerName != "" {
		cfg.ServerName = o.ServerName
	} else if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	pin := o.Fingerprint
	if o.InsecureSkipVerify || len(pin) > 0 {
		cfg.InsecureSkipVerify = true
	}
	cfg.NextProtos = alpnH2
	if http1Only {
		cfg.NextProtos = alpnHTTP1
	}
	sessions.use(cfg, o, port)
	if len(pin) > 0 && len(pin) != sha256.Size {
		nc.Close()
		return nil, &Error{Kind: ErrClientConnectorSSL, URL: origin, Err: errors.New("fingerprint is " + strconv.Itoa(len(pin)) + " bytes long, not the 32 of a SHA-256 digest")}
	}

	tc := tls.Client(nc, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		tc.Close()
		return nil, tlsError(ctx, origin, err)
	}
	if len(pin) > 0 {
		var got []byte
		if certs := tc.ConnectionState().PeerCertificates; len(certs) > 0 {
			sum := sha256.Sum256(certs[0].Raw)
			got = sum[:]
		}
		if !bytes.Equal(got, pin) {
			tc.Close()
			return nil, &Error{Kind: ErrServerFingerprintMismatch, URL: origin, Err: &ServerFingerprintMismatch{
				Expected: bytes.Clone(pin), Got: got, Host: host, Port: port,
			}}
		}
	}
	return tc, nil
}

// tlsError classifies a failed handshake.
func tlsError(ctx context.Context, origin string, err error) error {
	if ctxErr := contextEnded(ctx); ctxErr != nil {
		return contextError(ctxErr, origin)
	}
	var verr *tls.CertificateVerificationError
	// A VerifyPeerCertificate callback may return x509 errors unwrapped.
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	kind := ErrClientConnectorSSL
	if errors.As(err, &verr) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) {
		kind = ErrClientConnectorCertificate
	} else if isTimeout(err) {
		kind = ErrConnectionTimeout
	}
	return &Error{Kind: kind, URL: origin, Err: err}
}

// h2ConnKey is the context key under which newH2Conn hands its connection
// to h2Transport's dial function.
type h2ConnKey struct{}

// errNoH2Conn reports a dial of h2Transport without a connection at hand;
// it does not happen, since only NewClientConn in newH2Conn dials.
var errNoH2Conn = errors.New("no TLS connection for HTTP/2")

// h2Transport makes *http.ClientConns of TLS connections whose handshake
// chose h2: it speaks HTTP/2 only, "dials" by returning the connection
// found in the context, and leaves Accept-Encoding and decompression to
// the session.
var h2Transport = sync.OnceValue(func() *http.Transport {
	var protos http.Protocols
	protos.SetHTTP2(true)
	return &http.Transport{
		Protocols:          &protos,
		DisableCompression: true,
		DialTLSContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			if tc, ok := ctx.Value(h2ConnKey{}).(*tls.Conn); ok {
				return tc, nil
			}
			return nil, errNoH2Conn
		},
	}
})

// newH2Conn starts HTTP/2 on tc, whose handshake chose h2; addr is the
// server's host:port. The connection outlives ctx, which bounds only the
// start (the client preface and settings).
func newH2Conn(ctx context.Context, tc *tls.Conn, addr string) (*http.ClientConn, error) {
	return h2Transport().NewClientConn(context.WithValue(ctx, h2ConnKey{}, tc), "https", addr)
}
