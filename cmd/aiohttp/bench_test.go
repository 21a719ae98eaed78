package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestBenchUsageErrors(t *testing.T) {
	body := filepath.Join(t.TempDir(), "missing")
	runUsageCases(t, []usageCase{
		{args: []string{"bench", "-h"}, code: 0, wantStdout: "aiohttp bench --rate 2000"},
		{args: []string{"help", "bench"}, code: 0, wantStdout: "usage: aiohttp bench [flags] URL"},
		{args: []string{"-h"}, code: 0, wantStdout: "bench"},
		{args: []string{"bench"}, code: 2, wantStderr: "aiohttp bench: no URL"},
		{args: []string{"bench", "http://a/", "http://b/"}, code: 2, wantStderr: "2 URLs: give one"},
		{args: []string{"bench", "-c", "0", "http://x/"}, code: 2, wantStderr: "-c 0: must be at least 1"},
		{args: []string{"bench", "-n", "-1", "http://x/"}, code: 2, wantStderr: "-n -1: must be positive"},
		{args: []string{"bench", "-d", "-1s", "http://x/"}, code: 2, wantStderr: "-d -1s: must be positive"},
		{args: []string{"bench", "-n", "10", "-d", "1s", "http://x/"}, code: 2, wantStderr: "-n and -d: give one"},
		{args: []string{"bench", "--rate", "-5", "http://x/"}, code: 2, wantStderr: "--rate -5: must be positive"},
		{args: []string{"bench", "--rate", "NaN", "http://x/"}, code: 2, wantStderr: "--rate NaN"},
		{args: []string{"bench", "--timeout", "-1s", "http://x/"}, code: 2, wantStderr: "--timeout -1s"},
		{args: []string{"bench", "-d", "soon", "http://x/"}, code: 2, wantStderr: `invalid value "soon" for flag -d`},
		{args: []string{"bench", "ftp://x/"}, code: 2, wantStderr: `"ftp://x/": not an absolute http:// or https:// URL`},
		{args: []string{"bench", "/relative"}, code: 2, wantStderr: "not an absolute"},
		{args: []string{"bench", "http://[::1/"}, code: 2, wantStderr: "aiohttp bench: parse"},
		{args: []string{"bench", "--http2", "http://x/"}, code: 2, wantStderr: "--http2 needs an https:// URL"},
		{args: []string{"bench", "-H", "nocolon", "http://x/"}, code: 2, wantStderr: `-H "nocolon"`},
		{args: []string{"bench", "-H", "bad name: v", "http://x/"}, code: 2, wantStderr: `-H "bad name: v"`},
		{args: []string{"bench", "-m", "GE T", "http://x/"}, code: 2, wantStderr: `-m "GE T": not a method`},
		{args: []string{"bench", "--body", "@" + body, "http://x/"}, code: 2, wantStderr: "--body: open " + body},
		{args: []string{"bench", "--nope", "http://x/"}, code: 2, wantStderr: "flag provided but not defined: -nope"},
	})
}

// benchRun runs the bench command in process with --json and decodes
// its summary, checking that it has exactly the contract's fields.
func benchRun(t *testing.T, ctx context.Context, args ...string) (sum benchSummary, code int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code = run(ctx, append([]string{"bench", "--json"}, args...), &stdout, &stderr)
	if stderr.Len() > 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
	return decodeSummary(t, stdout.Bytes()), code
}

