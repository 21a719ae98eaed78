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
//	with open('massive-body', 'rb') as f:       # -as body: the file is the body
//	    await session.post('http://httpbin.org/post', data=f)
//
//	@aiohttp.streamer                           # -as stream: sent chunked
//	async def file_sender(writer, file_name=None):
//	    with open(file_name, 'rb') as f:
//	        chunk = f.read(2**16)
//	        while chunk:
//	            await writer.write(chunk)
//	            chunk = f.read(2**16)
//	await session.post(url, data=file_sender(file_name='huge_file'))
//
//	data = zlib.compress(my_data)               # -as deflate: pre-compressed
//	headers = {'Content-Encoding': 'deflate'}
//	await session.post(url, data=data, headers=headers)
//
// The content type is -type, else guessed from the file's extension. The
// demo server (go run ./cmd/aiohttp serve) answers POST /upload, the
// default -url, with the files' sizes and SHA-256 digests; httpbin's /post
// echoes them:
//
//	go run ./examples/upload -file report.xls
//	go run ./examples/upload -url https://httpbin.org/post -file report.xls
//	go run ./examples/upload -url https://httpbin.org/post -file huge_file -as stream
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/multipart"
	"github.com/klauspost/compress/zlib"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/upload", "URL to post the file to")
	path := flag.String("file", "", "the file to upload")
	contentType := flag.String("type", "", "the file's content type (default: by its extension)")
	as := flag.String("as", "form", "how to send the file: form (the form field \"file\"), body (the whole body), stream (the body, chunked) or deflate (the body, compressed)")
	flag.Parse()
	log.SetFlags(0)
	if *path == "" {
		log.Fatal("upload: -file is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, *url, *path, *contentType, *as)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

// run posts the file at path to url, as the form field "file" or as the
// body (as says how), and copies the answer body to out.
func run(ctx context.Context, out io.Writer, url, path, contentType, as string) error {
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

	var opts []aiohttp.RequestOption
	switch as {
	case "form": // FormData: streamed from disk, Content-Length from Stat
		var form multipart.FormData
		form.AddFile("file", filepath.Base(path), contentType, f)
		opts = append(opts, aiohttp.FormData(&form))
	case "body": // data=f: streamed, Content-Length from Stat
		opts = append(opts, aiohttp.Body(f))
	case "stream": // a reader that does not tell its length: chunked
		opts = append(opts, aiohttp.Body(struct{ io.Reader }{f}))
	case "deflate": // compressed while it streams, chunked
		pr, pw := io.Pipe()
		go func() {
			zw := zlib.NewWriter(pw)
			_, err := io.Copy(zw, f)
			if err == nil {
				err = zw.Close()
			}
			pw.CloseWithError(err)
		}()
		defer pr.Close()
		opts = append(opts, aiohttp.Body(pr), aiohttp.Header("Content-Encoding", "deflate"))
	default:
		return fmt.Errorf("upload: -as %q: want form, body, stream or deflate", as)
	}
	if contentType != "" && as != "form" {
		opts = append(opts, aiohttp.Header("Content-Type", contentType))
	}
	resp, err := session.Post(ctx, url, opts...)
	if err != nil {
		return err
	}
	defer resp.Close()
	_, err = io.Copy(out, resp.Content())
	return err
}
