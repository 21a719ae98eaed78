package interop

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/sse"
	"github.com/aiohttp-go/aiohttp/web"
)

// sseScript reads an event stream with aiohttp.ClientSession; see its
// docstring.
const sseScript = "testdata/sse_aiohttp_client.py"

// sseRichPath is a stream with every field: see addSSERoutes.
const sseRichPath = "/sse-rich"

// addSSERoutes adds sseRichPath to the demo: retry 50 ms, an event with
// ID "a", one of type "update" with two data lines, comment pings every
// 5 ms for some 50 ms, then one with ID "b" and non-ASCII data; then the
// stream ends.
func addSSERoutes(app *web.Application) {
	app.Router.Get(sseRichPath, func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{Retry: 50 * time.Millisecond, PingInterval: 5 * time.Millisecond})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		for _, ev := range []sse.Event{{ID: "a", Data: "first"}, {Event: "update", Data: "line1\nline2"}} {
			if err := es.SendEvent(ev); err != nil {
				return es, nil
			}
		}
		select {
		case <-es.Context().Done():
			return es, nil
		case <-time.After(50 * time.Millisecond):
		}
		_ = es.SendEvent(sse.Event{ID: "b", Data: "ünïcode ✓"})
		return es, nil
	})
}

// runSSEScript runs the script and returns its JSON lines, decoded.
func runSSEScript(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	python := needPython(t)
	args = append([]string{"-X", "dev", sseScript}, args...)
	stdout, stderr, err := runPeer(t, nil, python, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s\nstdout:\n%s", python, strings.Join(args, " "), err, stderr, stdout)
	}
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("script printed %q: %v", line, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func sseEvent(id, event, data string, retry any) map[string]any {
	return map[string]any{"id": id, "event": event, "data": data, "retry": retry}
}

// TestPythonAiohttpReadsSSE: Python aiohttp's client reads our event
// streams as they arrive: every field, pings and the head of
// EventSourceResponse; and the demo's endless /sse counting on from the
// Last-Event-ID it sends, of which it reads three events and leaves.
func TestPythonAiohttpReadsSSE(t *testing.T) {
	app := demo.NewApp()
	addSSERoutes(app)
	srv := serveApp(t, app)

	got := runSSEScript(t, srv.URL+sseRichPath, "0")
	head := map[string]any{"headers": map[string]any{
		"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
	}}
	want := []map[string]any{
		head,
		sseEvent("a", "message", "first", 50.0),
		sseEvent("a", "update", "line1\nline2", 50.0),
		sseEvent("b", "message", "ünïcode ✓", 50.0),
	}
	if len(got) != len(want)+1 || !reflect.DeepEqual(got[:len(want)], want) {
		t.Fatalf("got %v\nwant %v and the comments", got, want)
	}
	if n, _ := got[len(want)]["comments"].(float64); n < 1 {
		t.Errorf("no ping seen: %v", got[len(want)])
	}

	got = runSSEScript(t, srv.URL+"/sse?interval=10", "3", "41")
	want = []map[string]any{
		head,
		sseEvent("42", "message", "event 42", nil),
		sseEvent("43", "message", "event 43", nil),
		sseEvent("44", "message", "event 44", nil),
		{"comments": 0.0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}
