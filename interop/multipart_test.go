package interop

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/multipart"
)

// aiohttpPart is a part as the script's /multipart route read it.
type aiohttpPart struct {
	Name        *string       `json:"name"`
	Filename    *string       `json:"filename"`
	ContentType *string       `json:"content_type"`
	Size        int           `json:"size"`
	SHA256      string        `json:"sha256"`
	Value       *string       `json:"value"`
	Nested      []aiohttpPart `json:"nested"`
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func str(s string) *string { return &s }

// TestAiohttpServerMultipart: our FormData and multipart.Writer uploads,
// read by Python aiohttp's request.multipart() and request.post(): every
// file's bytes (SHA-256), field values, and file names, non-ASCII ones
// sent raw as browsers do; a file from disk goes with Content-Length
// (from Stat), a reader of unknown length chunked.
func TestAiohttpServerMultipart(t *testing.T) {
	_, _, s := aiohttpServerSession(t)
	big := payload(3 << 20)
	path := filepath.Join(t.TempDir(), "report.xls")
	if err := os.WriteFile(path, big, 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("formdata", func(t *testing.T) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var form multipart.FormData
		form.AddField("title", "季度报告 Q1")
		form.AddFile("file", "报告 \"最终\".xls", "application/vnd.ms-excel", f)
		form.AddFile("small", "a.txt", "", strings.NewReader("hello"))
		var got struct {
			ContentType   string        `json:"content_type"`
			ContentLength *int64        `json:"content_length"`
			Chunked       bool          `json:"chunked"`
			Parts         []aiohttpPart `json:"parts"`
		}
		decodeJSON(t, ok(t)(s.Post(testContext(t), "multipart", aiohttp.FormData(&form))), &got)
		if got.ContentType != "multipart/form-data" || got.ContentLength == nil || got.Chunked {
			t.Errorf("framing: %q length %v chunked %v", got.ContentType, got.ContentLength, got.Chunked)
		}
		want := []aiohttpPart{
			{Name: str("title"), ContentType: nil, Size: len("季度报告 Q1"), SHA256: sha([]byte("季度报告 Q1")), Value: str("季度报告 Q1")},
			// "%22" is how browsers (and we) escape a quote in a file name;
			// aiohttp hands it over as sent.
			{Name: str("file"), Filename: str("报告 %22最终%22.xls"), ContentType: str("application/vnd.ms-excel"), Size: len(big), SHA256: sha(big)},
			{Name: str("small"), Filename: str("a.txt"), ContentType: str("text/plain; charset=utf-8"), Size: 5, SHA256: sha([]byte("hello"))},
		}
		if !reflect.DeepEqual(got.Parts, want) {
			t.Errorf("aiohttp read\n%s\nwant\n%s", jsonString(got.Parts), jsonString(want))
		}
	})

	t.Run("post", func(t *testing.T) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var form multipart.FormData
		form.AddField("a", "1")
		form.AddField("a", "二")
		form.AddFile("file", "", "", f) // the name from the *os.File
		var got struct {
			Fields [][2]string      `json:"fields"`
			Files  []map[string]any `json:"files"`
		}
		decodeJSON(t, ok(t)(s.Post(testContext(t), "post-files", aiohttp.FormData(&form))), &got)
		if !reflect.DeepEqual(got.Fields, [][2]string{{"a", "1"}, {"a", "二"}}) {
			t.Errorf("fields %q", got.Fields)
		}
		wantFile := map[string]any{"name": "file", "filename": "report.xls", "content_type": "application/vnd.ms-excel", "size": float64(len(big)), "sha256": sha(big)}
		if ct := got.Files[0]["content_type"]; ct != "application/vnd.ms-excel" { // mime.types may say otherwise
			wantFile["content_type"] = ct
		}
		if len(got.Files) != 1 || !reflect.DeepEqual(got.Files[0], wantFile) {
			t.Errorf("files %v, want %v", got.Files, wantFile)
		}
	})

	t.Run("writer", func(t *testing.T) {
		nested := multipart.NewWriter("mixed")
		nested.AddFile("", "one.txt", "text/plain", strings.NewReader("first"))
		nested.AppendBytes(nil, big[:4096])
		w := multipart.NewWriter("form-data")
		if err := w.SetBoundary("our-boundary-0123"); err != nil {
			t.Fatal(err)
		}
		cd := func(v string) *multidict.CIMultiDict {
			return multidict.NewCI(multidict.Item{Key: "Content-Disposition", Value: v})
		}
		if err := w.AppendJSON(cd(`form-data; name="meta"`), map[string]string{"k": "值"}); err != nil {
			t.Fatal(err)
		}
		w.Append(cd(`form-data; name="ext"; filename*=utf-8''%E2%82%AC%20rates.txt`), strings.NewReader("ext"))
		w.AppendMultipart(cd(`form-data; name="mixed"`), nested)
		w.AddFile("stream", "s.bin", "", readerOnly{strings.NewReader(string(big[:100000]))})
		var got struct {
			ContentType string        `json:"content_type"`
			Chunked     bool          `json:"chunked"`
			Parts       []aiohttpPart `json:"parts"`
		}
		decodeJSON(t, ok(t)(s.Post(testContext(t), "multipart", aiohttp.Multipart(w))), &got)
		if !got.Chunked {
			t.Error("a reader of unknown length was not sent chunked")
		}
		want := []aiohttpPart{
			{Name: str("meta"), ContentType: str("application/json"), Size: 11, SHA256: sha([]byte(`{"k":"值"}`)), Value: str(`{"k":"值"}`)},
			{Name: str("ext"), Filename: str("€ rates.txt"), ContentType: str("application/octet-stream"), Size: 3, SHA256: sha([]byte("ext"))},
			{Nested: []aiohttpPart{
				{Filename: str("one.txt"), ContentType: str("text/plain"), Size: 5, SHA256: sha([]byte("first"))},
				{ContentType: str("application/octet-stream"), Size: 4096, SHA256: sha(big[:4096]), Value: nil},
			}},
			{Name: str("stream"), Filename: str("s.bin"), ContentType: str("application/octet-stream"), Size: 100000, SHA256: sha(big[:100000])},
		}
		// aiohttp decodes a part without a filename as text: the binary
		// one comes back as whatever that gives; compare the rest.
		if len(got.Parts) == 4 && len(got.Parts[2].Nested) == 2 {
			got.Parts[2].Nested[1].Value = nil
		}
		if !reflect.DeepEqual(got.Parts, want) {
			t.Errorf("aiohttp read\n%s\nwant\n%s", jsonString(got.Parts), jsonString(want))
		}
	})
}

// readerOnly hides everything but Read: a stream of unknown length.
type readerOnly struct{ r *strings.Reader }

func (r readerOnly) Read(p []byte) (int, error) { return r.r.Read(p) }

func jsonString(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
