package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
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
		{args: []string{"help", "serve"}, code: 0, wantStdout: "usage: aiohttp serve"},
		{args: []string{"serve", "-h"}, code: 0, wantStdout: "-access-log"},
		{args: []string{"serve", "--port", "x"}, code: 2, wantStderr: `invalid value "x" for flag -port`},
		{args: []string{"serve", "--port", "70000"}, code: 2, wantStderr: "port 70000 out of range"},
		{args: []string{"serve", "--nope"}, code: 2, wantStderr: "aiohttp serve: flag provided but not defined: -nope (aiohttp serve -h for help)\n"},
		{args: []string{"serve", "--tls-cert", "c.pem"}, code: 2, wantStderr: "--tls-cert and --tls-key go together"},
		{args: []string{"serve", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"}, code: 2, wantStderr: "no such file"},
		{args: []string{"serve", "--port", "0", "--redis", "redis://127.0.0.1:1/0"}, code: 1, wantStderr: "--redis: hub: redis: dial tcp 127.0.0.1:1"},
		{args: []string{"serve", "extra"}, code: 2, wantStderr: `unexpected argument "extra"`},
	})
}

// "aiohttp serve -h" lists every route of the demo application.
func TestServeUsageListsEveryRoute(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"serve", "-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	lines := strings.Split(stdout.String(), "\n")
	routes := demo.NewApp().Router.Routes()
	if len(routes) < 10 {
		t.Fatalf("the demo has %d routes; expected dozens", len(routes))
	}
	for _, r := range routes {
		want := regexp.MustCompile(`^\s+` + regexp.QuoteMeta(routeMethod(r)) + `\s+` + regexp.QuoteMeta(r.Pattern()) + `$`)
		if !slices.ContainsFunc(lines, want.MatchString) {
			t.Errorf("usage lacks %s %s:\n%s", r.Method(), r.Pattern(), stdout.String())
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
	for _, want := range []string{"======== Shutting down: requests in flight get up to 1m0s ========", "======== Stopped ========"} {
		if !strings.Contains(log, want) {
			t.Errorf("stdout lacks %q:\n%s", want, log)
		}
	}
}

// TestBadFlagIsOneLine: every subcommand reports a bad flag in one line,
// without its usage, and exits 2.
func TestBadFlagIsOneLine(t *testing.T) {
	for _, cmd := range commands {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{cmd.name, "--nope", "x"}, &stdout, &stderr); code != 2 {
			t.Errorf("%s: exit status %d, want 2", cmd.name, code)
		}
		want := "aiohttp " + cmd.name + ": flag provided but not defined: -nope (aiohttp " + cmd.name + " -h for help)\n"
		if stderr.String() != want || stdout.Len() != 0 {
			t.Errorf("%s: stderr %q and stdout %q, want stderr %q alone", cmd.name, stderr.String(), stdout.String(), want)
		}
	}
}

// TestServeAccessLogFormat: --access-log=FORMAT logs in that format.
func TestServeAccessLogFormat(t *testing.T) {
	out, stop := startServe(t, "--port", "0", "--access-log=%s %r %{User-Agent}i")
	base := waitBanner(t, out, `Running on (http://127\.0\.0\.1:\d+) `)
	waitHealthy(t, base)
	stop()
	if want := "200 GET /health HTTP/1.1 Go-http-client/1.1"; !strings.Contains(out.String(), want) {
		t.Errorf("stdout lacks %q:\n%s", want, out.String())
	}
}

// TestServeUnix: --unix alone serves on the socket only.
func TestServeUnix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	out, stop := startServe(t, "--unix", path)
	waitBanner(t, out, `Running on (unix:.*s\.sock) `)
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return new(net.Dialer).DialContext(ctx, "unix", path)
	}}, Timeout: 5 * time.Second}
	resp, err := client.Get("http://unix/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "OK" {
		t.Errorf("GET /health over the socket: %q", body)
	}
	if strings.Contains(out.String(), "127.0.0.1") {
		t.Errorf("--unix alone also served TCP:\n%s", out.String())
	}
	if code := stop(); code != 0 {
		t.Errorf("exit status %d", code)
	}
}

// TestServeTLS: --tls-cert and --tls-key serve HTTPS, HTTP/2 by ALPN.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	cert, _ := testcert.New(t)
	testcert.WritePEM(t, cert, certFile, keyFile)
	out, stop := startServe(t, "--port", "0", "--tls-cert", certFile, "--tls-key", keyFile)
	base := waitBanner(t, out, `Running on (https://127\.0\.0\.1:\d+) `)
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
		ForceAttemptHTTP2: true,
	}, Timeout: 5 * time.Second}
	resp, err := client.Get(base + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "OK" || resp.Proto != "HTTP/2.0" {
		t.Errorf("GET /health: %s %q, want HTTP/2.0 \"OK\"", resp.Proto, body)
	}
	client.CloseIdleConnections()
	if code := stop(); code != 0 {
		t.Errorf("exit status %d", code)
	}
}

// waitBanner waits for the serve banner to match pattern and returns its
// first group.
func waitBanner(t *testing.T, out *apptest.SyncBuffer, pattern string) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no banner matching %s in stdout:\n%s", pattern, out.String())
	return ""
}

// TestServePortZero checks that --port 0 serves on a free port, named in
// the banner, rather than on the default 8080.
func TestServePortZero(t *testing.T) {
	out, stop := startServe(t, "--port", "0")
	base := waitBanner(t, out, `Running on (http://127\.0\.0\.1:\d+) `)
	if port := base[strings.LastIndexByte(base, ':')+1:]; port == "0" || port == "8080" {
		t.Errorf("serving on port %s, want a free port", port)
	}
	if got := waitHealthy(t, base); got != "OK" {
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
