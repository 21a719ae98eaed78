package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/internal/field"
)

// benchConfig is the parsed command line of the bench command.
type benchConfig struct {
	url      string
	conns    int
	requests int64         // -n; 0 when the run is timed
	duration time.Duration // -d; 0 when the run is counted
	rate     float64       // --rate, requests/s in all; 0 for as fast as answered
	method   string
	headers  []string
	body     []byte // nil for none
	http2    bool
	insecure bool
	json     bool
	timeout  time.Duration
}

// benchDefaultDuration is how long a run lasts when neither -n nor -d
// says, as wrk's.
const benchDefaultDuration = 10 * time.Second

// benchUsage is the text of "aiohttp bench -h" above the flags.
const benchUsage = `usage: aiohttp bench [flags] URL

Load URL with -c connections, one request at a time on each, through this
project's client, for -n requests in all or for -d (10s when neither is
given), and print a summary: requests, errors, duration, requests/s,
latency percentiles, the count of each status and of each kind of error.

With --rate R the requests go out at R a second in all, on a fixed
schedule, whatever the answers take, and each latency is measured from the
moment its request was due, not from when a connection became free to
send it (no coordinated omission, as wrk2): a stalled server shows as
high latencies instead of fewer requests. Without --rate each connection
sends its next request as soon as the previous answer is read, and
latency is the time of each request.

Each request reads the whole body, as sent: no Accept-Encoding is sent
unless -H gives one, and nothing is decompressed. A request that got no response is an
error of one kind: timeout, connect, dns, tls, protocol, payload,
invalid_url or canceled. Statuses are counted, not treated as errors.
requests counts responses and errors; requests/s and the latencies are
of the responses. Redirects are followed, each counted once.

--json prints one object instead of the table:

  {"requests", "errors", "seconds", "rps",
   "latency_ms": {"p50", "p90", "p99", "p999", "max"},
   "status": {"200": N, ...}, "errors_by_kind": {"connect": N, ...}}

--http2 lets an https:// server choose HTTP/2 by ALPN; then -c is the
number of requests under way at once, which the client multiplexes over
its connections. Without it the client speaks HTTP/1.1, as wrk does. The
client does not speak HTTP/2 over plain TCP (h2c).

Exit status: 0 when the run took place (errors are in the summary), 1 when
the summary cannot be written, 2 on a usage error, 130 when interrupted
(the summary of what finished is printed; requests cut short are left out).

Examples:
  aiohttp bench http://127.0.0.1:8080/get
  aiohttp bench -c 100 -d 30s http://127.0.0.1:8080/bytes/1024
  aiohttp bench -n 100000 --json http://127.0.0.1:8080/get | jq .rps
  aiohttp bench --rate 2000 -d 1m http://127.0.0.1:8080/delay/0
  aiohttp bench -m POST --body @payload.json -H 'Content-Type: application/json' http://127.0.0.1:8080/post
  aiohttp bench --http2 --insecure https://localhost:8443/

`

