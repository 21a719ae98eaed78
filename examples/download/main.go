// Download streams a URL to a file with a progress bar on standard error:
// the body goes from the connection to the disk a buffer at a time, so a
// download of any size runs in constant memory (aiohttp's
// `async for chunk in resp.content.iter_chunked(n)`).
//
//	go run ./cmd/aiohttp serve --static . &
//	go run ./examples/download -url http://127.0.0.1:8080/static/go.mod -o /tmp/go.mod
//
// The file is written as FILE.part and renamed to FILE once the whole
// body arrived; a failed download leaves no FILE behind. The progress
// bar (github.com/schollz/progressbar, as "aiohttp fetch" uses) shows the
// percentage, the bytes so far, the rate and the time left, or a spinner
// when the length is unknown:
//
//	go.mod  65% |███████████████████           | (1.6/2.5 MB, 12 MB/s) [0s:0s]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/signal"
	"path"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/schollz/progressbar/v3"
)

func main() {
	rawURL := flag.String("url", "", "URL to download")
	out := flag.String("o", "", "file to write (default: the last part of the URL's path)")
	flag.Parse()
	log.SetFlags(0)
	if *rawURL == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stderr, *rawURL, *out)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

// run downloads rawURL to the file out, drawing the progress on progress.
func run(ctx context.Context, progress io.Writer, rawURL, out string) error {
	if out == "" {
		u, err := url.Parse(rawURL)
		if err != nil {
			return err
		}
		if out = path.Base(u.Path); out == "/" || out == "." {
			out = "index.html"
		}
	}
	session, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		return err
	}
	defer session.Close()

	return session.With(ctx, "GET", rawURL, func(resp *aiohttp.Response) error {
		if err := resp.RaiseForStatus(); err != nil {
			return err
		}
		total := resp.ContentLength()
		if resp.Header.Get("Content-Encoding") != "" {
			total = -1 // the length on the wire, not of the decoded body
		}
		part := out + ".part"
		f, err := os.Create(part)
		if err != nil {
			return err
		}
		bar := newBar(progress, total, path.Base(out))
		n, err := io.Copy(io.MultiWriter(f, bar), resp.Content())
		_ = bar.Exit() // draws the last state; an error writing it is no download error
		fmt.Fprintln(progress)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil && total >= 0 && n != total {
			err = fmt.Errorf("download: got %d of %d bytes", n, total)
		}
		if err != nil {
			return errors.Join(err, os.Remove(part))
		}
		return os.Rename(part, out)
	})
}

// newBar returns the progress bar of a download of total bytes (-1:
// unknown, a spinner then), drawn on w at most every 100 ms.
func newBar(w io.Writer, total int64, name string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(name),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetRenderBlankState(true),
		// The spinner turns as bytes arrive: no goroutine of its own that
		// would draw after the download ended.
		progressbar.OptionSetSpinnerChangeInterval(0),
	)
}
