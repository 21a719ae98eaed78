package web

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchStatic serves a 4 KiB file from a static route, a file changed
// settle ago or earlier kept in memory: the cost of a static file request
// on the engine, without the network.
func benchStatic(b *testing.B, settle time.Duration) {
	old := cacheSettle
	cacheSettle = settle
	defer func() { cacheSettle = old }()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "small.css"), bytes.Repeat([]byte("a{}\n"), 1024), 0o644); err != nil {
		b.Fatal(err)
	}
	app := NewApplication()
	app.Router.Static("/static", dir, StaticOptions{})
	benchServe(b, app, "GET /static/small.css HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
}

// BenchmarkServeStaticSmall serves the file from memory, checked with one
// stat a request.
func BenchmarkServeStaticSmall(b *testing.B) { benchStatic(b, 0) }

// BenchmarkServeStaticSmallUncached opens, reads and closes the file on
// every request.
func BenchmarkServeStaticSmallUncached(b *testing.B) { benchStatic(b, time.Hour) }
