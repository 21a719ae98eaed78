//go:build linux

// Command idle measures what idle connections cost a server: it opens N
// connections, does one request (HTTP) or one WebSocket upgrade (ws) on
// each, holds them all, waits for the server to settle and reports the
// growth of the server's resident memory per connection, from
// /proc/PID/status: VmRSS after settling, and the peak (VmHWM) over the
// whole run. With -requests it then sends that many rounds of requests on
// every held connection and reports latency percentiles, errors, the
// server's CPU time per request and its memory under that load.
//
// Against a running server (any implementation, its PID for /proc):
//
//	idle -addr 127.0.0.1:8081 -pid 1234 -n 10000
//	idle -addr 127.0.0.1:8091 -pid 1234 -mode ws -path /ws
//	idle -addr 127.0.0.1:8081 -pid 1234 -n 15000 -requests 5
//
// Or starting the servers itself, one after another, and printing one
// Markdown table (bench/run-idle builds them and does this):
//
//	idle -bin DIR -http aiohttp,fasthttp,nethttp,epoll -ws ours,gws,gorilla,coder
//
// where DIR holds a binary per HTTP server (run as "DIR/name -addr A")
// and the WebSocket benchmark's "ws" (run as "DIR/ws -role server -impl
// name -addr A"). Only 127.0.0.1 is ever a target.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// options are the measurement's settings, shared by every target.
type options struct {
	n, workers, requests int
	settle, pause        time.Duration
}

// target is one server to measure.
type target struct {
	name, mode, addr, path string
	pid                    int
	cmd                    *exec.Cmd // nil when the server runs already
}

// result is what one measurement found.
type result struct {
	conns          int     // connections held
	rss, hwm       float64 // KiB per connection: after settling, peak
	baseRSS        int64   // KiB before the connections
	load           *loadResult
	settleSeconds  float64
	rssAfterSettle int64 // KiB
}

// loadResult is what the -requests phase found.
type loadResult struct {
	requests, errors int
	elapsed          time.Duration
	p50, p99, max    time.Duration
	cpuPerRequest    time.Duration // server CPU time (user+system)
	rss, hwm         int64         // server KiB after the load, peak
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("idle: ")
	var o options
	addr := flag.String("addr", "127.0.0.1:8081", "server address (one server) or the address to start servers on (-bin)")
	pid := flag.Int("pid", 0, "the server's process ID, for /proc (one server)")
	mode := flag.String("mode", "http", "http (one GET on each connection) or ws (one WebSocket upgrade)")
	path := flag.String("path", "", "request path (default / for http, /ws for ws)")
	flag.IntVar(&o.n, "n", 10000, "connections")
	flag.IntVar(&o.workers, "c", 64, "connections opened, and requests sent, at once")
	flag.IntVar(&o.requests, "requests", 0, "then send this many rounds of requests on every connection (http)")
	flag.DurationVar(&o.settle, "settle", 10*time.Second, "how long to hold the connections before reading the server's memory")
	flag.DurationVar(&o.pause, "pause", 0, "with -requests: pause between rounds, so that connections go idle (and park) between requests")
	bin := flag.String("bin", "", "directory of server binaries: start and measure each of -http and -ws in turn")
	httpPeers := flag.String("http", "aiohttp,fasthttp,nethttp,epoll", "with -bin: HTTP servers")
	wsPeers := flag.String("ws", "ours,gws,gorilla,coder", "with -bin: WebSocket implementations of the ws benchmark")
	flag.Parse()
	if host, _, err := net.SplitHostPort(*addr); err != nil || host != "127.0.0.1" {
		log.Fatalf("-addr %q: only 127.0.0.1 is a target", *addr)
	}
	raiseFileLimit(o.n)

	if *bin == "" {
		if *pid == 0 {
			log.Fatal("need -pid (or -bin)")
		}
		t := &target{name: "server", mode: *mode, addr: *addr, path: pathFor(*mode, *path), pid: *pid}
		r, err := measure(t, o)
		if err != nil {
			log.Fatal(err)
		}
		printTable(o, []*target{t}, map[*target]*result{t: r})
		return
	}
	var targets []*target
	for _, name := range splitList(*httpPeers) {
		targets = append(targets, &target{name: name, mode: "http", addr: *addr, path: pathFor("http", *path),
			cmd: exec.Command(filepath.Join(*bin, name), "-addr", *addr)})
	}
	if o.requests == 0 {
		for _, name := range splitList(*wsPeers) {
			targets = append(targets, &target{name: name, mode: "ws", addr: *addr, path: pathFor("ws", *path),
				cmd: exec.Command(filepath.Join(*bin, "ws"), "-role", "server", "-impl", name, "-addr", *addr)})
		}
	}
	results := map[*target]*result{}
	for _, t := range targets {
		log.Printf("%s %s: %d connections", t.mode, t.name, o.n)
		r, err := run(t, o)
		if err != nil {
			log.Printf("%s %s: %v", t.mode, t.name, err)
			continue
		}
		results[t] = r
	}
	printTable(o, targets, results)
}

