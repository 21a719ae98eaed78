package web_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aiohttp-go/aiohttp/web"
)

func ExampleNewFileResponse() {
	app := web.NewApplication()
	// GET /report answers with the file: ranges, conditional requests,
	// report.pdf.br or .gz when the client accepts them, sendfile.
	app.Router.Get("/report", func(req *web.Request) (web.Response, error) {
		resp := web.NewFileResponse("/srv/reports/latest.pdf")
		resp.Header().Set("Content-Disposition", `attachment; filename="report.pdf"`)
		return resp, nil
	})
}

func ExampleRouter_Static() {
	dir, _ := os.MkdirTemp("", "static")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "site.css"), []byte("body{}"), 0o644)

	app := web.NewApplication()
	// GET /static/site.css serves dir/site.css; /static/ lists dir.
	app.Router.Static("/static", dir, web.StaticOptions{Name: "static", ShowIndex: true, AppendVersion: true})

	u, _ := app.Router.URLFor("static", "filename", "site.css")
	fmt.Println(u)
	// Output:
	// /static/site.css?v=fJgEClQWV1hGkK4qHMO0KotTsVnMYMXTq7_suurGyUo
}
