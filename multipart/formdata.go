package multipart

import (
	"io"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// FormData is an HTML form to send (aiohttp's FormData): fields added in
// order, encoded as application/x-www-form-urlencoded unless a field is
// a file (it has a filename, a content type or a reader), then as
// multipart/form-data, files streamed from their readers.
//
//	f, _ := os.Open("report.xls")
//	defer f.Close()
//	var form multipart.FormData
//	form.AddField("user", "alice")
//	form.AddFile("file", "report.xls", "application/vnd.ms-excel", f)
//	resp, err := session.Post(ctx, url, aiohttp.FormData(&form))
type FormData struct {
	fields   []Field
	boundary string
}

// Field is one field of a FormData.
type Field struct {
	Name string
	// Value is the field's content, unless Reader is set.
	Value string
	// Reader streams the field's content; its length is known from Len
	// or, for an *os.File, from Stat.
	Reader io.Reader
	// Filename and ContentType make the field a file; ContentType
	// defaults to one guessed from the Filename's extension.
	Filename    string
	ContentType string
}

// Add adds f.
func (d *FormData) Add(f Field) { d.fields = append(d.fields, f) }

// AddField adds a text field.
func (d *FormData) AddField(name, value string) { d.Add(Field{Name: name, Value: value}) }

// AddFile adds a file field whose content is read from r when the form is
// sent, with filename and contentType (guessed from the filename when
// empty).
func (d *FormData) AddFile(name, filename, contentType string, r io.Reader) {
	d.Add(Field{Name: name, Reader: r, Filename: filename, ContentType: contentType})
}

// SetBoundary chooses the boundary of the multipart encoding instead of a
// random one.
func (d *FormData) SetBoundary(b string) { d.boundary = b }

// IsMultipart reports whether the form is sent as multipart/form-data.
func (d *FormData) IsMultipart() bool {
	for _, f := range d.fields {
		if f.Reader != nil || f.Filename != "" || f.ContentType != "" {
			return true
		}
	}
	return false
}

// Encode returns the form's body, its Content-Type and its length (-1
// when a reader's length is unknown). A multipart body is a *Writer,
// whose Close closes the readers that are io.Closers; an urlencoded one
// is a *strings.Reader.
func (d *FormData) Encode() (body io.Reader, contentType string, size int64, err error) {
	if !d.IsMultipart() {
		items := make([]multidict.Item, len(d.fields))
		for i, f := range d.fields {
			items[i] = multidict.Item{Key: f.Name, Value: f.Value}
		}
		s := field.EncodeURLEncoded(items)
		return strings.NewReader(s), "application/x-www-form-urlencoded", int64(len(s)), nil
	}
	w := NewWriter("form-data")
	if d.boundary != "" {
		if err := w.SetBoundary(d.boundary); err != nil {
			return nil, "", 0, err
		}
	}
	for _, f := range d.fields {
		switch {
		case f.Reader == nil && f.Filename == "" && f.ContentType == "":
			w.AddField(f.Name, f.Value)
		case f.Reader == nil:
			w.AddFile(f.Name, f.Filename, f.ContentType, strings.NewReader(f.Value))
		default:
			w.AddFile(f.Name, f.Filename, f.ContentType, f.Reader)
		}
	}
	return w, w.ContentType(), w.Size(), nil
}
