package web_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"

	"github.com/aiohttp-go/aiohttp/web"
)

// A route that takes uploads of up to 64 MiB and hashes each file as it
// streams, nothing stored.
func ExampleRequest_Multipart() {
	app := web.NewApplication()
	app.Router.Post("/upload", func(req *web.Request) (web.Response, error) {
		req.SetClientMaxSize(64 << 20)
		mr, err := req.Multipart()
		if err != nil {
			return nil, err
		}
		defer mr.Close()
		sums := map[string]string{}
		for p, err := range mr.Parts() {
			if err != nil {
				return nil, err // 413 past a limit, 400 for a malformed body
			}
			h := sha256.New()
			if _, err := io.Copy(h, p); err != nil {
				return nil, err
			}
			sums[p.Name()] = fmt.Sprintf("%x", h.Sum(nil))
		}
		return web.JSON(sums)
	})
}

// A form with files, read whole: the fields as strings, the files in
// memory or in temporary files that the server removes after the
// request.
func ExampleRequest_Files() {
	app := web.NewApplication()
	app.Router.Post("/profile", func(req *web.Request) (web.Response, error) {
		fields, err := req.Post()
		if err != nil {
			return nil, err
		}
		files, err := req.Files()
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if f.Name != "avatar" {
				continue
			}
			src, err := f.Open()
			if err != nil {
				return nil, err
			}
			defer src.Close()
			// f.Filename and the fields are the client's: no path from them.
			dst, err := os.CreateTemp("", "avatar-*")
			if err != nil {
				return nil, err
			}
			defer dst.Close()
			if _, err := io.Copy(dst, src); err != nil {
				return nil, err
			}
		}
		return web.Text("saved the avatar of " + fields.Get("user")), nil
	})
}
