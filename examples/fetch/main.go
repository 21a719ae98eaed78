// Fetch ports the first client example of the seed tutorial "aiohttp 完整指南"
// (aiohttp 客户端用法详解, 1 基本请求): one GET with its own session, printing
// the status and the length of the decoded body in characters.
//
// The Python original (there the URL is https://www.example.com):
//
//	async def fetch_url(url):
//	    async with aiohttp.ClientSession() as session:
//	        async with session.get(url) as response:
//	            print(f"Status: {response.status}")
//	            html = await response.text()
//	            print(f"Content length: {len(html)}")
//
// Run it against the demo server, or any URL:
//
//	go run ./cmd/aiohttp serve &
//	go run ./examples/fetch
//	go run ./examples/fetch -url https://www.example.com
//
// Against the demo ("Hello, Anonymous") it prints:
//
//	Status: 200
//	Content length: 16
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"unicode/utf8"

	"github.com/aiohttp-go/aiohttp"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/", "URL to fetch")
	flag.Parse()
	log.SetFlags(0)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, *url)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

// run is the seed's fetch_url.
func run(ctx context.Context, out io.Writer, url string) error {
	session, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		return err
	}
	defer session.Close()

	// With is `async with session.get(url) as response:` — the response
	// is released when the function returns.
	return session.With(ctx, "GET", url, func(resp *aiohttp.Response) error {
		fmt.Fprintf(out, "Status: %d\n", resp.Status)
		// Text decodes the body with the charset of its Content-Type (or
		// the one detected); Python's len counts characters, not bytes.
		html, err := resp.Text()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Content length: %d\n", utf8.RuneCountInString(html))
		return nil
	})
}
