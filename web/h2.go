//lint:file-ignore SA1019 x/net/http2's Server, deprecated in favour of net/http's own HTTP/2, is the only server that serves a connection another engine accepted (ServeConn) and takes an h2c upgrade (UpgradeRequest); net/http can do neither.

package web

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
	"golang.org/x/net/http2"
)

// h2Server is the HTTP/2 side of a Server.
type h2Server struct {
	srv  *http2.Server
	base *http.Server // its Shutdown sends GOAWAY to the HTTP/2 connections
}

// HTTP/2 defaults, tighter than golang.org/x/net/http2's (250 streams,
// 1 MiB frames, no idle timeout) and close to Kestrel's and nginx's.
const (
	// h2MaxConcurrentStreams bounds the handlers one connection runs at
	// once; the streams a rapid-reset attacker opens and cancels wait for
	// one of them, and a connection that queues four times as many is
	// closed with ENHANCE_YOUR_CALM.
	h2MaxConcurrentStreams = 100
	// h2MaxReadFrameSize is the largest frame a peer may send (the
	// protocol's initial value): it bounds the read buffer each connection
	// keeps.
	h2MaxReadFrameSize = 16 << 10
	// h2ReadBufferSize is the read buffer of an h2c connection.
	h2ReadBufferSize = 4 << 10
	// h2HandlerBuffered is how much of a response body x/net's server
	// surely takes into the handler's buffer without writing it (it
	// buffers 4 KiB): a whole body this small cannot stall the handler,
	// so it needs no write deadline.
	h2HandlerBuffered = 2 << 10
)

func newH2Server(app *Application, access AccessLogger, opts *ServerOptions) *h2Server {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { app.serveStd(w, r, access, opts) })
	srv := &http2.Server{
		MaxConcurrentStreams: h2MaxConcurrentStreams,
		MaxReadFrameSize:     h2MaxReadFrameSize,
	}
	// A connection without open streams is idle, as an HTTP/1.1 connection
	// between requests; this also ends a header block that never ends
	// (CONTINUATION frames without END_HEADERS). With HTTP/1.1 keep-alive
	// off, HTTP/2 connections still idle out after the default.
	srv.IdleTimeout = opts.KeepAliveTimeout
	if srv.IdleTimeout < 0 {
		srv.IdleTimeout = defaultKeepAliveTimeout
	}
	// What x/net logs are connections a client broke (floods among them):
	// debug lines in the application's log, not lines any client can
	// make a server print.
	errorLog := slog.NewLogLogger(app.Logger().Handler(), slog.LevelDebug)
	h := &h2Server{srv: srv, base: &http.Server{Handler: handler, HTTP2: opts.HTTP2, ErrorLog: errorLog}}
	if err := http2.ConfigureServer(h.base, h.srv); err != nil {
		panic(err) // fails only for a TLS configuration, and there is none
	}
	return h
}

// serveHTTP2 serves an HTTP/2 connection (h2 over TLS, h2c by prior
// knowledge, or h2c after an upgrade) with golang.org/x/net/http2, the
// application answering through its net/http bridge.
func (s *Server) serveHTTP2(hc *h2Conn, upgrade *http.Request, settings []byte) {
	s.mu.Lock()
	s.h2conns[hc] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.h2conns, hc)
		s.mu.Unlock()
		hc.Close()
	}()
	var nc net.Conn = hc
	if tc, ok := hc.Conn.(*tls.Conn); ok {
		nc = &h2TLSConn{hc, tc}
	} else {
		// x/net reads each frame's 9-byte header, then its payload, from
		// the connection: over plain TCP a buffer makes that one read of
		// the socket instead of two (TLS buffers its records itself).
		hc.r = bufio.NewReaderSize(hc.r, h2ReadBufferSize)
	}
	if cfg := s.h2.base.HTTP2; cfg == nil || cfg.WriteByteTimeout <= 0 {
		hc.writeBehind()
	}
	opts := &http2.ServeConnOpts{
		Context:        s.baseCtx,
		BaseConfig:     s.h2.base,
		Handler:        s.h2.base.Handler,
		UpgradeRequest: upgrade,
		Settings:       settings,
	}
	s.h2.srv.ServeConn(nc, opts)
}

// isH2CUpgrade reports an "Upgrade: h2c" request (RFC 7540 3.2) over
// plain TCP.
func isH2CUpgrade(req *Request) bool {
	return req.tls == nil &&
		field.HasToken(req.headerView("Upgrade"), "h2c") &&
		field.HasToken(req.headerView("Connection"), "HTTP2-Settings") &&
		req.headerView("HTTP2-Settings") != ""
}

// upgradeH2C switches the connection to HTTP/2 after an "Upgrade: h2c"
// request: it reads the request body, answers 101 Switching Protocols and
// lets the HTTP/2 server answer the request as stream 1. It reports false:
// the engine is done with the connection.
func (c *serverConn) upgradeH2C(req *Request) bool {
	settings, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(req.headerView("HTTP2-Settings"), "="))
	if err != nil {
		c.writeError(400, "invalid HTTP2-Settings")
		return false
	}
	body, err := req.Bytes()
	if err != nil {
		c.writeError(413, "request body too large for an h2c upgrade")
		return false
	}
	hr, err := req.toStd()
	if err != nil {
		c.writeError(400, "malformed request")
		return false
	}
	hr.Body = http.NoBody
	if len(body) > 0 {
		hr.Body = readCloser{bytes.NewReader(body)}
	}
	hr.Header.Del("Upgrade")
	hr.Header.Del("HTTP2-Settings")
	hr.Header.Del("Connection")
	h := responseHead{status: 101, header: multidict.NewCI(multidict.Item{Key: "Upgrade", Value: "h2c"}), length: -1}
	c.w = appendHead(c.w, req, &h)
	if c.flush() != nil {
		return false
	}
	c.srv.serveHTTP2(c.hijackConn(), hr, settings)
	return false
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// handshake completes a TLS handshake and reports whether the client chose
// HTTP/2 by ALPN.
func (c *serverConn) handshake(tc *tls.Conn) (h2 bool, err error) {
	if err := tc.HandshakeContext(c.srv.baseCtx); err != nil {
		return false, err
	}
	st := tc.ConnectionState()
	c.tls = &st
	return st.NegotiatedProtocol == http2.NextProtoTLS, nil
}
