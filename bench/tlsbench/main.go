// Tlsbench measures HTTPS with a new connection for every request, so
// that the TLS handshake is most of the work: handshakes (= requests) per
// second and CPU time per handshake, with and without session resumption,
// ours against net/http, as Markdown tables.
//
//   - clients: our Session (ForceClose, its connector's session cache or
//     TLSSessionCacheSize -1) and net/http's Transport (DisableKeepAlives,
//     a tls.NewLRUClientSessionCache or none) against net/http's server;
//     the CPU time is the client process's.
//   - servers: our server and net/http's, both with crypto/tls's ticket
//     keys, under one load generator of bare crypto/tls connections; the
//     CPU time is the server process's (/proc/PID/stat).
//
// Every request is GET / over HTTP/1.1 with Connection: close, the
// certificate (ECDSA P-256, self-signed) verified. The server runs pinned
// to one core, the load to the other (taskset, when there are two).
//
//	go run ./tlsbench run -d 5s -c 16
//
// The run mode starts this program again as "serve" and "load" processes.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/aiohttp-go/aiohttp/web"
)

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: tlsbench run|serve|load [flags]")
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = run(os.Args[2:])
	case "serve":
		err = serve(os.Args[2:])
	case "load":
		err = load(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q (run, serve or load)", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

// ---- serve -------------------------------------------------------------

// serve runs a TLS server answering "Hello, World!" until killed, after
// writing its certificate (PEM) to -cert.
func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	impl := fs.String("server", "aiohttp", "aiohttp or nethttp")
	addr := fs.String("addr", "127.0.0.1:8443", "listen address")
	certFile := fs.String("cert", "", "where to write the certificate (PEM)")
	version := fs.String("tls", "1.3", "highest TLS version: 1.3 or 1.2")
	fs.Parse(args)

	cert, _, err := testcert.Make("127.0.0.1")
	if err != nil {
		return err
	}
	// The certificate file tells the run that this server listens.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if *certFile != "" {
		pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
		if err := os.WriteFile(*certFile, pemCert, 0o644); err != nil {
			return err
		}
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tlsVersion(*version)}
	switch *impl {
	case "aiohttp":
		app := web.NewApplication()
		app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("Hello, World!"), nil })
		return web.RunApp(app, web.RunOptions{Listener: ln, TLSConfig: cfg, Out: io.Discard})
	case "nethttp":
		srv := &http.Server{
			TLSConfig: cfg,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				io.WriteString(w, "Hello, World!")
			}),
			ErrorLog: log.New(io.Discard, "", 0),
		}
		return srv.ServeTLS(ln, "", "")
	}
	return fmt.Errorf("unknown server %q", *impl)
}

// tlsVersion maps "1.2" and "1.3" to crypto/tls's constants.
func tlsVersion(v string) uint16 {
	if v == "1.2" {
		return tls.VersionTLS12
	}
	return tls.VersionTLS13
}

// ---- load --------------------------------------------------------------

// loadResult is what a load process reports: counts over the measured
// window and the process's CPU time in it, and the handshakes of the
// whole run, warm-up included.
type loadResult struct {
	Requests, Resumed, Errors int64
	Total                     int64 // handshakes, warm-up included
	Seconds, CPUSeconds       float64
	FirstError                string
}

// doFunc makes one request on a new connection and reports whether its
// handshake resumed a session.
type doFunc func() (resumed bool, err error)

