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
// defaults (0.0.0.0:8080, SIGINT/SIGTERM handled, banner on stdout).
type RunOptions struct {
	ServerOptions

	// Host and Port to listen on (0.0.0.0 and 8080 when empty and zero, as
	// in aiohttp).
	Host string
	Port int
	// Addr is "host:port" to listen on, in place of Host and Port, the Go
	// way: port 0 lets the system pick one (the banner shows which).
	Addr string
	// Path serves on a Unix socket instead (or as well, with Host set).
	Path string
	// Listener serves on a listener you made, instead of Host and Port.
	Listener net.Listener
	// TLSConfig serves HTTPS (with HTTP/2 by ALPN).
	TLSConfig *tls.Config
	// ReusePort sets SO_REUSEPORT on the TCP socket.
	ReusePort bool
	// NoSignals leaves SIGINT and SIGTERM alone; RunAppContext's context
	// then is the only way to stop.
	NoSignals bool
	// Out receives the "Running on ..." banner (os.Stdout when nil; use
	// io.Discard to silence it).
	Out io.Writer
}

// RunApp serves app until SIGINT or SIGTERM, then shuts it down gracefully
// (aiohttp's web.run_app).
func RunApp(app *Application, opts RunOptions) error {
	return RunAppContext(context.Background(), app, opts)
}

// RunAppContext serves app until ctx ends (or a signal arrives), then shuts
// it down gracefully. A serving error that is not a shutdown is returned.
func RunAppContext(ctx context.Context, app *Application, opts RunOptions) error {
	if !opts.NoSignals {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	runner := NewAppRunner(app, opts.ServerOptions)
	if err := runner.Setup(ctx); err != nil {
		if opts.Listener != nil {
			opts.Listener.Close()
		}
		return errors.Join(err, runner.Cleanup(context.WithoutCancel(ctx)))
	}
	var sites []*Site
	switch {
	case opts.Listener != nil:
		sites = append(sites, NewListenerSite(runner, opts.Listener))
	case opts.Path != "" && opts.Host == "" && opts.Addr == "":
	default:
		siteOpts := SiteOptions{TLSConfig: opts.TLSConfig, ReusePort: opts.ReusePort}
		site := NewTCPSite(runner, opts.Host, opts.Port, siteOpts)
		if opts.Addr != "" {
			site.address = opts.Addr
		}
		sites = append(sites, site)
	}
	if opts.Path != "" {
		sites = append(sites, NewUnixSite(runner, opts.Path))
	}
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
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), runner.srv.opts.ShutdownTimeout+5*time.Second)
	defer cancel()
	return errors.Join(serveErr, runner.Cleanup(shutdownCtx))
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
