package web_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/web"
)

// hookCounts counts the runs of an application's lifecycle hooks.
type hookCounts struct {
	shutdown, cleanup, teardown atomic.Int64
}

// countedApp returns an application whose hooks count their runs; its
// cleanup handler fails with cleanupErr.
func countedApp(n *hookCounts, cleanupErr error) *web.Application {
	app := newApp()
	app.Router.Get("/", text("up"))
	app.OnShutdown.Append(func(context.Context, *web.Application) error {
		n.shutdown.Add(1)
		return nil
	})
	app.OnCleanup.Append(func(context.Context, *web.Application) error {
		n.cleanup.Add(1)
		return cleanupErr
	})
	app.CleanupCtx.Append(func(context.Context, *web.Application) (func(context.Context) error, error) {
		return func(context.Context) error {
			n.teardown.Add(1)
			return nil
		}, nil
	})
	return app
}

// Every Close, Cleanup, Shutdown and Stop of the runtime may be called
// twice, and from several goroutines at once: the work is done once and
// every call reports its outcome.
func TestCloseCallsAreIdempotent(t *testing.T) {
	var n hookCounts
	errCleanup := errors.New("cleanup failed")
	app := countedApp(&n, errCleanup)
	ctx := context.Background()
	runner := web.NewAppRunner(app, web.ServerOptions{})
	if err := runner.Cleanup(ctx); err != nil {
		t.Errorf("Cleanup before Setup: %v", err)
	}
	if err := runner.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := runner.Setup(ctx); err == nil {
		t.Error("a second Setup succeeded")
	}
	listener := web.NewListenerSite(runner, mustListen(t))
	tcp := web.NewTCPSite(runner, "127.0.0.1", aiotest.UnusedPort(t), web.SiteOptions{})
	for _, site := range []*web.Site{listener, tcp} {
		if err := site.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if err := site.Start(ctx); err == nil {
			t.Error("a second Start succeeded")
		}
	}
	if r := dialRaw(t, "tcp", tcp.Addr().String()).get("/"); string(r.body) != "up" {
		t.Fatalf("not serving: %q", r.head)
	}

	calls := []struct {
		name string
		call func() error
	}{
		{"AppRunner.Cleanup", func() error { return runner.Cleanup(ctx) }},
		{"Server.Shutdown", func() error { return runner.Server().Shutdown(ctx) }},
		{"Application.Shutdown", func() error { return app.Shutdown(ctx) }},
		{"Application.Cleanup", func() error { return app.Cleanup(ctx) }},
		{"Site.Stop listener", listener.Stop},
		{"Site.Stop tcp", tcp.Stop},
	}
	check := func(name string, err error) {
		switch name {
		case "AppRunner.Cleanup", "Server.Shutdown", "Application.Cleanup":
			if !errors.Is(err, errCleanup) {
				t.Errorf("%s: %v, want the cleanup handler's error", name, err)
			}
		default:
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		for _, c := range calls {
			wg.Go(func() { check(c.name, c.call()) })
		}
	}
	wg.Wait()
	for _, c := range calls { // and once more, afterwards
		check(c.name, c.call())
	}
	if s, c, td := n.shutdown.Load(), n.cleanup.Load(), n.teardown.Load(); s != 1 || c != 1 || td != 1 {
		t.Errorf("OnShutdown ran %d times, OnCleanup %d, the teardown %d; want once each", s, c, td)
	}
	if nc, err := net.DialTimeout("tcp", tcp.Addr().String(), ioTimeout); err == nil {
		nc.Close()
		t.Error("still listening after Cleanup")
	}
}

// A second Shutdown waits for the first one to finish, but no longer than
// its own context allows.
func TestSecondShutdownWaitsForTheFirst(t *testing.T) {
	inShutdown := make(chan struct{})
	release := make(chan struct{})
	app := newApp()
	app.OnShutdown.Append(func(context.Context, *web.Application) error {
		close(inShutdown)
		<-release
		return nil
	})
	srv := web.NewServer(app, web.ServerOptions{})
	first := make(chan error, 1)
	go func() { first <- srv.Shutdown(context.Background()) }()
	<-inShutdown

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("second Shutdown with an ended context: %v, want context.Canceled", err)
	}
	second := make(chan error, 1)
	go func() { second <- srv.Shutdown(context.Background()) }()
	select {
	case err := <-second:
		t.Fatalf("second Shutdown returned (%v) before the first finished", err)
	case <-time.After(20 * time.Millisecond): // it is still waiting
	}
	close(release)
	if err := recv(t, first, "the first Shutdown"); err != nil {
		t.Errorf("first Shutdown: %v", err)
	}
	if err := recv(t, second, "the second Shutdown"); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
	// Serving after shutdown returns at once and leaves no goroutine.
	if err := srv.Serve(mustListen(t)); err != nil {
		t.Errorf("Serve after Shutdown: %v", err)
	}
}