func pathFor(mode, path string) string {
	switch {
	case path != "":
		return path
	case mode == "ws":
		return "/ws"
	}
	return "/"
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// raiseFileLimit raises the soft file limit to the hard one and warns when
// that is too low for n connections.
func raiseFileLimit(n int) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return
	}
	rl.Cur = rl.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	if rl.Cur < uint64(n)+100 {
		log.Printf("warning: the file limit %d is too low for %d connections", rl.Cur, n)
	}
}

// run starts t's server, measures it and stops it.
func run(t *target, o options) (*result, error) {
	t.cmd.Stderr = os.Stderr
	// The server inherits the raised file limit.
	if err := t.cmd.Start(); err != nil {
		return nil, err
	}
	t.pid = t.cmd.Process.Pid
	defer func() {
		_ = t.cmd.Process.Kill()
		_ = t.cmd.Wait()
		time.Sleep(500 * time.Millisecond) // the port and TIME_WAIT sockets settle
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", t.addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("server did not start: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return measure(t, o)
}

// measure holds o.n connections to t's server and reads its memory.
func measure(t *target, o options) (*result, error) {
	// Warm up on one connection, so that the baseline includes what the
	// server allocates once.
	if c, err := open(t); err == nil {
		c.Close()
	} else {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	time.Sleep(time.Second)
	base, _, err := memory(t.pid)
	if err != nil {
		return nil, err
	}
	conns := make([]net.Conn, o.n)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	var failed error
	var mu sync.Mutex
	parallel(o.workers, o.n, func(i int) {
		c, err := open(t)
		if err != nil {
			mu.Lock()
			failed = cmpErr(failed, fmt.Errorf("connection %d: %w", i, err))
			mu.Unlock()
			return
		}
		conns[i] = c
	})
	if failed != nil {
		return nil, failed
	}
	start := time.Now()
	time.Sleep(o.settle)
	rss, hwm, err := memory(t.pid)
	if err != nil {
		return nil, err
	}
	r := &result{
		conns: o.n, baseRSS: base, rssAfterSettle: rss,
		rss: float64(rss-base) / float64(o.n), hwm: float64(hwm-base) / float64(o.n),
		settleSeconds: time.Since(start).Seconds(),
	}
	if o.requests > 0 {
		r.load = load(t, conns, o)
	}
	return r, nil
}

func cmpErr(old, err error) error {
	if old != nil {
		return old
	}
	return err
}

// parallel calls f(0..n-1) from w goroutines.
func parallel(w, n int, f func(i int)) {
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range min(w, n) {
		wg.Go(func() {
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= n {
					return
				}
				f(j)
			}
		})
	}
	wg.Wait()
}

// ioTimeout bounds every network operation.
const ioTimeout = 30 * time.Second

// open dials t and does one request or upgrade.
func open(t *target) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", t.addr, ioTimeout)
	if err != nil {
		return nil, err
	}
	var req string
	if t.mode == "ws" {
		req = "GET " + t.path + " HTTP/1.1\r\nHost: " + t.addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	} else {
		req = "GET " + t.path + " HTTP/1.1\r\nHost: " + t.addr + "\r\n\r\n"
	}
	if err := exchange(c, req, make([]byte, 4096), t.mode == "ws"); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// exchange writes req and reads the whole response: a 200 with a
// Content-Length, or a 101 when upgrade is set.
func exchange(c net.Conn, req string, buf []byte, upgrade bool) error {
	_ = c.SetDeadline(time.Now().Add(ioTimeout))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, req); err != nil {
		return err
	}
	n := 0
	for {
		if n == len(buf) {
			return errors.New("response head too long")
		}
		m, err := c.Read(buf[n:])
		n += m
		if i := bytes.Index(buf[:n], []byte("\r\n\r\n")); i >= 0 {
			return readBody(c, buf[:n], i+4, upgrade)
		}
		if err != nil {
			return err
		}
	}
}

// readBody checks the response head in got[:end] and reads the rest of its
// body.
func readBody(c net.Conn, got []byte, end int, upgrade bool) error {
	head := string(got[:end])
	want := "HTTP/1.1 200"
	if upgrade {
		want = "HTTP/1.1 101"
	}
	if !strings.HasPrefix(head, want) {
		return fmt.Errorf("unexpected response %q", firstLine(head))
	}
	if upgrade {
		return nil
	}
	i := strings.Index(strings.ToLower(head), "\r\ncontent-length:")
	if i < 0 {
		return fmt.Errorf("response without Content-Length: %q", head)
	}
	v := head[i+len("\r\ncontent-length:"):]
	length, err := strconv.Atoi(strings.TrimSpace(v[:strings.Index(v, "\r\n")]))
	if err != nil {
		return fmt.Errorf("bad Content-Length in %q", head)
	}
	rest := length - (len(got) - end)
	if rest < 0 {
		return errors.New("more bytes than the response holds")
	}
	_, err = io.CopyN(io.Discard, c, int64(rest))
	return err
}

