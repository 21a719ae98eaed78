package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestServeStatic checks that "serve --static DIR" serves DIR under
// /static/ with the static file rules: ranges, conditional requests,
// precompressed siblings, an index, and no way out of the directory.
func TestServeStatic(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello, static"), 0o644)
	os.WriteFile(filepath.Join(dir, "hello.txt.gz"), []byte("not really gzip"), 0o644)
	os.WriteFile(filepath.Join(filepath.Dir(dir), "secret"), []byte("secret"), 0o644)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	startServe(t, "--port", strconv.Itoa(port), "--static", dir)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	waitHealthy(t, base)

	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	t.Cleanup(client.CloseIdleConnections)
	get := func(path string, header ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("/static/hello.txt")
	if resp.StatusCode != 200 || body != "hello, static" {
		t.Fatalf("GET: %d %q", resp.StatusCode, body)
	}
	if resp, body := get("/static/hello.txt", "Range", "bytes=7-"); resp.StatusCode != 206 || body != "static" {
		t.Errorf("range: %d %q", resp.StatusCode, body)
	}
	if resp, _ := get("/static/hello.txt", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	if resp, body := get("/static/hello.txt", "Accept-Encoding", "gzip"); resp.Header.Get("Content-Encoding") != "gzip" || body != "not really gzip" {
		t.Errorf("sibling: %q %q", resp.Header.Get("Content-Encoding"), body)
	}
	if _, body := get("/static/"); !strings.Contains(body, `<a href="/static/hello.txt">hello.txt</a>`) {
		t.Errorf("index: %q", body)
	}
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /static/%2e%2e/secret HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	raw, _ := io.ReadAll(c)
	if !bytes.HasPrefix(raw, []byte("HTTP/1.1 404 ")) || bytes.Contains(raw, []byte("secret\r\n")) {
		t.Errorf("traversal: %q", raw)
	}
}

func TestServeStaticNotADirectory(t *testing.T) {
	var stdout, stderr bytes.Buffer
	missing := filepath.Join(t.TempDir(), "missing")
	if code := run(context.Background(), []string{"serve", "--port", "0", "--static", missing}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "not a directory") {
		t.Errorf("exit status %d, stderr %q", code, stderr.String())
	}
}
