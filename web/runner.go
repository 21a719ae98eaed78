package web

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"sync"

	"golang.org/x/net/http2"
)

// AppRunner runs an application on any number of sites (aiohttp's
// web.AppRunner): Setup starts the application, each Site's Start begins
// serving, and Cleanup shuts everything down gracefully.
type AppRunner struct {
	app  *Application
	opts ServerOptions

	mu    sync.Mutex
	srv   *Server
	sites []*Site
	// tls holds the Config each site serves with, by the Config given in
	// its SiteOptions; see tlsConfig.
	tls map[*tls.Config]*tls.Config
}

// NewAppRunner returns a runner for app.
func NewAppRunner(app *Application, opts ServerOptions) *AppRunner {
	return &AppRunner{app: app, opts: opts}
}

// Setup freezes the application and runs its startup handlers. A runner
// is set up once.
func (r *AppRunner) Setup(ctx context.Context) error {
	r.mu.Lock()
	if r.srv != nil {
		r.mu.Unlock()
		return errors.New("web: runner already set up")
	}
	r.srv = NewServer(r.app, r.opts)
	r.mu.Unlock()
	return r.app.Startup(ctx)
}

// Server returns the server, once Setup ran.
func (r *AppRunner) Server() *Server {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.srv
}

// Sites returns the sites started on the runner.
func (r *AppRunner) Sites() []*Site {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Site(nil), r.sites...)
}

// Addrs returns the addresses the runner's sites listen on.
func (r *AppRunner) Addrs() []net.Addr {
	var addrs []net.Addr
	for _, s := range r.Sites() {
		addrs = append(addrs, s.Addr())
	}
	return addrs
}

// Cleanup shuts the server down gracefully (see [Server.Shutdown]) and
// runs the application's cleanup handlers. It does nothing before Setup,
// and runs once: calls after the first, from any goroutine, wait for it
// and return its error.
func (r *AppRunner) Cleanup(ctx context.Context) error {
	srv := r.Server()
	if srv == nil {
		return nil
	}
	return srv.Shutdown(ctx)
}

// SiteOptions configure a TCP site.
type SiteOptions struct {
	// TLSConfig serves HTTPS; HTTP/2 is offered by ALPN unless the
	// server's DisableHTTP2 is set.
	TLSConfig *tls.Config
	// ReusePort sets SO_REUSEPORT, so that several processes can serve one
	// port.
	ReusePort bool
	// Backlog is the listen backlog: how many connections the system
	// completes and queues before the server accepts them (aiohttp's
	// backlog). Zero leaves the system's maximum, Go's default; setting it
	// needs a Unix system.
	Backlog int
}

// errBacklog reports a listen backlog that cannot be set.
var errBacklog = errors.New("web: a listen backlog needs a TCP or Unix socket on a Unix system")

// Site is one place a runner serves on: a TCP address, a Unix socket or a
// listener of yours.
type Site struct {
	runner  *AppRunner
	network string
	address string
	opts    SiteOptions

	mu   sync.Mutex
	ln   net.Listener
	done chan error // the result of serving, once started
}

// NewTCPSite returns a site serving on host:port ("0.0.0.0" and 8080 when
// empty and zero, as in aiohttp).
func NewTCPSite(r *AppRunner, host string, port int, opts SiteOptions) *Site {
	if host == "" {
		host = "0.0.0.0"
	}
	if port == 0 {
		port = 8080
	}
	return &Site{runner: r, network: "tcp", address: net.JoinHostPort(host, strconv.Itoa(port)), opts: opts}
}

// NewUnixSite returns a site serving on a Unix socket at path.
func NewUnixSite(r *AppRunner, path string) *Site {
	return &Site{runner: r, network: "unix", address: path}
}

// NewListenerSite returns a site serving on a listener you made (aiohttp's
// SockSite); a port 0 listener gives a free port.
func NewListenerSite(r *AppRunner, ln net.Listener) *Site {
	return &Site{runner: r, ln: ln}
}

// Start begins serving. It fails when the runner is not set up, the site
// was started before or the address cannot be listened on.
func (s *Site) Start(ctx context.Context) error {
	srv := s.runner.Server()
	if srv == nil {
		return errors.New("web: call AppRunner.Setup before Site.Start")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done != nil {
		return errors.New("web: site already started")
	}
	if s.ln == nil {
		lc := net.ListenConfig{}
		if s.opts.ReusePort {
			lc.Control = setReusePort
		}
		ln, err := lc.Listen(ctx, s.network, s.address)
		if err != nil {
			return err
		}
		if s.opts.Backlog > 0 {
			if err := setBacklog(ln, s.opts.Backlog); err != nil {
				ln.Close()
				return err
			}
		}
		s.ln = ln
	}
	if s.opts.TLSConfig != nil {
		s.ln = tls.NewListener(s.ln, s.runner.tlsConfig(s.opts.TLSConfig, srv.h2 != nil))
	}
	done := make(chan error, 1)
	s.done = done
	s.runner.mu.Lock()
	s.runner.sites = append(s.runner.sites, s)
	s.runner.mu.Unlock()
	go func(ln net.Listener) { done <- srv.Serve(ln) }(s.ln)
	return nil
}

// tlsConfig returns the Config to serve cfg with: a clone offering h2
// (when h2) and http/1.1 by ALPN when cfg offers nothing, made once per
// runner, so that all sites given cfg share the keys of their session
// tickets and a client resumes on any site a session another one began.
// The keys are crypto/tls's own, rotated daily, unless cfg has keys set
// with SetSessionTicketKeys, which the clone keeps.
func (r *AppRunner) tlsConfig(cfg *tls.Config, h2 bool) *tls.Config {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.tls[cfg]; c != nil {
		return c
	}
	c := cfg.Clone()
	if len(c.NextProtos) == 0 {
		if h2 {
			c.NextProtos = append(c.NextProtos, http2.NextProtoTLS)
		}
		c.NextProtos = append(c.NextProtos, "http/1.1")
	}
	if r.tls == nil {
		r.tls = make(map[*tls.Config]*tls.Config)
	}
	r.tls[cfg] = c
	return c
}

// Addr returns the address the site listens on, once started.
func (s *Site) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// URL returns the site's base URL ("http://127.0.0.1:8080",
// "unix:/tmp/app.sock").
func (s *Site) URL() string {
	addr := s.Addr()
	if addr == nil {
		return ""
	}
	if addr.Network() == "unix" {
		return "unix:" + addr.String()
	}
	scheme := "http"
	if s.opts.TLSConfig != nil {
		scheme = "https"
	}
	return scheme + "://" + addr.String()
}

// Stop stops listening; connections already open go on being served.
// Stopping a stopped site, from any goroutine, does nothing.
func (s *Site) Stop() error {
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln == nil {
		return nil
	}
	err := ln.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
