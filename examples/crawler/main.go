// Crawler ports "三、实战：并发爬虫" of the seed tutorial "Python 异步 IO:
// aiohttp 与 asyncio 结合": the NewsCrawler, which fetches many pages at once
// through one session whose connector allows 10 connections in all and 3
// per host, gives each request 10 seconds, pulls the <title> out of each
// page, and reports a failure per URL instead of giving up.
//
// The Python original, abridged:
//
//	class NewsCrawler:
//	    async def __aenter__(self):
//	        connector = aiohttp.TCPConnector(limit=10, limit_per_host=3)
//	        self.session = aiohttp.ClientSession(connector=connector)
//	    async def fetch_title(self, url):
//	        try:
//	            async with self.session.get(url, timeout=aiohttp.ClientTimeout(total=10)) as resp:
//	                if resp.status != 200:
//	                    return {"url": url, "title": f"HTTP {resp.status}"}
//	                html = await resp.text()
//	                match = re.search(r'<title>([^<]+)</title>', html, re.IGNORECASE)
//	                title = match.group(1).strip() if match else "无标题"
//	                return {"url": url, "title": title}
//	        except asyncio.TimeoutError:
//	            return {"url": url, "title": "超时"}
//	        except Exception as e:
//	            return {"url": url, "title": f"错误: {type(e).__name__}"}
//	    async def crawl_all(self):
//	        tasks = [self.fetch_title(url) for url in self.urls]
//	        return await asyncio.gather(*tasks, return_exceptions=True)
//
//	print("开始抓取新闻网站标题...")
//	async with NewsCrawler(target_urls) as crawler:
//	    results = await crawler.crawl_all()
//	print("\n抓取结果:")
//	for r in results:
//	    print(f"  - [{r['url'][:40]}...] -> {r['title']}")
//
// The URLs to crawl are the arguments; without any, five paths of the demo
// server (go run ./cmd/aiohttp serve) under -url, which answer with text
// without a title, 405 and 404:
//
//	go run ./examples/crawler
//	go run ./examples/crawler https://news.ycombinator.com/ https://www.bbc.com/news
//
// Against the demo it prints:
//
//	开始抓取新闻网站标题...
//
//	抓取结果:
//	  - [http://127.0.0.1:8080/...] -> 无标题
//	  - [http://127.0.0.1:8080/news...] -> 无标题
//	  - [http://127.0.0.1:8080/health...] -> 无标题
//	  - [http://127.0.0.1:8080/api/data...] -> HTTP 405
//	  - [http://127.0.0.1:8080/no/such/page...] -> HTTP 404
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "base URL of the default pages to crawl")
	timeout := flag.Duration("timeout", 10*time.Second, "timeout of each request")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: crawler [-url base] [-timeout d] [URL ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	urls := flag.Args()
	if len(urls) == 0 {
		for _, p := range []string{"/", "/news", "/health", "/api/data", "/no/such/page"} {
			urls = append(urls, *base+p)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, urls, *timeout)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

// run is the seed's main.
func run(ctx context.Context, out io.Writer, urls []string, timeout time.Duration) error {
	fmt.Fprintln(out, "开始抓取新闻网站标题...")
	crawler, err := NewNewsCrawler(urls, timeout)
	if err != nil {
		return err
	}
	results := crawler.CrawlAll(ctx)
	crawler.Close()
	fmt.Fprintln(out, "\n抓取结果:")
	for _, r := range results {
		fmt.Fprintf(out, "  - [%s...] -> %s\n", prefix(r.URL, 40), r.Title)
	}
	return nil
}

// Result is what the crawler found at one URL: its title, or what went
// wrong.
type Result struct {
	URL   string
	Title string
}

// NewsCrawler fetches the titles of pages concurrently over one session.
type NewsCrawler struct {
	urls    []string
	timeout time.Duration
	session *aiohttp.Session
}

// NewNewsCrawler returns a crawler for urls whose requests each have
// timeout; Close it when done (the seed's async with).
func NewNewsCrawler(urls []string, timeout time.Duration) (*NewsCrawler, error) {
	// One session reused for every request; its connector opens at most 10
	// connections in all and 3 to any one host, and requests beyond that
	// wait their turn.
	connector := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: 10, LimitPerHost: 3})
	session, err := aiohttp.NewSession(aiohttp.SessionOptions{Connector: connector})
	if err != nil {
		return nil, err
	}
	return &NewsCrawler{urls: urls, timeout: timeout, session: session}, nil
}

