//lint:file-ignore SA1019 the xnet server is x/net's deprecated http2.Server (and h2c) on purpose: the HTTP/2 code our server runs, measured without our bridge.

// Command h2 is both sides of the HTTP/2 benchmark (bench/run-h2): a
// server, ours or net/http's, and a client, ours or net/http's, over h2c
// (HTTP/2 over plain TCP by prior knowledge) or h2 over TLS (ALPN).
//
//	h2 -serve aiohttp -addr 127.0.0.1:8120 [-tls -cert cert.pem]
//	h2 -client aiohttp -url https://127.0.0.1:8120/ -ca cert.pem -n 50000 -c 64
//
// Servers (-serve) answer GET / with "Hello, World!" and GET /64k with
// 64 KiB of bytes:
//
//	aiohttp  ours: web.Server (x/net/http2 behind our net/http bridge)
//	nethttp  net/http: http.Server with its own HTTP/2 (Protocols with
//	         HTTP/1.1, HTTP/2 over TLS and unencrypted HTTP/2)
//	xnet     net/http's handler on golang.org/x/net/http2's server, the
//	         one ours runs (http2.ConfigureServer over TLS, h2c.NewHandler)
//
// With -tls the server makes a self-signed certificate for 127.0.0.1 and
// writes it as PEM to -cert, for the clients and h2load.
//
// Clients (-client) make -n GETs of -url with -c concurrent workers, all
// multiplexed on one HTTP/2 connection:
//
//	aiohttp       ours: one aiohttp.Session (TLS: h2 by ALPN), Get
//	aiohttp-with  the same through Session.With, which recycles responses
//	nethttp       net/http: http.Client on an http.Transport with HTTP/2
//	              (TLS: ALPN; h2c: Protocols with unencrypted HTTP/2 only)
//	nethttp-defaults
//	              the same with what a Session does by default: a total
//	              timeout of 5 minutes, a cookie jar, and aiohttp's
//	              Accept, Accept-Encoding and User-Agent fields
//
// Each request reads the whole body and checks status 200 and the length
// (-size). A warm-up of -warmup requests, not counted, opens the
// connection. The output is line-oriented for bench/run-h2:
//
//	client: aiohttp
//	requests: 50000
//	errors: 0
//	connections: 1
//	seconds: 0.712
//	requests/s: 70224.7
//	cpu-us/request: 25.1
//
// cpu-us/request is the process's user and system CPU time (getrusage)
// over the measured requests, divided by their number. -cpuprofile writes
// a CPU profile of the measured part. Only 127.0.0.1 is ever a target.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/bench/internal/load"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/aiohttp-go/aiohttp/web"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
)

// large is the body of GET /64k.
var large = bytes.Repeat([]byte("0123456789abcdef"), 64<<10/16)

func main() {
	serve := flag.String("serve", "", "run a server: aiohttp, nethttp or xnet")
	addr := flag.String("addr", "127.0.0.1:8120", "server: listen address")
	useTLS := flag.Bool("tls", false, "server: serve h2 over TLS instead of h2c")
	certFile := flag.String("cert", "", "server with -tls: write the certificate (PEM) here")
	client := flag.String("client", "", "run a client: aiohttp, aiohttp-with, nethttp or nethttp-defaults (net/http with aiohttp's defaults)")
	url := flag.String("url", "http://127.0.0.1:8120/", "client: URL to GET (https: h2 over TLS, http: h2c)")
	caFile := flag.String("ca", "", "client over TLS: the server's certificate (PEM)")
	n := flag.Int("n", 50000, "client: requests to measure")
	conc := flag.Int("c", 64, "client: concurrent workers (streams on one connection)")
	warmup := flag.Int("warmup", 2000, "client: requests before measuring, not counted")
	size := flag.Int("size", len("Hello, World!"), "client: expected body length; -1 accepts any")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile here: a client's of the measured requests, a server's until SIGINT")
	flag.Parse()

	switch {
	case *serve != "":
		if *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				log.Fatal(err)
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				log.Fatal(err)
			}
			defer pprof.StopCPUProfile()
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := runServer(ctx, *serve, *addr, *useTLS, *certFile); err != nil {
			log.Print(err)
		}
	case *client != "":
		if err := runClient(*client, *url, *caFile, *n, *conc, *warmup, *size, *cpuProfile); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "give -serve or -client")
		os.Exit(2)
	}
}

