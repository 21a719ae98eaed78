// Soak runs "aiohttp serve" under mixed load for a long while and samples
// the server process every interval: resident memory (VmRSS), threads and
// open file descriptors, read from /proc (Linux), and goroutines, from the
// profiles of "aiohttp serve --pprof". What a leak would show
// is growth under a steady load; the table ends with a verdict comparing
// the last sample under load with the first one after warm-up, and a
// sample once the load has stopped.
//
// The load, all at once, each kind on its own goroutines with its own
// counters, every answer checked:
//
//   - keep-alive: GET /get through this project's client (-conns connections);
//   - pipelining: 16 GET /health written at once on a raw connection, the
//     16 answers read back, 100 rounds a connection, then a new one;
//   - uploads: a 1 MiB multipart file to POST /upload;
//   - websocket: 100 echoes of 1 KiB on /ws, then a close and a new one;
//   - sse: GET /sse?count=20&interval=10, 20 events, then a new stream;
//   - http2: GET /get over h2c (HTTP/2 by prior knowledge, net/http's
//     client).
//
// Usage (from bench/):
//
//	go run ./soak -duration 30m -interval 30s
//
// It builds the aiohttp command (or runs -bin). The done column counts
// checked answers: responses, WebSocket echoes, whole event streams. It
// exits 1 on any failed
// request, growth, a server log line on stderr or an unclean server exit.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/multipart"
)

func main() {
	bin := flag.String("bin", "", "the aiohttp command to run (empty: build it)")
	duration := flag.Duration("duration", 30*time.Minute, "how long the load runs")
	interval := flag.Duration("interval", 30*time.Second, "time between samples")
	conns := flag.Int("conns", 4, "keep-alive connections")
	flag.Parse()
	log.SetFlags(0)

	if *bin == "" {
		dir, err := os.MkdirTemp("", "soak")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		*bin = filepath.Join(dir, "aiohttp")
		build := exec.Command("go", "build", "-o", *bin, "./cmd/aiohttp")
		build.Dir = ".." // the main module, from bench/
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			log.Fatalf("building the aiohttp command: %v", err)
		}
	}
	srv, base, profiles, err := startServer(*bin)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("aiohttp serve (pid %d) on %s: mixed load for %v, a sample every %v\n\n", srv.cmd.Process.Pid, base, *duration, *interval)

	ctx, stop := context.WithTimeout(context.Background(), *duration)
	defer stop()
	loads := startLoads(ctx, base, *conns)

	fmt.Printf("%9s %9s %7s %5s %10s %10s %7s\n", "elapsed", "rss_MiB", "threads", "fds", "goroutines", "done", "errors")
	start := time.Now()
	var samples []sample
	row := func(label string) sample {
		s, err := sampleProcess(srv.cmd.Process.Pid, profiles)
		if err != nil {
			log.Fatalf("sampling the server: %v", err)
		}
		reqs, errs := loads.totals()
		fmt.Printf("%9s %9.1f %7d %5d %10d %10d %7d\n", label, float64(s.rss)/(1<<20), s.threads, s.fds, s.goroutines, reqs, errs)
		return s
	}
	tick := time.NewTicker(*interval)
	for running := true; running; {
		select {
		case <-ctx.Done():
			running = false
		case <-tick.C:
			samples = append(samples, row(time.Since(start).Round(time.Second).String()))
		}
	}
	tick.Stop()
	loads.wait()
	time.Sleep(2 * time.Second) // connections closed, buffers back
	idle := row("idle")

	fmt.Println()
	loads.report(os.Stdout)
	failed := loads.failed()
	if len(samples) >= 2 {
		first, last := samples[0], samples[len(samples)-1]
		fmt.Printf("\nfrom the first sample to the last under load: rss %+.1f MiB, threads %+d, fds %+d, goroutines %+d; idle after: rss %.1f MiB, fds %d, goroutines %d\n",
			float64(last.rss-first.rss)/(1<<20), last.threads-first.threads, last.fds-first.fds, last.goroutines-first.goroutines,
			float64(idle.rss)/(1<<20), idle.fds, idle.goroutines)
		if growth := first.growth(last); growth != "" {
			fmt.Println("GROWTH:", growth)
			failed = true
		}
	}
	if lines := srv.logLines(); lines != "" {
		fmt.Printf("server stderr:\n%s", lines)
		failed = true
	}
	if err := srv.stop(); err != nil {
		fmt.Println("server:", err)
		failed = true
	}
	if failed {
		os.Exit(1)
	}
	fmt.Println("no failed request, no growth")
}

// server is the aiohttp serve process under load.
type server struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	mu     sync.Mutex
	done   chan error
}

