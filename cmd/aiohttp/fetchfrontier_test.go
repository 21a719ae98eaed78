package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/redistest"
)

func TestFetchFrontierUsageErrors(t *testing.T) {
	runUsageCases(t, []usageCase{
		{args: []string{"fetch", "--seed", "urls.txt"}, code: 2, wantStderr: "need --frontier"},
		{args: []string{"fetch", "--status"}, code: 2, wantStderr: "need --frontier"},
		{args: []string{"fetch", "--frontier", "redis://x/0", "--results", "--status"}, code: 2, wantStderr: "give one"},
		{args: []string{"fetch", "--frontier", "redis://x/0", "-i", "urls.txt"}, code: 2, wantStderr: "--seed FILE"},
		{args: []string{"fetch", "--frontier", "redis://x/0", "--lease", "0s"}, code: 2, wantStderr: "--lease 0s"},
		{args: []string{"fetch", "--frontier", "redis://x/0", "--rate", "-1"}, code: 2, wantStderr: "--rate -1"},
		{args: []string{"fetch", "--frontier", "http://x/", "--status"}, code: 1, wantStderr: "aiohttp fetch: frontier:"},
	})
}

// A frontier whose Redis refuses connections fails with the server named.
// The address is port 1, where nothing listens: a port freed by a stopped
// server may go to a server of another test package running meanwhile.
func TestFetchFrontierRedisUnavailable(t *testing.T) {
	const addr = "127.0.0.1:1"
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"fetch", "--frontier", "redis://" + addr + "/0", "--status"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "redis at "+addr) || !strings.Contains(stderr.String(), "refused") {
		t.Fatalf("exit %d, stderr %q; want 1 and the server named", code, stderr.String())
	}
}

// frontierCrawl is a crawl of URLs on three limitServers through a
// Redis frontier, by fetch processes.
type frontierCrawl struct {
	t       *testing.T
	bin     string
	url     string // the frontier
	name    string
	servers []*limitServer
	shared  sharedCounts
	urls    []string
}

func newFrontierCrawl(t *testing.T, redisURL, name string, each int, delay time.Duration) *frontierCrawl {
	c := &frontierCrawl{t: t, bin: buildCommand(t), url: redisURL, name: name}
	for range 3 {
		c.servers = append(c.servers, newLimitServer(t, delay, &c.shared))
	}
	for i := range each {
		for _, s := range c.servers {
			c.urls = append(c.urls, fmt.Sprintf("%s/%s/%d", s.URL, name, i))
		}
	}
	return c
}

// fetch runs the command on the crawl's frontier and returns its stdout.
func (c *frontierCrawl) fetch(args ...string) string {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{"fetch", "--frontier", c.url, "--name", c.name}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		c.t.Fatalf("fetch %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// seed writes the URLs to a file and seeds the frontier with it.
func (c *frontierCrawl) seed() string {
	c.t.Helper()
	file := filepath.Join(c.t.TempDir(), "urls.txt")
	if err := os.WriteFile(file, []byte(strings.Join(c.urls, "\n")+"\n"), 0o644); err != nil {
		c.t.Fatal(err)
	}
	return c.fetch("--seed", file)
}

// worker starts a worker process writing to stdout.
func (c *frontierCrawl) worker(stdout *bytes.Buffer, stderr *apptest.SyncBuffer, args ...string) *exec.Cmd {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{"fetch", "--frontier", c.url, "--name", c.name}, args...)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { cmd.Process.Kill() })
	return cmd
}

func (c *frontierCrawl) hits() int {
	n := 0
	for _, s := range c.servers {
		s.mu.Lock()
		for _, h := range s.hits {
			n += h
		}
		s.mu.Unlock()
	}
	return n
}

