package aiohttp_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/aiohttp-go/aiohttp"
)

// Check the status, then read the body as text in the charset the
// response declares (or the one detected).
func ExampleResponse_Text() {
	var resp *aiohttp.Response // as a Session method returns it
	defer resp.Close()
	if err := resp.RaiseForStatus(); err != nil {
		log.Fatal(err) // a *aiohttp.ClientResponseError with the status
	}
	text, err := resp.Text()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(text))
}

// Decode a JSON body; a response that is not JSON is refused with an
// error of kind ErrContentType.
func ExampleResponse_JSON() {
	var resp *aiohttp.Response // as a Session method returns it
	defer resp.Close()
	var v struct {
		Status string `json:"status"`
	}
	err := resp.JSON(&v)
	if errors.Is(err, aiohttp.ErrContentType) {
		// Decode it anyway, as aiohttp's json(content_type=None).
		err = resp.JSON(&v, aiohttp.AnyContentType())
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Status)
}

// Follow a paginated API through its Link headers.
func ExampleResponse_Links() {
	var resp *aiohttp.Response // as a Session method returns it
	defer resp.Close()
	for _, link := range resp.Links() {
		if link.Rel == "next" {
			fmt.Println("next page:", link.URL)
		}
	}
}

// Save a download under the name the server suggests, streaming it in
// 64 KiB pieces.
func ExampleStreamReader_IterChunked() {
	var resp *aiohttp.Response // as a Session method returns it
	defer resp.Close()
	name := "download.bin"
	if cd := resp.ContentDisposition(); cd != nil && cd.Filename != "" {
		name = cd.Filename // untrusted: sanitise before use as a path
	}
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var total int
	for chunk, err := range resp.Content().IterChunked(64 << 10) {
		if err != nil {
			log.Fatal(err) // errors.Is(err, aiohttp.ErrClientPayload) for a broken body
		}
		n, err := f.Write(chunk)
		if err != nil {
			log.Fatal(err)
		}
		total += n
	}
	fmt.Println("bytes:", total)
}

// Read a line-oriented stream (NDJSON, logs) as it arrives.
func ExampleStreamReader_Lines() {
	var resp *aiohttp.Response // as a Session method returns it
	defer resp.Close()
	for line, err := range resp.Content().Lines() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s", line)
	}
}

// The stream is an io.Reader, for everything that takes one.
func ExampleResponse_Content() {
	var resp *aiohttp.Response // as a Session method returns it
	defer resp.Close()
	if _, err := io.Copy(os.Stdout, resp.Content()); err != nil {
		log.Fatal(err)
	}
}
