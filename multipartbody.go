package aiohttp

import "github.com/aiohttp-go/aiohttp/multipart"

// FormData sends d (aiohttp's data=FormData(...)): urlencoded when it
// holds text fields only, else as multipart/form-data with its files
// streamed from their readers (an *os.File from disk, never read into
// memory), with Content-Length when every length is known (an *os.File's
// from Stat), chunked otherwise. The files are not closed: close them
// once the request is done. A multipart form is sent once: a 307/308
// redirect or a retry cannot send it again.
//
//	f, err := os.Open("report.xls")
//	...
//	defer f.Close()
//	var form multipart.FormData
//	form.AddFile("file", "report.xls", "application/vnd.ms-excel", f)
//	resp, err := s.Post(ctx, url, aiohttp.FormData(&form))
func FormData(d *multipart.FormData) BodyOption {
	return bodyOptionFunc(func(c *requestConfig) {
		body, contentType, size, err := d.Encode()
		if err != nil {
			c.err = err
			return
		}
		p := newReaderPayload(body)
		p.contentType, p.length = contentType, size
		c.setBody(p)
	})
}

// Multipart sends the multipart body w builds (aiohttp's
// MultipartWriter as data), with its Content-Type: the same as Body(w).
// It is sent once; close w afterwards to close the files it opened.
func Multipart(w *multipart.Writer) BodyOption { return Body(w) }
