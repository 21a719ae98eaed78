package multipart_test

import (
	"bytes"
	"io"
	stdmultipart "mime/multipart"
	"net/textproto"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aiohttp-go/aiohttp/multipart"
)

type fuzzPart struct {
	header map[string][]string
	body   string
}

// readOurs reads every part of body with our reader, limits off but the
// header size; small reads exercise the refills.
func readOurs(body []byte, boundary string) ([]fuzzPart, error) {
	mr := multipart.NewReader(iotest.HalfReader(bytes.NewReader(body)), boundary)
	mr.Limits = multipart.Limits{MaxParts: -1}
	defer mr.Close()
	var parts []fuzzPart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			return parts, err
		}
		h := map[string][]string{}
		for k, v := range p.Header.All() {
			k = textproto.CanonicalMIMEHeaderKey(k)
			h[k] = append(h[k], v)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return parts, err
		}
		parts = append(parts, fuzzPart{h, string(b)})
	}
}

func readStd(body []byte, boundary string) ([]fuzzPart, error) {
	mr := stdmultipart.NewReader(bytes.NewReader(body), boundary)
	var parts []fuzzPart
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			return parts, err
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return parts, err
		}
		parts = append(parts, fuzzPart{p.Header, string(b)})
	}
}

// FuzzReader checks that the reader never panics nor loops, and that it
// reads what mime/multipart reads wherever both accept the body.
func FuzzReader(f *testing.F) {
	w := multipart.NewWriter("form-data")
	w.SetBoundary("b0undary")
	w.AddField("a", "1")
	w.AddFile("f", "x.txt", "", strings.NewReader("line\r\n--b0undar\r\n"))
	seed, _ := io.ReadAll(w)
	for _, s := range []string{
		string(seed),
		"--b0undary\r\nA: 1\r\n\r\nx\r\n--b0undary--\r\n",
		"preamble\r\n--b0undary \t\r\n\r\n\r\n--b0undary--",
		"--b0undary\r\nA: 1\r\n folded\r\n\r\n--b0undaryx\r\n--b0undary--",
		"--b0undary\nA: 1\n\nx\n--b0undary--\n",
		"--b0undary\r\n\r\n\r\n--b0undary\r\n",
		"--b0undary\r\nbad\r\n\r\n",
	} {
		f.Add([]byte(s), "b0undary")
	}
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		if boundary == "" || len(boundary) > 70 || strings.ContainsAny(boundary, "\r\n") {
			return
		}
		ours, err := readOurs(body, boundary)
		if err != nil {
			return
		}
		if bytes.Contains(bytes.ToLower(body), []byte("quoted-printable")) {
			return // mime/multipart decodes it; we hand the body over as sent
		}
		std, serr := readStd(body, boundary)
		if serr != nil {
			return
		}
		if len(ours) != len(std) {
			t.Fatalf("%d parts, mime/multipart %d", len(ours), len(std))
		}
		for i := range ours {
			if ours[i].body != std[i].body {
				t.Fatalf("part %d body %q, mime/multipart %q", i, ours[i].body, std[i].body)
			}
			if len(ours[i].header) != len(std[i].header) {
				t.Fatalf("part %d header %q, mime/multipart %q", i, ours[i].header, std[i].header)
			}
			for k, v := range std[i].header {
				if strings.Join(ours[i].header[k], "\x00") != strings.Join(v, "\x00") {
					t.Fatalf("part %d header %s %q, mime/multipart %q", i, k, ours[i].header[k], v)
				}
			}
		}
	})
}
