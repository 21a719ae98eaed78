package web_test

import (
	"errors"
	"fmt"

	"github.com/aiohttp-go/aiohttp/web"
)

// A handler redirects by returning an HTTPError; the server sends its
// status, its Location field and the default body.
func ExampleHTTPFound() {
	err := web.HTTPFound("/login")

	fmt.Println(err.Status, err.Headers.Get("Location"))
	fmt.Println(err)
	// Output:
	// 302 /login
	// 302: Found
}

// An HTTPError keeps its status through wrapping, and errors.Is matches it
// against a fresh error of the same status.
func ExampleHTTPError_Is() {
	err := fmt.Errorf("loading user 7: %w", web.HTTPNotFound().WithText("no user 7"))

	fmt.Println(errors.Is(err, web.HTTPNotFound()))
	fmt.Println(errors.Is(err, web.HTTPGone()))
	var he *web.HTTPError
	if errors.As(err, &he) {
		fmt.Println(he.Status, he.Reason, he.Text)
	}
	// Output:
	// true
	// false
	// 404 Not Found no user 7
}

// HTTPMethodNotAllowed lists the allowed methods in the Allow field, sorted
// as aiohttp sends them.
func ExampleHTTPMethodNotAllowed() {
	err := web.HTTPMethodNotAllowed("DELETE", []string{"POST", "GET"})

	fmt.Println(err.Headers.Get("Allow"))
	// Output: GET,POST
}
