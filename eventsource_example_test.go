package aiohttp_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/sse"
	"github.com/aiohttp-go/aiohttp/web"
)

// sseServer serves /events: two events counting on from the client's
// Last-Event-ID, then the end of the stream; from the ID 4 on, 204, which
// tells an EventSource to stop.
func sseServer() (string, func()) {
	app := web.NewApplication(web.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	app.Router.Get("/events", func(req *web.Request) (web.Response, error) {
		last, _ := strconv.Atoi(req.Header().Get("Last-Event-ID"))
		if last >= 4 {
			return web.NewResponse(204), nil
		}
		es := web.NewEventSourceResponse(web.EventSourceOptions{Retry: time.Millisecond}) // reconnect at once
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		for id := last + 1; id <= last+2; id++ {
			if err := es.SendEvent(sse.Event{ID: strconv.Itoa(id), Data: "tick " + strconv.Itoa(id)}); err != nil {
				return es, nil
			}
		}
		return es, nil
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	runner := web.NewAppRunner(app, web.ServerOptions{})
	runner.Setup(context.Background())
	web.NewListenerSite(runner, ln).Start(context.Background())
	return "http://" + ln.Addr().String() + "/", func() { runner.Cleanup(context.Background()) }
}

func ExampleSession_EventSource() {
	base, stop := sseServer()
	defer stop()
	s, _ := aiohttp.NewSession(aiohttp.SessionOptions{BaseURL: base})
	defer s.Close()

	es := s.EventSource(context.Background(), "events", aiohttp.EventSourceOptions{})
	defer es.Close()
	for ev, err := range es.Events() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(ev.ID, ev.Data)
	}
	fmt.Println("the server said 204 after", es.LastEventID())
	// Output:
	// 1 tick 1
	// 2 tick 2
	// 3 tick 3
	// 4 tick 4
	// the server said 204 after 4
}

func ExampleResponse_Events() {
	base, stop := sseServer()
	defer stop()
	s, _ := aiohttp.NewSession(aiohttp.SessionOptions{BaseURL: base})
	defer s.Close()

	resp, err := s.Get(context.Background(), "events")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Close()
	for ev, err := range resp.Events() {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Printf("%s %s %q\n", ev.ID, ev.Event, ev.Data)
	}
	// Output:
	// 1 message "tick 1"
	// 2 message "tick 2"
}
