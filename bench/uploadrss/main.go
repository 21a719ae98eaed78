// Uploadrss streams one large multipart upload from our client to our
// server in one process and reports the throughput and the process's peak
// resident memory (VmHWM): the file is generated as it is sent, the
// server hashes it as it arrives (Request.Multipart), nothing is held
// whole, so the peak stays far below the upload's size.
//
//	go run ./uploadrss -size 2GiB
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/multipart"
	"github.com/aiohttp-go/aiohttp/web"
)

func main() {
	size := flag.Int64("size", 2<<30, "bytes to upload")
	flag.Parse()
	log.SetFlags(0)

	app := web.NewApplication()
	app.Router.Post("/upload", func(req *web.Request) (web.Response, error) {
		req.SetClientMaxSize(-1)
		mr, err := req.Multipart()
		if err != nil {
			return nil, err
		}
		defer mr.Close()
		var b strings.Builder
		for p, err := range mr.Parts() {
			if err != nil {
				return nil, err
			}
			h := sha256.New()
			n, err := io.Copy(h, p)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "%s %d %s\n", p.Filename(), n, hex.EncodeToString(h.Sum(nil)))
		}
		return web.Text(b.String()), nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	runner := web.NewAppRunner(app, web.ServerOptions{})
	if err := runner.Setup(ctx); err != nil {
		log.Fatal(err)
	}
	if err := web.NewListenerSite(runner, ln).Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer runner.Cleanup(ctx)

	s, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	src := &pattern{left: *size}
	want := sha256.New()
	var form multipart.FormData
	form.AddFile("file", "big.bin", "application/octet-stream", io.TeeReader(src, want))
	start := time.Now()
	resp, err := s.Post(ctx, "http://"+ln.Addr().String()+"/upload", aiohttp.FormData(&form))
	if err != nil {
		log.Fatal(err)
	}
	answer, err := resp.Text()
	resp.Close()
	if err != nil {
		log.Fatal(err)
	}
	elapsed := time.Since(start)
	if wantLine := fmt.Sprintf("big.bin %d %x\n", *size, want.Sum(nil)); answer != wantLine {
		log.Fatalf("server answered %q, want %q", answer, wantLine)
	}
	fmt.Printf("uploaded %d MiB in %.1fs (%.0f MiB/s), SHA-256 checked; peak RSS %s\n",
		*size>>20, elapsed.Seconds(), float64(*size)/(1<<20)/elapsed.Seconds(), peakRSS())
}

// pattern yields left bytes of a repeating pattern, of unknown length to
// the client (sent chunked).
type pattern struct{ left, off int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(b)), p.left)
	for i := range b[:n] {
		b[i] = byte((p.off + int64(i)) * 7 % 251)
	}
	p.off += n
	p.left -= n
	return int(n), nil
}

// peakRSS returns the VmHWM line of /proc/self/status.
func peakRSS() string {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
