package multipart_test

import (
	"bytes"
	"errors"
	"io"
	stdmultipart "mime/multipart"
	"net/textproto"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aiohttp-go/aiohttp/multipart"
)

// stdBody builds a body with mime/multipart's writer.
func stdBody(t testing.TB, parts ...[2]string) (body []byte, boundary string) {
	var b bytes.Buffer
	w := stdmultipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+p[0]+`"`)
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write([]byte(p[1]))
	}
	w.Close()
	return b.Bytes(), w.Boundary()
}

func readAll(t *testing.T, r io.Reader, boundary string) ([][2]string, error) {
	t.Helper()
	mr := multipart.NewReader(r, boundary)
	defer mr.Close()
	var got [][2]string
	for p, err := range mr.Parts() {
		if err != nil {
			return got, err
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return got, err
		}
		got = append(got, [2]string{p.Name(), string(b)})
	}
	return got, nil
}

func TestReaderParts(t *testing.T) {
	big := strings.Repeat("0123456789abcdef\r\n-", 20000)
	parts := [][2]string{{"a", "one"}, {"b", ""}, {"c", big}, {"d", "\r\n--almost\r\n"}, {"e", "tail\r"}}
	body, boundary := stdBody(t, parts...)
	for name, r := range map[string]io.Reader{
		"whole":    bytes.NewReader(body),
		"onebyte":  iotest.OneByteReader(bytes.NewReader(body)),
		"halfread": iotest.HalfReader(bytes.NewReader(body)),
	} {
		got, err := readAll(t, r, boundary)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(parts) {
			t.Fatalf("%s: %d parts, want %d", name, len(got), len(parts))
		}
		for i := range parts {
			if got[i] != parts[i] {
				t.Errorf("%s: part %d = %.40q, want %.40q", name, i, got[i], parts[i])
			}
		}
	}
}

func TestReaderPreambleAndBoundaryLookalikes(t *testing.T) {
	body := "preamble\r\n--xx-not\r\n--xx  \r\nX-A: 1\r\n  folded\r\n\r\n--xxy\r\n--xx\tno\r\n--xx--epilogue"
	mr := multipart.NewReader(strings.NewReader(body), "xx")
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Header.Get("x-a"); got != "1 folded" {
		t.Errorf("header %q", got)
	}
	b, _ := io.ReadAll(p)
	if string(b) != "--xxy\r\n--xx\tno" {
		t.Errorf("body %q", b)
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Fatalf("end again: %v", err)
	}
}

func TestReaderErrors(t *testing.T) {
	full, boundary := stdBody(t, [2]string{"a", "value"}, [2]string{"b", strings.Repeat("x", 100)})
	tests := []struct {
		name   string
		body   string
		limits multipart.Limits
		is     error
	}{
		{"empty", "", multipart.Limits{}, multipart.ErrMalformed},
		{"no boundary", "just text", multipart.Limits{}, multipart.ErrMalformed},
		{"truncated body", string(full[:len(full)-20]), multipart.Limits{}, io.ErrUnexpectedEOF},
		{"truncated header", string(full[:strings.Index(string(full), "form-data")]), multipart.Limits{}, io.ErrUnexpectedEOF},
		{"bad header", "--" + boundary + "\r\nno colon\r\n\r\nx\r\n--" + boundary + "--", multipart.Limits{}, multipart.ErrMalformed},
		{"parts", string(full), multipart.Limits{MaxParts: 1}, multipart.ErrTooManyParts},
		{"header", string(full), multipart.Limits{MaxHeaderBytes: 20}, multipart.ErrHeaderTooLarge},
		{"size", string(full), multipart.Limits{MaxSize: 100}, multipart.ErrTooLarge},
	}
	for _, tt := range tests {
		mr := multipart.NewReader(iotest.HalfReader(strings.NewReader(tt.body)), boundary)
		mr.Limits = tt.limits
		var err error
		for {
			var p *multipart.Part
			if p, err = mr.NextPart(); err != nil {
				break
			}
			if _, err = io.Copy(io.Discard, p); err != nil {
				break
			}
		}
		if !errors.Is(err, tt.is) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.is)
		}
		var le *multipart.LimitError
		if errors.As(err, &le) != (tt.limits != multipart.Limits{}) {
			t.Errorf("%s: %v as LimitError: %v", tt.name, err, le)
		}
		if _, again := mr.NextPart(); again != err {
			t.Errorf("%s: not sticky: %v then %v", tt.name, err, again)
		}
		mr.Close()
		mr.Close()
	}
}

func TestBoundary(t *testing.T) {
	for ct, want := range map[string]string{
		`multipart/form-data; boundary=abc`:                        "abc",
		`Multipart/Mixed; boundary="a b:c"; x=1`:                   "a b:c",
		`text/plain; boundary=abc`:                                 "",
		`multipart/form-data`:                                      "",
		`multipart/form-data; boundary=` + strings.Repeat("x", 71): "",
	} {
		got, err := multipart.Boundary(ct)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("Boundary(%q) = %q, %v; want %q", ct, got, err, want)
		}
	}
}

func TestReaderCloseMidPart(t *testing.T) {
	body, boundary := stdBody(t, [2]string{"a", strings.Repeat("x", 1000)}, [2]string{"b", "y"})
	mr := multipart.NewReader(iotest.HalfReader(bytes.NewReader(body)), boundary)
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, 10)
	if _, err := p.Read(first); err != nil {
		t.Fatal(err)
	}
	mr.Close()
	if _, err := p.Read(first); err != io.ErrClosedPipe {
		t.Errorf("Read after Close: %v", err)
	}
	if _, err := mr.NextPart(); err != io.ErrClosedPipe {
		t.Errorf("NextPart after Close: %v", err)
	}
}

// A part left behind reads nothing of the next one.
func TestReaderStalePart(t *testing.T) {
	body, boundary := stdBody(t, [2]string{"a", "first"}, [2]string{"b", "second"})
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	old, _ := mr.NextPart()
	if _, err := mr.NextPart(); err != nil {
		t.Fatal(err)
	}
	if n, err := old.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("stale part read %d, %v", n, err)
	}
}
