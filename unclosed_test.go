package aiohttp_test

import (
	"context"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/web"
)

// A Response dropped without Close gives its connection slot back when
// the garbage collector finds it, and the session's logger says so, as
// aiohttp warns of an "Unclosed response".
func TestUnclosedResponseIsReleasedAndReported(t *testing.T) {
	base := serveApp(t, func(app *web.Application) {
		app.Router.Get("/big", func(*web.Request) (web.Response, error) {
			return web.Text(strings.Repeat("x", 1<<20)), nil
		})
	})
	var log apptest.SyncBuffer
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{LimitPerHost: 1})
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Connector: conn,
		Logger: slog.New(slog.NewTextHandler(&log, nil))})
	forget := func() {
		if _, err := s.Get(context.Background(), "/big"); err != nil {
			t.Fatal(err)
		}
	}
	forget()
	if n := conn.Stats().InUse; n != 1 {
		t.Fatalf("in use: %d", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for conn.Stats().InUse != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the forgotten response still holds its slot: %+v", conn.Stats())
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if got := log.String(); !strings.Contains(got, "unclosed response") || !strings.Contains(got, "url="+base+"/big") {
		t.Errorf("log: %q", got)
	}
	// The slot serves the next request.
	resp, err := s.Get(testCtx(t), "/big")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); len(body) != 1<<20 {
		t.Errorf("body of %d bytes", len(body))
	}
	// A closed response, and one of Session.With, are not reported.
	before := len(log.String())
	resp, err = s.Get(testCtx(t), "/big")
	if err != nil {
		t.Fatal(err)
	}
	resp.Close()
	if err := s.With(testCtx(t), "GET", "/big", func(*aiohttp.Response) error { return nil }); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.GC()
	if got := log.String()[before:]; got != "" {
		t.Errorf("log after closed responses: %q", got)
	}
}
