package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/frontier"
)

// fetchDialContext opens the fetch command's connections; nil is the
// connector's own dialer (a variable for tests of main).
var fetchDialContext func(ctx context.Context, network, addr string) (net.Conn, error)

// fetchConfig is the parsed command line of the fetch command.
type fetchConfig struct {
	urls         []string
	input        string // -i FILE, "-" for stdin
	limit        int
	limitPerHost int
	timeout      time.Duration
	retries      int
	method       string
	headers      []string
	data         string
	hasData      bool
	json         string
	hasJSON      bool
	output       string
	save         string

	// a shared frontier (fetchfrontier.go)
	frontier     string
	frontierName string
	seed         string
	results      bool
	status       bool
	follow       bool
	rate         float64
	lease        time.Duration
}

// fetchUsage is the text of "aiohttp fetch -h" above the flags.
const fetchUsage = `usage: aiohttp fetch [flags] [URL...]

Fetch every URL concurrently (the seeds' crawler as a tool), URLs from the
arguments and, with -i FILE, one a line from FILE ("-" for standard input),
and print one JSON object a URL as each finishes:

  {"url", "final_url", "status", "bytes", "elapsed_ms", "title", "error"}

title is the HTML <title> (charset-aware), else null; error is "" or one of
timeout, connect, dns, tls, protocol, payload, invalid_url, canceled.

At most --limit connections are in use at once, at most --limit-per-host to
one host, and the tool keeps them busy. A live progress bar goes to standard
error when it is a terminal.

Exit status: 0 when every URL was fetched, 1 when any failed, 2 on a usage
error, 130 when interrupted (what finished is printed).

With --frontier redis://HOST:PORT/DB, any number of fetch processes, on any
machines, share one crawl in Redis: --seed FILE (or URL arguments) adds the
URLs never seen before and exits; without it the process is a worker that
takes URLs until the frontier is empty and no worker has any in flight,
then exits 0 (--follow keeps waiting), printing the results it recorded.
--limit-per-host and --rate hold across all workers. A worker that dies
loses nothing: its URLs and host slots are taken again after --lease, and
each URL's result is recorded once. --results prints every recorded
result once; --status prints the counts and the completion rate.

Examples:
  aiohttp fetch http://127.0.0.1:8080/get http://127.0.0.1:8080/html
  seq 1000 | sed 's|^|http://127.0.0.1:8080/bytes/|' | aiohttp fetch -i - --output table
  aiohttp fetch --limit 20 --limit-per-host 4 --retries 2 --timeout 10s -i urls.txt > results.jsonl
  aiohttp fetch -X POST --json '{"k": 1}' -H 'X-Token: t' http://127.0.0.1:8080/post
  aiohttp fetch --frontier redis://127.0.0.1:6379/0 --seed urls.txt
  aiohttp fetch --frontier redis://127.0.0.1:6379/0 --limit 50 --limit-per-host 4 --rate 10 > part.jsonl
  aiohttp fetch --frontier redis://127.0.0.1:6379/0 --status

`

// fetchParse parses the fetch command line; a nil config comes with the
// exit status to return (0 for -h).
func fetchParse(args []string, stdout, stderr io.Writer) (*fetchConfig, int) {
	fs := newFlagSet("fetch", fetchUsage, stdout)
	var cfg fetchConfig
	var headers stringList
	fs.StringVar(&cfg.input, "i", "", "read URLs from `FILE`, one a line (- for standard input)")
	fs.IntVar(&cfg.limit, "limit", 100, "connections in use at once, to all hosts (`N` > 0)")
	fs.IntVar(&cfg.limitPerHost, "limit-per-host", 0, "connections in use at once to one host (`N`; 0 for no limit)")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "bound on each URL, retries included (`D`, a Go duration; 0 for none)")
	fs.IntVar(&cfg.retries, "retries", 0, "retry a URL up to `N` times on connection errors, timeouts, 429 and 5xx (idempotent methods only)")
	fs.StringVar(&cfg.method, "X", "", "request `METHOD` (GET, or POST with --data or --json)")
	fs.Var(&headers, "H", "add the request header `'Name: value'` (may be repeated)")
	fs.Func("data", "send `BODY` as an application/x-www-form-urlencoded body", func(s string) error {
		cfg.data, cfg.hasData = s, true
		return nil
	})
	fs.Func("json", "send `JSON` as an application/json body", func(s string) error {
		cfg.json, cfg.hasJSON = s, true
		return nil
	})
	fs.StringVar(&cfg.output, "output", "jsonl", "output `FORMAT`: jsonl or table")
	fs.StringVar(&cfg.save, "save", "", "save each body under `DIR`/host/path")
	fs.StringVar(&cfg.frontier, "frontier", "", "work on the shared frontier in Redis at `URL` (redis://host:port/db)")
	fs.StringVar(&cfg.frontierName, "name", "aiohttp-fetch", "the frontier's `NAME` in Redis: one per crawl")
	fs.StringVar(&cfg.seed, "seed", "", "add the URLs of `FILE` (one a line, - for standard input) to the frontier and exit")
	fs.BoolVar(&cfg.results, "results", false, "print the frontier's recorded results, each URL once, and exit")
	fs.BoolVar(&cfg.status, "status", false, "print the frontier's counts and completion rate and exit")
	fs.BoolVar(&cfg.follow, "follow", false, "keep waiting for new URLs once the frontier is drained")
	fs.Float64Var(&cfg.rate, "rate", 0, "start at most `R` fetches a second to one host, across all workers (0 for no limit)")
	fs.DurationVar(&cfg.lease, "lease", frontier.DefaultVisibilityTimeout, "how long the URLs and host slots of a worker that went silent stay taken (`D`)")
	urls, code, ok := fs.parse(args, stderr)
	if !ok {
		return nil, code
	}
	cfg.urls, cfg.headers = urls, headers
	bad := func(format string, a ...any) (*fetchConfig, int) {
		usageError(stderr, "fetch", format, a...)
		return nil, 2
	}
	if msg := cfg.frontierModes(); msg != "" {
		return bad("%s", msg)
	}
	switch {
	case len(cfg.urls) == 0 && cfg.input == "" && cfg.frontier == "":
		return bad("no URL: give URLs as arguments or -i FILE")
	case cfg.limit <= 0:
		return bad("--limit %d: must be at least 1", cfg.limit)
	case cfg.limitPerHost < 0:
		return bad("--limit-per-host %d: must be 0 (no limit) or more", cfg.limitPerHost)
	case cfg.timeout < 0:
		return bad("--timeout %v: must not be negative", cfg.timeout)
	case cfg.retries < 0:
		return bad("--retries %d: must not be negative", cfg.retries)
	case cfg.hasData && cfg.hasJSON:
		return bad("--data and --json: give one body")
	case cfg.output != "jsonl" && cfg.output != "table":
		return bad("--output %q: must be jsonl or table", cfg.output)
	}
	for _, h := range cfg.headers {
		if name, _, ok := strings.Cut(h, ":"); !ok || strings.TrimSpace(name) == "" {
			return bad("-H %q: must be 'Name: value'", h)
		}
	}
	if cfg.method == "" {
		cfg.method = "GET"
		if cfg.hasData || cfg.hasJSON {
			cfg.method = "POST"
		}
	}
	cfg.method = strings.ToUpper(cfg.method)
	return &cfg, 0
}

