package aiohttp_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/sse"
	"github.com/aiohttp-go/aiohttp/web"
)

// sseApp serves /sse: each connection sends two events counting on from
// its Last-Event-ID, asks for a 10 ms reconnection time and ends; the
// third connection gets 204. The request headers of each connection are
// recorded.
type sseApp struct {
	mu      sync.Mutex
	headers []map[string]string
}

func (a *sseApp) handler(req *web.Request) (web.Response, error) {
	a.mu.Lock()
	n := len(a.headers)
	a.headers = append(a.headers, map[string]string{
		"Accept":        req.Header().Get("Accept"),
		"Cache-Control": req.Header().Get("Cache-Control"),
		"Last-Event-ID": req.Header().Get("Last-Event-ID"),
	})
	a.mu.Unlock()
	if n == 2 {
		return web.NewResponse(204), nil
	}
	es := web.NewEventSourceResponse(web.EventSourceOptions{Retry: 10 * time.Millisecond})
	if err := es.Prepare(req); err != nil {
		return nil, err
	}
	k, _ := strconv.Atoi(es.LastEventID())
	for i := k + 1; i <= k+2; i++ {
		if err := es.SendEvent(sse.Event{ID: strconv.Itoa(i), Data: "event " + strconv.Itoa(i)}); err != nil {
			return nil, err
		}
	}
	return es, nil
}

func startSSE(t *testing.T) (*sseApp, string) {
	a := &sseApp{}
	app := web.NewApplication()
	app.Router.Get("/sse", a.handler)
	app.Router.Get("/text", func(*web.Request) (web.Response, error) { return web.Text("data: x\n\n"), nil })
	app.Router.Get("/missing", func(*web.Request) (web.Response, error) { return nil, web.HTTPNotFound() })
	return a, aiotest.NewServer(t, app).URL
}

func TestResponseEvents(t *testing.T) {
	_, base := startSSE(t)
	s := newSession(t, aiohttp.SessionOptions{})
	resp, err := s.Get(context.Background(), base+"/sse", aiohttp.Headers{"Last-Event-ID": "10"})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	var got []sse.Event
	for ev, err := range resp.Events() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	want := []sse.Event{{ID: "11", Event: "message", Data: "event 11"}, {ID: "12", Event: "message", Data: "event 12"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("%+v", got)
	}
}

// TestEventSourceReconnects: the source reconnects after each stream,
// sending the last event ID, and stops at the 204.
func TestEventSourceReconnects(t *testing.T) {
	a, base := startSSE(t)
	s := newSession(t, aiohttp.SessionOptions{})
	es := s.EventSource(context.Background(), base+"/sse", aiohttp.EventSourceOptions{LastEventID: "5"})
	var ids []string
	for ev, err := range es.Events() {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Data != "event "+ev.ID {
			t.Fatalf("%+v", ev)
		}
		ids = append(ids, ev.ID)
	}
	if got := len(ids); got != 4 || ids[0] != "6" || ids[3] != "9" {
		t.Fatalf("ids %v", ids)
	}
	if es.LastEventID() != "9" || es.Retry() != 10*time.Millisecond {
		t.Errorf("LastEventID %q, Retry %v", es.LastEventID(), es.Retry())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, want := range []string{"5", "7", "9"} {
		h := a.headers[i]
		if h["Accept"] != "text/event-stream" || h["Cache-Control"] != "no-cache" || h["Last-Event-ID"] != want {
			t.Errorf("connection %d: %v, want Last-Event-ID %s", i, h, want)
		}
	}
}

func TestEventSourceFails(t *testing.T) {
	_, base := startSSE(t)
	s := newSession(t, aiohttp.SessionOptions{})
	for path, kind := range map[string]error{"/text": aiohttp.ErrContentType, "/missing": aiohttp.ErrClientResponse} {
		var errs []error
		for _, err := range s.EventSource(context.Background(), base+path, aiohttp.EventSourceOptions{}).Events() {
			errs = append(errs, err)
		}
		var re *aiohttp.ClientResponseError
		if len(errs) != 1 || !errors.Is(errs[0], kind) || !errors.As(errs[0], &re) {
			t.Errorf("%s: %v", path, errs)
		}
	}
	var errs []error
	for _, err := range s.EventSource(context.Background(), "ftp://x/", aiohttp.EventSourceOptions{}).Events() {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], aiohttp.ErrClient) {
		t.Errorf("bad URL: %v", errs)
	}
}

// TestEventSourceRetriesUntilContextEnds: a server that is not there is
// tried again and again until the context ends.
func TestEventSourceRetriesUntilContextEnds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted sync.WaitGroup
	accepted.Add(3)
	go func() {
		for range 3 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close() // a broken connection: reconnect
			accepted.Done()
		}
	}()
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { accepted.Wait(); cancel() }()
	s := newSession(t, aiohttp.SessionOptions{})
	var errs []error
	for _, err := range s.EventSource(ctx, "http://"+ln.Addr().String()+"/", aiohttp.EventSourceOptions{Retry: 5 * time.Millisecond}).Events() {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], aiohttp.ErrCanceled) || !errors.Is(errs[0], context.Canceled) {
		t.Fatalf("%v", errs)
	}
}

// TestEventSourceClose: Close ends a range blocked on a quiet stream,
// without an error; the session's total timeout does not end the stream.
func TestEventSourceClose(t *testing.T) {
	app := web.NewApplication()
	app.Router.Get("/quiet", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		_ = es.Send("first")
		<-es.Context().Done()
		return es, nil
	})
	base := aiotest.NewServer(t, app).URL
	s := newSession(t, aiohttp.SessionOptions{Timeout: aiohttp.ClientTimeout{Total: 50 * time.Millisecond}})
	es := s.EventSource(context.Background(), base+"/quiet", aiohttp.EventSourceOptions{})
	n := 0
	for ev, err := range es.Events() {
		if err != nil || ev.Data != "first" {
			t.Fatalf("%+v %v", ev, err)
		}
		n++
		time.AfterFunc(200*time.Millisecond, func() { es.Close() })
	}
	if n != 1 {
		t.Fatalf("%d events", n)
	}
	es.Close()
}