// startServer starts "bin serve --port 0 --pprof 127.0.0.1:0" and returns
// it once its banners name the URLs of the demo and of the profiles.
func startServer(bin string) (s *server, base, profiles string, err error) {
	s = &server{done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve", "--port", "0", "--pprof", "127.0.0.1:0")
	s.cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.stderr.Write(p)
	})
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, "", "", err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, "", "", err
	}
	running := regexp.MustCompile(`Running on (http://\S+) `)
	profilesOn := regexp.MustCompile(`Profiles on (http://\S+) `)
	br := bufio.NewReader(stdout)
	for base == "" {
		line, err := br.ReadString('\n')
		if err != nil {
			s.cmd.Process.Kill()
			return nil, "", "", fmt.Errorf("aiohttp serve printed no banner: %v", err)
		}
		if m := profilesOn.FindStringSubmatch(line); m != nil {
			profiles = m[1]
		}
		if m := running.FindStringSubmatch(line); m != nil {
			base = m[1]
		}
	}
	go io.Copy(io.Discard, br)
	go func() { s.done <- s.cmd.Wait() }()
	return s, base, profiles, nil
}

// logLines returns what the server wrote on standard error.
func (s *server) logLines() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		return errors.New("no exit within 30s of SIGTERM")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// sample is what /proc and the goroutine profile say of the server at one
// moment.
type sample struct {
	rss        int64 // bytes
	threads    int
	fds        int
	goroutines int
}

// sampleProcess samples the process pid, whose profiles are at profiles.
func sampleProcess(pid int, profiles string) (sample, error) {
	var s sample
	var err error
	if s.goroutines, err = goroutines(profiles); err != nil {
		return s, err
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for line := range strings.Lines(string(status)) {
		name, value, _ := strings.Cut(line, ":")
		fields := strings.Fields(value)
		switch {
		case len(fields) == 0:
		case name == "VmRSS":
			kb, _ := strconv.ParseInt(fields[0], 10, 64)
			s.rss = kb << 10
		case name == "Threads":
			s.threads, _ = strconv.Atoi(fields[0])
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	s.fds = len(fds)
	return s, err
}

// goroutines returns the count of goroutines that the goroutine profile at
// profiles gives.
func goroutines(profiles string) (int, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(profiles + "goroutine?debug=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	total, ok := strings.CutPrefix(strings.TrimSpace(line), "goroutine profile: total ")
	n, err2 := strconv.Atoi(total)
	if err != nil || !ok || err2 != nil {
		return 0, fmt.Errorf("goroutine profile: %q %v", line, err)
	}
	return n, nil
}

// growth describes how last outgrew s beyond the noise of a steady load
// (a quarter more memory and 8 MiB, 8 threads, 16 descriptors, half as
// many goroutines again and 32), or is "".
func (s sample) growth(last sample) string {
	var out []string
	if last.goroutines > s.goroutines+s.goroutines/2+32 {
		out = append(out, fmt.Sprintf("goroutines %d -> %d", s.goroutines, last.goroutines))
	}
	if last.rss > s.rss+s.rss/4+8<<20 {
		out = append(out, fmt.Sprintf("rss %d -> %d KiB", s.rss>>10, last.rss>>10))
	}
	if last.threads > s.threads+8 {
		out = append(out, fmt.Sprintf("threads %d -> %d", s.threads, last.threads))
	}
	if last.fds > s.fds+16 {
		out = append(out, fmt.Sprintf("fds %d -> %d", s.fds, last.fds))
	}
	return strings.Join(out, ", ")
}

// load is one kind of load: its counters and first error.
type load struct {
	name     string
	ok, errs atomic.Int64
	first    atomic.Value // error
}

// loads is the running mix.
type loads struct {
	kinds []*load
	wg    sync.WaitGroup
}

// run runs step on n goroutines until ctx ends, counting what each call
// reports: done requests, or an error (not counted once ctx ended: the
// load stopped it).
func (ls *loads) run(ctx context.Context, name string, n int, step func(context.Context) (int, error)) {
	l := &load{name: name}
	ls.kinds = append(ls.kinds, l)
	for range n {
		ls.wg.Add(1)
		go func() {
			defer ls.wg.Done()
			for ctx.Err() == nil {
				done, err := step(ctx)
				l.ok.Add(int64(done))
				if err != nil && ctx.Err() == nil {
					l.errs.Add(1)
					l.first.CompareAndSwap(nil, err)
					time.Sleep(100 * time.Millisecond) // no error storm
				}
			}
		}()
	}
}

func (ls *loads) wait() { ls.wg.Wait() }

func (ls *loads) totals() (reqs, errs int64) {
	for _, l := range ls.kinds {
		reqs += l.ok.Load()
		errs += l.errs.Load()
	}
	return reqs, errs
}

func (ls *loads) failed() bool {
	_, errs := ls.totals()
	return errs > 0
}

func (ls *loads) report(w io.Writer) {
	fmt.Fprintf(w, "%-10s %12s %7s  %s\n", "load", "done", "errors", "first error")
	for _, l := range ls.kinds {
		first, _ := l.first.Load().(error)
		msg := ""
		if first != nil {
			msg = first.Error()
		}
		fmt.Fprintf(w, "%-10s %12d %7d  %s\n", l.name, l.ok.Load(), l.errs.Load(), msg)
	}
}

// startLoads starts the mix against base.
func startLoads(ctx context.Context, base string, conns int) *loads {
	session, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		log.Fatal(err)
	}
	context.AfterFunc(ctx, func() { session.Close() })
	host := strings.TrimPrefix(base, "http://")
	ls := &loads{}
	ls.run(ctx, "keep-alive", conns, func(ctx context.Context) (int, error) {
		return 1, get(ctx, session, base+"/get")
	})
	ls.run(ctx, "pipelining", 2, func(ctx context.Context) (int, error) {
		return pipeline(ctx, host)
	})
	upload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	ls.run(ctx, "uploads", 1, func(ctx context.Context) (int, error) {
		var form multipart.FormData
		form.AddFile("file", "soak.bin", "application/octet-stream", bytes.NewReader(upload))
		resp, err := session.Post(ctx, base+"/upload", aiohttp.FormData(&form))
		if err != nil {
			return 0, err
		}
		body, err := resp.Bytes()
		if err == nil {
			err = resp.RaiseForStatus()
		}
		if err == nil && !bytes.Contains(body, []byte(strconv.Itoa(len(upload)))) {
			err = fmt.Errorf("POST /upload: the answer does not name the size: %.200s", body)
		}
		return 1, err
	})
	ls.run(ctx, "websocket", 2, func(ctx context.Context) (int, error) {
		return echoes(ctx, session, "ws"+strings.TrimPrefix(base, "http")+"/ws")
	})
	ls.run(ctx, "sse", 2, func(ctx context.Context) (int, error) {
		return events(ctx, session, base+"/sse?count=20&interval=10")
	})
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	h2 := &http.Client{Transport: &http.Transport{Protocols: &protocols}, Timeout: 30 * time.Second}
	context.AfterFunc(ctx, h2.CloseIdleConnections)
	ls.run(ctx, "http2", 2, func(ctx context.Context) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/get", nil)
		resp, err := h2.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return 0, err
		}
		if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
			return 0, fmt.Errorf("GET /get over h2c: %s %s", resp.Proto, resp.Status)
		}
		return 1, nil
	})
	return ls
}

