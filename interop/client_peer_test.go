package interop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
)

// This file holds what the client tests (client_*_test.go) share: a
// third-party server process on a loopback port, and a session bounded in
// time that the test closes.

// peerStartTimeout bounds how long a peer server may take to answer its
// first request.
const peerStartTimeout = 30 * time.Second

// clientTestTimeout bounds every request of the client tests: a peer that
// hangs fails the test instead of stalling it.
const clientTestTimeout = 20 * time.Second

// peerServer is a third-party HTTP server process listening on 127.0.0.1.
type peerServer struct {
	URL  string // "http://127.0.0.1:PORT"
	Host string // "127.0.0.1:PORT"

	cmd    *exec.Cmd
	exited chan struct{}       // closed once the process has been waited for
	output *apptest.SyncBuffer // its stdout and stderr
}

// startPeerServer starts name with the arguments args gives for a free
// port, waits (at most peerStartTimeout) until GET readyPath answers (with
// any status), or until the port accepts connections when readyPath is
// "", and stops the process when the test ends: SIGTERM, then SIGKILL
// after five seconds.
func startPeerServer(t testing.TB, readyPath, name string, args func(port int) []string) *peerServer {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port := aiotest.UnusedPort(t)
		p, err := launchPeer(t, port, readyPath, name, args(port)...)
		if err == nil {
			return p
		}
		lastErr = err
	}
	t.Fatalf("%s did not start: %v", name, lastErr)
	return nil
}

// launchPeer is one attempt of startPeerServer.
func launchPeer(t testing.TB, port int, readyPath, name string, args ...string) (*peerServer, error) {
	host := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	p := &peerServer{
		URL:    "http://" + host,
		Host:   host,
		exited: make(chan struct{}),
		output: &apptest.SyncBuffer{},
	}
	cmd := exec.Command(name, args...)
	cmd.Env = peerEnv()
	cmd.Stdout = p.output
	cmd.Stderr = p.output
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p.cmd = cmd
	go func() {
		cmd.Wait()
		close(p.exited)
	}()

	deadline := time.Now().Add(peerStartTimeout)
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true}, // no proxy from the environment
	}
	ready := func() error {
		if readyPath == "" {
			c, err := net.DialTimeout("tcp", host, time.Second)
			if err == nil {
				c.Close()
			}
			return err
		}
		resp, err := client.Get(p.URL + readyPath)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	for {
		err := ready()
		if err == nil {
			break
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("exited before answering: %s\n%s", cmd.ProcessState, p.output)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("no answer on %s within %v: %v\n%s", p.URL+readyPath, peerStartTimeout, err, p.output)
		}
	}
	t.Cleanup(p.stop)
	return p, nil
}

// stop ends the process: SIGTERM, and SIGKILL if it is still there five
// seconds later.
func (p *peerServer) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// unsafeJar returns a cookie jar that takes cookies from IP addresses,
// those of the servers the tests start.
func unsafeJar(t testing.TB) *aiohttp.Jar {
	t.Helper()
	jar, err := aiohttp.NewCookieJar(aiohttp.JarOptions{Unsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	return jar
}

// newClientSession returns a session that the test closes at its end, with
// a total timeout of clientTestTimeout unless opts sets one.
func newClientSession(t testing.TB, opts aiohttp.SessionOptions) *aiohttp.Session {
	t.Helper()
	if opts.Timeout == (aiohttp.ClientTimeout{}) {
		opts.Timeout.Total = clientTestTimeout
	}
	s, err := aiohttp.NewSession(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("session close: %v", err)
		}
	})
	return s
}

// testContext is a context that ends with the test, and after
// clientTestTimeout at the latest.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), clientTestTimeout)
	t.Cleanup(cancel)
	return ctx
}

// readAll reads resp's body as text and closes resp; a failure fails the
// test.
func readAll(t testing.TB, resp *aiohttp.Response) string {
	t.Helper()
	defer resp.Close()
	text, err := resp.Text()
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", resp.Method, resp.URL, err)
	}
	return text
}

// ok returns a function that fails the test unless err is nil and
// returns resp, so that ok(t)(s.Get(ctx, url)) is a response.
func ok(t testing.TB) func(resp *aiohttp.Response, err error) *aiohttp.Response {
	return func(resp *aiohttp.Response, err error) *aiohttp.Response {
		t.Helper()
		if err != nil {
			t.Fatalf("request: %v", err)
		}
		return resp
	}
}

// decodeJSON decodes resp's JSON body into v and closes resp.
func decodeJSON(t testing.TB, resp *aiohttp.Response, v any) {
	t.Helper()
	defer resp.Close()
	if err := resp.JSON(v); err != nil {
		body, _ := resp.Bytes()
		t.Fatalf("%s %s: %d, body is not the JSON expected: %v\n%s", resp.Method, resp.URL, resp.Status, err, body)
	}
}

// expectResponseError checks that err is a *aiohttp.ClientResponseError of
// kind kind and returns it.
func expectResponseError(t testing.TB, err error, kind error) *aiohttp.ClientResponseError {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	var re *aiohttp.ClientResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not a *aiohttp.ClientResponseError", err, err)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error %v is not %v", err, kind)
	}
	return re
}
