package main

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/frontier"
)

// crawl fetches URLs as fast as its limits allow: at most cfg.limit at
// once and cfg.limitPerHost to one host, the next URL started the moment
// a slot frees, from the hosts in turn, so that no host's backlog holds
// up the others.
type crawl struct {
	cfg     *fetchConfig
	session *aiohttp.Session
	out     *resultWriter
	bar     *progress

	pending map[string][]string // host -> URLs not started, in input order
	hosts   []string            // hosts with pending URLs, in turn order
	active  map[string]int      // host -> fetches running
	running int
	failed  int
	body    []aiohttp.RequestOption // --data or --json
}

// run fetches every URL received from urls until it is closed and every
// fetch finished, or until ctx ends; a fetch cut short by ctx is
// reported as canceled.
func (c *crawl) run(ctx context.Context, urls <-chan string) {
	c.pending = make(map[string][]string)
	c.active = make(map[string]int)
	c.body = c.cfg.bodyOptions()
	done := make(chan result)
	for urls != nil || c.running > 0 {
		select {
		case u, ok := <-urls:
			if !ok {
				urls = nil
				c.bar.inputEnd()
				break
			}
			c.bar.add()
			host, err := frontier.Host(u)
			if err != nil {
				c.report(result{URL: u, Error: "invalid_url"})
				break
			}
			if len(c.pending[host]) == 0 {
				c.hosts = append(c.hosts, host)
			}
			c.pending[host] = append(c.pending[host], u)
		case r := <-done:
			c.running--
			c.active[r.host]--
			c.report(r)
		case <-ctx.Done():
			// The fetches running end with their context; report them.
			for ; c.running > 0; c.running-- {
				c.report(<-done)
			}
			return
		}
		c.start(ctx, done)
	}
}

// start begins fetches while the limits allow, taking hosts in turn.
func (c *crawl) start(ctx context.Context, done chan<- result) {
	for i := 0; c.running < c.cfg.limit && i < len(c.hosts); {
		host := c.hosts[i]
		if c.cfg.limitPerHost > 0 && c.active[host] >= c.cfg.limitPerHost {
			i++
			continue
		}
		u := c.pending[host][0]
		if rest := c.pending[host][1:]; len(rest) > 0 {
			c.pending[host] = rest
			// The host goes to the back of the turn.
			c.hosts = append(append(c.hosts[:i], c.hosts[i+1:]...), host)
		} else {
			delete(c.pending, host)
			c.hosts = append(c.hosts[:i], c.hosts[i+1:]...)
		}
		c.running++
		c.active[host]++
		go func() {
			r := c.fetchOne(ctx, u)
			r.host = host
			done <- r
		}()
	}
}

// report prints r and counts it.
func (c *crawl) report(r result) {
	if r.Error != "" {
		c.failed++
	}
	c.out.write(&r)
	c.bar.done(r.Error != "")
}

// titleScanLimit bounds the part of an HTML body searched for its title.
const titleScanLimit = 256 << 10

// fetchOne fetches one URL within the --timeout and returns its result.
func (c *crawl) fetchOne(ctx context.Context, u string) (r result) {
	start := time.Now()
	if c.cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.timeout)
		defer cancel()
	}
	r.URL = u
	defer func() { r.ElapsedMS = float64(time.Since(start).Microseconds()) / 1000 }()

	resp, err := c.session.Request(ctx, c.cfg.method, u, c.body...)
	if err != nil {
		r.Error = errorKind(ctx, err)
		return r
	}
	defer resp.Close()
	r.FinalURL, r.Status = resp.URL.String(), resp.Status

	var sink io.Writer = io.Discard
	if c.cfg.save != "" {
		f, err := createSaveFile(c.cfg.save, resp.URL)
		if err != nil {
			r.Error = "payload"
			return r
		}
		defer f.Close()
		sink = f
	}
	html := isHTML(resp.ContentType())
	var head bytes.Buffer
	n, err := io.Copy(io.MultiWriter(sink, &prefixWriter{buf: &head, limit: titleScanLimit, on: html}), resp.Content())
	r.Bytes = n
	if err != nil {
		r.Error = errorKind(ctx, err)
		return r
	}
	if html {
		if t, ok := htmlTitle(head.Bytes(), resp.Header.Get("Content-Type")); ok {
			r.Title = &t
		}
	}
	return r
}

// prefixWriter keeps the first limit bytes written to it, when on.
type prefixWriter struct {
	buf   *bytes.Buffer
	limit int
	on    bool
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	if w.on && w.buf.Len() < w.limit {
		w.buf.Write(p[:min(len(p), w.limit-w.buf.Len())])
	}
	return len(p), nil
}

// createSaveFile creates the file of --save for a body from u:
// DIR/host/path, "index.html" for a path that ends with a slash, the
// query escaped into the name. Dot segments are resolved first, as
// escaped ones ("%2e%2e"), and a segment's escaped slash stays in its
// name, so nothing lands outside DIR.
func createSaveFile(dir string, u *url.URL) (*os.File, error) {
	var segs []string
	raw := strings.Split(u.EscapedPath(), "/")
	for _, seg := range raw {
		if d, err := url.PathUnescape(seg); err == nil {
			seg = d
		}
		switch seg {
		case "", ".":
		case "..":
			segs = segs[:max(len(segs)-1, 0)]
		default:
			segs = append(segs, safeName(seg))
		}
	}
	if last := raw[len(raw)-1]; len(segs) == 0 || last == "" || last == "." || last == ".." {
		segs = append(segs, "index.html")
	}
	if u.RawQuery != "" {
		segs[len(segs)-1] += safeName("?" + u.RawQuery)
	}
	path := filepath.Join(append([]string{dir, safeName(u.Host)}, segs...)...)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.Create(path)
}

// safeName makes s one file name: path separators and NUL escaped.
func safeName(s string) string {
	return strings.NewReplacer("/", "%2F", "\\", "%5C", "\x00", "%00").Replace(s)
}
