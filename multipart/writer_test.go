package multipart_test

import (
	"bytes"
	"errors"
	"io"
	stdmultipart "mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/multipart"
)

func TestWriterRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.csv")
	if err := os.WriteFile(path, []byte("a,b\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	nested := multipart.NewWriter("mixed")
	nested.AppendString(nil, "inner one")
	nested.AppendBytes(multidict.NewCI(multidict.Item{Key: "Content-Type", Value: "image/png"}), []byte{0x89, 'P', 'N', 'G'})

	w := multipart.NewWriter("form-data")
	if err := w.SetBoundary("custom-boundary"); err != nil {
		t.Fatal(err)
	}
	w.AddField("user", "al\"ice")
	w.AddFile("file", "", "", f)
	w.AddFile("upload", "naïve €.txt", "text/plain", strings.NewReader("text"))
	if err := w.AppendJSON(multidict.NewCI(multidict.Item{Key: "Content-Disposition", Value: `form-data; name="meta"`}), map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	w.AppendMultipart(multidict.NewCI(multidict.Item{Key: "Content-Disposition", Value: `form-data; name="mixed"`}), nested)

	if ct := w.ContentType(); ct != "multipart/form-data; boundary=custom-boundary" {
		t.Errorf("content type %q", ct)
	}
	size := w.Size()
	body, err := io.ReadAll(w)
	if err != nil {
		t.Fatal(err)
	}
	if size != int64(len(body)) {
		t.Errorf("Size %d, body %d bytes:\n%s", size, len(body), body)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("the file is not closed: %v", err)
	}

	mr := multipart.NewReader(iotest.OneByteReader(bytes.NewReader(body)), "custom-boundary")
	want := []struct{ name, filename, ct, body string }{
		{"user", "", "text/plain", `al"ice`},
		{"file", "report.csv", "text/csv; charset=utf-8", "a,b\n1,2\n"},
		{"upload", "naïve €.txt", "text/plain", "text"},
		{"meta", "", "application/json", `{"n":1}`},
	}
	for _, w := range want {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		b, err := p.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if p.Name() != w.name || p.Filename() != w.filename || p.ContentType() != w.ct || string(b) != w.body {
			t.Errorf("part %q %q %q %q, want %+v", p.Name(), p.Filename(), p.ContentType(), b, w)
		}
	}
	p, err := mr.NextPart()
	if err != nil || !p.IsMultipart() {
		t.Fatalf("nested: %v", err)
	}
	inner, err := p.Multipart()
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for ip, err := range inner.Parts() {
		if err != nil {
			t.Fatal(err)
		}
		s, err := ip.Text()
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, ip.ContentType()+"="+s)
	}
	if strings.Join(texts, "|") != "text/plain; charset=utf-8=inner one|image/png=\uFFFDPNG" {
		t.Errorf("nested parts %q", texts)
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}

	// mime/multipart reads the same body.
	sr := stdmultipart.NewReader(bytes.NewReader(body), "custom-boundary")
	form, err := sr.ReadForm(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if form.Value["user"][0] != `al"ice` || form.File["upload"][0].Filename != "naïve €.txt" {
		t.Errorf("mime/multipart read %v %v", form.Value, form.File["upload"][0].Filename)
	}
}

func TestWriterUnknownAndWrongLengths(t *testing.T) {
	w := multipart.NewWriter("mixed")
	w.Append(nil, iotest.HalfReader(strings.NewReader("unknown length")))
	if w.Size() != -1 {
		t.Errorf("Size %d for a reader of unknown length", w.Size())
	}
	if _, err := io.ReadAll(w); err != nil {
		t.Fatal(err)
	}

	// A file that shrinks after its length was taken.
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("0123456789"), 0o600)
	w = multipart.NewWriter("form-data")
	if err := w.AppendFile(nil, path); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	os.WriteFile(path, []byte("01234"), 0o600)
	if _, err := io.ReadAll(w); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short part: %v", err)
	}
}

func TestWriterEmptyAndBoundary(t *testing.T) {
	w := multipart.NewWriter("mixed")
	body, _ := io.ReadAll(w)
	if int64(len(body)) != w.Size() || !strings.HasSuffix(string(body), "--\r\n") {
		t.Errorf("empty body %q, Size %d", body, w.Size())
	}
	for _, b := range []string{"", strings.Repeat("x", 71), "ends ", "semi;colon", "new\nline"} {
		if err := w.SetBoundary(b); err == nil {
			t.Errorf("SetBoundary(%q) accepted", b)
		}
	}
	if err := w.SetBoundary("has space"); err != nil || w.ContentType() != `multipart/mixed; boundary="has space"` {
		t.Errorf("%v %q", err, w.ContentType())
	}
}

func TestFormData(t *testing.T) {
	var d multipart.FormData
	d.AddField("a", "1 2")
	d.AddField("b", "&")
	body, ct, size, err := d.Encode()
	if err != nil || ct != "application/x-www-form-urlencoded" || size != 11 {
		t.Fatalf("%v %q %d", err, ct, size)
	}
	if b, _ := io.ReadAll(body); string(b) != "a=1+2&b=%26" {
		t.Errorf("urlencoded %q", b)
	}
	d.Add(multipart.Field{Name: "f", Value: "content", Filename: "x.json"})
	d.SetBoundary("bnd")
	body, ct, size, err = d.Encode()
	if err != nil || ct != "multipart/form-data; boundary=bnd" {
		t.Fatalf("%v %q", err, ct)
	}
	b, _ := io.ReadAll(body)
	if int64(len(b)) != size {
		t.Errorf("size %d, body %d", size, len(b))
	}
	if !strings.Contains(string(b), "Content-Disposition: form-data; name=\"f\"; filename=\"x.json\"\r\nContent-Type: application/json\r\n\r\ncontent\r\n") {
		t.Errorf("body %q", b)
	}
}
