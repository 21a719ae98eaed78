package demo

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCompression: the demo compresses its responses and decodes
// compressed request bodies, within the 1 MiB client_max_size.
func TestCompression(t *testing.T) {
	base, client := serve(t, NewApp())
	post := func(data []byte) (*http.Response, []byte) {
		req, _ := http.NewRequest("POST", base+"/post", bytes.NewReader(gzipped(t, data)))
		req.Header.Set("Content-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	// The answer, JSON over 1 KiB, comes back compressed: net/http's
	// transport asks for gzip and decodes it itself.
	data := `{"decoded": "` + strings.Repeat("yes ", 1000) + `"}`
	resp, body := post([]byte(data))
	var got struct{ Data string }
	if err := json.Unmarshal(body, &got); resp.StatusCode != 200 || err != nil || got.Data != data {
		t.Errorf("gzip POST: %d, data %.40q, %v", resp.StatusCode, got.Data, err)
	}
	if !resp.Uncompressed || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("answer: compressed %v, Vary %q", resp.Uncompressed, resp.Header.Get("Vary"))
	}
	if resp, body := post(make([]byte, 4<<20)); resp.StatusCode != 413 {
		t.Errorf("4 MiB of zeros, gzipped: %d %q", resp.StatusCode, body)
	}
}

// TestCompressionLeavesSSE: an event stream is never compressed, so that
// each event reaches the client when it is sent.
func TestCompressionLeavesSSE(t *testing.T) {
	base, client := serve(t, NewApp())
	req, _ := http.NewRequest("GET", base+"/sse?count=2&interval=10", nil)
	req.Header.Set("Accept-Encoding", "gzip, br, zstd")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ce := resp.Header.Get("Content-Encoding"); ce != "" || !strings.Contains(string(body), "id: 2\n") {
		t.Errorf("/sse: Content-Encoding %q, body %q", ce, body)
	}
}
