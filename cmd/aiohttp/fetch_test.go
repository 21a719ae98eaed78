package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

func TestFetchUsageErrors(t *testing.T) {
	runUsageCases(t, []usageCase{
		{args: []string{"fetch", "-h"}, code: 0, wantStdout: "usage: aiohttp fetch"},
		{args: []string{"fetch"}, code: 2, wantStderr: "no URL"},
		{args: []string{"fetch", "--limit", "0", "http://x/"}, code: 2, wantStderr: "--limit 0: must be at least 1"},
		{args: []string{"fetch", "--limit-per-host", "-1", "http://x/"}, code: 2, wantStderr: "--limit-per-host -1"},
		{args: []string{"fetch", "--timeout", "-1s", "http://x/"}, code: 2, wantStderr: "--timeout -1s"},
		{args: []string{"fetch", "--retries", "-2", "http://x/"}, code: 2, wantStderr: "--retries -2"},
		{args: []string{"fetch", "--output", "xml", "http://x/"}, code: 2, wantStderr: `--output "xml"`},
		{args: []string{"fetch", "--data", "a", "--json", "{}", "http://x/"}, code: 2, wantStderr: "give one body"},
		{args: []string{"fetch", "-H", "nocolon", "http://x/"}, code: 2, wantStderr: `-H "nocolon"`},
		{args: []string{"fetch", "-i", "/nonexistent/urls"}, code: 2, wantStderr: "no such file"},
		{args: []string{"fetch", "--nope", "http://x/"}, code: 2, wantStderr: "flag provided but not defined: -nope"},
	})
}

// fetchRun runs the fetch command in process and decodes its JSON lines.
func fetchRun(t *testing.T, ctx context.Context, args ...string) (results []result, code int, stderr string) {
	t.Helper()
	var stdout, errOut bytes.Buffer
	code = run(ctx, append([]string{"fetch"}, args...), &stdout, &errOut)
	return decodeResults(t, stdout.Bytes()), code, errOut.String()
}

// decodeResults decodes the JSON lines of the fetch command, checking
// that each has exactly the contract's fields.
func decodeResults(t *testing.T, out []byte) []result {
	t.Helper()
	var results []result
	for line := range bytes.Lines(out) {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(line, &fields); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range fields {
				if !yield(k) {
					return
				}
			}
		})
		if want := []string{"bytes", "elapsed_ms", "error", "final_url", "status", "title", "url"}; !slices.Equal(keys, want) {
			t.Fatalf("output line %q has fields %v, want %v", line, keys, want)
		}
		var r result
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	return results
}

// byURL indexes results by their URL.
func byURL(results []result) map[string]result {
	m := make(map[string]result, len(results))
	for _, r := range results {
		m[r.URL] = r
	}
	return m
}