func firstLine(s string) string {
	if i := strings.Index(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// load sends o.requests rounds of one request on every connection, from
// o.workers goroutines that each own a share of the connections.
func load(t *target, conns []net.Conn, o options) *loadResult {
	req := "GET " + t.path + " HTTP/1.1\r\nHost: " + t.addr + "\r\n\r\n"
	cpu0 := cpuTime(t.pid)
	lat := make([][]time.Duration, o.workers)
	errs := make([]int, o.workers)
	start := time.Now()
	var pauses time.Duration
	for round := range o.requests {
		if round > 0 && o.pause > 0 {
			time.Sleep(o.pause)
			pauses += o.pause
		}
		var wg sync.WaitGroup
		for w := range o.workers {
			wg.Go(func() {
				buf := make([]byte, 4096)
				for i := w; i < len(conns); i += o.workers {
					c := conns[i]
					if c == nil {
						errs[w]++
						continue
					}
					t0 := time.Now()
					if err := exchange(c, req, buf, false); err != nil {
						errs[w]++
						c.Close()
						conns[i] = nil
						continue
					}
					lat[w] = append(lat[w], time.Since(t0))
				}
			})
		}
		wg.Wait()
	}
	elapsed := time.Since(start) - pauses
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := &loadResult{requests: o.requests * len(conns), elapsed: elapsed}
	for _, e := range errs {
		r.errors += e
	}
	if len(all) > 0 {
		r.p50 = all[len(all)/2]
		r.p99 = all[len(all)*99/100]
		r.max = all[len(all)-1]
		r.cpuPerRequest = (cpuTime(t.pid) - cpu0) / time.Duration(len(all))
	}
	r.rss, r.hwm, _ = memory(t.pid)
	return r
}

// memory returns the VmRSS and VmHWM of process pid, in KiB.
func memory(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			rss, _ = strconv.ParseInt(f[1], 10, 64)
		case "VmHWM:":
			hwm, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return rss, hwm, nil
}

// cpuTime returns the user and system CPU time process pid used so far.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from the 3rd on
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * (time.Second / 100) // USER_HZ
}

// column returns the name of t's column in the idle table: the peers of
// both modes share "ours".
func column(t *target) string {
	switch t.name {
	case "aiohttp", "ours":
		return "ours"
	case "nethttp":
		return "net/http"
	case "epoll":
		return "bare epoll loop"
	}
	return t.name
}

func printTable(o options, targets []*target, results map[*target]*result) {
	fmt.Printf("\n%d connections, one %s each, held %v; server RSS growth per connection (VmRSS after settling; peak VmHWM in parentheses):\n\n",
		o.n, "request or upgrade", o.settle)
	var cols []string
	for _, t := range targets {
		if !slices.Contains(cols, column(t)) {
			cols = append(cols, column(t))
		}
	}
	fmt.Printf("| idle connection | %s |\n|---|%s\n", strings.Join(cols, " | "), strings.Repeat("---|", len(cols)))
	for _, mode := range []string{"http", "ws"} {
		cells := make([]string, len(cols))
		seen := false
		for i, col := range cols {
			cells[i] = "–"
			for _, t := range targets {
				if t.mode != mode || column(t) != col {
					continue
				}
				seen = true
				if r := results[t]; r != nil {
					cells[i] = fmt.Sprintf("%.1f KiB (%.1f)", r.rss, r.hwm)
				} else {
					cells[i] = "failed"
				}
			}
		}
		if seen {
			row := map[string]string{"http": "HTTP keep-alive", "ws": "WebSocket (after the upgrade)"}[mode]
			fmt.Printf("| %s | %s |\n", row, strings.Join(cells, " | "))
		}
	}
	if o.requests == 0 {
		return
	}
	fmt.Printf("\nthen %d rounds of one request on every connection, %d at once (pause %v between rounds):\n\n", o.requests, o.workers, o.pause)
	fmt.Println("| server | requests | errors | p50 | p99 | max | req/s | server CPU/request | server RSS | peak RSS |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, t := range targets {
		r := results[t]
		if r == nil || r.load == nil {
			continue
		}
		l := r.load
		fmt.Printf("| %s | %d | %d | %v | %v | %v | %.0f | %.1f µs | %.1f MiB | %.1f MiB |\n",
			column(t), l.requests, l.errors, l.p50.Round(time.Microsecond), l.p99.Round(time.Microsecond),
			l.max.Round(time.Microsecond), float64(l.requests-l.errors)/l.elapsed.Seconds(),
			float64(l.cpuPerRequest)/float64(time.Microsecond), float64(l.rss)/1024, float64(l.hwm)/1024)
	}
}
