package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/hdr"
)

// benchSummary is what the bench command prints of a run; its JSON form
// is the --json object, fields in this order.
type benchSummary struct {
	Requests     uint64            `json:"requests"` // answered or failed
	Errors       uint64            `json:"errors"`   // failed: no response
	Seconds      float64           `json:"seconds"`
	RPS          float64           `json:"rps"` // responses a second
	LatencyMS    benchLatency      `json:"latency_ms"`
	Status       map[string]uint64 `json:"status"`
	ErrorsByKind map[string]uint64 `json:"errors_by_kind"`

	hist        *hdr.Histogram // the latencies of the responses, in ns
	http2       uint64         // responses over HTTP/2
	interrupted bool
}

// benchLatency are the latency percentiles of the --json object, in
// milliseconds.
type benchLatency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

// newBenchSummary merges what the workers counted in a run that took
// elapsed.
func newBenchSummary(workers []*worker, elapsed time.Duration) *benchSummary {
	s := &benchSummary{
		Seconds:      roundTo(elapsed.Seconds(), 1e3),
		Status:       map[string]uint64{},
		ErrorsByKind: map[string]uint64{},
		hist:         new(hdr.Histogram),
	}
	for _, w := range workers {
		s.Requests += w.requests
		s.Errors += w.failed
		s.http2 += w.http2
		s.hist.Merge(&w.hist)
		for code, n := range w.status {
			s.Status[strconv.Itoa(code)] += n
		}
		for kind, n := range w.errors {
			s.ErrorsByKind[kind] += n
		}
	}
	if elapsed > 0 {
		s.RPS = roundTo(float64(s.Requests-s.Errors)/elapsed.Seconds(), 10)
	}
	s.LatencyMS = benchLatency{
		P50:  ms(s.hist.Quantile(0.50)),
		P90:  ms(s.hist.Quantile(0.90)),
		P99:  ms(s.hist.Quantile(0.99)),
		P999: ms(s.hist.Quantile(0.999)),
		Max:  ms(s.hist.Max()),
	}
	return s
}

// ms is a duration in nanoseconds in milliseconds, to the microsecond.
func ms(ns int64) float64 { return roundTo(float64(ns)/1e6, 1e3) }

// roundTo rounds x to a multiple of 1/scale.
func roundTo(x, scale float64) float64 { return math.Round(x*scale) / scale }

// writeJSON prints s as one JSON object on a line.
func (s *benchSummary) writeJSON(w io.Writer) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeTable prints s for a person: the run, the throughput, the latency
// percentiles, then the count of each status and each kind of error.
func (s *benchSummary) writeTable(out io.Writer, cfg *benchConfig) error {
	w := bufio.NewWriter(out)
	proto := "HTTP/1.1"
	if s.http2 > 0 {
		proto = "HTTP/2"
		if s.http2 < s.Requests-s.Errors {
			proto = "HTTP/2 and HTTP/1.1"
		}
	}
	fmt.Fprintf(w, "%s %s, %d connections, %s\n", cfg.method, cfg.url, cfg.workers(), proto)
	if cfg.rate > 0 {
		fmt.Fprintf(w, "rate %g/s, latency from each request's due time\n", cfg.rate)
	}
	if s.interrupted {
		fmt.Fprintln(w, "interrupted: the summary of what finished")
	}
	fmt.Fprintf(w, "\n  %-12s %d\n", "requests", s.Requests)
	fmt.Fprintf(w, "  %-12s %d\n", "errors", s.Errors)
	fmt.Fprintf(w, "  %-12s %.3f s\n", "duration", s.Seconds)
	fmt.Fprintf(w, "  %-12s %.1f\n", "requests/s", s.RPS)

	if s.hist.Count() == 0 {
		fmt.Fprintf(w, "\n  %-12s no response\n", "latency ms")
	} else {
		fmt.Fprintf(w, "\n  %-12s %9s %9s %9s %9s %9s %9s %9s\n", "latency ms", "min", "mean", "p50", "p90", "p99", "p99.9", "max")
		l := s.LatencyMS
		fmt.Fprintf(w, "  %-12s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", "",
			ms(s.hist.Min()), roundTo(s.hist.Mean()/1e6, 1e3), l.P50, l.P90, l.P99, l.P999, l.Max)
	}

	for _, t := range []struct {
		title  string
		counts map[string]uint64
	}{{"status", s.Status}, {"error", s.ErrorsByKind}} {
		if len(t.counts) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n  %-12s %9s\n", t.title, "count")
		for _, k := range slices.Sorted(maps.Keys(t.counts)) {
			fmt.Fprintf(w, "  %-12s %9d\n", k, t.counts[k])
		}
	}
	return w.Flush()
}
