package multipart_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	stdmultipart "mime/multipart"
	"strconv"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/multipart"
)

// benchBodies are the bodies the parse benchmarks read: an 8 MiB binary
// file, an 8 MiB text file with a CRLF every 40 bytes, and 1000 small
// fields.
func benchBodies(b *testing.B) map[string][2]string {
	bin := make([]byte, 8<<20)
	rand.NewChaCha8([32]byte{}).Read(bin)
	binary, bb := stdBody(b, [2]string{"file", string(bin)})
	text, tb := stdBody(b, [2]string{"file", strings.Repeat("a\r\n-bcdefghijklmnopqrstuvwxyz0123456789\n", 8<<20/40)})
	fields := make([][2]string, 1000)
	for i := range fields {
		fields[i] = [2]string{"field" + strconv.Itoa(i), "value " + strconv.Itoa(i)}
	}
	small, sb := stdBody(b, fields...)
	return map[string][2]string{"BinaryFile": {string(binary), bb}, "TextFile": {string(text), tb}, "SmallFields": {string(small), sb}}
}

// BenchmarkParse reads every part of each body to its end, with our
// reader and with mime/multipart's; MB/s is body bytes parsed per second.
func BenchmarkParse(b *testing.B) {
	for name, body := range benchBodies(b) {
		data, boundary := []byte(body[0]), body[1]
		b.Run(name+"/aiohttp", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				mr := multipart.NewReader(bytes.NewReader(data), boundary)
				for {
					p, err := mr.NextPart()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if _, err := io.Copy(io.Discard, p); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(name+"/mime", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				mr := stdmultipart.NewReader(bytes.NewReader(data), boundary)
				for {
					p, err := mr.NextRawPart()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if _, err := io.Copy(io.Discard, p); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
