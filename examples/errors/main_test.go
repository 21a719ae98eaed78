package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/demo"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/web"
)

// unknown is a host under .invalid, which never resolves (RFC 6761).
const unknown = "http://non-existent-domain.invalid"

func TestErrors(t *testing.T) {
	app := demo.NewApp()
	app.Router.Get("/stall", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		if _, err := resp.WriteString("the start of a body"); err != nil {
			return nil, err
		}
		if err := resp.Flush(); err != nil {
			return nil, err
		}
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(5 * time.Second):
			return resp, nil
		}
	})
	srv := aiotest.NewServer(t, app)

	// The seed's three calls, with a timeout the slow answer exceeds. (The
	// unknown host has a long one, so that a slow resolver still gives a
	// DNS error rather than a timeout.)
	var out strings.Builder
	run(context.Background(), &out, 30*time.Second, srv.URL+"/status/404", unknown)
	start := time.Now()
	run(context.Background(), &out, 300*time.Millisecond, srv.URL+"/delay/5")
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("run took %v; the timeout did not cut the slow request short", d)
	}
	apptest.CompareLines(t, out.String(),
		"HTTP Error: 404 - Not Found",
		"Connection Error: Could not connect to "+unknown+". *",
		"Timeout Error: Request to "+srv.URL+"/delay/5 timed out.",
	)
	if line := strings.Split(out.String(), "\n")[1]; strings.Count(line, "non-existent-domain.invalid") < 2 {
		t.Errorf("the connection error does not name the host: %s", line)
	}

	// A body that stops coming: the status is a success, reading the text
	// times out, as in the seed, where both are in the try block.
	out.Reset()
	run(context.Background(), &out, 300*time.Millisecond, srv.URL+"/stall")
	apptest.CompareLines(t, out.String(),
		"Success! Status: 200",
		"Timeout Error: Request to "+srv.URL+"/stall timed out.",
	)

	// Within the timeout, the slow answer is a success; so is a 200.
	out.Reset()
	run(context.Background(), &out, 10*time.Second, srv.URL+"/delay/0.1", srv.URL+"/status/200")
	apptest.CompareLines(t, out.String(), "Success! Status: 200", "Success! Status: 200")

	// Other failures: a server error, and a request cancelled by its caller.
	out.Reset()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	run(context.Background(), &out, 10*time.Second, srv.URL+"/status/503")
	run(ctx, &out, 10*time.Second, srv.URL+"/get")
	apptest.CompareLines(t, out.String(),
		"HTTP Error: 503 - Service Unavailable",
		"An unexpected error occurred: *",
	)
}
