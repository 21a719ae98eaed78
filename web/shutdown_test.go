package web_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/web"
)

// Graceful shutdown goes in aiohttp's order: stop listening, close idle
// connections, run on_shutdown, let running requests finish, run
// on_cleanup; a request being served when it starts loses nothing.
func TestGracefulShutdownOrder(t *testing.T) {
	var log eventLog
	started := make(chan struct{})
	release := make(chan struct{})
	app := newApp()
	payload := strings.Repeat("slow but complete ", 10_000)
	app.Router.Get("/slow", func(req *web.Request) (web.Response, error) {
		log.add("handler started")
		close(started)
		<-release
		log.add("handler done")
		return web.Text(payload), nil
	})
	app.Router.Get("/", text("ok"))
	s := startApp(t, app, web.ServerOptions{ShutdownTimeout: 10 * time.Second})

	idle := s.dial(t)
	idle.get("/") // now idle, kept alive
	busy := s.dial(t)
	busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started

	var hookErrs []string
	app.OnShutdown.Append(func(context.Context, *web.Application) error {
		log.add("on_shutdown")
		// The listener is closed...
		if nc, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
			nc.Close()
			hookErrs = append(hookErrs, "the server still accepts connections during on_shutdown")
		}
		// ...and the idle connection too.
		idle.deadline()
		if _, err := idle.br.ReadByte(); !isClosedErr(err) {
			hookErrs = append(hookErrs, "idle connection still open during on_shutdown: "+errString(err))
		}
		close(release) // the running request finishes after on_shutdown
		return nil
	})
	app.OnCleanup.Append(func(context.Context, *web.Application) error {
		log.add("on_cleanup")
		return nil
	})

	start := time.Now()
	if err := s.stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	for _, e := range hookErrs {
		t.Error(e)
	}
	log.expect(t, "handler started", "on_shutdown", "handler done", "on_cleanup")

	r := busy.readResponse("GET")
	if r.status != 200 || string(r.body) != payload {
		t.Errorf("the in-flight response: %q, %d body bytes", r.head, len(r.body))
	}
	busy.expectClosed()
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// Connections that have not sent a request (yet) count as idle: they do
// not hold a shutdown up.
func TestShutdownClosesConnectionsWithoutRequest(t *testing.T) {
	app := newApp()
	app.Router.Get("/", text("ok"))
	s := startApp(t, app, web.ServerOptions{ShutdownTimeout: 10 * time.Second})
	silent := s.dial(t)
	partial := s.dial(t)
	partial.send("GET / HTTP/1.1\r\n")
	waitFor(t, "the server to take the connections", func() bool {
		// A served request proves the accept loop went past both.
		return s.dial(t).get("/").status == 200
	})
	start := time.Now()
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("shutdown waited %v for connections that sent no request", d)
	}
	silent.expectClosed()
	partial.expectClosed()
}

// After the shutdown timeout, the handlers still running are cancelled:
// their contexts end with ErrServerShutdown.
func TestShutdownTimeoutCancelsHandlers(t *testing.T) {
	var log eventLog
	started := make(chan struct{})
	errc := make(chan error, 2)
	app := newApp()
	app.Router.Get("/wait", func(req *web.Request) (web.Response, error) {
		ctx := req.Context()
		started <- struct{}{}
		select {
		case <-ctx.Done():
		case <-time.After(ioTimeout):
		}
		errc <- ctx.Err()
		errc <- context.Cause(ctx)
		log.add("handler cancelled")
		return nil, ctx.Err()
	})
	app.OnCleanup.Append(func(context.Context, *web.Application) error {
		log.add("on_cleanup")
		return nil
	})
	s := startApp(t, app, web.ServerOptions{ShutdownTimeout: 200 * time.Millisecond})
	c := s.dial(t)
	c.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started

	start := time.Now()
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
		t.Errorf("shutdown took %v with a 200ms timeout", d)
	}
	err, cause := <-errc, <-errc
	if !errors.Is(err, web.ErrServerShutdown) || !errors.Is(cause, web.ErrServerShutdown) {
		t.Errorf("ctx.Err() = %v, context.Cause = %v, want web.ErrServerShutdown", err, cause)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("ctx.Err() = %v does not match context.Canceled, as the context contract wants", err)
	}
	log.expect(t, "handler cancelled", "on_cleanup")
	// The connection closes; the handler's answer to its cancellation may
	// or may not make it out before.
	c.deadline()
	if _, err := io.ReadAll(c.br); err != nil {
		t.Errorf("the connection did not close: %v", err)
	}
}