// decodeSummary decodes the --json output: one object with exactly the
// contract's fields.
func decodeSummary(t *testing.T, out []byte) benchSummary {
	t.Helper()
	if n := bytes.Count(out, []byte("\n")); n != 1 || !bytes.HasSuffix(out, []byte("\n")) {
		t.Fatalf("output is %d lines, want one JSON object on a line:\n%s", n, out)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(out, &fields); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	if got, want := slices.Sorted(maps.Keys(fields)), []string{"errors", "errors_by_kind", "latency_ms", "requests", "rps", "seconds", "status"}; !slices.Equal(got, want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	var latency map[string]float64
	if err := json.Unmarshal(fields["latency_ms"], &latency); err != nil {
		t.Fatalf("latency_ms %s: %v", fields["latency_ms"], err)
	}
	if got, want := slices.Sorted(maps.Keys(latency)), []string{"max", "p50", "p90", "p99", "p999"}; !slices.Equal(got, want) {
		t.Fatalf("latency_ms fields %v, want %v", got, want)
	}
	var s benchSummary
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	if s.Status == nil || s.ErrorsByKind == nil {
		t.Errorf("status or errors_by_kind is null, want an object: %s", out)
	}
	return s
}

// countingServer counts the requests it answers with 200 "ok".
func countingServer(t *testing.T, n *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// -n makes exactly N requests, over at most -c connections, and the
// summary says so.
func TestBenchRequestCount(t *testing.T) {
	var served, opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	sum, code := benchRun(t, context.Background(), "-n", "537", "-c", "7", srv.URL+"/")
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if got := served.Load(); got != 537 {
		t.Errorf("server answered %d requests, want 537", got)
	}
	if sum.Requests != 537 || sum.Errors != 0 || sum.Status["200"] != 537 || len(sum.Status) != 1 || len(sum.ErrorsByKind) != 0 {
		t.Errorf("summary %+v, want 537 requests, all 200", sum)
	}
	if n := opened.Load(); n > 7 {
		t.Errorf("%d connections opened, want at most -c 7", n)
	}
	l := sum.LatencyMS
	if !(0 < l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) {
		t.Errorf("latencies %+v, want 0 < p50 <= p90 <= p99 <= p999 <= max", l)
	}
	if sum.Seconds <= 0 || sum.RPS <= 0 {
		t.Errorf("seconds %v, rps %v, want both positive", sum.Seconds, sum.RPS)
	}
}

// -d runs for that long, then stops.
func TestBenchDuration(t *testing.T) {
	var served atomic.Int64
	srv := countingServer(t, &served)
	start := time.Now()
	sum, code := benchRun(t, context.Background(), "-d", "700ms", "-c", "4", srv.URL+"/")
	elapsed := time.Since(start)
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if elapsed < 700*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("ran %v, want about 700ms", elapsed)
	}
	if sum.Seconds < 0.7 || sum.Seconds > 5 {
		t.Errorf("seconds %v, want about 0.7", sum.Seconds)
	}
	if sum.Requests == 0 || sum.Requests != uint64(served.Load()) || sum.Status["200"] != sum.Requests {
		t.Errorf("summary %+v, server answered %d: want them equal and above 0", sum, served.Load())
	}
}

// --rate sends requests on a schedule, not as fast as they are
// answered: at the server, about R a second, never more than the
// schedule allows.
func TestBenchRate(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
	}))
	defer srv.Close()
	sum, code := benchRun(t, context.Background(), "--rate", "200", "-d", "1500ms", "-c", "4", srv.URL+"/")
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	mu.Lock()
	defer mu.Unlock()
	// 300 due in 1.5 s; a loaded machine may fall behind, not ahead.
	if n := len(arrivals); n < 150 || n > 300 || sum.Requests != uint64(n) {
		t.Fatalf("server saw %d requests, summary %d, want 300 (at least 150)", n, sum.Requests)
	}
	// Spread over the run: as fast as answered, 4 connections would make
	// 300 in a few milliseconds. The middle second holds about 200 (a
	// stall makes up for itself with a burst, so only the floor is sure).
	if span := arrivals[len(arrivals)-1].Sub(arrivals[0]); span < time.Second {
		t.Errorf("the requests arrived within %v, want them spread over about 1.5s", span)
	}
	middle := 0
	for _, at := range arrivals {
		if d := at.Sub(arrivals[0]); d >= 250*time.Millisecond && d < 1250*time.Millisecond {
			middle++
		}
	}
	if middle < 100 {
		t.Errorf("%d requests in the middle second, want about 200", middle)
	}
}

