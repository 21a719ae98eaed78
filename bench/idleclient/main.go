// Idleclient measures what an idle pooled client connection costs the
// client: for each client (ours, net/http's Transport, fasthttp's Client)
// it opens N connections to a local server, one request each, leaves them
// idle in the client's pool and reports the growth of the client
// process's resident memory (VmRSS) and of its Go heap and stacks
// (runtime.MemStats), per idle connection, as a Markdown table.
//
// Each client runs in a child process of its own (this program run with
// -child), so that the server's memory and the other clients' never count.
// The server is net/http's, in the parent process; to make every client
// open N connections, it holds each request until N have arrived, then
// answers them all ("Hello, World!", keep-alive).
//
//	go run ./idleclient -n 5000
//	go run ./idleclient -n 2000 -tls
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/valyala/fasthttp"
)

// clients are the measured clients, in the table's order.
var clients = []struct{ name, title string }{
	{"aiohttp", "aiohttp-go (ours)"},
	{"nethttp", "net/http Transport"},
	{"fasthttp", "fasthttp Client"},
}

// result is what a child reports.
type result struct {
	Conns     int     // connections the server saw the client open
	RSS       int64   // VmRSS growth, bytes
	Heap      int64   // HeapInuse growth, bytes
	Stacks    int64   // StackInuse growth, bytes
	Goroutine int     // goroutines more than before
	Seconds   float64 // time to open the connections
}

func main() {
	n := flag.Int("n", 5000, "idle connections per client")
	useTLS := flag.Bool("tls", false, "HTTPS (TLS 1.3) instead of plain HTTP")
	only := flag.String("clients", "aiohttp,nethttp,fasthttp", "clients to measure, comma-separated")
	child := flag.String("child", "", "internal: run this client against -url")
	url := flag.String("url", "", "internal: the server's URL for -child")
	flag.Parse()
	log.SetFlags(0)
	if *child != "" {
		r, err := runChild(*child, *url, *n)
		if err != nil {
			log.Fatal(err)
		}
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}

	scheme := "plain HTTP"
	if *useTLS {
		scheme = "HTTPS (TLS 1.3)"
	}
	fmt.Printf("%d idle pooled connections per client, %s, %s, GOMAXPROCS=%d\n\n", *n, scheme, runtime.Version(), runtime.GOMAXPROCS(0))
	fmt.Println("| client | RSS / idle conn | Go heap / idle conn | Go stacks / idle conn | goroutines / idle conn | vs ours (RSS) |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	var ours float64
	for _, c := range clients {
		if !strings.Contains(","+*only+",", ","+c.name+",") {
			continue
		}
		r, err := measure(c.name, *n, *useTLS)
		if err != nil {
			fmt.Printf("| %s | failed: %v | | | | |\n", c.title, err)
			continue
		}
		per := float64(r.RSS) / float64(*n)
		ratio := "–"
		if c.name == "aiohttp" {
			ours = per
			ratio = "1.00×"
		} else if ours > 0 {
			ratio = fmt.Sprintf("%.2f×", per/ours)
		}
		fmt.Printf("| %s | %s | %s | %s | %.2f | %s |\n", c.title, kib(per),
			kib(float64(r.Heap)/float64(*n)), kib(float64(r.Stacks)/float64(*n)),
			float64(r.Goroutine)/float64(*n), ratio)
	}
}

// kib formats bytes in KiB.
func kib(b float64) string { return fmt.Sprintf("%.2f KiB", b/1024) }

// measure serves one client, run as a child process, until it reports.
func measure(name string, n int, useTLS bool) (*result, error) {
	srv, url, opened, err := serve(n, useTLS)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-child", name, "-url", url, "-n", strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var r result
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, err
	}
	if got := int(opened.Load()); got < n {
		return nil, fmt.Errorf("the client opened %d connections, not %d", got, n)
	}
	return &r, nil
}

// serve starts the server for one client: it holds every request to /hold
// until n have arrived, and counts the connections.
func serve(n int, useTLS bool) (*http.Server, string, *atomic.Int64, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	var (
		arrived atomic.Int64
		opened  atomic.Int64
		all     = make(chan struct{})
		once    sync.Once
	)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/hold" && arrived.Add(1) == int64(n) {
				once.Do(func() { close(all) })
			}
			if r.URL.Path == "/hold" {
				<-all
			}
			io.WriteString(w, "Hello, World!")
		}),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				opened.Add(1)
			}
		},
		IdleTimeout: 10 * time.Minute,
		ErrorLog:    log.New(io.Discard, "", 0),
	}
	url := "http://" + ln.Addr().String()
	if useTLS {
		cert, _, err := testcert.Make("127.0.0.1")
		if err != nil {
			return nil, "", nil, err
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}}
		ln = tls.NewListener(ln, srv.TLSConfig)
		url = "https://" + ln.Addr().String()
	}
	go srv.Serve(ln)
	return srv, url, &opened, nil
}

