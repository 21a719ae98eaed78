package multipart

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/charset"
	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// Part is one part of a multipart body as a [Reader] hands it out
// (aiohttp's BodyPartReader). It is an io.Reader of the part's body,
// valid until the next call of its Reader's NextPart; its Header and the
// strings it returns stay valid for good.
type Part struct {
	// Header holds the part's header fields, as sent.
	Header *multidict.CIMultiDict

	mr      *Reader
	started bool // reading the body began
	done    bool
	atEnd   error // how the body ended badly
	disp    *ContentDisposition
	header  multidict.CIMultiDict // what Header points to
	items   [4]multidict.Item     // room for the usual fields, in the same allocation
}

// Read reads the part's body; io.EOF at its end.
func (p *Part) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	chunk, err := p.next(len(b))
	return copy(b, chunk), err
}

// WriteTo writes the rest of the part's body to w straight from the
// reader's buffer; io.Copy uses it.
func (p *Part) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for {
		chunk, err := p.next(len(p.mr.delim) + bufSize)
		if len(chunk) > 0 {
			m, werr := w.Write(chunk)
			n += int64(m)
			if werr != nil {
				return n, werr
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// ContentDisposition returns the part's parsed Content-Disposition
// header; its Type is "" when there is none.
func (p *Part) ContentDisposition() *ContentDisposition {
	if p.disp == nil {
		p.disp = ParseContentDisposition(p.Header.Get("Content-Disposition"))
	}
	return p.disp
}

// Name returns the form field name of a form-data part, "" when it has
// none.
func (p *Part) Name() string { return p.ContentDisposition().Params["name"] }

// Filename returns the file name of the part, from filename* (RFC 5987)
// or filename (raw UTF-8, as browsers send it); "" when it has none.
// Leading slashes are removed; the name is untrusted still.
func (p *Part) Filename() string { return p.ContentDisposition().Filename }

// ContentType returns the part's Content-Type value, "text/plain" when
// it has none (RFC 7578 section 4.4).
func (p *Part) ContentType() string {
	if ct, ok := p.Header.Lookup("Content-Type"); ok {
		return ct
	}
	return "text/plain"
}

// Bytes reads the rest of the part's body (aiohttp's read).
func (p *Part) Bytes() ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(p)
	return b.Bytes(), err
}

// Text reads the rest of the part's body and decodes it by the charset
// of its Content-Type, else UTF-8 (aiohttp's text); invalid UTF-8
// becomes U+FFFD.
func (p *Part) Text() (string, error) {
	b, err := p.Bytes()
	if err != nil {
		return "", err
	}
	enc := charset.UTF8
	if cs := field.Param(p.ContentType(), "charset"); cs != "" {
		var ok bool
		if enc, ok = charset.Lookup(cs); !ok {
			return "", malformed("unknown charset %q", cs)
		}
	}
	return enc.Decode(b)
}

// JSON decodes the rest of the part's body as JSON into v (aiohttp's
// json).
func (p *Part) JSON(v any) error {
	b, err := p.Bytes()
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Form reads the rest of the part's body as an urlencoded form (aiohttp's
// form).
func (p *Part) Form() (*multidict.MultiDict, error) {
	s, err := p.Text()
	if err != nil {
		return nil, err
	}
	return field.ParseURLEncoded(s), nil
}

// IsMultipart reports whether the part is itself multipart, such as
// multipart/mixed inside multipart/form-data.
func (p *Part) IsMultipart() bool {
	return strings.HasPrefix(field.MediaType(p.ContentType()), "multipart/")
}

// Multipart returns a Reader of a part that is itself multipart, with
// its parent's limits; its parts count toward the parent's MaxParts.
func (p *Part) Multipart() (*Reader, error) {
	b, err := Boundary(p.ContentType())
	if err != nil {
		return nil, err
	}
	mr := NewReader(p, b)
	mr.Limits = p.mr.Limits
	mr.Limits.MaxSize = -1 // the parent counts the bytes
	mr.parts = p.mr.parts
	return mr, nil
}
