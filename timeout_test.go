package aiohttp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

// A response the caller forgets to close holds its connection slot; the
// next request to that host waits for the slot within its total timeout,
// and fails saying what it waited for, instead of waiting forever.
// ExcludeQueue leaves the wait out of the total timeout.
func TestTotalTimeoutCountsQueue(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/big", func(*web.Request) (web.Response, error) {
			return web.Text(strings.Repeat("x", 1<<20)), nil
		})
		app.Router.Get("/fast", func(*web.Request) (web.Response, error) { return web.Text("fast"), nil })
	})
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{LimitPerHost: 1})
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Connector: conn,
		Timeout: aiohttp.ClientTimeout{Total: 150 * time.Millisecond}})
	forgotten, err := s.Get(testCtx(t), "/big", aiohttp.ClientTimeout{Total: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Get(testCtx(t), "/fast")
	wantErrKind(t, err, aiohttp.ErrServerTimeout)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("not a deadline: %v", err)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/")
	want := "for a connection slot to " + host + " (LimitPerHost 1, all in use)"
	m := regexp.MustCompile(`waited (\d+)ms`).FindStringSubmatch(err.Error())
	waited := -1
	if m != nil {
		waited, _ = strconv.Atoi(m[1])
	}
	if !strings.Contains(err.Error(), want) || waited < 150 || waited > 2000 {
		t.Errorf("error %q does not say it waited 150ms or a little more %s", err, want)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("failed after %v", d)
	}

	// With ExcludeQueue the wait does not count: the request gets the
	// slot when the forgotten response is closed, later than its total
	// timeout.
	done := make(chan error, 1)
	go func() {
		resp, err := s.Get(testCtx(t), "/fast", aiohttp.ClientTimeout{Total: 150 * time.Millisecond, ExcludeQueue: true})
		if err == nil {
			if body := readBody(t, resp); body != "fast" {
				err = errors.New("body " + body)
			}
		}
		done <- err
	}()
	waitQueued(t, conn, 1)
	time.Sleep(200 * time.Millisecond) // the wait outlasts the total timeout
	forgotten.Close()
	if err := <-done; err != nil {
		t.Fatalf("ExcludeQueue: %v", err)
	}
}

func TestTimeoutBodyAndCancellation(t *testing.T) {
	release := make(chan struct{})
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		r := s.readRequest(br)
		if r == nil {
			return
		}
		if r.URL.Path == "/stall-body" {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")
		}
		<-release
	})
	defer close(release)
	s := newSession(t, aiohttp.SessionOptions{})

	// Total covers reading the body.
	resp, err := s.Get(testCtx(t), srv.URL+"/stall-body", aiohttp.ClientTimeout{Total: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = resp.Bytes()
	resp.Close()
	wantErrKind(t, err, aiohttp.ErrServerTimeout)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("body total timeout: %v", err)
	}

	// Cancelling the context ends a request waiting for its head...
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = s.Get(ctx, srv.URL+"/stall-head")
	if !errors.Is(err, context.Canceled) || !errors.Is(err, aiohttp.ErrCanceled) || errors.Is(err, aiohttp.ErrClient) {
		t.Errorf("cancelled: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancellation took %v", d)
	}
	// ...and one reading its body.
	ctx, cancel = context.WithCancel(context.Background())
	resp, err = s.Get(ctx, srv.URL+"/stall-body")
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = resp.Bytes()
	resp.Close()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled body: %v", err)
	}
	// A context deadline is a timeout.
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = s.Get(ctx, srv.URL+"/stall-head")
	wantErrKind(t, err, aiohttp.ErrServerTimeout)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("context deadline: %v", err)
	}
	// An already cancelled context fails at once.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := s.Get(ctx, srv.URL+"/"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: %v", err)
	}
}

func TestTimeoutDefaults(t *testing.T) {
	if aiohttp.DefaultTotalTimeout != 5*time.Minute || aiohttp.DefaultSockConnectTimeout != 30*time.Second {
		t.Errorf("defaults %v %v", aiohttp.DefaultTotalTimeout, aiohttp.DefaultSockConnectTimeout)
	}
	// A negative Total means none: a slow answer is waited for.
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/", func(*web.Request) (web.Response, error) {
			time.Sleep(50 * time.Millisecond)
			return web.Text("ok"), nil
		})
	})
	s := newSession(t, aiohttp.SessionOptions{Timeout: aiohttp.ClientTimeout{Total: -1, SockRead: -1}})
	if _, body := get(t, s, base+"/"); body != "ok" {
		t.Errorf("body %q", body)
	}
}

// waitQueued waits until n requests queue for a slot of c.
func waitQueued(t *testing.T, c *aiohttp.TCPConnector, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.Stats().Waiting != n {
		if time.Now().After(deadline) {
			t.Fatalf("stats stay %+v", c.Stats())
		}
		time.Sleep(time.Millisecond)
	}
}
