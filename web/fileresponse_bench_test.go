package web

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkServeStaticSmall serves a 4 KiB file from a static route: the
// cost of a static file request on the engine, without the network.
func BenchmarkServeStaticSmall(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "small.css"), bytes.Repeat([]byte("a{}\n"), 1024), 0o644); err != nil {
		b.Fatal(err)
	}
	app := NewApplication()
	app.Router.Static("/static", dir, StaticOptions{})
	benchServe(b, app, "GET /static/small.css HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
}