// ---- servers ---------------------------------------------------------------

// runServer serves until ctx is done.
func runServer(ctx context.Context, name, addr string, useTLS bool, certFile string) error {
	var cfg *tls.Config
	if useTLS {
		cert, _, err := testcert.Make("127.0.0.1")
		if err != nil {
			return err
		}
		if certFile != "" {
			if err := os.WriteFile(certFile, testcert.CertPEM(cert), 0o644); err != nil {
				return err
			}
		}
		cfg = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	switch name {
	case "aiohttp":
		app := web.NewApplication()
		app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("Hello, World!"), nil })
		app.Router.Get("/64k", func(*web.Request) (web.Response, error) { return web.Bytes(large), nil })
		return web.RunAppContext(ctx, app, web.RunOptions{Addr: addr, TLSConfig: cfg, Out: io.Discard})
	case "nethttp", "xnet":
		mux := http.NewServeMux()
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, "Hello, World!")
		})
		mux.HandleFunc("GET /64k", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(large)
		})
		srv := &http.Server{Addr: addr, Handler: mux, TLSConfig: cfg}
		if name == "xnet" {
			h2 := &http2.Server{}
			if cfg != nil {
				if err := http2.ConfigureServer(srv, h2); err != nil {
					return err
				}
			} else {
				srv.Handler = h2c.NewHandler(mux, h2)
			}
		} else {
			var protos http.Protocols
			protos.SetHTTP1(true)
			protos.SetHTTP2(true)
			protos.SetUnencryptedHTTP2(true)
			srv.Protocols = &protos
		}
		go func() {
			<-ctx.Done()
			srv.Close()
		}()
		var err error
		if cfg != nil {
			err = srv.ListenAndServeTLS("", "")
		} else {
			err = srv.ListenAndServe()
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		return err
	}
	return fmt.Errorf("unknown server %q (known: aiohttp, nethttp, xnet)", name)
}

// ---- clients ---------------------------------------------------------------

// getter makes one GET and returns the status and the body's length.
type getter interface {
	get() (status, size int, err error)
	close()
}

// dialCounter counts the connections a client opens.
type dialCounter struct {
	d net.Dialer
	n atomic.Int64
}

func (c *dialCounter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c.n.Add(1)
	return c.d.DialContext(ctx, network, addr)
}

func runClient(name, url, caFile string, n, conc, warmup, size int, cpuProfile string) error {
	if !strings.HasPrefix(url, "http://127.0.0.1:") && !strings.HasPrefix(url, "https://127.0.0.1:") {
		return errors.New("the URL must be on 127.0.0.1")
	}
	var roots *x509.CertPool
	if caFile != "" {
		pemBytes, err := os.ReadFile(caFile)
		if err != nil {
			return err
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pemBytes) {
			return fmt.Errorf("%s: no certificate", caFile)
		}
	}
	dials := &dialCounter{}
	var g getter
	var err error
	switch name {
	case "aiohttp":
		g, err = newAiohttp(url, roots, dials)
	case "aiohttp-with":
		g, err = newAiohttp(url, roots, dials)
		if err == nil {
			g = aiohttpWithClient{g.(*aiohttpClient)}
		}
	case "nethttp":
		g, err = newNetHTTP(url, roots, dials)
	case "nethttp-defaults":
		g, err = newNetHTTP(url, roots, dials)
		if err == nil {
			g, err = withAiohttpDefaults(g.(*netHTTPClient))
		}
	default:
		return fmt.Errorf("unknown client %q (known: aiohttp, aiohttp-with, nethttp, nethttp-defaults)", name)
	}
	if err != nil {
		return err
	}
	defer g.close()
	// One request alone first, so that the connection is open before the
	// workers start: otherwise each races to dial its own.
	if errs, first := load.Run(g.get, 1, 1, size); errs > 0 {
		return fmt.Errorf("first request: %v", first)
	}
	if warmup > 0 {
		if errs, first := load.Run(g.get, warmup, conc, size); errs > 0 {
			return fmt.Errorf("warm-up: %d errors, the first: %v", errs, first)
		}
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	cpu0 := cpuTime()
	start := time.Now()
	errs, first := load.Run(g.get, n, conc, size)
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	pprof.StopCPUProfile()

	fmt.Printf("client: %s\n", name)
	fmt.Printf("requests: %d\n", n)
	fmt.Printf("errors: %d\n", errs)
	if first != nil {
		fmt.Printf("first error: %v\n", first)
	}
	fmt.Printf("connections: %d\n", dials.n.Load())
	fmt.Printf("seconds: %.3f\n", elapsed.Seconds())
	fmt.Printf("requests/s: %.1f\n", float64(n-int(errs))/elapsed.Seconds())
	fmt.Printf("cpu-us/request: %.2f\n", float64(cpu.Microseconds())/float64(n))
	if errs > 0 {
		return errors.New("some requests failed")
	}
	return nil
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// aiohttpClient is ours: one Session, h2 by ALPN over TLS.
type aiohttpClient struct {
	s   *aiohttp.Session
	url string
}

func newAiohttp(url string, roots *x509.CertPool, dials *dialCounter) (getter, error) {
	if strings.HasPrefix(url, "http:") {
		return nil, errors.New("aiohttp: no h2c (prior knowledge) in the client; use https")
	}
	s, err := aiohttp.NewSession(aiohttp.SessionOptions{
		Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
			DialContext: dials.dial,
			TLS:         aiohttp.TLSOptions{Config: &tls.Config{RootCAs: roots}},
		}),
	})
	if err != nil {
		return nil, err
	}
	return &aiohttpClient{s: s, url: url}, nil
}

