package demo

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestByteRange(t *testing.T) {
	tests := []struct {
		v           string
		first, last int
		ok          bool
	}{
		{"", 0, 99, true},
		{"items=1-2", 0, 99, true},
		{"bytes=10-19", 10, 19, true},
		{"bytes=-5", 95, 99, true},
		{"bytes=-500", 0, 99, true},
		{"bytes=90-", 90, 99, true},
		{"bytes=-", 0, 99, true},
		{"bytes=99-99", 99, 99, true},
		{"bytes=100-", 100, 99, false},
		{"bytes=20-10", 20, 10, false},
		{"bytes=0-100", 0, 100, false},
	}
	for _, tt := range tests {
		first, last, ok := byteRange(tt.v, 100)
		if first != tt.first || last != tt.last || ok != tt.ok {
			t.Errorf("byteRange(%q) = %d, %d, %v; want %d, %d, %v", tt.v, first, last, ok, tt.first, tt.last, tt.ok)
		}
	}
}

// TestHTTPBinBodies checks, without python-httpbin (the interop test
// compares the two), the generated bodies whose content is ours.
func TestHTTPBinBodies(t *testing.T) {
	base, client := serve(t, NewApp())
	tests := []struct {
		path, rng string
		status    int
		body      string
	}{
		{path: "/range/30", status: 200, body: "abcdefghijklmnopqrstuvwxyzabcd"},
		{path: "/range/30", rng: "bytes=25-27", status: 206, body: "zab"},
		{path: "/range/30", rng: "bytes=30-", status: 416},
		{path: "/drip?numbytes=3&duration=0.05", status: 200, body: "***"},
		{path: "/drip?numbytes=4&duration=0&code=418", status: 418, body: "****"},
		{path: "/drip?numbytes=x", status: 400},
		{path: "/drip?duration=-1", status: 400},
		{path: "/base64/aGk_", status: 200, body: "hi?"},
		{path: "/base64/%FF", status: 400},
		{path: "/status/200:0,201:1", status: 201},
		{path: "/status/200:-1", status: 400},
		{path: "/status/99", status: 400},
		{path: "/stream-bytes/10?chunk_size=x", status: 400},
		{path: "/redirect/0", status: 400},
		{path: "/redirect-to", status: 400},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", base+tt.path, nil)
		if tt.rng != "" {
			req.Header.Set("Range", tt.rng)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || (tt.body != "" && string(body) != tt.body) {
			t.Errorf("GET %s (Range %q): %d %q, want %d %q", tt.path, tt.rng, resp.StatusCode, body, tt.status, tt.body)
		}
	}
}

func TestHTTPBinUUID(t *testing.T) {
	u := newUUID()
	if len(u) != 36 || u[14] != '4' || !strings.ContainsRune("89ab", rune(u[19])) || u == newUUID() {
		t.Errorf("newUUID() = %q, not a fresh version 4 UUID", u)
	}
}
