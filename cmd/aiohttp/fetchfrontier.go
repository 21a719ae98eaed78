package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/frontier"
)

// fetchFrontier runs the fetch command on a shared Redis frontier: it
// seeds it (--seed), prints its results (--results) or counts
// (--status), or works on it until it is drained.
func fetchFrontier(ctx context.Context, cfg *fetchConfig, stdout, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f, err := frontier.OpenRedis(ctx, cfg.frontier, frontier.RedisOptions{
		Name: cfg.frontierName, VisibilityTimeout: cfg.lease, Follow: cfg.follow, Logger: log,
	})
	if err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch:", err)
		return 1
	}
	defer f.Close()
	switch {
	case cfg.seed != "" || len(cfg.urls) > 0:
		return seedFrontier(ctx, f, cfg, stdout, stderr)
	case cfg.results:
		return printResults(ctx, f, cfg, stdout, stderr)
	case cfg.status:
		return printStatus(ctx, f, stdout, stderr)
	}

	s, err := aiohttp.NewSession(fetchSessionOptions(cfg))
	if err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch:", err)
		return 1
	}
	defer s.Close()
	hosts := frontier.NewRedisHosts(f.Client(),
		frontier.HostLimits{PerHost: cfg.limitPerHost, Rate: cfg.rate},
		frontier.RedisHostsOptions{Name: cfg.frontierName, LeaseTimeout: cfg.lease, Logger: log})
	defer hosts.Close()
	c := &crawl{cfg: cfg, session: s, body: cfg.bodyOptions()}
	out := newResultWriter(stdout, cfg.output)
	w := &frontier.Worker{
		Frontier: f, Hosts: hosts, Limit: cfg.limit, Logger: log,
		Fetch: func(ctx context.Context, t *frontier.Task) frontier.Result {
			r := c.fetchOne(ctx, t.URL)
			data, _ := json.Marshal(&r)
			return frontier.Result{Failed: r.Error != "", Data: data}
		},
		OnResult: func(fr frontier.Result) {
			var r result
			if json.Unmarshal(fr.Data, &r) == nil {
				out.write(&r)
			}
		},
	}
	err = w.Run(ctx)
	if werr := out.flush(); werr != nil {
		fmt.Fprintln(stderr, "aiohttp fetch: writing the results:", werr)
		return 1
	}
	switch {
	case ctx.Err() != nil:
		return 130 // the tasks under way went back to the frontier
	case err != nil:
		fmt.Fprintln(stderr, "aiohttp fetch:", err)
		return 1
	}
	return 0
}

// seedFrontier adds the URL arguments and the URLs of --seed to the
// frontier and says how many were new.
func seedFrontier(ctx context.Context, f frontier.Frontier, cfg *fetchConfig, stdout, stderr io.Writer) int {
	input, closeInput, err := openURLs(cfg.seed)
	if err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch:", err)
		return 2
	}
	defer closeInput()
	urls := make(chan string)
	readErr := make(chan error, 1)
	go func() { readErr <- feedURLs(ctx, cfg.urls, input, urls) }()
	added, seen := 0, 0
	batch := make([]string, 0, 1000)
	add := func() error {
		n, err := f.Add(ctx, batch...)
		added += n
		seen += len(batch)
		batch = batch[:0]
		return err
	}
	for u := range urls {
		if batch = append(batch, u); len(batch) == cap(batch) {
			if err := add(); err != nil {
				fmt.Fprintln(stderr, "aiohttp fetch:", err)
				return 1
			}
		}
	}
	if err := add(); err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch:", err)
		return 1
	}
	if err := <-readErr; err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch: reading URLs:", err)
		return 1
	}
	fmt.Fprintf(stdout, "seeded %d new URLs (%d already seen)\n", added, seen-added)
	return 0
}

// printResults prints every recorded result once.
func printResults(ctx context.Context, f frontier.Frontier, cfg *fetchConfig, stdout, stderr io.Writer) int {
	out := newResultWriter(stdout, cfg.output)
	bad := 0
	err := f.Results(ctx, func(fr frontier.Result) error {
		var r result
		if json.Unmarshal(fr.Data, &r) != nil {
			bad++ // recorded by another program
			return nil
		}
		out.write(&r)
		return out.err
	})
	if ferr := out.flush(); err == nil {
		err = ferr
	}
	if err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch:", err)
		return 1
	}
	if bad > 0 {
		fmt.Fprintf(stderr, "aiohttp fetch: %d results are not fetch's JSON; skipped\n", bad)
	}
	return 0
}

// printStatus prints the frontier's counts, one "name value" a line.
func printStatus(ctx context.Context, f frontier.Frontier, stdout, stderr io.Writer) int {
	s, err := f.Stats(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch:", err)
		return 1
	}
	w := bufio.NewWriter(stdout)
	fmt.Fprintf(w, "queued     %d\nin_flight  %d\ndone       %d\nfailed     %d\nmalformed  %d\nrate       %.2f/s\n",
		s.Queued, s.InFlight, s.Done, s.Failed, s.Malformed, s.Rate)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(stderr, "aiohttp fetch:", err)
		return 1
	}
	return 0
}

// frontierModes checks the flags that only make sense with --frontier.
func (cfg *fetchConfig) frontierModes() string {
	var modes []string
	for name, on := range map[string]bool{"--seed": cfg.seed != "", "--results": cfg.results, "--status": cfg.status} {
		if on {
			modes = append(modes, name)
		}
	}
	switch {
	case cfg.frontier == "" && (len(modes) > 0 || cfg.follow || cfg.rate > 0):
		return "--seed, --results, --status, --follow and --rate need --frontier"
	case len(modes) > 1:
		return strings.Join(modes, " and ") + ": give one"
	case cfg.frontier != "" && cfg.input != "":
		return "-i with --frontier: seed the frontier with --seed FILE"
	case cfg.rate < 0:
		return fmt.Sprintf("--rate %v: must not be negative", cfg.rate)
	case cfg.lease <= 0:
		return fmt.Sprintf("--lease %v: must be positive", cfg.lease)
	}
	return ""
}
