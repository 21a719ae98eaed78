package web_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/sse"
	"github.com/aiohttp-go/aiohttp/web"
)

// getStream opens url as an event stream with net/http's client.
func getStream(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// nextEvent reads the next event, failing the test after ioTimeout.
func nextEvent(t *testing.T, r *sse.Reader) (sse.Event, error) {
	t.Helper()
	type result struct {
		ev  sse.Event
		err error
	}
	c := make(chan result, 1)
	go func() {
		ev, err := r.Next()
		c <- result{ev, err}
	}()
	select {
	case res := <-c:
		return res.ev, res.err
	case <-time.After(ioTimeout):
		t.Fatal("no event")
		return sse.Event{}, nil
	}
}

func TestEventSourceResponse(t *testing.T) {
	app := newApp()
	app.Router.Get("/sse", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{Retry: 2500 * time.Millisecond})
		if err := es.SendEvent(sse.Event{Data: "early"}); !errors.Is(err, web.ErrNotPrepared) {
			t.Errorf("send before Prepare: %v", err)
		}
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		if err := es.Send("last id " + es.LastEventID()); err != nil {
			return nil, err
		}
		if err := es.SendEvent(sse.Event{ID: "a\nb", Data: "x"}); !errors.Is(err, sse.ErrInvalidEvent) {
			t.Errorf("invalid event: %v", err)
		}
		if err := es.SendEvent(sse.Event{ID: "7", Event: "update", Data: "two\nlines", Retry: time.Second}); err != nil {
			return nil, err
		}
		return es, nil
	})
	s := startApp(t, app, web.ServerOptions{})
	resp := getStream(t, s.url+"/sse", "Last-Event-ID", "41")
	for name, want := range map[string]string{
		"Content-Type":      "text/event-stream",
		"Cache-Control":     "no-cache",
		"X-Accel-Buffering": "no",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := "retry: 2500\n\ndata: last id 41\n\nid: 7\nevent: update\ndata: two\ndata: lines\nretry: 1000\n\n"
	if string(body) != want {
		t.Errorf("body %q\nwant %q", body, want)
	}
}

func TestEventSourcePing(t *testing.T) {
	app := newApp()
	app.Router.Get("/sse", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{PingInterval: 10 * time.Millisecond})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		<-es.Context().Done() // until the client leaves
		return es, nil
	})
	s := startApp(t, app, web.ServerOptions{})
	resp := getStream(t, s.url+"/sse")
	br := bufio.NewReader(resp.Body)
	for range 3 {
		line, err := br.ReadString('\n')
		if err != nil || line != ": ping\n" {
			t.Fatalf("%q, %v", line, err)
		}
	}
}

// TestEventSourceConcurrentSends: events sent from several goroutines at
// once arrive whole.
func TestEventSourceConcurrentSends(t *testing.T) {
	const senders, each = 8, 200
	app := newApp()
	app.Router.Get("/sse", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{PingInterval: time.Millisecond})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		var wg sync.WaitGroup
		for g := range senders {
			wg.Go(func() {
				for i := range each {
					ev := sse.Event{ID: strconv.Itoa(g), Data: strconv.Itoa(g) + "\n" + strconv.Itoa(i)}
					if err := es.SendEvent(ev); err != nil {
						t.Errorf("send: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		return es, nil
	})
	s := startApp(t, app, web.ServerOptions{})
	r := sse.NewReader(getStream(t, s.url+"/sse").Body, sse.ReaderOptions{})
	next := make([]int, senders)
	for range senders * each {
		ev, err := nextEvent(t, r)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := strconv.Atoi(ev.ID)
		if want := ev.ID + "\n" + strconv.Itoa(next[g]); ev.Data != want {
			t.Fatalf("event %q, want %q", ev.Data, want)
		}
		next[g]++
	}
	if _, err := nextEvent(t, r); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

// TestEventSourceClientLeaves: the stream's context ends when the client
// goes away, and sends fail with ErrEventStreamClosed.
func TestEventSourceClientLeaves(t *testing.T) {
	ended := make(chan error, 1)
	app := newApp()
	app.Router.Get("/sse", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{PingInterval: -1})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		_ = es.Send("hello")
		<-es.Context().Done()
		ended <- es.Send("too late")
		return es, nil
	})
	s := startApp(t, app, web.ServerOptions{})
	resp := getStream(t, s.url+"/sse")
	r := sse.NewReader(resp.Body, sse.ReaderOptions{})
	if ev, err := nextEvent(t, r); err != nil || ev.Data != "hello" {
		t.Fatalf("%+v %v", ev, err)
	}
	resp.Body.Close()
	select {
	case err := <-ended:
		if !errors.Is(err, web.ErrEventStreamClosed) {
			t.Errorf("send after the client left: %v", err)
		}
	case <-time.After(ioTimeout):
		t.Fatal("the stream did not notice the client leaving")
	}
}

// TestEventSourceAfterReturn: once the handler returned the stream, sends
// from other goroutines fail.
func TestEventSourceAfterReturn(t *testing.T) {
	got := make(chan *web.EventSourceResponse, 1)
	app := newApp()
	app.Router.Get("/sse", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{})
		got <- es
		return es, nil // never prepared: an empty stream
	})
	s := startApp(t, app, web.ServerOptions{})
	resp, body := s.get("/sse")
	if resp.StatusCode != 200 || body != "" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	es := <-got
	if err := es.Send("x"); !errors.Is(err, web.ErrEventStreamClosed) {
		t.Fatalf("send after return: %v", err)
	}
	if es.Context().Err() == nil {
		t.Fatal("context still open")
	}
}

// sseShutdownApp serves a stream that runs until its context ends,
// reporting the cause on causes.
func sseShutdownApp(causes chan<- error) *web.Application {
	app := newApp()
	app.Router.Get("/sse", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		if err := es.Send("open"); err != nil {
			return nil, err
		}
		<-es.Context().Done()
		causes <- context.Cause(es.Context())
		return es, nil
	})
	return app
}

