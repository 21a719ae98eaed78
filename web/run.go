package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// RunOptions configure RunApp; the zero value is aiohttp's run_app
// defaults (0.0.0.0:8080, SIGINT/SIGTERM handled), but quiet: set Out to
// os.Stdout for aiohttp's "Running on ..." banner.
type RunOptions struct {
	ServerOptions

	// Host and Port to listen on (0.0.0.0 and 8080 when empty and zero, as
	// in aiohttp).
	Host string
	Port int
	// Hosts are more hosts to listen on at Port, each with its own site
	// (aiohttp's list of hosts).
	Hosts []string
	// Addr is "host:port" to listen on as well, the Go way: port 0 lets
	// the system pick one (the banner shows which).
	Addr string
	// Path serves on a Unix socket too; alone, it is the only place served.
	Path string
	// Listener serves on a listener you made, instead of Host, Hosts, Port
	// and Addr.
	Listener net.Listener
	// TLSConfig serves HTTPS (with HTTP/2 by ALPN).
	TLSConfig *tls.Config
	// ReusePort sets SO_REUSEPORT on the TCP sockets, so that a new
	// process can serve the port before the old one shuts down.
	ReusePort bool
	// SocketActivation serves on the sockets systemd (or another
	// supervisor) passed by socket activation (see [ListenersFromEnv])
	// instead of Host, Hosts, Port, Addr and Path, when there are any;
	// otherwise RunApp listens as usual. The listening sockets then outlive
	// restarts of the process.
	SocketActivation bool
	// Backlog is the listen backlog of the sockets RunApp opens (see
	// [SiteOptions]); zero leaves the system's maximum.
	Backlog int
	// NoSignals leaves SIGINT and SIGTERM alone; RunAppContext's context
	// then is the only way to stop.
	NoSignals bool
	// Out receives the "Running on ..." banner; nil means no banner.
	Out io.Writer
}

// RunApp serves app until SIGINT or SIGTERM, then shuts it down gracefully
// (aiohttp's web.run_app).
func RunApp(app *Application, opts RunOptions) error {
	return RunAppContext(context.Background(), app, opts)
}

// RunAppContext serves app until ctx ends (or a signal arrives), then shuts
// it down gracefully, saying so on Out. A serving error that is not a
// shutdown is returned.
func RunAppContext(ctx context.Context, app *Application, opts RunOptions) error {
	if !opts.NoSignals {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	var activated []net.Listener
	if opts.SocketActivation && opts.Listener == nil {
		var err error
		if activated, err = ListenersFromEnv(); err != nil {
			return err
		}
	}
	runner := NewAppRunner(app, opts.ServerOptions)
	if err := runner.Setup(ctx); err != nil {
		for _, l := range append(activated, opts.Listener) {
			if l != nil {
				l.Close()
			}
		}
		return errors.Join(err, runner.Cleanup(context.WithoutCancel(ctx)))
	}
	sites := opts.sites(runner, activated)
	for _, s := range sites {
		if err := s.Start(ctx); err != nil {
			return errors.Join(err, runner.Cleanup(context.WithoutCancel(ctx)))
		}
		fmt.Fprintf(out, "======== Running on %s ========\n", s.URL())
	}
	fmt.Fprintln(out, "(Press CTRL+C to quit)")

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-firstDone(sites):
	}
	timeout := runner.Server().opts.ShutdownTimeout
	fmt.Fprintf(out, "======== Shutting down: requests in flight get up to %v ========\n", timeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout+5*time.Second)
	defer cancel()
	err := errors.Join(serveErr, runner.Cleanup(shutdownCtx))
	if err == nil {
		fmt.Fprintln(out, "======== Stopped ========")
	}
	return err
}

// sites returns the sites the options ask for: the listener or the
// socket-activated listeners (each with TLSConfig), or a TCP site for each
// host and for Addr (0.0.0.0:8080 when there is none and no Path), and the
// Unix socket.
func (o *RunOptions) sites(runner *AppRunner, activated []net.Listener) []*Site {
	var sites []*Site
	siteOpts := SiteOptions{TLSConfig: o.TLSConfig, ReusePort: o.ReusePort, Backlog: o.Backlog}
	switch {
	case o.Listener != nil:
		site := NewListenerSite(runner, o.Listener)
		site.opts.TLSConfig = o.TLSConfig
		sites = append(sites, site)
	case len(activated) > 0:
		for _, l := range activated {
			site := NewListenerSite(runner, l)
			site.opts.TLSConfig = o.TLSConfig
			sites = append(sites, site)
		}
		return sites
	default:
		hosts := o.Hosts
		if o.Host != "" {
			hosts = append([]string{o.Host}, hosts...)
		}
		if len(hosts) == 0 && o.Addr == "" && o.Path == "" {
			hosts = []string{""} // aiohttp's default host
		}
		for _, host := range hosts {
			sites = append(sites, NewTCPSite(runner, host, o.Port, siteOpts))
		}
		if o.Addr != "" {
			site := NewTCPSite(runner, "", 0, siteOpts)
			site.address = o.Addr
			sites = append(sites, site)
		}
	}
	if o.Path != "" {
		site := NewUnixSite(runner, o.Path)
		site.opts.Backlog = o.Backlog
		sites = append(sites, site)
	}
	return sites
}

// firstDone returns a channel that gets the result of the first site whose
// serving stopped.
func firstDone(sites []*Site) <-chan error {
	ch := make(chan error, len(sites))
	for _, s := range sites {
		go func() { ch <- <-s.done }()
	}
	return ch
}
