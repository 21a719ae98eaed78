package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/demo"
)

// usageCase is a command line and what it must print and exit with.
type usageCase struct {
	args       []string
	code       int
	wantStdout string // contained in stdout
	wantStderr string // contained in stderr
}

// runUsageCases runs each command line as a subtest.
func runUsageCases(t *testing.T, tests []usageCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit status = %d, want %d", code, tt.code)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	runUsageCases(t, []usageCase{
		{args: nil, code: 2, wantStderr: "usage: aiohttp <command>"},
		{args: []string{"frobnicate"}, code: 2, wantStderr: `unknown command "frobnicate"`},
		{args: []string{"-h"}, code: 0, wantStdout: "serve"},
		{args: []string{"help"}, code: 0, wantStdout: "usage: aiohttp <command>"},
		{args: []string{"help", "serve"}, code: 0, wantStderr: "usage: aiohttp serve"},
		{args: []string{"serve", "-h"}, code: 0, wantStderr: "-access-log"},
		{args: []string{"serve", "--port", "x"}, code: 2, wantStderr: `invalid value "x" for flag -port`},
		{args: []string{"serve", "--port", "70000"}, code: 2, wantStderr: "port 70000 out of range"},
		{args: []string{"serve", "--nope"}, code: 2, wantStderr: "flag provided but not defined: -nope"},
		{args: []string{"serve", "extra"}, code: 2, wantStderr: `unexpected argument "extra"`},
	})
}

// "aiohttp serve -h" lists every route of the demo application.
func TestServeUsageListsEveryRoute(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"serve", "-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	lines := strings.Split(stderr.String(), "\n")
	routes := demo.NewApp().Router.Routes()
	if len(routes) < 10 {
		t.Fatalf("the demo has %d routes; expected dozens", len(routes))
	}
	for _, r := range routes {
		want := regexp.MustCompile(`^\s+` + regexp.QuoteMeta(routeMethod(r)) + `\s+` + regexp.QuoteMeta(r.Pattern()) + `$`)
		if !slices.ContainsFunc(lines, want.MatchString) {
			t.Errorf("usage lacks %s %s:\n%s", r.Method(), r.Pattern(), stderr.String())
		}
	}
}

func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	out, stop := startServe(t, "--port", strconv.Itoa(port), "--access-log")
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	if got := waitHealthy(t, base); got != "OK" {
		t.Errorf("GET /health = %q, want %q", got, "OK")
	}
	if code := stop(); code != 0 {
		t.Errorf("exit status = %d, want 0", code)
	}
	log := out.String()
	if want := "======== Running on " + base + " ========"; !strings.Contains(log, want) {
		t.Errorf("stdout lacks the banner %q:\n%s", want, log)
	}
	if want := `"GET /health HTTP/1.1" 200 2`; !strings.Contains(log, want) {
		t.Errorf("stdout lacks the access log line %q:\n%s", want, log)
	}
}

// TestServePortZero checks that --port 0 serves on a free port, named in
// the banner, rather than on the default 8080.
func TestServePortZero(t *testing.T) {
	out, stop := startServe(t, "--port", "0")
	banner := regexp.MustCompile(`Running on (http://127\.0\.0\.1:(\d+)) `)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		m = banner.FindStringSubmatch(out.String())
	}
	if m == nil {
		t.Fatalf("no banner in stdout:\n%s", out.String())
	}
	if m[2] == "0" || m[2] == "8080" {
		t.Errorf("serving on port %s, want a free port", m[2])
	}
	if got := waitHealthy(t, m[1]); got != "OK" {
		t.Errorf("GET /health = %q, want %q", got, "OK")
	}
	if strings.Contains(out.String(), "/health") {
		t.Errorf("access log written without --access-log:\n%s", out.String())
	}
	if code := stop(); code != 0 {
		t.Errorf("exit status = %d, want 0", code)
	}
}

// startServe runs "aiohttp serve args..." in the background and returns
// its standard output and a function that stops it and returns its exit
// status.
func startServe(t *testing.T, args ...string) (out *apptest.SyncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = new(apptest.SyncBuffer)
	var stderr apptest.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), out, &stderr) }()
	var once sync.Once
	code := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(20 * time.Second):
				t.Error("serve did not stop after its context ended")
			}
			if s := stderr.String(); s != "" {
				t.Errorf("stderr: %s", s)
			}
		})
		return code
	}
	t.Cleanup(func() { stop() })
	return out, stop
}

// waitHealthy polls base/health until the server answers and returns the
// body of its answer.
func waitHealthy(t *testing.T, base string) string {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	var lastErr error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := client.Get(base + "/health")
		if err != nil {
			lastErr = err
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Errorf("GET /health: status %d", resp.StatusCode)
		}
		return string(body)
	}
	t.Fatalf("server did not come up: %v", lastErr)
	return ""
}
