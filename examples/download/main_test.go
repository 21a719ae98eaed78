package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/web"
)

func TestDownload(t *testing.T) {
	dir := t.TempDir()
	content := bytes.Repeat([]byte("0123456789abcdef"), 256<<10) // 4 MiB
	os.WriteFile(filepath.Join(dir, "big.bin"), content, 0o644)
	app := web.NewApplication()
	app.Router.Static("/static", dir, web.StaticOptions{})
	app.Router.Get("/stream", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse() // chunked: no length known
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		for i := 0; i < 64; i++ {
			resp.Write(content[i<<10 : (i+1)<<10])
		}
		return resp, nil
	})
	srv := aiotest.NewServer(t, app)
	out := t.TempDir()

	var progress strings.Builder
	dst := filepath.Join(out, "copy.bin")
	if err := run(context.Background(), &progress, srv.URL+"/static/big.bin", dst); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, content) {
		t.Errorf("downloaded %d bytes, differing from the %d served", len(got), len(content))
	}
	if !strings.Contains(progress.String(), "copy.bin 100% |") || !strings.HasSuffix(progress.String(), "\n") {
		t.Errorf("progress: %q", progress.String())
	}

	progress.Reset()
	dst = filepath.Join(out, "stream")
	if err := run(context.Background(), &progress, srv.URL+"/stream", dst); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, content[:64<<10]) {
		t.Errorf("streamed download: %d bytes", len(got))
	}
	if !strings.Contains(progress.String(), " stream ") || strings.Contains(progress.String(), "%") || !strings.HasSuffix(progress.String(), "\n") {
		t.Errorf("progress of an unknown length: %q", progress.String())
	}

	// The file name defaults to the URL's last segment.
	wd, _ := os.Getwd()
	os.Chdir(out)
	defer os.Chdir(wd)
	if err := run(context.Background(), &progress, srv.URL+"/static/big.bin", ""); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(out, "big.bin")); err != nil || fi.Size() != int64(len(content)) {
		t.Errorf("default name: %v %v", fi, err)
	}
}

func TestDownloadFails(t *testing.T) {
	srv := aiotest.NewServer(t, web.NewApplication())
	dst := filepath.Join(t.TempDir(), "x")
	if err := run(context.Background(), new(strings.Builder), srv.URL+"/missing", dst); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
	if err := run(context.Background(), new(strings.Builder), "http://127.0.0.1:1/x", dst); err == nil {
		t.Error("a closed port: no error")
	}
	if entries, _ := os.ReadDir(filepath.Dir(dst)); len(entries) != 0 {
		t.Errorf("failed downloads left %v", entries)
	}
}
