package multipart

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// Writer builds a multipart body (aiohttp's MultipartWriter): parts are
// appended first, then the body is read from the Writer, which streams
// each part's reader in turn, so that files go out from disk without
// being read into memory. [Writer.Size] is the body's length when every
// part's is known (bytes, strings, JSON, regular files, anything with
// Len), so that it can be sent with Content-Length; else -1, and it is
// sent chunked.
//
// A Writer is read once: a part from an io.Reader is consumed then.
// Close closes the parts' readers that are io.Closers (files opened by
// AppendFile, any reader handed over); the client closes the Writer once
// the request is sent.
type Writer struct {
	subtype  string
	boundary string
	parts    []*writerPart
	size     int64 // -1 when some part's length is unknown

	stream io.Reader // the body, once reading started
	closed bool
}

// writerPart is one part of a Writer.
type writerPart struct {
	body   io.Reader
	length int64 // -1 when unknown
	head   []byte
}

// NewWriter returns a Writer of a multipart/subtype body ("form-data",
// "mixed", "related", ...) with a random boundary.
func NewWriter(subtype string) *Writer {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return &Writer{subtype: subtype, boundary: hex.EncodeToString(b[:]), size: int64(len("----\r\n") + 32)}
}

// Boundary returns the Writer's boundary.
func (w *Writer) Boundary() string { return w.boundary }

// SetBoundary replaces the random boundary with b: 1 to 70 characters of
// RFC 2046's set, not ending in a space. It must be called before any
// part is appended.
func (w *Writer) SetBoundary(b string) error {
	if len(w.parts) > 0 {
		return errors.New("multipart: SetBoundary called after a part was appended")
	}
	if len(b) < 1 || len(b) > 70 || b[len(b)-1] == ' ' {
		return fmt.Errorf("multipart: invalid boundary %q", b)
	}
	for _, c := range []byte(b) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || strings.IndexByte("'()+_,-./:=? ", c) >= 0) {
			return fmt.Errorf("multipart: invalid boundary %q", b)
		}
	}
	w.size += int64(len(b) - len(w.boundary))
	w.boundary = b
	return nil
}

// ContentType returns the Content-Type of the body, such as
// `multipart/form-data; boundary=...`.
func (w *Writer) ContentType() string {
	b := w.boundary
	if strings.ContainsAny(b, `()<>@,;:\"/[]?= `) {
		b = `"` + b + `"`
	}
	return "multipart/" + w.subtype + "; boundary=" + b
}

// Size returns the length of the whole body, -1 when a part's length is
// unknown.
func (w *Writer) Size() int64 { return w.size }

// Append adds a part whose body is read from r when the Writer is read.
// The length is known for what has Len (*bytes.Reader, *strings.Reader,
// *bytes.Buffer) and for a regular file (what has Stat); a body shorter
// or longer than that length makes reading the Writer fail. header may
// be nil; its Content-Type, when there is none, is
// application/octet-stream.
func (w *Writer) Append(header *multidict.CIMultiDict, r io.Reader) {
	header = w.header(header, "application/octet-stream")
	w.appendPart(header, r, readerLength(r))
}

// AppendBytes adds a part holding b, which must not change until the
// Writer has been read (application/octet-stream unless header says
// otherwise).
func (w *Writer) AppendBytes(header *multidict.CIMultiDict, b []byte) {
	w.appendPart(w.header(header, "application/octet-stream"), bytes.NewReader(b), int64(len(b)))
}

// AppendString adds a part holding s (text/plain; charset=utf-8 unless
// header says otherwise).
func (w *Writer) AppendString(header *multidict.CIMultiDict, s string) {
	w.appendPart(w.header(header, "text/plain; charset=utf-8"), strings.NewReader(s), int64(len(s)))
}

// AppendJSON adds a part holding v encoded as JSON (aiohttp's
// append_json).
func (w *Writer) AppendJSON(header *multidict.CIMultiDict, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.appendPart(w.header(header, "application/json"), bytes.NewReader(b), int64(len(b)))
	return nil
}

// AppendForm adds a part holding form urlencoded (aiohttp's append_form).
func (w *Writer) AppendForm(header *multidict.CIMultiDict, form *multidict.MultiDict) {
	s := field.EncodeURLEncoded(form.Items())
	w.appendPart(w.header(header, "application/x-www-form-urlencoded"), strings.NewReader(s), int64(len(s)))
}

// AppendMultipart adds a part that is itself the multipart body of
// nested, such as multipart/mixed inside multipart/form-data.
func (w *Writer) AppendMultipart(header *multidict.CIMultiDict, nested *Writer) {
	w.appendPart(w.header(header, nested.ContentType()), nested, nested.Size())
}

// AppendFile opens the file at path and adds it as a part, streamed from
// disk when the Writer is read, its name in Content-Disposition and its
// Content-Type guessed from the extension. Close closes the file. Unless
// header says otherwise, the part is an attachment, or in a form-data
// Writer a field named after the file (AddFile names it as you like).
func (w *Writer) AppendFile(header *multidict.CIMultiDict, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	header = w.header(header, contentTypeByName(path))
	if !header.Has("Content-Disposition") {
		name := filepath.Base(path)
		if w.subtype == "form-data" {
			header.Set("Content-Disposition", formatDisposition("form-data", name, name))
		} else {
			header.Set("Content-Disposition", formatDisposition("attachment", "", name))
		}
	}
	w.appendPart(header, f, readerLength(f))
	return nil
}

// AddField adds a form-data field holding value, as a browser sends a
// text input: a Content-Disposition header only.
func (w *Writer) AddField(name, value string) {
	h := multidict.NewCI(multidict.Item{Key: "Content-Disposition", Value: formatDisposition("form-data", name, "")})
	w.appendPart(h, strings.NewReader(value), int64(len(value)))
}

