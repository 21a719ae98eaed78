// Command ws is the WebSocket benchmark: one program that is either a
// server or a client, built on one of several WebSocket implementations.
//
// Every server speaks the same tiny protocol, so a client of any
// implementation can drive it:
//
//   - binary messages are echoed back as they are (echo mode);
//   - the text message "oneway" switches the connection to one-way mode,
//     where binary messages are only counted;
//   - the text message "end" is answered with a text message holding the
//     number of payload bytes counted since "oneway" (and resets it);
//   - the text message "broadcast" makes the server send a 16-byte binary
//     message to every open connection, one after another (see
//     broadcast.go for the client that measures it).
//
// The client opens -c connections, then spreads -n messages of -size
// bytes over them. In echo mode every connection sends a message and
// waits for its echo before sending the next; in one-way mode every
// connection sends its share back to back, then "end", and waits for the
// byte count. It prints one line: impl, mode, size, messages, seconds,
// msgs/s, MB/s (payload bytes in one direction, 10^6 bytes) and the CPU
// seconds (user + system) the client process spent on the exchange.
//
// Compression is off everywhere.
//
//	ws -role server -impl gws -addr 127.0.0.1:8091
//	ws -role client -impl gws -url ws://127.0.0.1:8091/ws -size 1024 -n 20000 -c 16 -mode echo
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// server runs the benchmark server of one implementation on addr.
type server func(addr string) error

// dialer opens one client connection of one implementation.
type dialer func(ctx context.Context, url string) (clientConn, error)

// clientConn is the client side of one connection.
type clientConn interface {
	// WriteBinary sends p as a binary message.
	WriteBinary(p []byte) error
	// WriteText sends s as a text message.
	WriteText(s string) error
	// Read returns the next text or binary message. The slice may be
	// reused by the next Read.
	Read() (text bool, p []byte, err error)
	Close() error
}

var impls = map[string]struct {
	serve server
	dial  dialer
}{
	"ours":         {serveOurs, dialOurs},
	"ours-receive": {serveOursReceive, dialOurs},
	"ours-conn":    {serveOursConn, dialOursConn},
	"gorilla":      {serveGorilla, dialGorilla},
	"coder":        {serveCoder, dialCoder},
	"gobwas":       {serveGobwas, dialGobwas},
	"gws":          {serveGws, dialGws},
}

// state is the per-connection server protocol.
type state struct {
	oneway    bool
	count     int64
	broadcast func() // sends broadcastPayload to every connection
}

// onText handles a text message and returns the reply, if any.
func (s *state) onText(p []byte) (reply string, ok bool) {
	switch string(p) {
	case "broadcast":
		s.broadcast()
	case "oneway":
		s.oneway, s.count = true, 0
	case "end":
		n := s.count
		s.count = 0
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

// onBinary handles a binary message and reports whether to echo it.
func (s *state) onBinary(p []byte) (echo bool) {
	if s.oneway {
		s.count += int64(len(p))
		return false
	}
	return true
}

func main() {
	role := flag.String("role", "server", "server or client")
	impl := flag.String("impl", "ours", "implementation: "+implNames())
	addr := flag.String("addr", "127.0.0.1:8091", "server: listen address")
	url := flag.String("url", "ws://127.0.0.1:8091/ws", "client: server URL")
	size := flag.Int("size", 16, "client: message size in bytes")
	n := flag.Int("n", 10000, "client: messages in all")
	conns := flag.Int("c", 16, "client: connections")
	mode := flag.String("mode", "echo", "client: echo or oneway")
	serverPID := flag.Int("server-pid", 0, "broadcast: the server's process, for its RSS")
	rounds := flag.Int("rounds", 5, "broadcast: broadcasts to time")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file (a server writes it on SIGINT or SIGTERM)")
	flag.Parse()
	if *cpuprofile != "" {
		defer startProfile(*cpuprofile)()
	}
	im, ok := impls[*impl]
	if !ok {
		log.Fatalf("unknown -impl %q; one of %s", *impl, implNames())
	}
	switch *role {
	case "server":
		if err := im.serve(*addr); err != nil {
			log.Fatal(err)
		}
	case "broadcast":
		if err := runBroadcast(*url, *conns, *rounds, *serverPID); err != nil {
			log.Fatal(err)
		}
	case "client":
		if *mode != "echo" && *mode != "oneway" {
			log.Fatalf("unknown -mode %q", *mode)
		}
		if *conns < 1 || *n < *conns || *size < 1 {
			log.Fatal("need -c >= 1, -n >= -c, -size >= 1")
		}
		el, cpu, err := runClient(im.dial, *url, *size, *n, *conns, *mode == "oneway")
		if err != nil {
			log.Fatal(err)
		}
		s := el.Seconds()
		fmt.Printf("%s %s %d %d %.4f %.0f %.2f %.6f\n", *impl, *mode, *size, *n, s,
			float64(*n)/s, float64(*n)*float64(*size)/s/1e6, cpu.Seconds())
	default:
		log.Fatalf("unknown -role %q", *role)
	}
}

// startProfile starts a CPU profile into path and returns the function
// that ends it; a signal that stops the process ends it too.
func startProfile(path string) (stop func()) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	stop = func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		stop()
		os.Exit(0)
	}()
	return stop
}

func implNames() string {
	var names []string
	for k := range impls {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Sprint(names)
}

// runClient connects all connections, then times the exchange: wall
// clock and the process's CPU time.
func runClient(dial dialer, url string, size, n, conns int, oneway bool) (el, cpu time.Duration, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cs := make([]clientConn, conns)
	for i := range cs {
		c, err := dial(ctx, url)
		if err != nil {
			return 0, 0, fmt.Errorf("dial: %w", err)
		}
		defer c.Close()
		if oneway {
			if err := c.WriteText("oneway"); err != nil {
				return 0, 0, err
			}
		}
		cs[i] = c
	}
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	cpu0 := cpuTime()
	start := time.Now()
	for i, c := range cs {
		share := n / conns
		if i < n%conns {
			share++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if oneway {
				err = sendOneway(c, payload, share)
			} else {
				err = sendEcho(c, payload, share)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	el = time.Since(start)
	cpu = cpuTime() - cpu0
	close(errs)
	if err := <-errs; err != nil {
		return 0, 0, err
	}
	return el, cpu, nil
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func sendEcho(c clientConn, payload []byte, count int) error {
	for range count {
		if err := c.WriteBinary(payload); err != nil {
			return err
		}
		text, p, err := c.Read()
		if err != nil {
			return err
		}
		if text || len(p) != len(payload) {
			return fmt.Errorf("echo: got %d bytes (text %v), want %d", len(p), text, len(payload))
		}
	}
	return nil
}

func sendOneway(c clientConn, payload []byte, count int) error {
	for range count {
		if err := c.WriteBinary(payload); err != nil {
			return err
		}
	}
	if err := c.WriteText("end"); err != nil {
		return err
	}
	text, p, err := c.Read()
	if err != nil {
		return err
	}
	want := strconv.Itoa(count * len(payload))
	if !text || string(p) != want {
		return fmt.Errorf("oneway: server counted %q, want %s", p, want)
	}
	return nil
}