// fetchTestServer answers the routes the fetch tests need.
func fetchTestServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><head><title>\n  A  page &amp; more\n</title></head><body>x</body></html>")
	})
	mux.HandleFunc("/latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
		w.Write([]byte("<title>Caf\xe9</title>"))
	})
	mux.HandleFunc("/meta", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<meta charset=\"windows-1251\"><title>\xcf\xf0\xe8\xe2\xe5\xf2</title>"))
	})
	mux.HandleFunc("/notitle", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<p>no title</p>")
	})
	mux.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "<title>not html</title>")
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/page", http.StatusFound)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, "only ten..")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		json.NewEncoder(w).Encode(map[string]string{
			"method": r.Method, "ctype": r.Header.Get("Content-Type"), "token": r.Header.Get("X-Token"), "body": string(body),
		})
	})
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		w.WriteHeader(code)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// garbageServer answers every connection with bytes that are not HTTP.
func garbageServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			bufio.NewReader(c).ReadString('\n')
			c.Write([]byte("SMTP ready\r\n\r\n"))
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestFetchResults(t *testing.T) {
	srv := fetchTestServer(t)
	u := srv.URL
	tests := []struct {
		url, final    string
		status        int
		bytes         int64
		title, errKnd string
		hasTitle      bool
	}{
		{url: u + "/page", final: u + "/page", status: 200, bytes: 77, title: "A page & more", hasTitle: true},
		{url: u + "/latin1", status: 200, title: "Café", hasTitle: true},
		{url: u + "/meta", status: 200, title: "Привет", hasTitle: true},
		{url: u + "/notitle", status: 200},
		{url: u + "/text", status: 200},
		{url: u + "/redirect", final: u + "/page", status: 200, title: "A page & more", hasTitle: true},
		{url: u + "/status/503", status: 503},
		{url: u + "/slow", errKnd: "timeout"},
		{url: u + "/short", status: 200, errKnd: "payload"},
		{url: "http://" + closedPort(t) + "/", errKnd: "connect"},
		{url: "http://" + garbageServer(t) + "/", errKnd: "protocol"},
		{url: "https://" + srv.Listener.Addr().String() + "/page", errKnd: "tls"},
		{url: "http://no-such-host.invalid/", errKnd: "dns"},
		{url: "ftp://example.com/", errKnd: "invalid_url"},
		{url: "http://[::1/", errKnd: "invalid_url"},
	}
	var args []string
	for _, tt := range tests {
		args = append(args, tt.url)
	}
	results, code, stderr := fetchRun(t, context.Background(), append([]string{"--timeout", "500ms"}, args...)...)
	if code != 1 {
		t.Errorf("exit status %d, want 1 (some URLs failed); stderr %q", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing (not a terminal)", stderr)
	}
	if len(results) != len(tests) {
		t.Fatalf("%d results for %d URLs", len(results), len(tests))
	}
	got := byURL(results)
	for _, tt := range tests {
		r, ok := got[tt.url]
		if !ok {
			t.Errorf("%s: no result", tt.url)
			continue
		}
		if r.Status != tt.status || r.Error != tt.errKnd || (r.Title != nil) != tt.hasTitle ||
			(tt.hasTitle && *r.Title != tt.title) || (tt.final != "" && r.FinalURL != tt.final) ||
			(tt.bytes != 0 && r.Bytes != tt.bytes) || r.ElapsedMS < 0 {
			t.Errorf("%s: %+v (title %v), want status %d error %q title %q final %q bytes %d",
				tt.url, r, deref(r.Title), tt.status, tt.errKnd, tt.title, tt.final, tt.bytes)
		}
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// TestFetchRequestOptions checks -X, -H, --data and --json, and that
// URLs come from -i FILE too.
func TestFetchRequestOptions(t *testing.T) {
	srv := fetchTestServer(t)
	file := filepath.Join(t.TempDir(), "urls")
	os.WriteFile(file, []byte("# a comment\n\n"+srv.URL+"/echo?from=file\n"), 0o644)
	for _, tt := range []struct {
		args []string
		want map[string]string
	}{
		{[]string{"-i", file}, map[string]string{"method": "GET", "ctype": "", "body": ""}},
		{[]string{"--data", "a=1", "-H", "X-Token: t1", srv.URL + "/echo"}, map[string]string{"method": "POST", "ctype": "application/x-www-form-urlencoded", "token": "t1", "body": "a=1"}},
		{[]string{"-X", "put", "--json", `{"k":1}`, srv.URL + "/echo"}, map[string]string{"method": "PUT", "ctype": "application/json", "body": `{"k":1}`}},
		{[]string{"-X", "DELETE", "-H", "Content-Type: text/x", "--data", "z", srv.URL + "/echo"}, map[string]string{"method": "DELETE", "ctype": "text/x", "body": "z"}},
	} {
		dir := t.TempDir()
		results, code, stderr := fetchRun(t, context.Background(), append(tt.args, "--save", dir)...)
		if code != 0 || len(results) != 1 {
			t.Fatalf("%v: exit %d, %d results, stderr %q", tt.args, code, len(results), stderr)
		}
		name := "echo"
		if tt.args[0] == "-i" {
			name = "echo?from=file"
		}
		saved, err := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(srv.URL, "http://"), name))
		if err != nil {
			t.Fatalf("%v: the saved body: %v", tt.args, err)
		}
		var echoed map[string]string
		if err := json.Unmarshal(saved, &echoed); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		for k, v := range tt.want {
			if echoed[k] != v {
				t.Errorf("%v: the server saw %s %q, want %q", tt.args, k, echoed[k], v)
			}
		}
		if results[0].Bytes != int64(len(saved)) {
			t.Errorf("%v: bytes %d, saved %d", tt.args, results[0].Bytes, len(saved))
		}
	}
}

// TestFetchSavePaths checks that --save keeps bodies inside DIR whatever
// the path.
func TestFetchSavePaths(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.RequestURI())
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	host := strings.TrimPrefix(srv.URL, "http://")
	paths := map[string]string{
		"/":                  "index.html",
		"/a/b/":              "a/b/index.html",
		"/a/../../../x":      "x",
		"/%2e%2e/%2e%2e/y":   "y",
		"/d/f.txt?q=1&r=%2F": "d/f.txt?q=1&r=%2F",
		"/e%2Ff":             "e%2Ff",
	}
	var args []string
	for p := range paths {
		args = append(args, srv.URL+p)
	}
	if _, code, stderr := fetchRun(t, context.Background(), append([]string{"--save", dir}, args...)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for p, file := range paths {
		if _, err := os.Stat(filepath.Join(dir, host, file)); err != nil {
			t.Errorf("%s: not saved as %s: %v", p, file, err)
		}
	}
	filepath.Walk(filepath.Dir(dir), func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !strings.HasPrefix(path, dir) {
			t.Errorf("%s written outside --save", path)
		}
		return nil
	})
}