// load runs one client for the warm-up and the duration with c workers
// and prints a loadResult as JSON.
func load(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	impl := fs.String("client", "aiohttp", "aiohttp, nethttp or raw (bare crypto/tls)")
	url := fs.String("url", "https://127.0.0.1:8443/", "URL to GET")
	certFile := fs.String("cert", "", "the server's certificate (PEM)")
	resume := fs.Bool("resume", true, "resume TLS sessions")
	conc := fs.Int("c", 16, "concurrent workers")
	dur := fs.Duration("d", 5*time.Second, "measured duration")
	warm := fs.Duration("warmup", time.Second, "warm-up before measuring")
	fs.Parse(args)

	pemCert, err := os.ReadFile(*certFile)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemCert) {
		return errors.New("no certificate in " + *certFile)
	}
	do, err := newLoadClient(*impl, *url, roots, *resume)
	if err != nil {
		return err
	}

	var measuring atomic.Bool
	var requests, resumed, errs, total atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range *conc {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, err := do()
				total.Add(1)
				if !measuring.Load() {
					continue
				}
				switch {
				case err != nil:
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				case r:
					resumed.Add(1)
					requests.Add(1)
				default:
					requests.Add(1)
				}
			}
		})
	}
	time.Sleep(*warm)
	cpu0 := cpuTime()
	start := time.Now()
	measuring.Store(true)
	time.Sleep(*dur)
	measuring.Store(false)
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	close(stop)
	wg.Wait()
	res := loadResult{
		Requests: requests.Load(), Resumed: resumed.Load(), Errors: errs.Load(), Total: total.Load(),
		Seconds: elapsed.Seconds(), CPUSeconds: cpu.Seconds(),
	}
	if e, ok := firstErr.Load().(string); ok {
		res.FirstError = e
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// newLoadClient returns the named client, making every request on a new
// connection over HTTP/1.1.
func newLoadClient(impl, url string, roots *x509.CertPool, resume bool) (doFunc, error) {
	switch impl {
	case "aiohttp":
		size := 0
		if !resume {
			size = -1
		}
		s, err := aiohttp.NewSession(aiohttp.SessionOptions{
			ForceHTTP1: true,
			Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
				ForceClose: true, Limit: -1, TLSSessionCacheSize: size,
				TLS: aiohttp.TLSOptions{Config: &tls.Config{RootCAs: roots}},
			}),
		})
		if err != nil {
			return nil, err
		}
		return func() (bool, error) {
			resp, err := s.Get(context.Background(), url)
			if err != nil {
				return false, err
			}
			defer resp.Close()
			body, err := resp.Text()
			if err == nil && (resp.Status != 200 || body != "Hello, World!") {
				err = fmt.Errorf("answer %d %q", resp.Status, body)
			}
			return resp.TLS != nil && resp.TLS.DidResume, err
		}, nil
	case "nethttp":
		cfg := &tls.Config{RootCAs: roots}
		if resume {
			cfg.ClientSessionCache = tls.NewLRUClientSessionCache(0)
		}
		var protos http.Protocols
		protos.SetHTTP1(true)
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: cfg, Protocols: &protos}}
		return func() (bool, error) {
			resp, err := c.Get(url)
			if err != nil {
				return false, err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err == nil && (resp.StatusCode != 200 || string(body) != "Hello, World!") {
				err = fmt.Errorf("answer %d %q", resp.StatusCode, body)
			}
			return resp.TLS != nil && resp.TLS.DidResume, err
		}, nil
	case "raw":
		host := strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/")
		cfg := &tls.Config{RootCAs: roots, NextProtos: []string{"http/1.1"}, ServerName: "127.0.0.1"}
		if resume {
			cfg.ClientSessionCache = tls.NewLRUClientSessionCache(0)
		}
		req := []byte("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
		return func() (bool, error) {
			conn, err := tls.Dial("tcp", host, cfg)
			if err != nil {
				return false, err
			}
			defer conn.Close()
			if _, err := conn.Write(req); err != nil {
				return false, err
			}
			answer, err := io.ReadAll(conn)
			if err == nil && (!bytes.HasPrefix(answer, []byte("HTTP/1.1 200 ")) || !bytes.HasSuffix(answer, []byte("Hello, World!"))) {
				err = fmt.Errorf("answer %q", answer)
			}
			return conn.ConnectionState().DidResume, err
		}, nil
	}
	return nil, fmt.Errorf("unknown client %q", impl)
}

// ---- run ---------------------------------------------------------------

