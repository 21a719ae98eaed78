package web_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/aiohttp-go/aiohttp/web"
)

// runApp runs app with opts until the test ends; it returns the banner
// once RunAppContext printed it whole.
func runApp(t *testing.T, app *web.Application, opts web.RunOptions) string {
	t.Helper()
	out := new(apptest.SyncBuffer)
	opts.Out, opts.NoSignals = out, true
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- web.RunAppContext(ctx, app, opts) }()
	t.Cleanup(func() {
		cancel()
		if err := recv(t, done, "RunAppContext to return"); err != nil {
			t.Errorf("RunAppContext = %v", err)
		}
	})
	waitFor(t, "the banner", func() bool { return strings.Contains(out.String(), "(Press CTRL+C to quit)") })
	return out.String()
}

// secondLoopback returns a loopback host other than 127.0.0.1 that can be
// listened on, or skips the test.
func secondLoopback(t *testing.T) string {
	for _, host := range []string{"127.0.0.2", "::1"} {
		if ln, err := net.Listen("tcp", net.JoinHostPort(host, "0")); err == nil {
			ln.Close()
			return host
		}
	}
	t.Skip("no second loopback address")
	return ""
}

// RunApp serves every host of Host and Hosts at Port, and Addr besides,
// each on its own site.
func TestRunAppSeveralHosts(t *testing.T) {
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		return web.Text("served on " + req.Host()), nil
	})
	second := secondLoopback(t)
	port := aiotest.UnusedPort(t)
	banner := runApp(t, app, web.RunOptions{Host: "127.0.0.1", Hosts: []string{second}, Port: port, Addr: "127.0.0.1:0"})
	urls := regexp.MustCompile(`Running on http://(\S+) `).FindAllStringSubmatch(banner, -1)
	if len(urls) != 3 {
		t.Fatalf("want 3 sites, banner:\n%s", banner)
	}
	portText := strconv.Itoa(port)
	for i, want := range []string{net.JoinHostPort("127.0.0.1", portText), net.JoinHostPort(second, portText)} {
		if urls[i][1] != want {
			t.Errorf("site %d on %s, want %s", i, urls[i][1], want)
		}
	}
	if addr := urls[2][1]; !strings.HasPrefix(addr, "127.0.0.1:") || addr == net.JoinHostPort("127.0.0.1", portText) {
		t.Errorf("the Addr site on %s, want another port of 127.0.0.1", addr)
	}
	for _, u := range urls {
		if r := dialRaw(t, "tcp", u[1]).get("/"); r.status != 200 {
			t.Errorf("GET on %s: %q", u[1], r.head)
		}
	}
}

// Backlog bounds the connections the system queues while the server
// accepts none (it serves one connection at most here): with a backlog of
// 2, Linux completes backlog+1 handshakes and leaves the rest unanswered;
// without one, all of them complete.
func TestRunAppBacklog(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the accept queue's length is Linux's")
	}
	for _, tc := range []struct {
		backlog  int
		min, max int
	}{{2, 1, 3}, {0, 8, 8}} {
		t.Run("backlog "+strconv.Itoa(tc.backlog), func(t *testing.T) {
			entered, release := make(chan struct{}), make(chan struct{})
			app := newApp()
			app.Router.Get("/hold", func(*web.Request) (web.Response, error) {
				close(entered)
				<-release
				return web.Text("released"), nil
			})
			banner := runApp(t, app, web.RunOptions{Addr: "127.0.0.1:0", Backlog: tc.backlog,
				ServerOptions: web.ServerOptions{MaxConnections: 1, ShutdownTimeout: time.Second}})
			t.Cleanup(func() { close(release) })
			addr := regexp.MustCompile(`Running on http://(\S+) `).FindStringSubmatch(banner)[1]
			held := dialRaw(t, "tcp", addr)
			held.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
			recv(t, entered, "the held request") // the one connection slot is taken
			queued := 0
			for range 8 {
				nc, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
				if err == nil {
					queued++
					t.Cleanup(func() { nc.Close() })
				}
			}
			if queued < tc.min || queued > tc.max {
				t.Errorf("%d of 8 connections queued, want %d to %d", queued, tc.min, tc.max)
			}
		})
	}
}

// Without Out, RunApp prints nothing.
func TestRunAppQuietWithoutOut(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = stdout }()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := web.RunAppContext(ctx, newApp(), web.RunOptions{Listener: mustListen(t), NoSignals: true}); err != nil {
		t.Errorf("RunAppContext = %v", err)
	}
	os.Stdout = stdout
	w.Close()
	if printed, _ := io.ReadAll(r); len(printed) != 0 {
		t.Errorf("printed %q with Out nil", printed)
	}
}

// RunOptions.TLSConfig applies to a listener given in RunOptions.Listener
// too, as to socket-activated ones.
func TestRunAppListenerTLS(t *testing.T) {
	cert, pool := testcert.New(t)
	app := newApp()
	app.Router.Get("/", text("over tls"))
	ln := mustListen(t)
	runApp(t, app, web.RunOptions{Listener: ln, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: ioTimeout}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + ln.Addr().String() + "/")
	if got := readAll(t, resp, err); got != "over tls" || resp.TLS == nil {
		t.Fatalf("got %q over TLS %v", got, resp.TLS != nil)
	}
}