// A shutdown whose context ends early cancels the handlers at once.
func TestShutdownContextEndsEarly(t *testing.T) {
	started := make(chan struct{})
	app := newApp()
	app.Router.Get("/wait", func(req *web.Request) (web.Response, error) {
		close(started)
		<-req.Context().Done()
		return nil, req.Context().Err()
	})
	runner := web.NewAppRunner(app, web.ServerOptions{ShutdownTimeout: time.Minute})
	if err := runner.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln := mustListen(t)
	if err := web.NewListenerSite(runner, ln).Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := dialRaw(t, "tcp", ln.Addr().String())
	c.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := runner.Cleanup(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("shutdown took %v with a 100ms context", d)
	}
}

func TestRunAppContext(t *testing.T) {
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var out bytes.Buffer
		app := newApp()
		err := web.RunAppContext(ctx, app, web.RunOptions{Listener: mustListen(t), NoSignals: true, Out: &out})
		if err != nil {
			t.Errorf("RunAppContext = %v, want nil", err)
		}
		if !strings.Contains(out.String(), "======== Running on http://127.0.0.1:") {
			t.Errorf("banner %q", out.String())
		}
	})
	t.Run("serves until cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var cleaned sync.WaitGroup
		cleaned.Add(1)
		app := newApp()
		app.Router.Get("/", text("running"))
		app.OnCleanup.Append(func(context.Context, *web.Application) error { cleaned.Done(); return nil })
		ln := mustListen(t)
		done := make(chan error, 1)
		go func() {
			done <- web.RunAppContext(ctx, app, web.RunOptions{Listener: ln, NoSignals: true, Out: io.Discard})
		}()
		c := dialRaw(t, "tcp", ln.Addr().String())
		if r := c.get("/"); string(r.body) != "running" {
			t.Fatalf("got %q", r.body)
		}
		cancel()
		if err := recv(t, done, "RunAppContext to return"); err != nil {
			t.Errorf("RunAppContext = %v", err)
		}
		cleaned.Wait()
		c.expectClosed()
		if nc, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			nc.Close()
			t.Error("still listening")
		}
	})
}

func TestUnixSite(t *testing.T) {
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		return web.Text("over unix " + req.Host()), nil
	})
	runner := web.NewAppRunner(app, web.ServerOptions{})
	ctx := context.Background()
	site := web.NewUnixSite(runner, filepath.Join(t.TempDir(), "app.sock"))
	if err := site.Start(ctx); err == nil {
		t.Fatal("Start before Setup succeeded")
	}
	if err := runner.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := runner.Setup(ctx); err == nil {
		t.Error("a second Setup succeeded")
	}
	t.Cleanup(func() { runner.Cleanup(context.Background()) })
	if err := site.Start(ctx); err != nil {
		t.Fatal(err)
	}
	path := site.Addr().String()
	if site.URL() != "unix:"+path {
		t.Errorf("URL = %q", site.URL())
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}, Timeout: ioTimeout}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://app/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "over unix app" {
		t.Errorf("got %q", b)
	}
	c := dialRaw(t, "unix", path)
	c.send("GET / HTTP/1.0\r\n\r\n")
	if r := c.readResponse("GET"); r.status != 200 {
		t.Errorf("HTTP/1.0 without Host over unix: %q", r.head)
	}
}