// With --rate, latency counts from when each request was due: one
// connection to a server that takes 50ms cannot keep up with 100
// requests a second, and the latency grows with the backlog (a closed
// loop would report 50ms throughout).
func TestBenchRateNoCoordinatedOmission(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
	}))
	defer srv.Close()
	sum, code := benchRun(t, context.Background(), "--rate", "100", "-d", "1s", "-c", "1", srv.URL+"/")
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if sum.Requests == 0 || sum.Requests > 25 {
		t.Errorf("%d requests, want about 20 (one connection, 50ms each, 1s)", sum.Requests)
	}
	if sum.LatencyMS.Max < 400 || sum.LatencyMS.P50 < 100 {
		t.Errorf("latency %+v, want max above 400ms and p50 above 100ms: the backlog's wait counts", sum.LatencyMS)
	}
}

// Statuses are counted, not errors; failed requests are errors of a kind,
// and the run still exits 0.
func TestBenchStatusesAndErrors(t *testing.T) {
	var n atomic.Int64
	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%4 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	defer fail.Close()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()

	for _, tt := range []struct {
		name   string
		args   []string
		status map[string]uint64
		errors map[string]uint64
	}{
		{"statuses", []string{"-n", "100", "-c", "1", fail.URL}, map[string]uint64{"404": 75, "500": 25}, map[string]uint64{}},
		{"closed port", []string{"-n", "20", "-c", "3", "http://" + closedPort(t) + "/"}, map[string]uint64{}, map[string]uint64{"connect": 20}},
		{"timeout", []string{"-n", "2", "--timeout", "100ms", hang.URL}, map[string]uint64{}, map[string]uint64{"timeout": 2}},
		{"dns", []string{"-n", "3", "http://no-such-host.invalid/"}, map[string]uint64{}, map[string]uint64{"dns": 3}},
		{"tls", []string{"-n", "2", "https://" + strings.TrimPrefix(fail.URL, "http://")}, map[string]uint64{}, map[string]uint64{"tls": 2}},
		{"protocol", []string{"-n", "2", "http://" + garbageServer(t)}, map[string]uint64{}, map[string]uint64{"protocol": 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sum, code := benchRun(t, context.Background(), tt.args...)
			if code != 0 {
				t.Errorf("exit %d, want 0", code)
			}
			var errs, all uint64
			for _, c := range tt.errors {
				errs += c
			}
			for _, c := range tt.status {
				all += c
			}
			if !maps.Equal(sum.Status, tt.status) || !maps.Equal(sum.ErrorsByKind, tt.errors) || sum.Errors != errs || sum.Requests != all+errs {
				t.Errorf("summary %+v, want status %v, errors %v", sum, tt.status, tt.errors)
			}
			if all == 0 && (sum.RPS != 0 || sum.LatencyMS != (benchLatency{})) {
				t.Errorf("rps %v, latency %+v with no response, want 0", sum.RPS, sum.LatencyMS)
			}
		})
	}
}

