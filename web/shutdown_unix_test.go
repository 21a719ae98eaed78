//go:build unix

package web_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"syscall"
	"testing"

	"github.com/aiohttp-go/aiohttp/web"
	"golang.org/x/sys/unix"
)

// RunApp stops on SIGTERM (and SIGINT) like aiohttp's run_app.
func TestRunAppSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			app := newApp()
			app.Router.Get("/", text("running"))
			ln := mustListen(t)
			done := make(chan error, 1)
			go func() { done <- web.RunApp(app, web.RunOptions{Listener: ln, Out: io.Discard}) }()
			// Once a request is answered, the signal handler is in place.
			if r := dialRaw(t, "tcp", ln.Addr().String()).get("/"); string(r.body) != "running" {
				t.Fatalf("got %q", r.body)
			}
			if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			if err := recv(t, done, "RunApp to return"); err != nil {
				t.Errorf("RunApp = %v", err)
			}
		})
	}
}

// Two sites with ReusePort share one port, and both serve.
func TestReusePort(t *testing.T) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		})
		return errors.Join(err, serr)
	}}
	probe, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("SO_REUSEPORT: %v", err)
	}
	port := probe.Addr().(*net.TCPAddr).Port

	app := newApp()
	app.Router.Get("/", text("shared"))
	runner := web.NewAppRunner(app, web.ServerOptions{})
	ctx := context.Background()
	if err := runner.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { runner.Cleanup(context.Background()) })
	for range 2 {
		site := web.NewTCPSite(runner, "127.0.0.1", port, web.SiteOptions{ReusePort: true})
		if err := site.Start(ctx); err != nil {
			probe.Close()
			t.Fatalf("site on a shared port: %v", err)
		}
	}
	probe.Close() // the probe must not take connections
	if len(runner.Sites()) != 2 {
		t.Fatalf("%d sites", len(runner.Sites()))
	}
	for range 20 {
		c := dialRaw(t, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		r := c.get("/", "Connection: close")
		if string(r.body) != "shared" {
			t.Fatalf("got %q", r.body)
		}
		c.nc.Close()
	}
}
