package aiohttp_test

import (
	"bytes"
	"compress/flate"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

// A server answering with an endless gzip bomb (1.3 KiB on the wire per
// MiB of zeros, sent until the client goes away): the client stops at
// MaxDecompressedSize with ErrDecompressTooLarge, having inflated no more
// than that, and closes the connection instead of draining the body.
func TestDecompressBombOverTheWire(t *testing.T) {
	var block bytes.Buffer
	fw, _ := flate.NewWriter(&block, flate.BestSpeed)
	fw.Write(make([]byte, 1<<20))
	fw.Flush() // byte-aligned blocks that refer only to themselves: repeatable
	gzipHeader := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

	served := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		n, _ := w.Write(gzipHeader)
		sent := int64(n)
		for {
			n, err := w.Write(block.Bytes())
			sent += int64(n)
			if err != nil {
				served <- sent
				return
			}
		}
	}))
	defer srv.Close()

	const limit = 4 << 20
	s := newSession(t, aiohttp.SessionOptions{MaxDecompressedSize: limit})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	resp, err := s.Get(testCtx(t), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := resp.Bytes()
	resp.Close()
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, aiohttp.ErrDecompressTooLarge) || !errors.Is(err, aiohttp.ErrClientPayload) {
		t.Fatalf("endless bomb: %d bytes, %v; want ErrDecompressTooLarge", len(body), err)
	}
	var sent int64
	select {
	case sent = <-served:
	case <-time.After(5 * time.Second):
		t.Fatal("the client kept the connection of an endless bomb open")
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("cut after %v: %d KiB allocated; the server sent %d KiB", took.Round(time.Millisecond), alloc>>10, sent>>10)
	if alloc > 4*limit {
		t.Errorf("allocated %d KiB for a %d KiB limit", alloc>>10, limit>>10)
	}
	if took > 2*time.Second {
		t.Errorf("took %v", took)
	}
}
