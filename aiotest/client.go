package aiotest

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

// Client is an [aiohttp.Session] bound to a test [Server] (aiohttp's
// TestClient): its methods are the Session's, with the same options, and
// relative URLs ("/users/7", "ws") go to the server:
//
//	resp, err := client.Get(ctx, "/users/7", aiohttp.Params{"tab": "posts"})
//	ws, err := client.WSConnect(ctx, "/ws", aiohttp.WSOptions{})
//
// Like every call of the Session, each takes a context: pass t.Context()
// (or one with a deadline) so that a request cannot outlive the test.
// The methods do not pick a context themselves, so that a Client can
// stand in for a Session in code under test, and a request from another
// goroutine is bounded by the context its caller chose.
//
// The client keeps the cookies the server sets, in a jar that accepts
// cookies from 127.0.0.1 (aiohttp's CookieJar(unsafe=True)) and treats
// the server as a secure origin, as browsers treat loopback addresses, so
// that Secure cookies work over plain HTTP too.
type Client struct {
	*aiohttp.Session
	// Server is the server the client talks to.
	Server *Server
}

// ClientOption configures a [Client].
type ClientOption func(*aiohttp.SessionOptions)

// WithSessionOptions sets the options of the client's session. Its
// BaseURL is always the server's URL; a nil CookieJar means the jar
// described at [Client], and a nil Connector one that trusts the
// certificate of a server made with WithTLS(nil).
func WithSessionOptions(opts aiohttp.SessionOptions) ClientOption {
	return func(o *aiohttp.SessionOptions) { *o = opts }
}

// NewClient serves app with [NewServer] and returns a client of the
// server (aiohttp's aiohttp_client(app) fixture). Both are closed when
// the test ends, the client first.
func NewClient(t testing.TB, app *web.Application, opts ...ClientOption) *Client {
	t.Helper()
	return NewServer(t, app).NewClient(opts...)
}

// NewClient returns a new client of s, with a cookie jar of its own. It
// is closed when the test that made s ends, or by Close before; Close
// may be called more than once.
func (s *Server) NewClient(opts ...ClientOption) *Client {
	s.t.Helper()
	var so aiohttp.SessionOptions
	for _, o := range opts {
		o(&so)
	}
	so.BaseURL = s.URL + "/"
	if so.CookieJar == nil {
		jar, err := aiohttp.NewCookieJar(aiohttp.JarOptions{
			Unsafe:              true,
			TreatAsSecureOrigin: []string{s.URL},
		})
		if err != nil {
			s.t.Fatalf("aiotest: cookie jar: %v", err)
		}
		so.CookieJar = jar
	}
	if so.Connector == nil && s.cert != nil {
		roots := x509.NewCertPool()
		roots.AddCert(s.cert)
		so.Connector = aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
			TLS: aiohttp.TLSOptions{Config: &tls.Config{RootCAs: roots}},
		})
	}
	session, err := aiohttp.NewSession(so)
	if err != nil {
		s.t.Fatalf("aiotest: client session: %v", err)
	}
	c := &Client{Session: session, Server: s}
	s.t.Cleanup(func() {
		if err := c.Close(); err != nil {
			s.t.Errorf("aiotest: closing the client: %v", err)
		}
	})
	return c
}
