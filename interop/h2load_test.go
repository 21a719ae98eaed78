package interop

import (
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// needNghttp returns nghttp's path (nghttp2-client, with h2load), or
// skips the test.
func needNghttp(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("nghttp")
	if err != nil {
		missingPeer(t, "nghttp not found (%v); install it: %s", err, installHint)
	}
	return path
}

// h2loadSummary matches h2load's summary line.
var h2loadSummary = regexp.MustCompile(`requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout`)

// runH2load runs h2load with args and checks that it spoke proto ("h2c"
// or "http/1.1") and that all n requests succeeded with a 2xx status.
func runH2load(t *testing.T, proto, n string, args ...string) {
	t.Helper()
	h2load := needH2load(t)
	args = append([]string{"-n", n}, args...)
	out, stderr, err := runPeer(t, nil, h2load, args...)
	if err != nil {
		t.Fatalf("h2load %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, stderr)
	}
	m := h2loadSummary.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("h2load %s: no summary line\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), out, stderr)
	}
	want := []string{n, n, n, n, "0", "0", "0"}
	if !slices.Equal(m[1:], want) {
		t.Errorf("h2load %s: %s\nwant %s total, started, done and succeeded, 0 failed, errored, timeout\nstdout:\n%s",
			strings.Join(args, " "), m[0], n, out)
	}
	if !strings.Contains(out, "Application protocol: "+proto+"\n") {
		t.Errorf("h2load %s: did not speak %s\nstdout:\n%s", strings.Join(args, " "), proto, out)
	}
	if !strings.Contains(out, "status codes: "+n+" 2xx, 0 3xx, 0 4xx, 0 5xx") {
		t.Errorf("h2load %s: not all responses 2xx\nstdout:\n%s", strings.Join(args, " "), out)
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("h2load %s:\n%s", strings.Join(args, " "), out)
	}
}

// TestH2load: h2load speaks h2c with prior knowledge to http:// URLs;
// 200 requests over 4 connections, then with 10 concurrent streams per
// connection, all succeed.
func TestH2load(t *testing.T) {
	srv := startServer(t)
	t.Run("serial streams", func(t *testing.T) {
		runH2load(t, "h2c", "200", "-c", "4", srv.URL+"/")
	})
	t.Run("concurrent streams", func(t *testing.T) {
		runH2load(t, "h2c", "200", "-c", "4", "-m", "10", srv.URL+"/Alice")
	})
	t.Run("post", func(t *testing.T) {
		body := writeFile(t, "body.json", []byte(`{"load":true}`))
		runH2load(t, "h2c", "200", "-c", "2", "-m", "10", "-d", body, "-H", "Content-Type: application/json", srv.URL+"/api/data")
	})
}

// TestH2loadHTTP1Pipelining: h2load --h1 with -m pipelines HTTP/1.1
// requests, 8 deep on each of 4 connections.
func TestH2loadHTTP1Pipelining(t *testing.T) {
	srv := startServer(t)
	runH2load(t, "http/1.1", "400", "--h1", "-c", "4", "-m", "8", srv.URL+"/health")
}

// TestNghttpTooLarge: over HTTP/2 an oversized upload gets its 413 (the
// application's 1 MiB client_max_size applies on the net/http bridge
// too), followed, as RFC 9113 section 8.1 allows, by RST_STREAM(NO_ERROR)
// that tells the client to stop sending.
func TestNghttpTooLarge(t *testing.T) {
	nghttp := needNghttp(t)
	srv := startServer(t)
	file := writeFile(t, "big", payload(2*bodyLimit))
	out, stderr, err := runPeer(t, nil, nghttp, "--verbose", "--data", file, srv.URL+"/digest")
	if err != nil {
		t.Fatalf("nghttp: %v\nstderr:\n%s\nstdout:\n%s", err, stderr, out)
	}
	for _, want := range []string{":status: 413", tooLargeBody} {
		if !strings.Contains(out, want) {
			t.Errorf("nghttp output lacks %q:\n%s", want, out)
		}
	}
	if i := strings.Index(out, "recv RST_STREAM"); i >= 0 && !strings.Contains(out[i:], "error_code=NO_ERROR") {
		t.Errorf("the server reset the stream with an error, not NO_ERROR:\n%s", out[i:])
	}
}
