package web

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/multipart"
)

// MaxMemory is how many bytes of uploaded files [Request.Post] keeps in
// memory for one request; the files past it are spooled to temporary
// files, removed when the request is done.
const MaxMemory = 1 << 20

// FileField is a file of a multipart/form-data body, as [Request.Files]
// returns it (aiohttp's FileField). Its content is in memory or in a
// temporary file, which the server removes once the handler returned and
// the response was sent: Open it before then.
type FileField struct {
	// Name is the form field's name.
	Name string
	// Filename is the name the client gave the file (filename* decoded,
	// leading slashes removed): untrusted, take filepath.Base of it at
	// least before using it as a path.
	Filename string
	// ContentType is the part's Content-Type ("text/plain" when the
	// client sent none).
	ContentType string
	// Header holds all of the part's header fields.
	Header *multidict.CIMultiDict
	// Size is the file's length in bytes.
	Size int64

	data []byte // the content when in memory
	path string // the temporary file otherwise
}

// Open returns a reader of the file's content from its start; close it
// when done.
func (f *FileField) Open() (io.ReadSeekCloser, error) {
	if f.path != "" {
		return os.Open(f.path)
	}
	return nopCloser{bytes.NewReader(f.data)}, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// postForm is a multipart/form-data body read by Post.
type postForm struct {
	fields *multidict.MultiDict
	files  []*FileField
	err    error
}

// SetClientMaxSize sets the largest body this request accepts, instead
// of the application's client_max_size (see [WithClientMaxSize]); a
// negative size means no limit. A handler that takes large uploads calls
// it before reading the body:
//
//	req.SetClientMaxSize(64 << 20)
//	mr, err := req.Multipart()
func (r *Request) SetClientMaxSize(n int64) {
	r.maxSize, r.hasMaxSize, r.dirty = n, true, true
}

// ClientMaxSize returns the largest body the request accepts: its own
// (SetClientMaxSize), else its application's; negative for no limit.
func (r *Request) ClientMaxSize() int64 {
	switch {
	case r.hasMaxSize:
		return r.maxSize
	case r.app != nil:
		return r.app.clientMaxSize
	}
	return -1
}

// Multipart returns a streaming reader of a multipart body (aiohttp's
// request.multipart()): parts one at a time, each an io.Reader, nothing
// kept in memory or on disk. The reader stops at the request's
// ClientMaxSize and at multipart.Limits' defaults (1000 parts, 16 KiB of
// header per part); change mr.Limits before the first NextPart. Its
// errors, returned from the handler, answer 413 for a limit and 400 for a
// malformed or truncated body. A body that is not multipart is a 400
// error.
func (r *Request) Multipart() (*multipart.Reader, error) {
	boundary, err := multipart.Boundary(r.headerView("Content-Type"))
	if err != nil {
		return nil, &BodyError{Err: err, HTTP: HTTPBadRequest().WithText(err.Error())}
	}
	limit := r.ClientMaxSize()
	body := r.bodyReader() // decoded from its Content-Encoding, if any
	if limit >= 0 && r.bodyLength > limit && r.coding != codingDecoded {
		return nil, HTTPRequestEntityTooLarge(limit, r.bodyLength)
	}
	if r.readDone {
		if r.readErr != nil {
			return nil, r.readErr
		}
		body = bytes.NewReader(r.read)
	}
	mr := multipart.NewReader(body, boundary)
	if limit >= 0 {
		mr.Limits.MaxSize = max(limit, 1)
	}
	return mr, nil
}

// readForm reads a multipart/form-data body for Post and Files: fields
// as strings decoded by their charset, files in memory up to MaxMemory
// for the request, in temporary files past it.
func (r *Request) readForm() *postForm {
	if r.post != nil {
		return r.post
	}
	r.dirty = true
	r.post = &postForm{fields: new(multidict.MultiDict)}
	mr, err := r.Multipart()
	if err != nil {
		r.post.err = err
		return r.post
	}
	defer mr.Close()
	memory := int64(MaxMemory)
	for p, err := range mr.Parts() {
		if err != nil {
			r.post.err = multipartError(err)
			break
		}
		if p.Filename() == "" {
			v, err := fieldValue(p)
			if err != nil {
				r.post.err = multipartError(err)
				break
			}
			r.post.fields.Add(p.Name(), v)
			continue
		}
		f, err := r.saveFile(p, &memory)
		if err != nil {
			r.post.err = multipartError(err)
			break
		}
		r.post.files = append(r.post.files, f)
	}
	return r.post
}

// fieldValue reads a field that is not a file: text (no Content-Type, or
// text/*) decoded by its charset, anything else as its bytes (as aiohttp,
// which gives a bytearray then).
func fieldValue(p *multipart.Part) (string, error) {
	ct, ok := p.Header.Lookup("Content-Type")
	if !ok || strings.HasPrefix(field.MediaType(ct), "text/") {
		return p.Text()
	}
	b, err := p.Bytes()
	return string(b), err
}

// saveFile reads the file part p, into memory while the budget lasts,
// else into a temporary file.
func (r *Request) saveFile(p *multipart.Part, memory *int64) (*FileField, error) {
	f := &FileField{Name: p.Name(), Filename: p.Filename(), ContentType: p.ContentType(), Header: p.Header}
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, p, *memory+1)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if n <= *memory {
		*memory -= n
		f.data, f.Size = buf.Bytes(), n
		return f, nil
	}
	tmp, err := os.CreateTemp("", "aiohttp-upload-*")
	if err != nil {
		return nil, err
	}
	f.path = tmp.Name()
	r.spooled = append(r.spooled, f.path)
	_, err = buf.WriteTo(tmp)
	if err == nil {
		var rest int64
		rest, err = io.Copy(tmp, p)
		n += rest
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	f.Size = n
	return f, err
}

// multipartError makes a multipart reading error an HTTP one, when it
// is about the body.
func multipartError(err error) error {
	if he := multipartHTTPError(err); he != nil {
		return &BodyError{Err: err, HTTP: he}
	}
	return err
}

// multipartHTTPError returns the HTTP error a multipart reading error
// answers: 413 past a limit, 400 for a malformed body; nil for others.
func multipartHTTPError(err error) *HTTPError {
	var le *multipart.LimitError
	switch {
	case errors.As(err, &le):
		return NewHTTPError(413).WithText(le.Error())
	case errors.Is(err, multipart.ErrMalformed):
		return HTTPBadRequest().WithText(err.Error())
	}
	return nil
}

// Files returns the files of a multipart/form-data body, in the order
// the client sent them, reading the body as Post does (Post then returns
// its other fields); none for other bodies.
func (r *Request) Files() ([]*FileField, error) {
	if r.ContentType() != "multipart/form-data" {
		return nil, nil
	}
	form := r.readForm()
	return form.files, form.err
}

// removeSpooled removes the temporary files of the request's uploads.
func (r *Request) removeSpooled() {
	for _, path := range r.spooled {
		_ = os.Remove(path)
	}
	r.spooled = r.spooled[:0]
}
