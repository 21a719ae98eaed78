package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/web"
)

func TestUpload(t *testing.T) {
	app := demo.NewApp()
	app.Router.Post("/raw", func(req *web.Request) (web.Response, error) {
		req.SetClientMaxSize(-1)
		b, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		return web.Text(fmt.Sprintf("%d %x %s", req.ContentLength(), sha256.Sum256(b), req.ContentType())), nil
	})
	srv := apptest.Start(t, app)
	content := []byte(strings.Repeat("季度,销量\n", 300000)) // 4.2 MB, over the 1 MiB of other routes
	sum := sha256.Sum256(content)
	path := filepath.Join(t.TempDir(), "report.xls")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}

	var out strings.Builder
	if err := run(context.Background(), &out, srv.URL+"/upload", path, "application/vnd.ms-excel", false); err != nil {
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

	out.Reset()
	if err := run(context.Background(), &out, srv.URL+"/raw", path, "", true); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d %x application/octet-stream", len(content), sum); out.String() != want {
		t.Errorf("raw: %q, want %q", out.String(), want)
	}

	if err := run(context.Background(), &out, srv.URL+"/health", path, "", false); err == nil {
		t.Error("a 405 answer is no error")
	}
}
