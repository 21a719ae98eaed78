// Semaphore ports "4.1 信号量控制并发" of the seed tutorial "Python 异步 IO:
// aiohttp 与 asyncio 结合" (and the same advice in "aiohttp 完整指南", 最佳实践):
// many pages fetched over one session, with a semaphore letting at most 5
// requests run at once however many URLs there are.
//
// The Python original, with the lines the seed leaves out (the URLs, and
// printing the results) filled in:
//
//	async def limited_fetch(session, url, semaphore):
//	    async with semaphore:
//	        # 无论 url 有多少,这里同时最多执行 5 个
//	        async with session.get(url) as resp:
//	            return await resp.text()
//
//	async def main():
//	    semaphore = asyncio.Semaphore(5)  # 最多 5 个并发
//	    async with aiohttp.ClientSession() as session:
//	        tasks = [limited_fetch(session, url, semaphore) for url in urls]
//	        results = await asyncio.gather(*tasks)
//	    for url, text in zip(urls, results):
//	        print(f"{url}: {len(text)} characters")
//
// The URLs are the arguments; without any, -n pages /page1, /page2, ... of
// the demo server (go run ./cmd/aiohttp serve) under -url, which greets
// each by name:
//
//	go run ./examples/semaphore
//	go run ./examples/semaphore -limit 2 https://example.com/ https://example.org/
//
// Against the demo it prints:
//
//	http://127.0.0.1:8080/page1: 12 characters
//	...
//	http://127.0.0.1:8080/page20: 13 characters
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
	"unicode/utf8"

	"github.com/aiohttp-go/aiohttp"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "base URL of the default pages")
	n := flag.Int("n", 20, "number of default pages")
	limit := flag.Int("limit", 5, "requests allowed at once")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: semaphore [-url base] [-n pages] [-limit n] [URL ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	log.SetFlags(0)
	if *limit < 1 {
		log.Fatal("-limit must be at least 1")
	}
	urls := flag.Args()
	if len(urls) == 0 {
		for i := 1; i <= *n; i++ {
			urls = append(urls, fmt.Sprintf("%s/page%d", *base, i))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, urls, *limit)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

// run is the seed's main: every URL fetched in its own goroutine, at most
// limit at a time.
func run(ctx context.Context, out io.Writer, urls []string, limit int) error {
	// A buffered channel is Go's semaphore: sending takes a slot,
	// receiving gives it back.
	semaphore := make(chan struct{}, limit)

	session, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		return err
	}
	defer session.Close()

	results := make([]string, len(urls))
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for i, url := range urls {
		wg.Go(func() { results[i], errs[i] = limitedFetch(ctx, session, url, semaphore) })
	}
	wg.Wait()
	// asyncio.gather raises the first exception; here, the first URL's.
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for i, url := range urls {
		fmt.Fprintf(out, "%s: %d characters\n", url, utf8.RuneCountInString(results[i]))
	}
	return nil
}

// limitedFetch is the seed's limited_fetch: it waits for a slot of the
// semaphore (or for ctx to end) before sending the request.
func limitedFetch(ctx context.Context, session *aiohttp.Session, url string, semaphore chan struct{}) (string, error) {
	select {
	case semaphore <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-semaphore }()
	// Whatever the number of URLs, at most cap(semaphore) goroutines get
	// here at once.
	resp, err := session.Get(ctx, url)
	if err != nil {
		return "", err
	}
	defer resp.Close()
	return resp.Text()
}