// fetch is the "aiohttp fetch" command run by the subcommand table; -i -
// reads standard input.
func fetch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := fetchParse(args, stdout, stderr)
	if cfg == nil {
		return code
	}
	if cfg.frontier != "" {
		return fetchFrontier(ctx, cfg, stdout, stderr)
	}
	input, closeInput, err := openURLs(cfg.input)
	if err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch:", err)
		return 2
	}
	defer closeInput()

	s, err := aiohttp.NewSession(fetchSessionOptions(cfg))
	if err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch:", err)
		return 1
	}
	defer s.Close()

	out := newResultWriter(stdout, cfg.output)
	bar := newProgress(stderr)
	c := &crawl{cfg: cfg, session: s, out: out, bar: bar}
	urls := make(chan string)
	readErr := make(chan error, 1)
	go func() { readErr <- feedURLs(ctx, cfg.urls, input, urls) }()
	c.run(ctx, urls)
	bar.finish()
	if err := out.flush(); err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch: writing the results:", err)
		return 1
	}
	if ctx.Err() != nil {
		return 130 // the input may still be blocked in a read: not waited for
	}
	if err := <-readErr; err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch: reading URLs:", err)
		return 1
	}
	if c.failed > 0 {
		return 1
	}
	return 0
}

// fetchSessionOptions are the session the fetch command crawls with: its
// connection limits, retries and headers.
func fetchSessionOptions(cfg *fetchConfig) aiohttp.SessionOptions {
	headers := aiohttp.Headers{}
	for _, h := range cfg.headers {
		name, value, _ := strings.Cut(h, ":")
		headers[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	opts := aiohttp.SessionOptions{
		Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
			Limit: cfg.limit, LimitPerHost: cfg.limitPerHost, CloseIdleAtLimit: true,
			DialContext: fetchDialContext,
		}),
		Headers: headers,
	}
	if cfg.retries > 0 {
		opts.Middlewares = []aiohttp.Middleware{aiohttp.RetryMiddleware(aiohttp.RetryOptions{Attempts: cfg.retries + 1})}
	}
	return opts
}

// bodyOptions are the request options that send --data or --json, with
// its Content-Type unless -H gives one.
func (cfg *fetchConfig) bodyOptions() []aiohttp.RequestOption {
	body, ctype := cfg.data, "application/x-www-form-urlencoded"
	switch {
	case cfg.hasJSON:
		body, ctype = cfg.json, "application/json"
	case !cfg.hasData:
		return nil
	}
	opts := []aiohttp.RequestOption{aiohttp.String(body)}
	for _, h := range cfg.headers {
		if name, _, _ := strings.Cut(h, ":"); strings.EqualFold(strings.TrimSpace(name), "Content-Type") {
			return opts
		}
	}
	return append(opts, aiohttp.Header("Content-Type", ctype))
}

// openURLs opens the file of URLs name names: none for "", standard
// input for "-". The function it returns closes what it opened.
func openURLs(name string) (io.Reader, func(), error) {
	switch name {
	case "":
		return nil, func() {}, nil
	case "-":
		return stdinReader, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// feedURLs sends the URLs of args, then those of input (one a line,
// blank lines and #-comments skipped) to urls, and closes it.
func feedURLs(ctx context.Context, args []string, input io.Reader, urls chan<- string) error {
	defer close(urls)
	send := func(u string) bool {
		select {
		case urls <- u:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, u := range args {
		if !send(u) {
			return nil
		}
	}
	if input == nil {
		return nil
	}
	sc := bufio.NewScanner(input)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !send(line) {
			return nil
		}
	}
	return sc.Err()
}
