// Errors ports "5 错误处理" of the seed tutorial "aiohttp 完整指南": one
// function that turns each kind of failure into a message — an HTTP error
// status (raise_for_status), a host that cannot be reached, a timeout —
// called for a 404, an unknown host and a slow answer.
//
// The Python original (base is https://httpbin.org):
//
//	async def fetch_with_error_handling(url):
//	    try:
//	        async with aiohttp.ClientSession() as session:
//	            async with session.get(url, timeout=10) as response:
//	                response.raise_for_status()
//	                print(f"Success! Status: {response.status}")
//	                return await response.text()
//	    except aiohttp.ClientResponseError as e:
//	        print(f"HTTP Error: {e.status} - {e.message}")
//	    except aiohttp.ClientConnectorError as e:
//	        print(f"Connection Error: Could not connect to {url}. {e}")
//	    except asyncio.TimeoutError:
//	        print(f"Timeout Error: Request to {url} timed out.")
//	    except Exception as e:
//	        print(f"An unexpected error occurred: {e}")
//
//	await fetch_with_error_handling(f"{base}/status/404")
//	await fetch_with_error_handling("https://non-existent-domain.xyz")
//	await fetch_with_error_handling(f"{base}/delay/5")
//
// The unknown host is -unknown, by default a name under .invalid, which
// RFC 6761 reserves so that it never resolves. Against httpbin, /delay/5
// answers within the 10-second timeout ("Success! Status: 200"); with
// -timeout 2s it times out. The demo server (go run ./cmd/aiohttp serve)
// answers both paths as httpbin does:
//
//	HTTP Error: 404 - Not Found
//	Connection Error: Could not connect to https://non-existent-domain.invalid. aiohttp: ...
//	Success! Status: 200
//
// and with httpbin:
//
//	go run ./examples/errors -url https://httpbin.org
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "base URL of an httpbin-like server (/status/404, /delay/5)")
	unknown := flag.String("unknown", "https://non-existent-domain.invalid", "URL of a host that does not exist")
	timeout := flag.Duration("timeout", 10*time.Second, "timeout of each request")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	run(ctx, os.Stdout, *timeout, *base+"/status/404", *unknown, *base+"/delay/5")
	stop()
}

// run calls fetchWithErrorHandling for each URL in turn, as the seed's
// main does.
func run(ctx context.Context, out io.Writer, timeout time.Duration, urls ...string) {
	for _, url := range urls {
		fetchWithErrorHandling(ctx, out, url, timeout)
	}
}

// fetchWithErrorHandling is the seed's function: it prints what went
// right or wrong, and returns the body ("" after a failure, where Python
// returns None).
func fetchWithErrorHandling(ctx context.Context, out io.Writer, url string, timeout time.Duration) string {
	text, err := tryFetch(ctx, out, url, timeout)
	if err == nil {
		return text
	}
	var respErr *aiohttp.ClientResponseError
	switch {
	case errors.As(err, &respErr):
		fmt.Fprintf(out, "HTTP Error: %d - %s\n", respErr.Status, respErr.Message)
	case errors.Is(err, aiohttp.ErrClientConnector):
		fmt.Fprintf(out, "Connection Error: Could not connect to %s. %v\n", url, err)
	case errors.Is(err, aiohttp.ErrServerTimeout), errors.Is(err, context.DeadlineExceeded):
		// aiohttp's timeouts are asyncio.TimeoutError; ours are
		// ErrServerTimeout or wrap context.DeadlineExceeded.
		fmt.Fprintf(out, "Timeout Error: Request to %s timed out.\n", url)
	default:
		fmt.Fprintf(out, "An unexpected error occurred: %v\n", err)
	}
	return ""
}

// tryFetch is the try block of the seed's function; like the seed, it
// makes a session of its own.
func tryFetch(ctx context.Context, out io.Writer, url string, timeout time.Duration) (string, error) {
	session, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		return "", err
	}
	defer session.Close()
	resp, err := session.Get(ctx, url, aiohttp.ClientTimeout{Total: timeout})
	if err != nil {
		return "", err
	}
	defer resp.Close()
	// A status of 400 or more becomes a *aiohttp.ClientResponseError.
	if err := resp.RaiseForStatus(); err != nil {
		return "", err
	}
	fmt.Fprintf(out, "Success! Status: %d\n", resp.Status)
	return resp.Text()
}