// cell is one measurement.
type cell struct {
	server, client string
	resume         bool
	res            loadResult
	serverCPU      float64 // seconds over the whole load run
	err            error
}

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	dur := fs.Duration("d", 5*time.Second, "measured duration of each cell")
	warm := fs.Duration("warmup", time.Second, "warm-up of each cell")
	conc := fs.Int("c", 16, "concurrent connections of the load")
	port := fs.Int("port", 8443, "port on 127.0.0.1")
	version := fs.String("tls", "1.3", "highest TLS version: 1.3 or 1.2")
	serverCPU := fs.String("server-cpu", "0", "core for the server")
	loadCPU := fs.String("load-cpu", "1", "core for the load")
	rounds := fs.Int("rounds", 1, "measure every cell this many times, round-robin, and keep each one's best")
	fs.Parse(args)

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "tlsbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pin := func(cpu string) []string {
		if _, err := exec.LookPath("taskset"); err == nil && exec.Command("taskset", "-c", cpu, "true").Run() == nil && *serverCPU != *loadCPU {
			return []string{"taskset", "-c", cpu}
		}
		return nil
	}
	pinServer, pinLoad := pin(*serverCPU), pin(*loadCPU)
	addr := "127.0.0.1:" + strconv.Itoa(*port)
	url := "https://" + addr + "/"

	measure := func(c *cell) {
		certFile := dir + "/cert.pem"
		os.Remove(certFile)
		srv := command(pinServer, exe, "serve", "-server", c.server, "-addr", addr, "-cert", certFile, "-tls", *version)
		srv.Stderr = os.Stderr
		if c.err = srv.Start(); c.err != nil {
			return
		}
		done := make(chan struct{})
		go func() { srv.Wait(); close(done) }()
		defer func() { srv.Process.Kill(); <-done }()
		if c.err = waitServer(done, addr, certFile); c.err != nil {
			return
		}
		cpu0 := procCPU(srv.Process.Pid)
		ld := command(pinLoad, exe, "load", "-client", c.client, "-url", url, "-cert", certFile,
			"-resume="+strconv.FormatBool(c.resume), "-c", strconv.Itoa(*conc), "-d", dur.String(), "-warmup", warm.String())
		ld.Stderr = os.Stderr
		out, err := ld.Output()
		c.serverCPU = procCPU(srv.Process.Pid) - cpu0
		if err != nil {
			c.err = err
			return
		}
		var r loadResult
		if c.err = json.Unmarshal(out, &r); c.err == nil && r.Errors > 0 {
			c.err = fmt.Errorf("%d errors, the first: %s", r.Errors, r.FirstError)
		}
		c.res = r
	}

	var clients, servers []*cell
	for _, resume := range []bool{false, true} {
		for _, cl := range []string{"aiohttp", "nethttp"} {
			clients = append(clients, &cell{server: "nethttp", client: cl, resume: resume})
		}
		for _, sv := range []string{"aiohttp", "nethttp"} {
			servers = append(servers, &cell{server: sv, client: "raw", resume: resume})
		}
	}
	best := map[*cell]loadResult{}
	bestCPU := map[*cell]float64{}
	for round := range *rounds {
		if *rounds > 1 {
			log.Printf("round %d of %d", round+1, *rounds)
		}
		for _, c := range append(append([]*cell{}, clients...), servers...) {
			log.Printf("server %s, client %s, resumption %v ...", c.server, c.client, c.resume)
			measure(c)
			if c.err != nil {
				log.Printf("  failed: %v", c.err)
				continue
			}
			if b, ok := best[c]; !ok || c.res.Requests > b.Requests {
				best[c], bestCPU[c] = c.res, c.serverCPU
			}
		}
	}

	host, _ := os.Hostname()
	fmt.Printf("TLS %s, ECDSA P-256 certificate verified, one GET per connection (HTTP/1.1, Connection: close), %d concurrent, %s per cell after %s warm-up, best of %d; %s\n\n",
		*version, *conc, dur, warm, *rounds, host)
	fmt.Println("Clients against net/http's server; CPU is the client process's:")
	fmt.Println()
	fmt.Println("| client | resumption | handshakes/s (= requests/s) | resumed | client CPU µs/handshake | vs net/http (rate) | vs net/http (CPU) |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- |")
	for _, c := range clients {
		printRow(c, best, func(r loadResult, _ float64) float64 { return r.CPUSeconds / float64(r.Requests) }, bestCPU, clients, func(o *cell) bool { return o.client == "nethttp" && o.resume == c.resume }, clientName(c.client))
	}
	fmt.Println()
	fmt.Println("Servers under one load generator (bare crypto/tls connections); CPU is the server process's:")
	fmt.Println()
	fmt.Println("| server | resumption | handshakes/s (= requests/s) | resumed | server CPU µs/handshake | vs net/http (rate) | vs net/http (CPU) |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- |")
	for _, c := range servers {
		printRow(c, best, func(r loadResult, srvCPU float64) float64 { return srvCPU / float64(r.Total) }, bestCPU, servers, func(o *cell) bool { return o.server == "nethttp" && o.resume == c.resume }, clientName(c.server))
	}
	return nil
}

// printRow prints a table row for c, its rate and CPU time per handshake
// (from perHandshake) beside those of the cell that isBase picks out of
// cells.
func printRow(c *cell, best map[*cell]loadResult, perHandshake func(loadResult, float64) float64, bestCPU map[*cell]float64, cells []*cell, isBase func(*cell) bool, name string) {
	onOff := map[bool]string{true: "on", false: "off"}[c.resume]
	r, ok := best[c]
	if !ok || r.Requests == 0 {
		fmt.Printf("| %s | %s | failed | | | | |\n", name, onOff)
		return
	}
	rate := float64(r.Requests) / r.Seconds
	cpu := perHandshake(r, bestCPU[c]) * 1e6
	rateRatio, cpuRatio := "–", "–"
	for _, o := range cells {
		if b, ok := best[o]; ok && isBase(o) && b.Requests > 0 {
			rateRatio = fmt.Sprintf("%.2f×", rate/(float64(b.Requests)/b.Seconds))
			cpuRatio = fmt.Sprintf("%.2f×", cpu/(perHandshake(b, bestCPU[o])*1e6))
		}
	}
	fmt.Printf("| %s | %s | %.0f | %.0f %% | %.0f | %s | %s |\n", name, onOff, rate,
		100*float64(r.Resumed)/float64(r.Requests), cpu, rateRatio, cpuRatio)
}

// clientName names an implementation in the tables.
func clientName(impl string) string {
	switch impl {
	case "aiohttp":
		return "aiohttp-go (ours)"
	case "nethttp":
		return "net/http"
	}
	return impl
}

// command returns the command line pinned with pin.
func command(pin []string, name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, pin...), name), args...)
	return exec.Command(argv[0], argv[1:]...)
}

// waitServer waits until the server listens, which it tells by writing
// its certificate, or exits (done closed).
func waitServer(done <-chan struct{}, addr, certFile string) error {
	for range 200 {
		if _, err := os.Stat(certFile); err == nil {
			return nil
		}
		select {
		case <-done:
			return errors.New("the server exited: is " + addr + " in use?")
		case <-time.After(50 * time.Millisecond):
		}
	}
	return errors.New("the server did not start on " + addr)
}

// procCPU returns the user and system CPU seconds of process pid from
// /proc/PID/stat.
func procCPU(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ is 100 on Linux
}