// get sends GET url and reads the answer, which must be a 2xx.
func get(ctx context.Context, session *aiohttp.Session, url string) error {
	resp, err := session.Get(ctx, url)
	if err != nil {
		return err
	}
	if _, err := resp.Bytes(); err != nil {
		return err
	}
	return resp.RaiseForStatus()
}

// pipeline opens a connection to host and runs 100 rounds of 16 pipelined
// GET /health on it.
func pipeline(ctx context.Context, host string) (int, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	context.AfterFunc(ctx, func() { conn.Close() })
	const depth = 16
	batch := bytes.Repeat([]byte("GET /health HTTP/1.1\r\nHost: "+host+"\r\n\r\n"), depth)
	br := bufio.NewReader(conn)
	done := 0
	for range 100 {
		conn.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := conn.Write(batch); err != nil {
			return done, err
		}
		for range depth {
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				return done, err
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				return done, err
			}
			if resp.StatusCode != 200 || string(body) != "OK" {
				return done, fmt.Errorf("pipelined GET /health: %s %q", resp.Status, body)
			}
			done++
		}
	}
	return done, nil
}

// echoes opens a WebSocket to url and checks 100 echoes of 1 KiB.
func echoes(ctx context.Context, session *aiohttp.Session, url string) (int, error) {
	ws, err := session.WSConnect(ctx, url, aiohttp.WSOptions{})
	if err != nil {
		return 0, err
	}
	defer ws.Close(context.WithoutCancel(ctx), 1000, "")
	msg := strings.Repeat("x", 1<<10)
	for i := range 100 {
		if err := ws.SendStr(ctx, msg); err != nil {
			return i, err
		}
		got, err := ws.ReceiveText(ctx)
		if err != nil {
			return i, err
		}
		if got != msg {
			return i, fmt.Errorf("WebSocket echo of %d bytes came back as %d", len(msg), len(got))
		}
	}
	return 100, nil
}

// events reads the 20 events of the stream at u and checks their ids.
func events(ctx context.Context, session *aiohttp.Session, u string) (int, error) {
	resp, err := session.Get(ctx, u)
	if err != nil {
		return 0, err
	}
	defer resp.Close()
	if err := resp.RaiseForStatus(); err != nil {
		return 0, err
	}
	n := 0
	for ev, err := range resp.Events() {
		if err != nil {
			return 0, err
		}
		if ev.ID != strconv.Itoa(n+1) && ev.ID != strconv.Itoa(n) {
			return 0, fmt.Errorf("event %d has the id %q", n, ev.ID)
		}
		n++
	}
	if q, _ := url.ParseQuery(u[strings.IndexByte(u, '?')+1:]); strconv.Itoa(n) != q.Get("count") {
		return 0, fmt.Errorf("%d events, want %s", n, q.Get("count"))
	}
	return 1, nil
}
