package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileCacheKeeps checks that the cache keeps small settled files, and
// only those, and stays within its bound.
func TestFileCacheKeeps(t *testing.T) {
	if !fileIDSupported {
		t.Skip("no file cache on this platform")
	}
	old := cacheSettle
	cacheSettle = 0
	defer func() { cacheSettle = old }()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "small"), []byte("small"), 0o644)
	os.WriteFile(filepath.Join(dir, "big"), make([]byte, maxCachedFile+1), 0o644)
	app := NewApplication()
	route := app.Router.Static("/s", dir, StaticOptions{})
	get := func(path string, header ...string) {
		raw := "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + strings.Join(header, "") + "\r\n"
		mc := &memConn{req: []byte(raw), n: 1}
		srv := NewServer(app, ServerOptions{})
		c := newServerConn(srv, mc)
		srv.conns[c.connRecord] = struct{}{}
		srv.active.Add(1)
		c.serve()
	}
	get("/s/small")
	get("/s/big")
	cache := route.static.cache
	if cf := cache.files["small"]; cf == nil || string(cf.data) != "small" || cache.bytes != 5 {
		t.Errorf("small file not kept: %+v, %d bytes", cf, cache.bytes)
	}
	if cache.files["big"] != nil {
		t.Error("a file over maxCachedFile kept")
	}
	get("/s/small", "Accept-Encoding: gzip\r\n") // not from the cache, not loaded again
	if len(cache.files) != 1 {
		t.Errorf("%d files kept", len(cache.files))
	}
}

// TestFileCacheBound checks that the cache drops files to stay within its
// limit.
func TestFileCacheBound(t *testing.T) {
	if !fileIDSupported {
		t.Skip("no file cache on this platform")
	}
	old := cacheSettle
	cacheSettle = 0
	defer func() { cacheSettle = old }()
	dir := t.TempDir()
	c := newFileCache()
	c.limit = 2500
	for i := range 10 {
		name := strings.Repeat("f", i+1)
		p := filepath.Join(dir, name)
		os.WriteFile(p, make([]byte, 1000), 0o644)
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		if c.load(name, f, fi) == nil {
			t.Fatalf("%s not kept", name)
		}
		f.Close()
		if c.bytes > c.limit || c.bytes != 1000*len(c.files) {
			t.Fatalf("after %d files: %d bytes in %d files", i+1, c.bytes, len(c.files))
		}
	}
	if len(c.files) != 2 || c.files["ffffffffff"] == nil {
		t.Errorf("kept %d files; the last one loaded: %v", len(c.files), c.files["ffffffffff"] != nil)
	}
}
