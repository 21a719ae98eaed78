// Fetcher ports "七、完整项目架构示例" of the seed tutorial "Python 异步 IO:
// aiohttp 与 asyncio 结合": the AsyncFetcher, which fetches URLs at once over
// one session with a 15-second total timeout, at most max_concurrent at a
// time, and turns each into a FetchResult — the status and the start of the
// text, or status 0 and the error, which it also logs.
//
// The Python original, abridged:
//
//	logging.basicConfig(level=logging.INFO)
//	logger = logging.getLogger(__name__)
//
//	@dataclass
//	class FetchResult:
//	    url: str
//	    status: int
//	    content: Optional[str] = None
//	    error: Optional[str] = None
//
//	class AsyncFetcher:
//	    def __init__(self, max_concurrent: int = 10):
//	        self.semaphore = asyncio.Semaphore(max_concurrent)
//	    async def __aenter__(self):
//	        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
//	    async def fetch(self, url: str) -> FetchResult:
//	        async with self.semaphore:
//	            try:
//	                async with self.session.get(url) as resp:
//	                    return FetchResult(url=url, status=resp.status,
//	                                       content=(await resp.text())[:1000])
//	            except Exception as e:
//	                logger.error(f"获取 {url} 失败: {e}")
//	                return FetchResult(url=url, status=0, error=str(e))
//	    async def fetch_all(self, urls: list) -> list:
//	        return await asyncio.gather(*[self.fetch(url) for url in urls])
//
//	async with AsyncFetcher(max_concurrent=3) as fetcher:
//	    results = await fetcher.fetch_all(urls)
//	for r in results:
//	    status_mark = "✓" if r.status == 200 else "✗"
//	    print(f"{status_mark} [{r.status:3}] {r.url}")
//
// (The seed writes content=await resp.text()[:1000], which slices the
// coroutine rather than the text and fails every fetch with a TypeError;
// the port does what was meant.) Failures are logged to standard error in
// the format of Python's logging.basicConfig.
//
// The URLs are the arguments; without any, the seed's httpbin paths /get,
// /delay/2, /status/500 and /html under -url, which the demo server (go run
// ./cmd/aiohttp serve) answers as httpbin does:
//
//	✓ [200] http://127.0.0.1:8080/get
//	✓ [200] http://127.0.0.1:8080/delay/2
//	✗ [500] http://127.0.0.1:8080/status/500
//	✓ [200] http://127.0.0.1:8080/html
//
// Against httpbin it prints what the seed prints:
//
//	go run ./examples/fetcher -url https://httpbin.org
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "base URL of the default httpbin paths")
	maxConcurrent := flag.Int("max-concurrent", 3, "requests allowed at once")
	timeout := flag.Duration("timeout", 15*time.Second, "total timeout of each request")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: fetcher [-url base] [-max-concurrent n] [-timeout d] [URL ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	log.SetFlags(0)
	if *maxConcurrent < 1 {
		log.Fatal("-max-concurrent must be at least 1")
	}
	urls := flag.Args()
	if len(urls) == 0 {
		for _, p := range []string{"/get", "/delay/2", "/status/500", "/html"} {
			urls = append(urls, *base+p)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, log.New(os.Stderr, "", 0), urls, *maxConcurrent, *timeout)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

// run is the seed's main.
func run(ctx context.Context, out io.Writer, logger *log.Logger, urls []string, maxConcurrent int, timeout time.Duration) error {
	fetcher, err := NewAsyncFetcher(maxConcurrent, timeout, logger)
	if err != nil {
		return err
	}
	results := fetcher.FetchAll(ctx, urls)
	fetcher.Close()
	for _, r := range results {
		mark := "✗"
		if r.Status == 200 {
			mark = "✓"
		}
		fmt.Fprintf(out, "%s [%3d] %s\n", mark, r.Status, r.URL)
	}
	return nil
}

// FetchResult is the outcome of fetching one URL: its status and the first
// 1000 characters of its text, or status 0 and what went wrong. (Content
// and Error are "" where Python has None.)
type FetchResult struct {
	URL     string
	Status  int
	Content string
	Error   string
}

// AsyncFetcher fetches URLs concurrently over one session, at most
// max_concurrent at a time.
type AsyncFetcher struct {
	semaphore chan struct{}
	session   *aiohttp.Session
	logger    *log.Logger
}

// NewAsyncFetcher returns a fetcher running at most maxConcurrent requests
// at once, each bounded by timeout in all; Close it when done.
func NewAsyncFetcher(maxConcurrent int, timeout time.Duration, logger *log.Logger) (*AsyncFetcher, error) {
	session, err := aiohttp.NewSession(aiohttp.SessionOptions{Timeout: aiohttp.ClientTimeout{Total: timeout}})
	if err != nil {
		return nil, err
	}
	return &AsyncFetcher{semaphore: make(chan struct{}, maxConcurrent), session: session, logger: logger}, nil
}

// Close closes the session.
func (f *AsyncFetcher) Close() error { return f.session.Close() }

// Fetch fetches one URL once a slot is free.
func (f *AsyncFetcher) Fetch(ctx context.Context, url string) FetchResult {
	select {
	case f.semaphore <- struct{}{}:
	case <-ctx.Done():
		return f.failed(url, ctx.Err())
	}
	defer func() { <-f.semaphore }()

	resp, err := f.session.Get(ctx, url)
	if err != nil {
		return f.failed(url, err)
	}
	defer resp.Close()
	text, err := resp.Text()
	if err != nil {
		return f.failed(url, err)
	}
	return FetchResult{URL: url, Status: resp.Status, Content: truncate(text, 1000)}
}

// failed logs err as the seed's logger.error does and returns it as the
// result for url.
func (f *AsyncFetcher) failed(url string, err error) FetchResult {
	f.logger.Printf("ERROR:__main__:获取 %s 失败: %v", url, err)
	return FetchResult{URL: url, Status: 0, Error: err.Error()}
}

// FetchAll fetches every URL concurrently and returns the results in the
// order of the URLs.
func (f *AsyncFetcher) FetchAll(ctx context.Context, urls []string) []FetchResult {
	results := make([]FetchResult, len(urls))
	var wg sync.WaitGroup
	for i, url := range urls {
		wg.Go(func() { results[i] = f.Fetch(ctx, url) })
	}
	wg.Wait()
	return results
}

// truncate returns the first n characters of s (Python's s[:n]).
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
