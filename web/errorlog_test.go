package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/web"
)

// debugLogger returns a logger that writes every level as text to buf.
func debugLogger(buf io.Writer) web.AppOption {
	return web.WithLogger(slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
}

// Clients that reset their connections mid-body or mid-response, in their
// hundreds, log no error: each is a debug line and a ClientGone count.
func TestDisconnectStormLogsNoErrors(t *testing.T) {
	logged := new(apptest.SyncBuffer)
	app := web.NewApplication(debugLogger(logged))
	app.Router.Post("/upload", func(req *web.Request) (web.Response, error) {
		body, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		return web.Text(fmt.Sprint(len(body))), nil
	})
	chunk := []byte(strings.Repeat("x", 64<<10))
	app.Router.Get("/big", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		for range 1024 { // 64 MiB, more than the socket buffers hold
			if _, err := resp.Write(chunk); err != nil {
				return nil, err
			}
		}
		return resp, nil
	})
	s := startApp(t, app, web.ServerOptions{})

	const clients = 300
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc, err := net.Dial("tcp", s.addr)
			if err != nil {
				t.Error(err)
				return
			}
			if i%2 == 0 { // half a body
				fmt.Fprintf(nc, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n%s", strings.Repeat("y", 1000))
			} else { // a response it will not read
				fmt.Fprintf(nc, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
			}
			time.Sleep(20 * time.Millisecond) // the handler is under way
			nc.(*net.TCPConn).SetLinger(0)    // close with a reset
			nc.Close()
		}()
	}
	wg.Wait()
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	log := logged.String()
	if n := strings.Count(log, "level=ERROR"); n != 0 {
		t.Errorf("%d ERROR lines for clients that left:\n%.2000s", n, log)
	}
	stats := app.LogStats()
	debug := strings.Count(log, `msg="web: client went away"`)
	if stats.ClientGone == 0 || stats.Errors != 0 {
		t.Errorf("LogStats %+v, want ClientGone > 0 and no Errors", stats)
	}
	if uint64(debug)+stats.Suppressed != stats.ClientGone {
		t.Errorf("%d debug lines + %d suppressed, want the %d ClientGone counted", debug, stats.Suppressed, stats.ClientGone)
	}
	t.Logf("%d clients: %+v", clients, stats)
}

// A handler that returns the request's context error after its client
// left is no server error either.
func TestClientCancelIsDebug(t *testing.T) {
	logged := new(apptest.SyncBuffer)
	app := web.NewApplication(debugLogger(logged))
	waiting := make(chan struct{})
	app.Router.Get("/wait", func(req *web.Request) (web.Response, error) {
		close(waiting)
		<-req.Context().Done()
		return nil, req.Context().Err()
	})
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	c.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
	<-waiting
	c.nc.Close()
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if stats := app.LogStats(); stats.ClientGone != 1 || stats.Errors != 0 {
		t.Errorf("LogStats %+v, want one ClientGone", stats)
	}
	if log := logged.String(); strings.Contains(log, "level=ERROR") || !strings.Contains(log, "context canceled") {
		t.Errorf("log:\n%s", log)
	}
}

// The same error, many times a second, logs LogLinesPerSecond lines, then
// one summary with the count of the others; the count is kept.
func TestRepeatedErrorsAreRateLimited(t *testing.T) {
	logged := new(apptest.SyncBuffer)
	app := web.NewApplication(debugLogger(logged))
	app.Router.Get("/broken", func(*web.Request) (web.Response, error) { return nil, errors.New("db down") })
	s := startApp(t, app, web.ServerOptions{})
	const n = 50
	start := time.Now()
	for range n {
		if resp, _ := s.do("GET", "/broken", nil); resp.StatusCode != 500 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if time.Since(start) > 900*time.Millisecond {
		t.Skip("the requests took more than one rate-limit period")
	}
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	if !logged.WaitFor(ctx, "suppressed similar lines") {
		t.Fatalf("no summary of the suppressed lines:\n%s", logged.String())
	}
	log := logged.String()
	if got := strings.Count(log, `msg="web: request failed"`); got != web.LogLinesPerSecond {
		t.Errorf("%d lines logged, want %d:\n%s", got, web.LogLinesPerSecond, log)
	}
	want := fmt.Sprintf("level=ERROR msg=\"web: suppressed similar lines\" message=\"web: request failed\" error=\"db down\" suppressed=%d", n-web.LogLinesPerSecond)
	if !strings.Contains(log, want) {
		t.Errorf("no %q in:\n%s", want, log)
	}
	if stats := app.LogStats(); stats.Errors != n || stats.Suppressed != n-web.LogLinesPerSecond {
		t.Errorf("LogStats %+v, want %d Errors, %d Suppressed", stats, n, n-web.LogLinesPerSecond)
	}
	// The next period logs again.
	time.Sleep(1100 * time.Millisecond)
	s.do("GET", "/broken", nil)
	if got := strings.Count(logged.String(), `msg="web: request failed"`); got != web.LogLinesPerSecond+1 {
		t.Errorf("%d lines after a quiet second, want %d", got, web.LogLinesPerSecond+1)
	}
}

// Under net/http too, a body cut short by a client that leaves is no
// server error.
func TestBridgedBodyCutShortIsNoError(t *testing.T) {
	logged := new(apptest.SyncBuffer)
	app := web.NewApplication(debugLogger(logged))
	done := make(chan error, 1)
	app.Router.Post("/upload", func(req *web.Request) (web.Response, error) {
		_, err := req.Bytes()
		done <- err
		return nil, err
	})
	s := startBridged(t, app)
	c := s.dial(t)
	c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort")
	c.nc.(*net.TCPConn).CloseWrite()
	if err := <-done; err == nil {
		t.Fatal("a body cut short read without error")
	}
	c.nc.Close()
	time.Sleep(100 * time.Millisecond) // the handler's error reaches the log
	if log := logged.String(); strings.Contains(log, "level=ERROR") {
		t.Errorf("ERROR logged for a client's short body:\n%s", log)
	}
	if stats := app.LogStats(); stats.Errors != 0 {
		t.Errorf("LogStats %+v, want no Errors", stats)
	}
}
