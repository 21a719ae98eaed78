package aiotest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/aiohttp-go/aiohttp/web"
)

// Server is an application served on a free port of 127.0.0.1 for the
// length of a test (aiohttp's TestServer). Make it with [NewServer] or
// [NewRawServer].
type Server struct {
	// URL is the base URL, "http://127.0.0.1:41234" or with https, without
	// a trailing slash.
	URL string
	// Host is "127.0.0.1" and Port the port the server listens on.
	Host string
	Port int

	t       testing.TB
	app     *web.Application
	runner  *web.AppRunner
	cert    *x509.Certificate // the server's certificate, nil without TLS
	timeout time.Duration     // bounds Close

	closeOnce sync.Once
	closeErr  error
}

// ServerOption configures a [Server].
type ServerOption func(*serverConfig)

type serverConfig struct {
	opts   web.ServerOptions
	tls    *tls.Config
	useTLS bool
}

// WithServerOptions sets the options of the web server: timeouts, limits,
// access log... A zero ShutdownTimeout means 5 seconds here, so that a
// test whose handlers hang ends soon.
func WithServerOptions(opts web.ServerOptions) ServerOption {
	return func(c *serverConfig) { c.opts = opts }
}

// WithTLS serves HTTPS (and HTTP/2, offered by ALPN) with cfg, or, when
// cfg is nil, with a self-signed certificate for 127.0.0.1 made for the
// server. Clients made by [Server.NewClient] trust the server's
// certificate; give [Server.Certificate] to other clients.
func WithTLS(cfg *tls.Config) ServerOption {
	return func(c *serverConfig) { c.tls, c.useTLS = cfg, true }
}

// defaultShutdownTimeout bounds a test server's graceful shutdown unless
// WithServerOptions says otherwise.
const defaultShutdownTimeout = 5 * time.Second

// NewServer serves app on 127.0.0.1:0 until the test ends (aiohttp's
// TestServer): it runs the application's startup handlers, and a
// cleanup registered with t shuts the server down gracefully, running
// the shutdown and cleanup handlers, and fails the test if that fails.
// Errors starting the server fail the test at once.
func NewServer(t testing.TB, app *web.Application, opts ...ServerOption) *Server {
	t.Helper()
	var c serverConfig
	for _, o := range opts {
		o(&c)
	}
	if c.opts.ShutdownTimeout == 0 {
		c.opts.ShutdownTimeout = defaultShutdownTimeout
	}
	s := &Server{t: t, app: app, timeout: 2 * c.opts.ShutdownTimeout}
	if err := s.start(&c); err != nil {
		if s.runner != nil {
			_ = s.Close() // runs the cleanup handlers of a started application
		}
		t.Fatalf("aiotest: starting the server: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("aiotest: closing the server: %v", err)
		}
	})
	return s
}

// NewRawServer serves h on 127.0.0.1:0 until the test ends (aiohttp's
// RawTestServer): every request, whatever its method and path, goes to h
// without routing, so its MatchInfo is empty. It is NewServer with an
// application made for h.
func NewRawServer(t testing.TB, h web.Handler, opts ...ServerOption) *Server {
	t.Helper()
	app := web.NewApplication(web.WithMiddlewares(func(req *web.Request, _ web.Handler) (web.Response, error) {
		return h(req)
	}))
	return NewServer(t, app, opts...)
}

func (s *Server) start(c *serverConfig) error {
	var cfg *tls.Config
	if c.useTLS {
		var err error
		if cfg, err = s.tlsConfig(c); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	scheme := "http"
	if cfg != nil {
		ln, scheme = tls.NewListener(ln, cfg), "https"
	}
	ctx := context.Background()
	s.runner = web.NewAppRunner(s.app, c.opts)
	if err := s.runner.Setup(ctx); err != nil {
		ln.Close()
		return err
	}
	if err := web.NewListenerSite(s.runner, ln).Start(ctx); err != nil {
		ln.Close()
		return err
	}
	addr := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = addr.IP.String(), addr.Port
	s.URL = scheme + "://" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	return nil
}

// tlsConfig returns the TLS configuration the server listens with: c's,
// or one with a self-signed certificate; HTTP/2 is offered unless the
// configuration or the server options say otherwise.
func (s *Server) tlsConfig(c *serverConfig) (*tls.Config, error) {
	var cfg *tls.Config
	if c.tls != nil {
		cfg = c.tls.Clone()
	} else {
		cert, _ := testcert.New(s.t, "127.0.0.1", "::1", "localhost")
		cfg = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	if len(cfg.NextProtos) == 0 {
		if !c.opts.DisableHTTP2 {
			cfg.NextProtos = append(cfg.NextProtos, "h2")
		}
		cfg.NextProtos = append(cfg.NextProtos, "http/1.1")
	}
	if len(cfg.Certificates) > 0 {
		leaf := cfg.Certificates[0].Leaf
		if leaf == nil {
			var err error
			if leaf, err = x509.ParseCertificate(cfg.Certificates[0].Certificate[0]); err != nil {
				return nil, err
			}
		}
		s.cert = leaf
	}
	return cfg, nil
}

// App returns the application the server serves.
func (s *Server) App() *web.Application { return s.app }

// Certificate returns the certificate the server presents over TLS, for
// a client's pool of trusted roots, or nil when it serves plain HTTP (or
// its TLS configuration picks certificates some other way).
func (s *Server) Certificate() *x509.Certificate { return s.cert }

// MakeURL returns the absolute URL of path on the server (aiohttp's
// make_url): MakeURL("/users?page=2") is s.URL + "/users?page=2". A path
// without a leading slash is taken from the root as well. It panics when
// path is an absolute URL or does not parse.
func (s *Server) MakeURL(path string) string {
	ref, err := url.Parse(path)
	if err != nil || ref.Scheme != "" || ref.Host != "" {
		panic("aiotest: MakeURL needs a path, not " + strconv.Quote(path))
	}
	return s.URL + "/" + strings.TrimPrefix(path, "/")
}

// Close shuts the server down gracefully, as [web.AppRunner.Cleanup]
// does: it stops listening, waits for the running handlers (at most the
// ShutdownTimeout, then cancels them) and runs the application's shutdown
// and cleanup handlers; the whole is bounded by twice the
// ShutdownTimeout. The test's cleanup calls it; calling it before is
// fine, and calls after the first, from any goroutine, return the first
// one's error.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		defer cancel()
		s.closeErr = s.runner.Cleanup(ctx)
	})
	return s.closeErr
}