// -m, -H and --body (a string or @FILE) make every request.
func TestBenchRequestOptions(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen[r.Method+" "+r.Header.Get("X-Token")+" "+r.Header.Get("Content-Type")+" "+r.Header.Get("Accept-Encoding")+" "+string(b)]++
		mu.Unlock()
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "payload.json")
	if err := os.WriteFile(file, []byte(`{"k": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-H", "X-Token: t1"}, "GET t1   "},
		{[]string{"--body", "a=b", "-H", "Content-Type: application/x-www-form-urlencoded"}, "POST  application/x-www-form-urlencoded  a=b"},
		{[]string{"-m", "put", "--body", "@" + file, "-H", "Content-Type: application/json", "-H", "X-Token: t2"}, `PUT t2 application/json  {"k": 1}`},
		{[]string{"-m", "DELETE", "-H", "Accept-Encoding: gzip"}, "DELETE   gzip "},
	} {
		clear(seen)
		sum, code := benchRun(t, context.Background(), append(tt.args, "-n", "5", "-c", "2", srv.URL)...)
		if code != 0 || sum.Status["200"] != 5 {
			t.Errorf("%v: exit %d, summary %+v", tt.args, code, sum)
		}
		mu.Lock()
		if !maps.Equal(seen, map[string]int{tt.want: 5}) {
			t.Errorf("%v: server saw %v, want 5 of %q", tt.args, seen, tt.want)
		}
		mu.Unlock()
	}
}

// --http2 lets an https server choose HTTP/2; without it the client
// speaks HTTP/1.1 to the same server.
func TestBenchHTTP2(t *testing.T) {
	var h1, h2 atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 {
			h2.Add(1)
		} else {
			h1.Add(1)
		}
	}))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes refused on purpose
	srv.StartTLS()
	defer srv.Close()

	sum, code := benchRun(t, context.Background(), "--http2", "--insecure", "-n", "40", "-c", "4", srv.URL)
	if code != 0 || sum.Status["200"] != 40 || h2.Load() != 40 || h1.Load() != 0 {
		t.Errorf("--http2: exit %d, summary %+v, server saw %d HTTP/2 and %d HTTP/1.1 requests; want 40 HTTP/2", code, sum, h2.Load(), h1.Load())
	}
	var out bytes.Buffer
	h2.Store(0)
	if code := run(context.Background(), []string{"bench", "--http2", "--insecure", "-n", "5", srv.URL}, &out, io.Discard); code != 0 || !strings.Contains(out.String(), ", HTTP/2\n") {
		t.Errorf("table: exit %d, want it to name HTTP/2:\n%s", code, out.String())
	}
	h1.Store(0)
	sum, code = benchRun(t, context.Background(), "--insecure", "-n", "10", srv.URL)
	if code != 0 || sum.Status["200"] != 10 || h1.Load() != 10 {
		t.Errorf("without --http2: exit %d, summary %+v, server saw %d HTTP/1.1 requests, want 10", code, sum, h1.Load())
	}
	sum, _ = benchRun(t, context.Background(), "-n", "2", srv.URL)
	if sum.ErrorsByKind["tls"] != 2 {
		t.Errorf("without --insecure: errors %v, want 2 tls (a certificate no one signed)", sum.ErrorsByKind)
	}
}

// The table names the run and shows every figure of the summary.
func TestBenchTable(t *testing.T) {
	var served atomic.Int64
	srv := countingServer(t, &served)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "-n", "50", "-c", "2", "--rate", "1000", srv.URL + "/x"}, &stdout, &stderr)
	if code != 0 || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"GET " + srv.URL + "/x, 2 connections, HTTP/1.1\n",
		"rate 1000/s, latency from each request's due time\n",
		"requests     50\n", "errors       0\n", "duration", "requests/s",
		"min      mean       p50       p90       p99     p99.9       max",
		"status           count\n  200                 50\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "error ") {
		t.Errorf("table has an error section without errors:\n%s", out)
	}

	stdout.Reset()
	if code := run(context.Background(), []string{"bench", "-n", "3", "http://" + closedPort(t) + "/"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	out = stdout.String()
	for _, want := range []string{", 3 connections, ", "errors       3\n", "latency ms   no response\n", "error            count\n  connect              3\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("table of failures lacks %q:\n%s", want, out)
		}
	}
}

// Cancelling the context stops a run at once, also one waiting on a
// server that never answers, prints the summary so far and exits 130.
func TestBenchCanceled(t *testing.T) {
	var served, hung atomic.Int64
	srv := countingServer(t, &served)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hung.Add(1)
		<-r.Context().Done()
	}))
	defer hang.Close()
	for _, tt := range []struct {
		url   string
		seen  *atomic.Int64
		wait  int64 // requests the server sees before the cancel
		extra []string
	}{
		// 6 requests on 3 connections: at least 3 answered.
		{srv.URL, &served, 6, nil},
		{srv.URL, &served, 6, []string{"--rate", "100"}},
		{hang.URL, &hung, 1, []string{"--timeout", "0"}},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		var canceledAt time.Time
		go func() {
			// Cancel once the server has requests, as a person would.
			for from := tt.seen.Load(); tt.seen.Load() < from+tt.wait && ctx.Err() == nil; {
				time.Sleep(10 * time.Millisecond)
			}
			canceledAt = time.Now()
			cancel()
		}()
		sum, code := benchRun(t, ctx, append(tt.extra, "-d", "1m", "-c", "3", tt.url)...)
		<-ctx.Done()
		if late := time.Since(canceledAt); late > 5*time.Second {
			t.Errorf("%s %v: stopped %v after the cancel, want at once", tt.url, tt.extra, late)
		}
		if code != 130 {
			t.Errorf("%s %v: exit %d, want 130", tt.url, tt.extra, code)
		}
		if sum.Seconds <= 0 || sum.Errors != 0 {
			t.Errorf("%s %v: summary %+v, want the time until the cancel, no errors (cut requests left out)", tt.url, tt.extra, sum)
		}
		if tt.url == hang.URL && sum.Requests != 0 {
			t.Errorf("%d requests to a server that never answers, want 0", sum.Requests)
		}
		if tt.url == srv.URL && sum.Requests < 3 {
			t.Errorf("%v: %d requests before the cancel, want at least 3", tt.extra, sum.Requests)
		}
	}
}

// TestBenchInterrupt sends SIGINT to a running "aiohttp bench": it prints
// the summary and exits 130.
func TestBenchInterrupt(t *testing.T) {
	bin := buildCommand(t)
	var served atomic.Int64
	srv := countingServer(t, &served)
	cmd := exec.Command(bin, "bench", "-d", "1m", "-c", "2", srv.URL)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); served.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if cmd.ProcessState.ExitCode() != 130 {
		t.Errorf("exit %v, want status 130", err)
	}
	if out := stdout.String(); !strings.Contains(out, "interrupted: the summary of what finished") || !strings.Contains(out, "requests/s") {
		t.Errorf("stdout lacks the summary:\n%s", out)
	}
}

// cannedServer answers every request head it reads (a GET, no body) with
// the same small response, allocating nothing a request, and returns its
// address.
func cannedServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64<<10)
				matched := 0 // bytes of "\r\n\r\n" seen at the end of what was read
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					for _, b := range buf[:n] {
						switch {
						case b == "\r\n\r\n"[matched]:
							matched++
						case b == '\r':
							matched = 1
						default:
							matched = 0
						}
						if matched == 4 {
							matched = 0
							if _, err := c.Write(resp); err != nil {
								return
							}
						}
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// raceEnabled is set by race_test.go when the race detector is on.
var raceEnabled bool

// The load makes no allocation a request in the steady state: a run of
// 6000 requests allocates as much as one of 1000, give or take.
func TestBenchAllocatesNothingPerRequest(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	url := "http://" + cannedServer(t) + "/"
	mallocs := func(n int) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var stdout bytes.Buffer
		if code := run(context.Background(), []string{"bench", "--json", "-c", "2", "-n", strconv.Itoa(n), url}, &stdout, io.Discard); code != 0 {
			t.Fatalf("exit %d", code)
		}
		runtime.ReadMemStats(&after)
		if s := decodeSummary(t, stdout.Bytes()); s.Status["200"] != uint64(n) {
			t.Fatalf("summary %+v, want %d answers 200", s, n)
		}
		return after.Mallocs - before.Mallocs
	}
	mallocs(100) // first-use allocations of the packages
	small, large := mallocs(1000), mallocs(6000)
	if per := (float64(large) - float64(small)) / 5000; per > 0.05 {
		t.Errorf("%d allocations for 1000 requests, %d for 6000: %.2f a request, want 0", small, large, per)
	}
}
