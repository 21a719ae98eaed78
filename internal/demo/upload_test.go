package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/multipart"
)

func TestUpload(t *testing.T) {
	base, client := serve(t, NewApp())
	content := bytes.Repeat([]byte("0123456789abcdef"), 5<<20/16) // past the 1 MiB of other routes
	sum := sha256.Sum256(content)
	w := multipart.NewWriter("form-data")
	w.AddField("title", "季度报告")
	w.AddFile("file", "报告.xls", "application/vnd.ms-excel", bytes.NewReader(content))
	w.AddFile("empty", "e.txt", "", strings.NewReader(""))
	resp, err := client.Post(base+"/upload", w.ContentType(), w)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Files []map[string]any  `json:"files"`
		Form  map[string]string `json:"form"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	want := []map[string]any{
		{"name": "file", "filename": "报告.xls", "content_type": "application/vnd.ms-excel", "size": float64(len(content)), "sha256": hex.EncodeToString(sum[:])},
		{"name": "empty", "filename": "e.txt", "content_type": "text/plain; charset=utf-8", "size": float64(0),
			"sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	}
	if len(got.Files) != 2 || got.Form["title"] != "季度报告" || len(got.Form) != 1 {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		for k, v := range want[i] {
			if got.Files[i][k] != v {
				t.Errorf("file %d %s = %v, want %v", i, k, got.Files[i][k], v)
			}
		}
	}
}

func TestUploadLimits(t *testing.T) {
	base, client := serve(t, NewApp())
	w := multipart.NewWriter("form-data")
	w.AddFile("file", "big.bin", "", io.LimitReader(zeros{}, 64<<20+1)) // chunked: no length known
	resp, err := client.Post(base+"/upload", w.ContentType(), w)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("65 MiB upload: %d, want 413", resp.StatusCode)
	}
	resp, err = client.Post(base+"/upload", "multipart/form-data; boundary=x", strings.NewReader("--x\r\n\r\nno end"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("truncated: %d, want 400", resp.StatusCode)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
