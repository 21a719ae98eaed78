package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/demo"
)

// decodeLines decodes the client's output, one JSON object a line.
func decodeLines(t *testing.T, out string) []line {
	t.Helper()
	var lines []line
	for _, s := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var l line
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("line %q: %v", s, err)
		}
		lines = append(lines, l)
	}
	return lines
}

// TestClientReconnects reads the demo's /sse, which ends after two
// events: the client reconnects with Last-Event-ID and goes on counting.
func TestClientReconnects(t *testing.T) {
	srv := aiotest.NewServer(t, demo.NewApp())
	var out, errOut bytes.Buffer
	url := srv.URL + "/sse?count=2&interval=1&retry=10"
	if code := run(context.Background(), []string{"-url", url, "-count", "5"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	apptest.CompareLines(t, out.String(),
		`{"id":"1","event":"message","data":"event 1"}`,
		`{"id":"2","event":"message","data":"event 2"}`,
		`{"id":"3","event":"message","data":"event 3"}`,
		`{"id":"4","event":"message","data":"event 4"}`,
		`{"id":"5","event":"message","data":"event 5"}`,
	)
}

func TestClientAgainstServer(t *testing.T) {
	srv := aiotest.NewServer(t, newApp(time.Millisecond))
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"-url", srv.URL + "/sse", "-count", "3"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	for i, l := range decodeLines(t, out.String()) {
		if _, err := time.Parse(time.RFC3339, l.Data); err != nil || l.ID != string(rune('1'+i)) || l.Event != "message" {
			t.Errorf("event %d: %+v", i, l)
		}
	}
}

// TestServerMode runs both modes through the command line, the server on
// a real port, and stops the server by ending its context while the
// client still reads: both end.
func TestServerMode(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var srvOut, srvErr apptest.SyncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-mode", "server", "-addr", addr, "-interval", "5ms"}, &srvOut, &srvErr)
	}()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if !srvOut.WaitFor(wctx, "Running on") {
		t.Fatalf("the server did not start: stdout %q, stderr %q", srvOut.String(), srvErr.String())
	}
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"-url", "http://" + addr + "/sse", "-count", "4"}, &out, &errOut); code != 0 {
		t.Fatalf("client exit %d, stderr %q", code, errOut.String())
	}
	if lines := decodeLines(t, out.String()); len(lines) != 4 || lines[3].ID != "4" {
		t.Errorf("%+v", lines)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("server exit %d, stderr %q", code, srvErr.String())
		}
	case <-time.After(20 * time.Second):
		t.Error("server did not stop")
	}
}

func TestClientFailures(t *testing.T) {
	srv := aiotest.NewServer(t, demo.NewApp())
	for _, tt := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"-url", srv.URL + "/health"}, 1, "unexpected mimetype: text/plain"},
		{[]string{"-url", srv.URL + "/status/500"}, 1, "500"},
		{[]string{"-url", srv.URL + "/sse?count=x"}, 1, "400"},
		{[]string{"-count", "-1"}, 2, "negative -count"},
		{[]string{"-mode", "x"}, 2, "-mode must be"},
		{[]string{"extra"}, 2, "unexpected argument"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tt.args, &out, &errOut)
		if code != tt.code || !strings.Contains(errOut.String(), tt.err) || out.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tt.args, code, out.String(), errOut.String())
		}
	}
}