func TestTCPSite(t *testing.T) {
	app := newApp()
	app.Router.Get("/", text("tcp"))
	runner := web.NewAppRunner(app, web.ServerOptions{})
	ctx := context.Background()
	if err := runner.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { runner.Cleanup(context.Background()) })
	port := aiotest.UnusedPort(t)
	site := web.NewTCPSite(runner, "127.0.0.1", port, web.SiteOptions{})
	if err := site.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if want := "http://127.0.0.1:" + strconv.Itoa(port); site.URL() != want {
		t.Errorf("URL = %q, want %q", site.URL(), want)
	}
	if addrs := runner.Addrs(); len(addrs) != 1 || addrs[0].String() != site.Addr().String() || len(runner.Sites()) != 1 {
		t.Errorf("Addrs = %v, Sites = %v", addrs, runner.Sites())
	}
	if runner.Server() == nil || runner.Server().Application() != app {
		t.Error("Server() does not serve the application")
	}
	// A second site on the same port fails without ReusePort.
	if err := web.NewTCPSite(runner, "127.0.0.1", port, web.SiteOptions{}).Start(ctx); err == nil {
		t.Error("two sites listen on one port without ReusePort")
	}
	kept := dialRaw(t, "tcp", site.Addr().String())
	kept.get("/")
	// Stop stops listening; open connections are still served.
	if err := site.Stop(); err != nil {
		t.Fatal(err)
	}
	if nc, err := net.Dial("tcp", site.Addr().String()); err == nil {
		nc.Close()
		t.Error("still listening after Stop")
	}
	if r := kept.get("/"); string(r.body) != "tcp" {
		t.Errorf("open connection after Stop: %q", r.body)
	}
}

// A graceful shutdown lets an HTTP/2 request in flight finish, and an idle
// HTTP/2 connection does not hold it up for the shutdown timeout.
func TestGracefulShutdownHTTP2(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	app := newApp()
	app.Router.Get("/slow", func(*web.Request) (web.Response, error) {
		close(started)
		<-release
		return web.Text("h2 complete"), nil
	})
	app.Router.Get("/", text("ok"))
	app.OnShutdown.Append(func(context.Context, *web.Application) error {
		close(release)
		return nil
	})
	s := startApp(t, app, web.ServerOptions{ShutdownTimeout: 30 * time.Second})
	idle, busy := h2cTransport(), h2cTransport()
	defer idle.CloseIdleConnections()
	defer busy.CloseIdleConnections()
	resp, err := (&http.Client{Transport: idle, Timeout: ioTimeout}).Get(s.url + "/")
	if got := readAll(t, resp, err); got != "ok" || resp.ProtoMajor != 2 {
		t.Fatalf("idle connection: %s %q", resp.Proto, got)
	}
	type result struct {
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := (&http.Client{Transport: busy, Timeout: ioTimeout}).Get(s.url + "/slow")
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{string(b), err}
	}()
	<-started
	start := time.Now()
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	if r := recv(t, done, "the HTTP/2 response"); r.err != nil || r.body != "h2 complete" {
		t.Errorf("in-flight HTTP/2 request: %q, %v", r.body, r.err)
	}
}

// RunApp serves on a host and port and on a Unix socket at once, with the
// options it passes on to the server.
func TestRunAppHostPortAndPath(t *testing.T) {
	app := newApp()
	app.Router.Get("/", text("both"))
	var out bytes.Buffer
	var log logBuffer
	port := aiotest.UnusedPort(t)
	sock := filepath.Join(t.TempDir(), "run.sock")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- web.RunAppContext(ctx, app, web.RunOptions{
			Host: "127.0.0.1", Port: port, Path: sock, ReusePort: true, NoSignals: true, Out: &out,
			ServerOptions: web.ServerOptions{AccessLog: &log, AccessLogFormat: "%r %s"},
		})
	}()
	var tcp *rawConn
	waitFor(t, "the TCP site", func() bool {
		nc, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return false
		}
		tcp = &rawConn{t: t, nc: nc, br: bufio.NewReader(nc)}
		t.Cleanup(func() { nc.Close() })
		return true
	})
	if r := tcp.get("/"); string(r.body) != "both" {
		t.Errorf("TCP: %q", r.body)
	}
	waitFor(t, "the Unix site", func() bool {
		nc, err := net.Dial("unix", sock)
		if err == nil {
			nc.Close()
		}
		return err == nil
	})
	if r := dialRaw(t, "unix", sock).get("/"); string(r.body) != "both" {
		t.Errorf("unix: %q", r.body)
	}
	if line := log.line(t, 0); line != "GET / HTTP/1.1 200" {
		t.Errorf("access log %q", line)
	}
	cancel()
	if err := recv(t, done, "RunAppContext to return"); err != nil {
		t.Errorf("RunAppContext = %v", err)
	}
	for _, want := range []string{
		"======== Running on http://127.0.0.1:" + strconv.Itoa(port) + " ========",
		"======== Running on unix:" + sock + " ========",
		"(Press CTRL+C to quit)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner %q lacks %q", out.String(), want)
		}
	}
}