func (c *aiohttpClient) get() (int, int, error) {
	resp, err := c.s.Get(context.Background(), c.url)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Close()
	if resp.Version.Major != 2 {
		return 0, 0, fmt.Errorf("%s, not HTTP/2", resp.Version)
	}
	body, err := resp.Bytes()
	return resp.Status, len(body), err
}

func (c *aiohttpClient) close() { c.s.Close() }

// aiohttpWithClient is ours through Session.With, which recycles each
// response once the callback returns.
type aiohttpWithClient struct{ *aiohttpClient }

func (c aiohttpWithClient) get() (int, int, error) {
	var status, n int
	err := c.s.With(context.Background(), "GET", c.url, func(resp *aiohttp.Response) error {
		if resp.Version.Major != 2 {
			return fmt.Errorf("%s, not HTTP/2", resp.Version)
		}
		body, err := resp.Bytes()
		status, n = resp.Status, len(body)
		return err
	})
	return status, n, err
}

// netHTTPClient is net/http's http.Client with HTTP/2: by ALPN over TLS,
// unencrypted HTTP/2 only (prior knowledge) for http URLs.
type netHTTPClient struct {
	c      *http.Client
	t      *http.Transport
	url    string
	header http.Header // fields every request carries besides net/http's
}

func newNetHTTP(url string, roots *x509.CertPool, dials *dialCounter) (getter, error) {
	t := &http.Transport{
		DialContext:       dials.dial,
		TLSClientConfig:   &tls.Config{RootCAs: roots},
		ForceAttemptHTTP2: true,
	}
	if strings.HasPrefix(url, "http:") {
		var protos http.Protocols
		protos.SetUnencryptedHTTP2(true)
		t.Protocols = &protos
	}
	return &netHTTPClient{c: &http.Client{Transport: t}, t: t, url: url}, nil
}

// withAiohttpDefaults gives net/http's client what an aiohttp Session
// does by default: a total timeout of 5 minutes, a cookie jar, and the
// Accept, Accept-Encoding and User-Agent fields; so that both clients
// send the same requests and do the same work for each.
func withAiohttpDefaults(c *netHTTPClient) (getter, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c.c.Timeout, c.c.Jar = aiohttp.DefaultTotalTimeout, jar
	c.header = http.Header{
		"Accept":          {"*/*"},
		"Accept-Encoding": {"gzip, deflate, br, zstd"},
		"User-Agent":      {aiohttp.DefaultUserAgent},
	}
	return c, nil
}

func (c *netHTTPClient) get() (int, int, error) {
	req, err := http.NewRequest("GET", c.url, nil)
	if err != nil {
		return 0, 0, err
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	resp, err := c.c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 2 {
		return 0, 0, fmt.Errorf("%s, not HTTP/2", resp.Proto)
	}
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, len(body), err
}

func (c *netHTTPClient) close() { c.t.CloseIdleConnections() }
