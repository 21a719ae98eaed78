package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/aiohttp-go/aiohttp/web"
)

// maxUpload bounds the body of POST /upload.
const maxUpload = 64 << 20

// uploadedFile is one file in the answer of POST /upload.
type uploadedFile struct {
	Name        string `json:"name"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// upload reads a multipart/form-data body of up to 64 MiB as it streams
// (POST /upload): each file is hashed on the way and never stored, the
// text fields kept. It answers
// {"files": [{"name", "filename", "content_type", "size", "sha256"}],
// "form": {"name": "value"}}, the first value of a repeated field.
func upload(req *web.Request) (web.Response, error) {
	req.SetClientMaxSize(maxUpload)
	mr, err := req.Multipart()
	if err != nil {
		return nil, err
	}
	defer mr.Close()
	files := []uploadedFile{}
	form := map[string]string{}
	for p, err := range mr.Parts() {
		if err != nil {
			return nil, err
		}
		if p.Filename() == "" {
			v, err := p.Text()
			if err != nil {
				return nil, err
			}
			if _, dup := form[p.Name()]; !dup {
				form[p.Name()] = v
			}
			continue
		}
		h := sha256.New()
		n, err := io.Copy(h, p)
		if err != nil {
			return nil, err
		}
		files = append(files, uploadedFile{p.Name(), p.Filename(), p.ContentType(), n, hex.EncodeToString(h.Sum(nil))})
	}
	return web.JSON(map[string]any{"files": files, "form": form})
}
