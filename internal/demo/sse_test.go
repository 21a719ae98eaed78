package demo

import (
	"io"
	"net/http"
	"testing"
)

func TestEventStream(t *testing.T) {
	base, client := serve(t, NewApp())
	tests := []struct {
		path, lastID string
		status       int
		body         string
	}{
		{"/sse?count=3&interval=1", "", 200, "id: 1\ndata: event 1\n\nid: 2\ndata: event 2\n\nid: 3\ndata: event 3\n\n"},
		{"/sse?count=2&interval=0", "41", 200, "id: 42\ndata: event 42\n\nid: 43\ndata: event 43\n\n"},
		{"/sse?count=1&retry=1500", "x", 200, "retry: 1500\n\nid: 1\ndata: event 1\n\n"},
		{"/sse?count=-1", "", 400, ""},
		{"/sse?count=x", "", 400, ""},
		{"/sse?interval=1.5", "", 400, ""},
		{"/sse?interval=3600001", "", 400, ""},
		{"/sse?retry=-5", "", 400, ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", base+tt.path, nil)
		if tt.lastID != "" {
			req.Header.Set("Last-Event-ID", tt.lastID)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tt.status {
			t.Errorf("%s: %d, %v", tt.path, resp.StatusCode, err)
			continue
		}
		if tt.status != 200 {
			continue
		}
		if string(body) != tt.body || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Errorf("%s: %q (%s)\nwant %q", tt.path, body, resp.Header.Get("Content-Type"), tt.body)
		}
	}
}

// TestEventStreamForever: without a count the stream goes on (here past
// some 100 events) until the client leaves.
func TestEventStreamForever(t *testing.T) {
	base, client := serve(t, NewApp())
	resp, err := client.Get(base + "/sse?interval=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 0, 4096)
	for len(buf) < 2000 {
		n, err := resp.Body.Read(buf[len(buf):cap(buf)])
		if err != nil {
			t.Fatalf("after %d bytes: %v", len(buf), err)
		}
		buf = buf[:len(buf)+n]
	}
}
