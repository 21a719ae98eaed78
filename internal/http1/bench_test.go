package http1

import (
	"bytes"
	"io"
	"testing"
)

const (
	smallGET = "GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"

	browserGET = "GET /static/app.js?v=1.4.2 HTTP/1.1\r\n" +
		"Host: www.example.com\r\n" +
		"Connection: keep-alive\r\n" +
		"sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
		"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
		"Sec-Fetch-Site: same-origin\r\n" +
		"Sec-Fetch-Mode: no-cors\r\n" +
		"Referer: https://www.example.com/index.html\r\n" +
		"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
		"Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n" +
		"Cookie: session=4f2a9c1e8b7d6a5f3e2d1c0b9a8f7e6d; theme=dark; _ga=GA1.2.123456789.1700000000\r\n" +
		"\r\n"

	smallResponse = "HTTP/1.1 200 OK\r\n" +
		"Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n" +
		"Server: nginx\r\n" +
		"Content-Type: application/json; charset=utf-8\r\n" +
		"Content-Length: 27\r\n" +
		"Connection: keep-alive\r\n" +
		"\r\n"
)

func BenchmarkParseRequestHead(b *testing.B) {
	for _, bc := range []struct{ name, in string }{{"SmallGET", smallGET}, {"BrowserGET", browserGET}} {
		b.Run(bc.name, func(b *testing.B) {
			in := []byte(bc.in)
			var h RequestHead
			h.Fields = make([]Field, 0, 16)
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseRequestHead(in, &h, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseResponseHead(b *testing.B) {
	in := []byte(smallResponse)
	var h ResponseHead
	h.Fields = make([]Field, 0, 16)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseResponseHead(in, &h, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReaderRequest reads requests from a connection that always has
// the next one ready, as with pipelining or a busy keep-alive client.
func BenchmarkReaderRequest(b *testing.B) {
	for _, bc := range []struct{ name, in string }{{"SmallGET", smallGET}, {"BrowserGET", browserGET}} {
		b.Run(bc.name, func(b *testing.B) {
			r := NewReader(&repeatReader{data: []byte(bc.in)})
			var h RequestHead
			var body Body
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := r.ReadRequestHead(&h, Limits{}); err != nil {
					b.Fatal(err)
				}
				body.Reset(r, h.Body, h.ContentLength)
			}
		})
	}
}

// BenchmarkChunkedBody reads a 16 KiB body sent in 1 KiB chunks.
func BenchmarkChunkedBody(b *testing.B) {
	payload := bytes.Repeat([]byte("abcdefghijklmnop"), 64)
	msg := []byte(chunkedHead)
	for range 16 {
		msg = AppendChunk(msg, payload)
	}
	msg = AppendLastChunk(msg, nil)
	r := NewReader(&repeatReader{data: msg})
	var h RequestHead
	var body Body
	p := make([]byte, 4096)
	b.SetBytes(16 * int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.ReadRequestHead(&h, Limits{}); err != nil {
			b.Fatal(err)
		}
		body.Reset(r, h.Body, h.ContentLength)
		for {
			_, err := body.Read(p)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkAppendResponse builds a small response: status line, Date, two
// fields and the body.
func BenchmarkAppendResponse(b *testing.B) {
	buf := make([]byte, 0, 4096)
	body := []byte("Hello, World!")
	b.ReportAllocs()
	for b.Loop() {
		w := AppendStatusLine(buf[:0], 1, 200, "")
		w = AppendDate(w)
		w = AppendField(w, "Content-Type", "text/plain; charset=utf-8")
		w = AppendField(w, "Content-Length", "13")
		w = append(w, "\r\n"...)
		buf = append(w, body...)
	}
}
