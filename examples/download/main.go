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
// line shows the percentage, the bytes so far and the rate:
//
//	[##########################--------------]  65%   1.6 MiB / 2.5 MiB   12.0 MiB/s
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
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp"
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
		bar := &progressBar{w: progress, total: total, start: time.Now()}
		_, err = io.Copy(io.MultiWriter(f, bar), resp.Content())
		bar.done(err)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil && total >= 0 && bar.n != total {
			err = fmt.Errorf("download: got %d of %d bytes", bar.n, total)
		}
		if err != nil {
			return errors.Join(err, os.Remove(part))
		}
		return os.Rename(part, out)
	})
}

// progressBar counts the bytes written to it and redraws a one-line
// progress bar at most every redrawEvery.
type progressBar struct {
	w     io.Writer
	total int64 // -1 when unknown
	n     int64
	start time.Time
	drawn time.Time
}

const (
	redrawEvery = 100 * time.Millisecond
	barWidth    = 40
)

func (b *progressBar) Write(p []byte) (int, error) {
	b.n += int64(len(p))
	if now := time.Now(); now.Sub(b.drawn) >= redrawEvery {
		b.drawn = now
		b.draw(now)
	}
	return len(p), nil
}

// done draws the final state and ends the line.
func (b *progressBar) done(err error) {
	b.draw(time.Now())
	if err != nil {
		fmt.Fprint(b.w, "  failed")
	}
	fmt.Fprintln(b.w)
}

func (b *progressBar) draw(now time.Time) {
	rate := float64(b.n) / max(now.Sub(b.start).Seconds(), 1e-3)
	if b.total <= 0 {
		fmt.Fprintf(b.w, "\r%s   %s/s", size(b.n), size(int64(rate)))
		return
	}
	filled := int(min(b.n, b.total) * barWidth / b.total)
	fmt.Fprintf(b.w, "\r[%s%s] %3d%%  %s / %s  %s/s", strings.Repeat("#", filled), strings.Repeat("-", barWidth-filled),
		b.n*100/b.total, size(b.n), size(b.total), size(int64(rate)))
}

// size formats a byte count with a binary unit.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for ; v >= unit && i < 4; i++ {
		v /= unit
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTP"[i])
}