// limitServer counts the requests it serves at once.
type limitServer struct {
	*httptest.Server
	mu                    sync.Mutex
	inFlight, maxInFlight int
	hits                  map[string]int
	delay                 time.Duration
	failFirst             int // answer 503 to the first attempts of each path
	shared                *sharedCounts
}

// sharedCounts count across several limitServers.
type sharedCounts struct {
	inFlight, maxInFlight atomic.Int64
	conns, maxConns       atomic.Int64
}

// raise adds d to n and keeps the highest value in high.
func raise(n, high *atomic.Int64, d int64) {
	v := n.Add(d)
	for m := high.Load(); v > m && !high.CompareAndSwap(m, v); m = high.Load() {
	}
}

func newLimitServer(t *testing.T, delay time.Duration, shared *sharedCounts) *limitServer {
	s := &limitServer{hits: map[string]int{}, delay: delay, shared: shared}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *limitServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	s.hits[r.URL.Path]++
	fail := s.hits[r.URL.Path] <= s.failFirst
	s.mu.Unlock()
	raise(&s.shared.inFlight, &s.shared.maxInFlight, 1)
	time.Sleep(s.delay)
	raise(&s.shared.inFlight, &s.shared.maxInFlight, -1)
	s.mu.Lock()
	s.inFlight--
	s.mu.Unlock()
	if fail {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(503)
		return
	}
	io.WriteString(w, r.URL.Path)
}

// TestFetchLimits fetches from three hosts with --limit 4 and
// --limit-per-host 2: never more requests or connections than that, each
// limit reached (kept busy), each URL fetched once.
func TestFetchLimits(t *testing.T) {
	var shared sharedCounts
	servers := []*limitServer{
		newLimitServer(t, 30*time.Millisecond, &shared),
		newLimitServer(t, 30*time.Millisecond, &shared),
		newLimitServer(t, 30*time.Millisecond, &shared),
	}
	// The client's own count: a server sees a closed connection go a
	// little after the client closed it.
	var clientConns sharedCounts
	perHost := map[string]*sharedCounts{}
	for _, s := range servers {
		perHost[s.Listener.Addr().String()] = new(sharedCounts)
	}
	fetchDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := new(net.Dialer).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		host := perHost[addr]
		raise(&clientConns.conns, &clientConns.maxConns, 1)
		raise(&host.conns, &host.maxConns, 1)
		return &countedConn{Conn: c, counts: []*atomic.Int64{&clientConns.conns, &host.conns}}, nil
	}
	t.Cleanup(func() { fetchDialContext = nil })
	var args []string
	// All of the first host's URLs come first: the others must not wait
	// behind them.
	for i, s := range servers {
		for j := range 12 {
			args = append(args, fmt.Sprintf("%s/%d/%d", s.URL, i, j))
		}
	}
	results, code, stderr := fetchRun(t, context.Background(), append([]string{"--limit", "4", "--limit-per-host", "2"}, args...)...)
	if code != 0 || len(results) != len(args) {
		t.Fatalf("exit %d, %d results for %d URLs; stderr %q", code, len(results), len(args), stderr)
	}
	if got := shared.maxInFlight.Load(); got != 4 {
		t.Errorf("at most %d requests at once in all, want exactly 4 (the limit, kept busy)", got)
	}
	if got := clientConns.maxConns.Load(); got > 4 {
		t.Errorf("the client had %d connections open at once, want at most 4", got)
	}
	for i, s := range servers {
		s.mu.Lock()
		if c := perHost[s.Listener.Addr().String()].maxConns.Load(); s.maxInFlight != 2 || c > 2 {
			t.Errorf("host %d: %d requests and %d connections at most at once, want 2 and at most 2", i, s.maxInFlight, c)
		}
		for p, n := range s.hits {
			if n != 1 {
				t.Errorf("host %d: %s fetched %d times", i, p, n)
			}
		}
		s.mu.Unlock()
	}
	if len(results) != 36 {
		t.Errorf("%d results", len(results))
	}
}