// benchParse parses the bench command line; a nil config comes with the
// exit status to return (0 for -h).
func benchParse(args []string, stdout, stderr io.Writer) (*benchConfig, int) {
	fs := newFlagSet("bench", benchUsage, stdout)
	cfg := benchConfig{}
	var headers stringList
	var body string
	hasBody := false
	fs.IntVar(&cfg.conns, "c", 50, "connections (`N` > 0), each with one request under way at a time")
	fs.Int64Var(&cfg.requests, "n", 0, "make `N` requests in all, then stop")
	fs.DurationVar(&cfg.duration, "d", 0, "run for `D` (a Go duration: 10s, 1m), then stop (default 10s without -n)")
	fs.Float64Var(&cfg.rate, "rate", 0, "send `R` requests a second in all, on a fixed schedule; 0 for as fast as answered")
	fs.StringVar(&cfg.method, "m", "", "request `METHOD` (GET, or POST with --body)")
	fs.Var(&headers, "H", "add the request header `'Name: value'` (may be repeated)")
	fs.Func("body", "send `BODY` with each request; @FILE sends the file's content", func(s string) error {
		body, hasBody = s, true
		return nil
	})
	fs.BoolVar(&cfg.http2, "http2", false, "allow HTTP/2 (an https:// URL, chosen by ALPN)")
	fs.BoolVar(&cfg.insecure, "insecure", false, "do not verify the server's TLS certificate")
	fs.BoolVar(&cfg.json, "json", false, "print the summary as one JSON object")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "bound on each request (`D`, a Go duration; 0 for none)")
	rest, code, ok := fs.parse(args, stderr)
	if !ok {
		return nil, code
	}
	bad := func(format string, a ...any) (*benchConfig, int) {
		usageError(stderr, "bench", format, a...)
		return nil, 2
	}
	switch {
	case len(rest) == 0:
		return bad("no URL: give the URL to load")
	case len(rest) > 1:
		return bad("%d URLs: give one", len(rest))
	case cfg.conns <= 0:
		return bad("-c %d: must be at least 1", cfg.conns)
	case cfg.requests < 0:
		return bad("-n %d: must be positive", cfg.requests)
	case cfg.duration < 0:
		return bad("-d %v: must be positive", cfg.duration)
	case cfg.requests > 0 && cfg.duration > 0:
		return bad("-n and -d: give one")
	case cfg.rate < 0 || cfg.rate != cfg.rate:
		return bad("--rate %v: must be positive, or 0 for as fast as answered", cfg.rate)
	case cfg.timeout < 0:
		return bad("--timeout %v: must not be negative", cfg.timeout)
	}
	cfg.url = rest[0]
	u, err := url.Parse(cfg.url)
	switch {
	case err != nil:
		return bad("%v", err)
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return bad("%q: not an absolute http:// or https:// URL", cfg.url)
	case cfg.http2 && u.Scheme != "https":
		return bad("--http2 needs an https:// URL: the client speaks HTTP/2 over TLS only (no h2c)")
	}
	for _, h := range headers {
		if name, _, ok := strings.Cut(h, ":"); !ok || !field.IsToken(strings.TrimSpace(name)) {
			return bad("-H %q: must be 'Name: value'", h)
		}
	}
	cfg.headers = headers
	if cfg.requests == 0 && cfg.duration == 0 {
		cfg.duration = benchDefaultDuration
	}
	if hasBody {
		cfg.body = []byte(body)
		if name, ok := strings.CutPrefix(body, "@"); ok {
			if cfg.body, err = os.ReadFile(name); err != nil {
				return bad("--body: %v", err)
			}
		}
	}
	if cfg.method == "" {
		cfg.method = "GET"
		if cfg.body != nil {
			cfg.method = "POST"
		}
	}
	cfg.method = strings.ToUpper(cfg.method)
	if !field.IsToken(cfg.method) {
		return bad("-m %q: not a method", cfg.method)
	}
	return &cfg, 0
}

// workers is the number of connections that make requests: -c, or -n
// when it is fewer.
func (cfg *benchConfig) workers() int {
	if cfg.requests > 0 && cfg.requests < int64(cfg.conns) {
		return int(cfg.requests)
	}
	return cfg.conns
}

// bench is the "aiohttp bench" command run by the subcommand table.
func bench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := benchParse(args, stdout, stderr)
	if cfg == nil {
		return code
	}
	sum, err := runLoad(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "aiohttp bench:", err)
		return 1
	}
	if cfg.json {
		err = sum.writeJSON(stdout)
	} else {
		err = sum.writeTable(stdout, cfg)
	}
	if err != nil {
		fmt.Fprintln(stderr, "aiohttp bench: writing the summary:", err)
		return 1
	}
	if sum.interrupted {
		return 130
	}
	return 0
}

// benchSessionOptions are the session the bench command loads with: c
// connections (opened by dial), the headers of -H, HTTP/1.1 unless
// --http2, the --timeout on each request, no cookies kept, as a load
// generator's requests are all alike, and no compression.
func benchSessionOptions(cfg *benchConfig, dial dialFunc) aiohttp.SessionOptions {
	headers := aiohttp.Headers{}
	for _, h := range cfg.headers {
		name, value, _ := strings.Cut(h, ":")
		headers[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	timeout := cfg.timeout
	if timeout == 0 {
		timeout = -1 // none, where 0 is the session's default
	}
	return aiohttp.SessionOptions{
		Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
			Limit:       cfg.conns,
			DialContext: dial,
			TLS:         aiohttp.TLSOptions{InsecureSkipVerify: cfg.insecure},
		}),
		Headers: headers,
		// Bodies are read as sent: no Accept-Encoding unless -H sends one,
		// and no decoding, which would measure the client, not the server.
		SkipAutoHeaders:       []string{"Accept-Encoding"},
		DisableAutoDecompress: true,
		CookieJar:             aiohttp.DummyCookieJar{},
		Timeout:               aiohttp.ClientTimeout{Total: timeout},
		ForceHTTP1:            !cfg.http2,
	}
}
