// Bodies ports "4 处理响应体" of the seed tutorial "aiohttp 完整指南": the ways
// to read a response body — as text, as JSON, as bytes, and streamed in
// pieces of 1 KiB for a large download.
//
// The Python original (base is https://httpbin.org; the seed downloads
// https://speed.hetzner.de/100MB.bin, which is gone):
//
//	async with aiohttp.ClientSession() as session:
//	    async with session.get(f"{base}/html") as resp:
//	        html = await resp.text()
//	        print(f"Text content length: {len(html)}")
//	    async with session.get(f"{base}/json") as resp:
//	        json_data = await resp.json()
//	        print(f"JSON title: {json_data['slideshow']['title']}")
//	    async with session.get(f"{base}/bytes/1024") as resp:
//	        byte_data = await resp.read()
//	        print(f"Bytes length: {len(byte_data)}")
//	    async with session.get(download_url) as resp:
//	        print("Starting download...")
//	        total_size = 0
//	        async for chunk in resp.content.iter_chunked(1024):
//	            total_size += len(chunk)
//	        print(f"Download finished. Total size: {total_size / (1024*1024):.2f} MB")
//
// The endpoints are httpbin's, under -url; the download is -download, by
// default httpbin's /stream-bytes/102400 (100 KiB, chunked) under -url. The
// demo server (go run ./cmd/aiohttp serve, the default -url) answers them
// all, and so does httpbin itself:
//
//	go run ./examples/bodies -url https://httpbin.org
//	go run ./examples/bodies -url https://httpbin.org -download https://example.com/big.iso
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"unicode/utf8"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/examples/internal/pyrepr"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "base URL of an httpbin-like server (/html, /json, /bytes/{n})")
	download := flag.String("download", "", "URL of the file to download (default: -url + /stream-bytes/102400)")
	flag.Parse()
	log.SetFlags(0)
	if *download == "" {
		*download = *base + "/stream-bytes/102400"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, *base, *download)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, base, download string) error {
	session, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		return err
	}
	defer session.Close()

	// 1. As text
	if err := get(ctx, session, base+"/html", func(resp *aiohttp.Response) error {
		html, err := resp.Text()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Text content length: %d\n", utf8.RuneCountInString(html))
		return nil
	}); err != nil {
		return err
	}

	// 2. As JSON
	if err := get(ctx, session, base+"/json", func(resp *aiohttp.Response) error {
		var data struct {
			Slideshow *struct {
				Title json.RawMessage `json:"title"`
			} `json:"slideshow"`
		}
		if err := resp.JSON(&data); err != nil {
			return err
		}
		if data.Slideshow == nil {
			return fmt.Errorf("KeyError: 'slideshow'")
		}
		if data.Slideshow.Title == nil {
			return fmt.Errorf("KeyError: 'title'")
		}
		title, err := pyrepr.Print(data.Slideshow.Title)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "JSON title: %s\n", title)
		return nil
	}); err != nil {
		return err
	}

	// 3. As bytes
	if err := get(ctx, session, base+"/bytes/1024", func(resp *aiohttp.Response) error {
		data, err := resp.Bytes()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Bytes length: %d\n", len(data))
		return nil
	}); err != nil {
		return err
	}

	// 4. Streamed, 1 KiB at a time, for files too large for memory
	return get(ctx, session, download, func(resp *aiohttp.Response) error {
		fmt.Fprintln(out, "Starting download...")
		var total int64
		for chunk, err := range resp.Content().IterChunked(1024) {
			if err != nil {
				return err
			}
			total += int64(len(chunk))
		}
		fmt.Fprintf(out, "Download finished. Total size: %.2f MB\n", float64(total)/(1024*1024))
		return nil
	})
}

// get is the seed's async with session.get(url) as resp: it hands the
// response to use and closes it afterwards.
func get(ctx context.Context, session *aiohttp.Session, url string, use func(*aiohttp.Response) error) error {
	resp, err := session.Get(ctx, url)
	if err != nil {
		return err
	}
	defer resp.Close()
	return use(resp)
}
