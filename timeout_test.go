package aiohttp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

func TestTotalTimeoutExcludesQueue(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/slow", func(*web.Request) (web.Response, error) {
			time.Sleep(400 * time.Millisecond)
			return web.Text("slow"), nil
		})
		app.Router.Get("/fast", func(*web.Request) (web.Response, error) { return web.Text("fast"), nil })
	})
	for _, countQueue := range []bool{false, true} {
		conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: 1})
		s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Connector: conn})
		slow := make(chan error, 1)
		var queued time.Time
		go func() {
			resp, err := s.Get(testCtx(t), "/slow")
			if err == nil {
				_, err = resp.Bytes()
				resp.Close()
			}
			slow <- err
		}()
		time.Sleep(100 * time.Millisecond) // the slow request holds the only slot
		queued = time.Now()
		resp, err := s.Get(testCtx(t), "/fast", aiohttp.ClientTimeout{Total: 150 * time.Millisecond, CountQueue: countQueue})
		if countQueue {
			wantErrKind(t, err, aiohttp.ErrServerTimeout)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("CountQueue: %v", err)
			}
		} else {
			if err != nil {
				t.Fatalf("queued %v, then: %v", time.Since(queued), err)
			}
			if body := readBody(t, resp); body != "fast" {
				t.Errorf("body %q", body)
			}
			if d := time.Since(queued); d < 200*time.Millisecond {
				t.Errorf("did not queue: %v", d)
			}
		}
		if err := <-slow; err != nil {
			t.Fatal(err)
		}
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