// countedConn takes itself off a count of open connections when closed.
type countedConn struct {
	net.Conn
	counts []*atomic.Int64
	once   sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		for _, n := range c.counts {
			n.Add(-1)
		}
	})
	return c.Conn.Close()
}

// TestFetchRetries: 503s are retried up to --retries times, then
// reported with their status.
func TestFetchRetries(t *testing.T) {
	s := newLimitServer(t, 0, new(sharedCounts))
	s.failFirst = 2
	results, code, _ := fetchRun(t, context.Background(), "--retries", "2", s.URL+"/a", s.URL+"/b")
	if code != 0 {
		t.Errorf("exit %d", code)
	}
	for _, r := range results {
		if r.Status != 200 {
			t.Errorf("%s: status %d after retries", r.URL, r.Status)
		}
	}
	results, _, _ = fetchRun(t, context.Background(), "--retries", "1", s.URL+"/c")
	if len(results) != 1 || results[0].Status != 503 {
		t.Errorf("one retry for two failures: %+v, want status 503", results)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hits["/a"] != 3 || s.hits["/c"] != 2 {
		t.Errorf("hits %v, want /a 3 times and /c twice", s.hits)
	}
}

// TestFetchCanceled: when the context ends, running fetches are reported
// canceled and the status is 130.
func TestFetchCanceled(t *testing.T) {
	srv := fetchTestServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	results, code, _ := fetchRun(t, ctx, "--limit", "1", srv.URL+"/page", srv.URL+"/slow", srv.URL+"/slow?never-started")
	if code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	got := byURL(results)
	if len(results) != 2 || got[srv.URL+"/page"].Error != "" || got[srv.URL+"/slow"].Error != "canceled" {
		t.Errorf("results %+v, want /page done and /slow canceled, nothing else", results)
	}
}

// fetchBinary is the aiohttp command built once for the tests that run
// it as a process.
var fetchBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "aiohttp-cmd")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "aiohttp")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// buildCommand returns the path of the built command.
func buildCommand(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin, err := fetchBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestFetchInterrupt sends SIGINT to a running "aiohttp fetch": it prints
// what finished and exits 130.
func TestFetchInterrupt(t *testing.T) {
	bin := buildCommand(t)
	srv := fetchTestServer(t)
	cmd := exec.Command(bin, "fetch", "--limit", "1", srv.URL+"/page", srv.URL+"/slow", srv.URL+"/slow?2")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(stdout)
	first, err := br.ReadBytes('\n')
	if err != nil {
		t.Fatalf("first result: %v", err)
	}
	time.Sleep(100 * time.Millisecond) // /slow is under way
	cmd.Process.Signal(syscall.SIGINT)
	rest, _ := io.ReadAll(br)
	err = cmd.Wait()
	if cmd.ProcessState.ExitCode() != 130 {
		t.Errorf("exit %v, want status 130", err)
	}
	results := decodeResults(t, append(first, rest...))
	if len(results) != 2 || results[0].Error != "" || results[1].Error != "canceled" {
		t.Errorf("results %+v, want /page and a canceled /slow", results)
	}
}

// TestFetchProgressBar runs "aiohttp fetch" with standard error on a
// terminal (a pty): the bar shows there, the results stay on standard
// output.
func TestFetchProgressBar(t *testing.T) {
	bin := buildCommand(t)
	srv := fetchTestServer(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 100})
	var stdout bytes.Buffer
	cmd := exec.Command(bin, "fetch", srv.URL+"/page", srv.URL+"/status/500", "http://"+closedPort(t)+"/")
	cmd.Stdout, cmd.Stderr = &stdout, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var term bytes.Buffer
	copied := make(chan struct{})
	go func() {
		io.Copy(&term, ptmx) // ends with EIO once the command exits
		close(copied)
	}()
	cmd.Wait()
	<-copied
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit %d, want 1 (one URL failed)", code)
	}
	screen := term.String()
	for _, want := range []string{"fetch (1 errors)", "3/3", "URL/s"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the terminal shows %q, want it to contain %q", screen, want)
		}
	}
	if n := len(decodeResults(t, stdout.Bytes())); n != 3 {
		t.Errorf("%d results on standard output, want 3", n)
	}
}
