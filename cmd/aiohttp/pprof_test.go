package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServePprof: --pprof serves Go's profiles on an address of its own,
// not on the demo's.
func TestServePprof(t *testing.T) {
	out, stop := startServe(t, "--port", "0", "--pprof", "127.0.0.1:0")
	profiles := waitBanner(t, out, `Profiles on (http://127\.0\.0\.1:\d+/debug/pprof/) `)
	base := waitBanner(t, out, `Running on (http://127\.0\.0\.1:\d+) `)
	client := &http.Client{Timeout: 5 * time.Second}
	for url, want := range map[string]int{profiles + "goroutine?debug=1": 200, base + "/debug/pprof/": 404} {
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: status %d, want %d", url, resp.StatusCode, want)
		}
		if want == 200 && !strings.HasPrefix(string(body), "goroutine profile: total ") {
			t.Errorf("GET %s: %.100q", url, body)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("exit status %d", code)
	}
}