// Close closes the session and its connector.
func (c *NewsCrawler) Close() error { return c.session.Close() }

var titleRE = regexp.MustCompile(`(?i)<title>([^<]+)</title>`)

// FetchTitle returns the title of one page; failures are reported in the
// title, as the seed does.
func (c *NewsCrawler) FetchTitle(ctx context.Context, url string) Result {
	title, err := c.fetchTitle(ctx, url)
	switch {
	case err == nil:
		return Result{URL: url, Title: title}
	case errors.Is(err, aiohttp.ErrServerTimeout), errors.Is(err, context.DeadlineExceeded):
		return Result{URL: url, Title: "超时"}
	default:
		return Result{URL: url, Title: "错误: " + typeName(err)}
	}
}

func (c *NewsCrawler) fetchTitle(ctx context.Context, url string) (string, error) {
	resp, err := c.session.Get(ctx, url, aiohttp.ClientTimeout{Total: c.timeout})
	if err != nil {
		return "", err
	}
	defer resp.Close()
	if resp.Status != 200 {
		return fmt.Sprintf("HTTP %d", resp.Status), nil
	}
	html, err := resp.Text()
	if err != nil {
		return "", err
	}
	if m := titleRE.FindStringSubmatch(html); m != nil {
		return strings.TrimSpace(m[1]), nil
	}
	return "无标题", nil
}

// CrawlAll fetches every title at once (the connector's limits permitting)
// and returns the results in the order of the URLs.
func (c *NewsCrawler) CrawlAll(ctx context.Context) []Result {
	results := make([]Result, len(c.urls))
	var wg sync.WaitGroup
	for i, url := range c.urls {
		wg.Go(func() { results[i] = c.FetchTitle(ctx, url) })
	}
	wg.Wait()
	return results
}

// prefix returns the first n characters of s (Python's s[:n]).
func prefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// aiohttpNames are aiohttp's names of the client error kinds, each kind
// before the kinds it derives from, so that the first match is the most
// precise.
var aiohttpNames = []struct {
	kind error
	name string
}{
	{aiohttp.ErrContentType, "ContentTypeError"},
	{aiohttp.ErrWSServerHandshake, "WSServerHandshakeError"},
	{aiohttp.ErrClientHTTPProxy, "ClientHttpProxyError"},
	{aiohttp.ErrTooManyRedirects, "TooManyRedirects"},
	{aiohttp.ErrClientResponse, "ClientResponseError"},
	{aiohttp.ErrClientConnectorDNS, "ClientConnectorDNSError"},
	{aiohttp.ErrClientProxyConnection, "ClientProxyConnectionError"},
	{aiohttp.ErrUnixClientConnector, "UnixClientConnectorError"},
	{aiohttp.ErrClientConnectorSSL, "ClientConnectorSSLError"},
	{aiohttp.ErrClientConnectorCertificate, "ClientConnectorCertificateError"},
	{aiohttp.ErrClientSSL, "ClientSSLError"},
	{aiohttp.ErrClientConnector, "ClientConnectorError"},
	{aiohttp.ErrClientOS, "ClientOSError"},
	{aiohttp.ErrClientConnectionReset, "ClientConnectionResetError"},
	{aiohttp.ErrServerDisconnected, "ServerDisconnectedError"},
	{aiohttp.ErrServerFingerprintMismatch, "ServerFingerprintMismatch"},
	{aiohttp.ErrServerConnection, "ServerConnectionError"},
	{aiohttp.ErrClientConnection, "ClientConnectionError"},
	{aiohttp.ErrClientPayload, "ClientPayloadError"},
	{aiohttp.ErrInvalidURLRedirect, "InvalidUrlRedirectClientError"},
	{aiohttp.ErrInvalidURLClient, "InvalidUrlClientError"},
	{aiohttp.ErrInvalidURL, "InvalidURL"},
	{aiohttp.ErrRedirectClient, "RedirectClientError"},
	{aiohttp.ErrNonHTTPURLRedirect, "NonHttpUrlRedirectClientError"},
	{aiohttp.ErrNonHTTPURLClient, "NonHttpUrlClientError"},
	{aiohttp.ErrClient, "ClientError"},
}

// typeName returns the name of err's class in aiohttp (the seed prints
// type(e).__name__), or its Go type for other errors.
func typeName(err error) string {
	for _, n := range aiohttpNames {
		if errors.Is(err, n.kind) {
			return n.name
		}
	}
	return fmt.Sprintf("%T", err)
}
