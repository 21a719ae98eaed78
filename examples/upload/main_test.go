package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/web"
)

func TestUpload(t *testing.T) {
	app := demo.NewApp()
	app.Router.Post("/raw", func(req *web.Request) (web.Response, error) {
		req.SetClientMaxSize(-1) // the 4.2 MB file, decoded when it comes compressed
		h := sha256.New()
		n, err := io.Copy(h, req.Body())
		if err != nil {
			return nil, err
		}
		return web.Text(fmt.Sprintf("%d %d %x %s", req.ContentLength(), n, h.Sum(nil), req.ContentType())), nil
	})
	srv := aiotest.NewServer(t, app)
	content := []byte(strings.Repeat("季度,销量\n", 300000)) // 4.2 MB, over the 1 MiB of other routes
	sum := sha256.Sum256(content)
	path := filepath.Join(t.TempDir(), "report.xls")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}

	var out strings.Builder
	if err := run(context.Background(), &out, srv.URL+"/upload", path, "application/vnd.ms-excel", "form"); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Files []struct {
			Name        string
			Filename    string
			ContentType string `json:"content_type"`
			Size        int
			SHA256      string
		}
		Form map[string]string
	}
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatalf("%v: %q", err, out.String())
	}
	want := fmt.Sprintf("[{file report.xls application/vnd.ms-excel %d %s}]", len(content), hex.EncodeToString(sum[:]))
	if fmt.Sprint(got.Files) != want || len(got.Form) != 0 {
		t.Errorf("got %+v, want %s", got, want)
	}

	for _, c := range []struct{ as, contentType, want string }{
		{"body", "", fmt.Sprintf("%d %d %x application/octet-stream", len(content), len(content), sum)},
		{"stream", "text/csv", fmt.Sprintf("-1 %d %x text/csv", len(content), sum)},
		{"deflate", "", fmt.Sprintf("-1 %d %x application/octet-stream", len(content), sum)},
	} {
		out.Reset()
		if err := run(context.Background(), &out, srv.URL+"/raw", path, c.contentType, c.as); err != nil {
			t.Fatal(err)
		}
		if out.String() != c.want {
			t.Errorf("-as %s: %q, want %q", c.as, out.String(), c.want)
		}
	}

	if err := run(context.Background(), &out, srv.URL+"/health", path, "", "form"); err == nil {
		t.Error("a 405 answer is no error")
	}
	if err := run(context.Background(), &out, srv.URL+"/raw", path, "", "carrier-pigeon"); err == nil {
		t.Error("an unknown -as is no error")
	}
}