// TestFetchFrontierWorkers is the distributed crawl of the contract:
// three worker processes share a Redis frontier, one is killed
// (SIGKILL) mid-crawl, and still every URL is recorded exactly once, no
// host ever has more than --limit-per-host requests at once across the
// workers, and no worker prints a URL another printed.
func TestFetchFrontierWorkers(t *testing.T) {
	srv := redistest.Start(t)
	c := newFrontierCrawl(t, srv.URL(0), "crawl", 60, 20*time.Millisecond)
	if out := c.seed(); !strings.Contains(out, "seeded 180 new URLs (0 already seen)") {
		t.Fatalf("seed: %q", out)
	}
	if out := c.seed(); !strings.Contains(out, "seeded 0 new URLs (180 already seen)") {
		t.Fatalf("second seed: %q", out)
	}

	outs := make([]bytes.Buffer, 3)
	errs := make([]apptest.SyncBuffer, 3)
	var cmds []*exec.Cmd
	for i := range 3 {
		cmds = append(cmds, c.worker(&outs[i], &errs[i], "--limit", "4", "--limit-per-host", "2", "--lease", "1s"))
	}
	deadline := time.Now().Add(30 * time.Second)
	for c.hits() < 40 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cmds[0].Process.Signal(syscall.SIGKILL)
	cmds[0].Wait()
	for i, cmd := range cmds[1:] {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("worker %d: %v\n%s", i+1, err, errs[i+1].String())
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("worker %d did not finish:\n%s", i+1, errs[i+1].String())
		}
	}

	printed := map[string]int{}
	for i := range outs {
		for _, r := range decodeResults(t, outs[i].Bytes()) {
			printed[r.URL]++
		}
	}
	results := byURL(decodeResults(t, []byte(c.fetch("--results"))))
	if len(results) != len(c.urls) {
		t.Errorf("%d results recorded, want %d", len(results), len(c.urls))
	}
	for _, u := range c.urls {
		if r, ok := results[u]; !ok || r.Status != 200 || r.Error != "" {
			t.Errorf("%s: recorded %+v", u, r)
		}
		if printed[u] > 1 {
			t.Errorf("%s printed by %d workers", u, printed[u])
		}
	}
	for i, s := range c.servers {
		s.mu.Lock()
		if s.maxInFlight > 2 {
			t.Errorf("server %d had %d requests at once, --limit-per-host 2", i, s.maxInFlight)
		}
		s.mu.Unlock()
	}
	status := c.fetch("--status")
	for _, want := range []string{"queued     0\n", "in_flight  0\n", "done       180\n", "failed     0\n"} {
		if !strings.Contains(status, want) {
			t.Errorf("--status:\n%s\nwant %q", status, want)
		}
	}
	t.Logf("%d requests for %d URLs (the killed worker's were fetched again)", c.hits(), len(c.urls))
}

// TestFetchFrontierScales crawls the same URLs with one worker and with
// three: the per-host limit is the workers' shared one, each worker's
// --limit its own, so three workers take about a third of the time.
func TestFetchFrontierScales(t *testing.T) {
	srv := redistest.Start(t)
	var took [2]time.Duration
	for i, workers := range []int{1, 3} {
		c := newFrontierCrawl(t, srv.URL(0), fmt.Sprintf("scale%d", workers), 20, 30*time.Millisecond)
		c.seed()
		start := time.Now()
		var cmds []*exec.Cmd
		for range workers {
			cmds = append(cmds, c.worker(&bytes.Buffer{}, &apptest.SyncBuffer{}, "--limit", "2", "--limit-per-host", "2"))
		}
		for _, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatal(err)
			}
		}
		took[i] = time.Since(start)
	}
	t.Logf("60 URLs of 30 ms, --limit 2 a worker: 1 worker %v, 3 workers %v (%.1fx)",
		took[0].Round(time.Millisecond), took[1].Round(time.Millisecond), float64(took[0])/float64(took[1]))
	if took[1] >= took[0] {
		t.Errorf("three workers took %v, one %v", took[1], took[0])
	}
}
