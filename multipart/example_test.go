package multipart_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/aiohttp-go/aiohttp/multipart"
)

func Example() {
	// Write a form with a text field and a file...
	w := multipart.NewWriter("form-data")
	w.AddField("title", "Q1 report")
	w.AddFile("file", "report.csv", "text/csv", strings.NewReader("region,sales\nnorth,42\n"))
	fmt.Println("length known:", w.Size() >= 0)

	// ...and read it back, part by part.
	boundary, err := multipart.Boundary(w.ContentType())
	if err != nil {
		log.Fatal(err)
	}
	mr := multipart.NewReader(w, boundary)
	defer mr.Close()
	for p, err := range mr.Parts() {
		if err != nil {
			log.Fatal(err)
		}
		if p.Filename() == "" {
			v, _ := p.Text()
			fmt.Printf("field %s = %q\n", p.Name(), v)
			continue
		}
		n, _ := io.Copy(io.Discard, p)
		fmt.Printf("file %s: %s, %s, %d bytes\n", p.Name(), p.Filename(), p.ContentType(), n)
	}
	// Output:
	// length known: true
	// field title = "Q1 report"
	// file file: report.csv, text/csv, 22 bytes
}

func ExampleFormData() {
	var form multipart.FormData
	form.AddField("user", "alice")
	_, contentType, _, _ := form.Encode()
	fmt.Println(contentType)

	form.AddFile("avatar", "me.png", "", strings.NewReader("\x89PNG..."))
	_, contentType, size, _ := form.Encode()
	fmt.Println(strings.SplitN(contentType, ";", 2)[0], size > 0)
	// Output:
	// application/x-www-form-urlencoded
	// multipart/form-data true
}

func ExampleReader_limits() {
	body := "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n" +
		"--b\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n--b--\r\n"
	mr := multipart.NewReader(strings.NewReader(body), "b")
	mr.Limits = multipart.Limits{MaxParts: 1}
	for _, err := range mr.Parts() {
		if err != nil {
			var le *multipart.LimitError
			fmt.Println(err, errors.As(err, &le))
		}
	}
	// Output:
	// multipart: too many parts (limit 1) true
}
