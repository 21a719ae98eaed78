// Streamrss streams one large upload and one large download between our
// client and our server in one process and reports the throughput and the
// process's peak resident memory (VmHWM), client and server together:
//
//   - upload: a multipart file generated as it is sent (chunked), which
//     the server hashes as it arrives (Request.Multipart);
//   - download: a file on disk served by a FileResponse (sendfile), which
//     the client hashes as it arrives (Response.Content).
//
// Nothing is held whole, so the peak stays far below the size.
//
//	go run ./streamrss -size 2147483648
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/multipart"
	"github.com/aiohttp-go/aiohttp/web"
)

func main() {
	size := flag.Int64("size", 2<<30, "bytes to upload and to download")
	flag.Parse()
	log.SetFlags(0)

	dir, err := os.MkdirTemp("", "streamrss")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	file, fileSum := writeFile(filepath.Join(dir, "big.bin"), *size)

	app := web.NewApplication()
	app.Router.Post("/upload", hashUpload)
	app.Router.Get("/download", func(*web.Request) (web.Response, error) {
		return web.NewFileResponse(file), nil
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
	base := "http://" + ln.Addr().String()

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
	resp, err := s.Post(ctx, base+"/upload", aiohttp.FormData(&form))
	if err != nil {
		log.Fatal(err)
	}
	answer, err := resp.Text()
	resp.Close()
	if err != nil {
		log.Fatal(err)
	}
	if wantLine := fmt.Sprintf("big.bin %d %x\n", *size, want.Sum(nil)); answer != wantLine {
		log.Fatalf("server answered %q, want %q", answer, wantLine)
	}
	report("uploaded", *size, time.Since(start))

	start = time.Now()
	resp, err = s.Get(ctx, base+"/download")
	if err != nil {
		log.Fatal(err)
	}
	got := sha256.New()
	n, err := io.Copy(got, resp.Content())
	resp.Close()
	if err != nil {
		log.Fatal(err)
	}
	if n != *size || !bytes.Equal(got.Sum(nil), fileSum) {
		log.Fatalf("downloaded %d bytes with another SHA-256 than the file's", n)
	}
	report("downloaded", *size, time.Since(start))
}

// hashUpload answers "filename size sha256" for each part of a multipart
// upload of any size.
func hashUpload(req *web.Request) (web.Response, error) {
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
}

// writeFile writes size bytes of the pattern to path and returns the path
// and their SHA-256.
func writeFile(path string, size int64) (string, []byte) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), &pattern{left: size}); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	return path, h.Sum(nil)
}

// report prints the throughput of a transfer and the peak RSS so far.
func report(what string, size int64, elapsed time.Duration) {
	fmt.Printf("%s %d MiB in %.1fs (%.0f MiB/s), SHA-256 checked; peak RSS %s\n",
		what, size>>20, elapsed.Seconds(), float64(size)/(1<<20)/elapsed.Seconds(), peakRSS())
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
