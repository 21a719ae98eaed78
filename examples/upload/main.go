// Upload ports "发送多部分编码文件(Multipart-Encoded)" and "流式上传" of the
// seed tutorial on aiohttp's client (aiohttp's client quickstart): a file
// posted as the form field "file", with its file name and content type,
// streamed from disk without being read into memory. It prints the
// server's answer body and nothing else.
//
// The Python originals:
//
//	url = 'http://httpbin.org/post'
//	files = {'file': open('report.xls', 'rb')}
//	await session.post(url, data=files)
//
//	data = FormData()
//	data.add_field('file', open('report.xls', 'rb'),
//	               filename='report.xls', content_type='application/vnd.ms-excel')
//	await session.post(url, data=data)
//
//	with open('massive-body', 'rb') as f:       # -raw: the file is the body
//	    await session.post('http://httpbin.org/post', data=f)
//
// The content type is -type, else guessed from the file's extension. The
// demo server (go run ./cmd/aiohttp serve) answers POST /upload, the
// default -url, with the files' sizes and SHA-256 digests; httpbin's /post
// echoes them:
//
//	go run ./examples/upload -file report.xls
//	go run ./examples/upload -url https://httpbin.org/post -file report.xls
package main

import (
	"context"
	"flag"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/multipart"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/upload", "URL to post the file to")
	path := flag.String("file", "", "the file to upload")
	contentType := flag.String("type", "", "the file's content type (default: by its extension)")
	raw := flag.Bool("raw", false, "send the file as the whole body, not as a form field")
	flag.Parse()
	log.SetFlags(0)
	if *path == "" {
		log.Fatal("upload: -file is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, *url, *path, *contentType, *raw)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

// run posts the file at path to url and copies the answer body to out.
func run(ctx context.Context, out io.Writer, url, path, contentType string, raw bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	session, err := aiohttp.NewSession(aiohttp.SessionOptions{RaiseForStatus: true})
	if err != nil {
		return err
	}
	defer session.Close()

	body := aiohttp.Body(f) // data=f: streamed, Content-Length from Stat
	if !raw {
		var form multipart.FormData
		form.AddFile("file", filepath.Base(path), contentType, f)
		body = aiohttp.FormData(&form)
	}
	resp, err := session.Post(ctx, url, body)
	if err != nil {
		return err
	}
	defer resp.Close()
	_, err = io.Copy(out, resp.Content())
	return err
}