// AddFile adds a form-data file field named name whose content is read
// from r, with filename (an *os.File's base name when empty, else the
// field's name, as aiohttp does) and contentType (guessed from the
// filename's extension when empty, application/octet-stream when it says
// nothing). An *os.File's length comes from Stat; Close closes r when it
// is an io.Closer.
func (w *Writer) AddFile(name, filename, contentType string, r io.Reader) {
	if f, ok := r.(interface{ Name() string }); ok && filename == "" {
		filename = filepath.Base(f.Name())
	}
	if filename == "" {
		filename = name // as aiohttp's guess_filename
	}
	if contentType == "" {
		contentType = contentTypeByName(filename)
	}
	h := multidict.NewCI(
		multidict.Item{Key: "Content-Disposition", Value: formatDisposition("form-data", name, filename)},
		multidict.Item{Key: "Content-Type", Value: contentType},
	)
	w.appendPart(h, r, readerLength(r))
}

// header returns h, or a new one, with Content-Type ct unless it has one.
func (w *Writer) header(h *multidict.CIMultiDict, ct string) *multidict.CIMultiDict {
	if h == nil {
		h = new(multidict.CIMultiDict)
	}
	if !h.Has("Content-Type") {
		h.Add("Content-Type", ct)
	}
	return h
}

func (w *Writer) appendPart(h *multidict.CIMultiDict, r io.Reader, length int64) {
	var head []byte
	if len(w.parts) > 0 {
		head = append(head, "\r\n"...)
	}
	head = append(head, "--"...)
	head = append(head, w.boundary...)
	head = append(head, "\r\n"...)
	for k, v := range h.All() {
		head = append(head, lineBreaks.Replace(k)...)
		head = append(head, ": "...)
		head = append(head, lineBreaks.Replace(v)...)
		head = append(head, "\r\n"...)
	}
	head = append(head, "\r\n"...)
	w.parts = append(w.parts, &writerPart{body: r, length: length, head: head})
	if len(w.parts) == 1 && w.size >= 0 {
		w.size += 2 // the closing boundary has a CRLF before it, now
	}
	if w.size >= 0 && length >= 0 {
		w.size += int64(len(head)) + length
	} else {
		w.size = -1
	}
}

// readerLength returns the length of what r has left to read, -1 when it
// does not tell.
func readerLength(r io.Reader) int64 {
	if l, ok := r.(interface{ Len() int }); ok {
		return int64(l.Len())
	}
	if w, ok := r.(*Writer); ok {
		return w.Size()
	}
	st, ok := r.(interface{ Stat() (fs.FileInfo, error) })
	s, ok2 := r.(io.Seeker)
	if !ok || !ok2 {
		return -1
	}
	fi, err := st.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return -1
	}
	pos, err := s.Seek(0, io.SeekCurrent)
	if err != nil || pos > fi.Size() {
		return -1
	}
	return fi.Size() - pos
}

// Read reads the body: each part's head and body in turn, then the
// closing boundary.
func (w *Writer) Read(p []byte) (int, error) {
	if w.closed {
		return 0, io.ErrClosedPipe
	}
	if w.stream == nil {
		pieces := make([]io.Reader, 0, 2*len(w.parts)+1)
		for _, p := range w.parts {
			body := p.body
			if p.length >= 0 {
				body = &exactReader{r: body, left: p.length}
			}
			pieces = append(pieces, bytes.NewReader(p.head), body)
		}
		closing := "\r\n--" + w.boundary + "--\r\n"
		if len(w.parts) == 0 {
			closing = closing[2:]
		}
		w.stream = io.MultiReader(append(pieces, strings.NewReader(closing))...)
	}
	return w.stream.Read(p)
}

// Close closes the readers of the parts that are io.Closers. It may be
// called more than once.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	var errs []error
	for _, p := range w.parts {
		if c, ok := p.body.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// exactReader reads exactly left bytes from r: fewer is
// io.ErrUnexpectedEOF, more an error too.
type exactReader struct {
	r    io.Reader
	left int64
}

// errPartTooLong reports a part body longer than the length it declared.
var errPartTooLong = errors.New("multipart: a part's body is longer than its length")

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left == 0 {
		var one [1]byte
		if n, _ := e.r.Read(one[:]); n > 0 {
			return 0, errPartTooLong
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF && e.left > 0 {
		return n, io.ErrUnexpectedEOF
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}

// formatDisposition returns a Content-Disposition value of type typ with
// the name and filename parameters when not empty, quoted as browsers do
// (HTML's multipart/form-data encoding): raw UTF-8, with `"`, CR and LF
// percent-encoded.
func formatDisposition(typ, name, filename string) string {
	s := typ
	if name != "" {
		s += `; name="` + escapeQuoted(name) + `"`
	}
	if filename != "" {
		s += `; filename="` + escapeQuoted(filename) + `"`
	}
	return s
}

// lineBreaks turns the line breaks of a header value into spaces.
var lineBreaks = strings.NewReplacer("\r", " ", "\n", " ")

var quotedEscaper = strings.NewReplacer(`"`, "%22", "\r", "%0D", "\n", "%0A")

func escapeQuoted(s string) string { return quotedEscaper.Replace(s) }

// contentTypeByName guesses a Content-Type from a file name's extension,
// application/octet-stream when it says nothing.
func contentTypeByName(name string) string {
	if ct := mime.TypeByExtension(filepath.Ext(name)); ct != "" {
		return ct
	}
	return "application/octet-stream"
}