// getFunc makes one GET and reads the whole body.
type getFunc func(url string) error

// newClient returns the named client, allowing n connections to one host
// and keeping them idle for ten minutes, certificates unchecked.
func newClient(name string, n int) (getFunc, error) {
	insecure := &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}}
	switch name {
	case "aiohttp":
		s, err := aiohttp.NewSession(aiohttp.SessionOptions{Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
			Limit: n, KeepAliveTimeout: 10 * time.Minute,
			TLS: aiohttp.TLSOptions{InsecureSkipVerify: true},
		})})
		if err != nil {
			return nil, err
		}
		return func(url string) error {
			resp, err := s.Get(context.Background(), url)
			if err != nil {
				return err
			}
			_, err = resp.Bytes()
			resp.Close()
			return err
		}, nil
	case "nethttp":
		c := &http.Client{Transport: &http.Transport{
			MaxIdleConns: n, MaxIdleConnsPerHost: n, IdleConnTimeout: 10 * time.Minute,
			TLSClientConfig: insecure,
		}}
		return func(url string) error {
			resp, err := c.Get(url)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return err
		}, nil
	case "fasthttp":
		c := &fasthttp.Client{
			MaxConnsPerHost: n, MaxIdleConnDuration: 10 * time.Minute, TLSConfig: insecure,
			Dial: func(addr string) (net.Conn, error) { return fasthttp.DialTimeout(addr, time.Minute) },
		}
		return func(url string) error {
			status, _, err := c.Get(nil, url)
			if err == nil && status != 200 {
				err = fmt.Errorf("status %d", status)
			}
			return err
		}, nil
	}
	return nil, fmt.Errorf("unknown client %q", name)
}

// runChild opens n idle connections with the named client and measures
// what they hold.
func runChild(name, url string, n int) (*result, error) {
	get, err := newClient(name, n)
	if err != nil {
		return nil, err
	}
	if err := get(url + "/"); err != nil { // warm up: code, pools, one connection
		return nil, err
	}
	// The runtime never frees a goroutine's descriptor (a few hundred
	// bytes) but reuses it: start and end as many goroutines as the
	// measurement does first, so that only the connections count.
	var spawn sync.WaitGroup
	hold := make(chan struct{})
	for range n {
		spawn.Go(func() { <-hold })
	}
	close(hold)
	spawn.Wait()
	before, goroutines := snapshot()
	start := time.Now()
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n - 1 { // the warm-up connection is the n-th
		wg.Go(func() { errs <- get(url + "/hold") })
	}
	// The server holds the requests until it has n: the warm-up
	// connection's request completes the count.
	if err := get(url + "/hold"); err != nil {
		return nil, err
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, err
		}
	}
	elapsed := time.Since(start)
	time.Sleep(200 * time.Millisecond) // let net/http's read loops settle
	after, goroutinesAfter := snapshot()
	return &result{
		Conns:     n,
		RSS:       after.rss - before.rss,
		Heap:      int64(after.ms.HeapInuse) - int64(before.ms.HeapInuse),
		Stacks:    int64(after.ms.StackInuse) - int64(before.ms.StackInuse),
		Goroutine: goroutinesAfter - goroutines,
		Seconds:   elapsed.Seconds(),
	}, nil
}

// memory is a snapshot of the process's memory.
type memory struct {
	rss int64
	ms  runtime.MemStats
}

// snapshot collects garbage twice (a sync.Pool keeps its buffers over one
// collection: pooled buffers that no connection holds would count),
// returns the freed memory to the system and reads the resident set and
// the runtime's statistics.
func snapshot() (memory, int) {
	runtime.GC()
	debug.FreeOSMemory()
	var m memory
	runtime.ReadMemStats(&m.ms)
	m.rss = vmRSS()
	return m, runtime.NumGoroutine()
}

// vmRSS returns the VmRSS of /proc/self/status in bytes.
func vmRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
