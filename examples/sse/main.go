// Sse reads and serves Server-Sent Events, after the seeds' list of what
// aiohttp does (seeds/000: "支持 HTTP/1.1、WebSockets、Server-Sent Events
// (SSE)"), which shows no code for them: the client is what a browser's
// EventSource does, written with Session.EventSource, and the server is
// aiohttp-sse's EventSourceResponse pattern.
//
// The client (-mode client, the default) reads the stream at -url and
// prints one JSON object per event, {"id": …, "event": …, "data": …},
// where id is the last event ID in effect. When the stream ends or breaks
// it reconnects as the spec says: after the reconnection time (3 s unless
// the server sets one with retry:), sending Last-Event-ID. It stops after
// -count events (0: never), on Ctrl-C, or when the server answers 204, a
// status other than 200 or a type other than text/event-stream.
//
// The server (-mode server) serves /sse: the time every -interval, with
// IDs counting on from the client's Last-Event-ID, until the client
// leaves.
//
// Run both:
//
//	go run ./examples/sse -mode server -addr 127.0.0.1:8080 &
//	go run ./examples/sse -url http://127.0.0.1:8080/sse -count 3
//
// The client prints:
//
//	{"id":"1","event":"message","data":"2026-12-06T05:00:00Z"}
//	{"id":"2","event":"message","data":"2026-12-06T05:00:01Z"}
//	{"id":"3","event":"message","data":"2026-12-06T05:00:02Z"}
//
// The client works against the demo server too (go run ./cmd/aiohttp
// serve), whose /sse?count=N&interval=MS sends N events and ends, so
// that the client reconnects.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/sse"
	"github.com/aiohttp-go/aiohttp/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the command line and runs the server or the client until it
// is done or ctx ends; it returns the exit status (2 for a usage error).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "client", "`server` or client")
	addr := fs.String("addr", "127.0.0.1:8080", "host:port the server listens on")
	interval := fs.Duration("interval", time.Second, "server: time between events")
	url := fs.String("url", "http://127.0.0.1:8080/sse", "event stream the client reads")
	count := fs.Int("count", 0, "client: stop after this many events (0: never)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: sse -mode server [-addr host:port] [-interval d]\n"+
			"       sse [-mode client] [-url URL] [-count N]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *count < 0 || *interval <= 0 {
		fmt.Fprintln(stderr, "sse: unexpected argument, negative -count or -interval not positive")
		fs.Usage()
		return 2
	}
	switch *mode {
	case "server":
		opts := web.RunOptions{Addr: *addr, NoSignals: true, Out: stdout}
		if err := web.RunAppContext(ctx, newApp(*interval), opts); err != nil {
			fmt.Fprintf(stderr, "sse: %v\n", err)
			return 1
		}
		return 0
	case "client":
		if err := client(ctx, stdout, *url, *count); err != nil {
			fmt.Fprintf(stderr, "sse: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "sse: -mode must be server or client, not %q\n", *mode)
	fs.Usage()
	return 2
}

// newApp serves the clock on /sse, an event every interval.
func newApp(interval time.Duration) *web.Application {
	app := web.NewApplication()
	app.Router.Get("/sse", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		id, _ := strconv.Atoi(es.LastEventID()) // 0 without one
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			id++
			now := time.Now().UTC().Format(time.RFC3339)
			if err := es.SendEvent(sse.Event{ID: strconv.Itoa(id), Data: now}); err != nil {
				return es, nil // the client left
			}
			select {
			case <-es.Context().Done(): // the client left, or the server stops
				return es, nil
			case <-tick.C:
			}
		}
	})
	return app
}

// line is the JSON object printed for each event.
type line struct {
	ID    string `json:"id"`
	Event string `json:"event"`
	Data  string `json:"data"`
}

// client prints the events of url, reconnecting, until it printed count
// of them (count 0: until the stream fails or ctx ends).
func client(ctx context.Context, out io.Writer, url string, count int) error {
	session, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		return err
	}
	defer session.Close()

	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	es := session.EventSource(ctx, url, aiohttp.EventSourceOptions{})
	defer es.Close()
	n := 0
	for ev, err := range es.Events() {
		if err != nil {
			if ctx.Err() != nil {
				return nil // Ctrl-C
			}
			return err
		}
		if err := enc.Encode(line{ID: ev.ID, Event: ev.Event, Data: ev.Data}); err != nil {
			return err
		}
		if n++; n == count {
			break
		}
	}
	return nil
}