// readOpenThenEOF reads the stream's first event and its clean end.
func readOpenThenEOF(t *testing.T, body io.Reader, started chan<- struct{}) {
	r := sse.NewReader(body, sse.ReaderOptions{})
	if ev, err := nextEvent(t, r); err != nil || ev.Data != "open" {
		t.Errorf("%+v %v", ev, err)
	}
	close(started)
	if _, err := nextEvent(t, r); err != io.EOF {
		t.Errorf("end of the stream: %v", err)
	}
}

// TestEventSourceShutdown: a graceful shutdown ends open streams at once
// (the stream ends cleanly), instead of waiting its whole timeout for
// them.
func TestEventSourceShutdown(t *testing.T) {
	causes := make(chan error, 1)
	s := startApp(t, sseShutdownApp(causes), web.ServerOptions{ShutdownTimeout: time.Hour})
	resp := getStream(t, s.url+"/sse")
	started, read := make(chan struct{}), make(chan struct{})
	go func() { readOpenThenEOF(t, resp.Body, started); close(read) }()
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * ioTimeout):
		t.Fatal("the shutdown waited for the event stream")
	}
	if cause := <-causes; !errors.Is(cause, web.ErrServerShutdown) {
		t.Errorf("cause %v", cause)
	}
	<-read
}

// TestEventSourceShutdownBridged: the same under net/http, whose Shutdown
// reaches the stream through RegisterOnShutdown.
func TestEventSourceShutdownBridged(t *testing.T) {
	causes := make(chan error, 1)
	ts := httptest.NewServer(sseShutdownApp(causes))
	defer ts.Close()
	resp := getStream(t, ts.URL+"/sse")
	started, read := make(chan struct{}), make(chan struct{})
	go func() { readOpenThenEOF(t, resp.Body, started); close(read) }()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 2*ioTimeout)
	defer cancel()
	if err := ts.Config.Shutdown(ctx); err != nil {
		t.Fatalf("net/http's Shutdown: %v", err)
	}
	if cause := <-causes; !errors.Is(cause, web.ErrServerShutdown) {
		t.Errorf("cause %v", cause)
	}
	<-read
}

// TestEventSourceHeaderKept: a Cache-Control the handler set is kept.
func TestEventSourceHeaderKept(t *testing.T) {
	app := newApp()
	app.Router.Get("/sse", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{})
		es.Header().Set("Cache-Control", "no-store")
		return es, nil
	})
	s := startApp(t, app, web.ServerOptions{})
	if resp, _ := s.get("/sse"); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
}

// TestEventSourceHead: a HEAD request gets the head, and its stream ends
// at once, so that a handler streaming forever returns.
func TestEventSourceHead(t *testing.T) {
	app := newApp()
	app.Router.Get("/sse", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		for es.Send("forever") == nil {
		}
		return es, nil
	})
	s := startApp(t, app, web.ServerOptions{})
	resp, body := s.do("HEAD", "/sse", nil)
	if resp.StatusCode != 200 || body != "" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
}
