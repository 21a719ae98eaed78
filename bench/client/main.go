// Command client is the client side of the client benchmark: it makes the
// same N GET requests to one URL with C concurrent workers through one of
// the Go HTTP clients compared, and prints requests/s.
//
//	client -client aiohttp -n 50000 -c 64 -url http://127.0.0.1:8081/
//
// The clients (-client):
//
//	aiohttp             ours: one aiohttp.Session, TCPConnector Limit C
//	nethttp             net/http: http.Client, MaxIdleConnsPerHost and
//	                    MaxConnsPerHost C
//	fasthttp            valyala/fasthttp: fasthttp.Client, MaxConnsPerHost C
//	fasthttp-hostclient valyala/fasthttp: fasthttp.HostClient for the one
//	                    host, MaxConns C (fasthttp's fastest path)
//	resty               go-resty/resty v2 on a net/http transport with
//	                    MaxIdleConnsPerHost and MaxConnsPerHost C
//
// C goroutines take request numbers from one counter until N are taken;
// each request reads the whole body and checks status 200 and the body's
// length (-size). A warm-up of -warmup requests, not counted, opens the
// connections first. -cpuprofile writes a CPU profile of the measured
// part. The output is line-oriented for bench/run-client:
//
//	client: aiohttp
//	requests: 50000
//	errors: 0
//	seconds: 0.712
//	requests/s: 70224.7
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"time"

	"github.com/aiohttp-go/aiohttp/bench/internal/load"
)

// getter makes one GET of the benchmark URL and returns the status and
// the number of body bytes read.
type getter interface {
	get() (status, size int, err error)
	close()
}

// clients builds each client for a URL and a concurrency.
var clients = map[string]func(url string, conc int) (getter, error){
	"aiohttp":             newAiohttp,
	"aiohttp-with":        newAiohttpWith,
	"nethttp":             newNetHTTP,
	"fasthttp":            newFastHTTP,
	"fasthttp-hostclient": newFastHTTPHostClient,
	"resty":               newResty,
}

func main() {
	name := flag.String("client", "aiohttp", "client to measure: "+clientNames())
	n := flag.Int("n", 50000, "requests to measure")
	conc := flag.Int("c", 64, "concurrent workers (and connections)")
	warmup := flag.Int("warmup", 2000, "requests before measuring, not counted")
	url := flag.String("url", "http://127.0.0.1:8081/", "URL to GET")
	size := flag.Int("size", len("Hello, World!"), "expected body length; -1 accepts any")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the measured requests to this file")
	flag.Parse()

	build, ok := clients[*name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown client %q (known: %s)\n", *name, clientNames())
		os.Exit(2)
	}
	g, err := build(*url, *conc)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", *name, err)
		os.Exit(1)
	}
	defer g.close()

	if *warmup > 0 {
		if errs, first := load.Run(g.get, *warmup, *conc, *size); errs > 0 {
			fmt.Fprintf(os.Stderr, "%s: warm-up: %d errors, the first: %v\n", *name, errs, first)
			os.Exit(1)
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
	}
	start := time.Now()
	errs, first := load.Run(g.get, *n, *conc, *size)
	elapsed := time.Since(start)
	pprof.StopCPUProfile()

	fmt.Printf("client: %s\n", *name)
	fmt.Printf("gomaxprocs: %d\n", runtime.GOMAXPROCS(0))
	fmt.Printf("requests: %d\n", *n)
	fmt.Printf("errors: %d\n", errs)
	if first != nil {
		fmt.Printf("first error: %v\n", first)
	}
	fmt.Printf("seconds: %.3f\n", elapsed.Seconds())
	fmt.Printf("requests/s: %.1f\n", float64(*n-int(errs))/elapsed.Seconds())
	if errs > 0 {
		os.Exit(1)
	}
}

func clientNames() string {
	names := make([]string, 0, len(clients))
	for k := range clients {
		names = append(names, k)
	}
	sort.Strings(names)
	s := ""
	for i, k := range names {
		if i > 0 {
			s += ", "
		}
		s += k
	}
	return s
}
