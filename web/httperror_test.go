package web

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestHTTPErrorConstructors(t *testing.T) {
	tests := []struct {
		err    *HTTPError
		status int
		reason string
	}{
		{HTTPOk(), 200, "OK"},
		{HTTPCreated(), 201, "Created"},
		{HTTPAccepted(), 202, "Accepted"},
		{HTTPNonAuthoritativeInformation(), 203, "Non-Authoritative Information"},
		{HTTPNoContent(), 204, "No Content"},
		{HTTPResetContent(), 205, "Reset Content"},
		{HTTPPartialContent(), 206, "Partial Content"},
		{HTTPMultipleChoices("/x"), 300, "Multiple Choices"},
		{HTTPMovedPermanently("/x"), 301, "Moved Permanently"},
		{HTTPFound("/x"), 302, "Found"},
		{HTTPSeeOther("/x"), 303, "See Other"},
		{HTTPNotModified(), 304, "Not Modified"},
		{HTTPUseProxy("/x"), 305, "Use Proxy"},
		{HTTPTemporaryRedirect("/x"), 307, "Temporary Redirect"},
		{HTTPPermanentRedirect("/x"), 308, "Permanent Redirect"},
		{HTTPBadRequest(), 400, "Bad Request"},
		{HTTPUnauthorized(), 401, "Unauthorized"},
		{HTTPPaymentRequired(), 402, "Payment Required"},
		{HTTPForbidden(), 403, "Forbidden"},
		{HTTPNotFound(), 404, "Not Found"},
		{HTTPMethodNotAllowed("POST", []string{"GET"}), 405, "Method Not Allowed"},
		{HTTPNotAcceptable(), 406, "Not Acceptable"},
		{HTTPProxyAuthenticationRequired(), 407, "Proxy Authentication Required"},
		{HTTPRequestTimeout(), 408, "Request Timeout"},
		{HTTPConflict(), 409, "Conflict"},
		{HTTPGone(), 410, "Gone"},
		{HTTPLengthRequired(), 411, "Length Required"},
		{HTTPPreconditionFailed(), 412, "Precondition Failed"},
		{HTTPRequestEntityTooLarge(10, 20), 413, "Request Entity Too Large"},
		{HTTPRequestURITooLong(), 414, "Request-URI Too Long"},
		{HTTPUnsupportedMediaType(), 415, "Unsupported Media Type"},
		{HTTPRequestRangeNotSatisfiable(), 416, "Requested Range Not Satisfiable"},
		{HTTPExpectationFailed(), 417, "Expectation Failed"},
		{HTTPMisdirectedRequest(), 421, "Misdirected Request"},
		{HTTPUnprocessableEntity(), 422, "Unprocessable Entity"},
		{HTTPFailedDependency(), 424, "Failed Dependency"},
		{HTTPUpgradeRequired(), 426, "Upgrade Required"},
		{HTTPPreconditionRequired(), 428, "Precondition Required"},
		{HTTPTooManyRequests(), 429, "Too Many Requests"},
		{HTTPRequestHeaderFieldsTooLarge(), 431, "Request Header Fields Too Large"},
		{HTTPUnavailableForLegalReasons("https://x/"), 451, "Unavailable For Legal Reasons"},
		{HTTPInternalServerError(), 500, "Internal Server Error"},
		{HTTPNotImplemented(), 501, "Not Implemented"},
		{HTTPBadGateway(), 502, "Bad Gateway"},
		{HTTPServiceUnavailable(), 503, "Service Unavailable"},
		{HTTPGatewayTimeout(), 504, "Gateway Timeout"},
		{HTTPVersionNotSupported(), 505, "HTTP Version Not Supported"},
		{HTTPVariantAlsoNegotiates(), 506, "Variant Also Negotiates"},
		{HTTPInsufficientStorage(), 507, "Insufficient Storage"},
		{HTTPNotExtended(), 510, "Not Extended"},
		{HTTPNetworkAuthenticationRequired(), 511, "Network Authentication Required"},
	}
	for _, tt := range tests {
		e := tt.err
		if e.Status != tt.status || e.Reason != tt.reason {
			t.Errorf("got %d %q, want %d %q", e.Status, e.Reason, tt.status, tt.reason)
		}
		want := fmt.Sprintf("%d: %s", tt.status, tt.reason)
		if got := e.Error(); got != want {
			t.Errorf("%d: Error() = %q, want %q", tt.status, got, want)
		}
		categories := []bool{e.IsSuccessful(), e.IsRedirect(), e.IsClientError(), e.IsServerError()}
		for i, got := range categories {
			if want := tt.status/100 == i+2; got != want {
				t.Errorf("%d: category %dxx = %v, want %v", tt.status, i+2, got, want)
			}
		}
		switch tt.status {
		case 204, 205, 304:
			if e.body() != "" || e.bodyContentType() != "" {
				t.Errorf("%d: body %q, content type %q, want none", tt.status, e.body(), e.bodyContentType())
			}
		case 413:
		default:
			if e.body() != want || e.bodyContentType() != "text/plain; charset=utf-8" {
				t.Errorf("%d: body %q, content type %q", tt.status, e.body(), e.bodyContentType())
			}
		}
	}
}

func TestHTTPErrorFreshValues(t *testing.T) {
	a, b := HTTPNotFound(), HTTPNotFound()
	a.WithText("changed").WithHeader("X", "1")
	if b.Text != "" || b.Headers.Len() != 0 {
		t.Fatalf("constructors share state: %+v", b)
	}
}

func TestHTTPErrorRedirects(t *testing.T) {
	redirects := map[int]func(string) *HTTPError{
		300: HTTPMultipleChoices, 301: HTTPMovedPermanently, 302: HTTPFound, 303: HTTPSeeOther,
		305: HTTPUseProxy, 307: HTTPTemporaryRedirect, 308: HTTPPermanentRedirect,
	}
	for status, fn := range redirects {
		e := fn("/login?next=%2F")
		if e.Status != status || e.Headers.Get("Location") != "/login?next=%2F" || e.Headers.Len() != 1 {
			t.Errorf("%d: got %d, headers %v", status, e.Status, e.Headers.Items())
		}
		if e.body() != e.Error() {
			t.Errorf("%d: body %q", status, e.body())
		}
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, "HTTP redirects need a location to redirect to.") {
					t.Errorf("%d: empty location: panic %q", status, msg)
				}
			}()
			fn("")
		}()
	}
	if HTTPNotModified().Headers.Len() != 0 {
		t.Error("304 has header fields")
	}
}

func TestHTTPMethodNotAllowed(t *testing.T) {
	allowed := []string{"PUT", "GET", "DELETE"}
	e := HTTPMethodNotAllowed("POST", allowed)
	if got := e.Headers.Get("Allow"); got != "DELETE,GET,PUT" {
		t.Errorf("Allow = %q", got)
	}
	if !slices.Equal(allowed, []string{"PUT", "GET", "DELETE"}) {
		t.Errorf("caller's slice changed: %v", allowed)
	}
	if e.body() != "405: Method Not Allowed" {
		t.Errorf("body %q", e.body())
	}
	if got := HTTPMethodNotAllowed("GET", nil).Headers.GetAll("Allow"); !slices.Equal(got, []string{""}) {
		t.Errorf("no methods: Allow = %q", got)
	}
}

func TestHTTPRequestEntityTooLarge(t *testing.T) {
	e := HTTPRequestEntityTooLarge(1048576, 2000000)
	want := "Maximum request body size 1048576 exceeded, actual body size 2000000"
	if e.body() != want || e.Text != want {
		t.Errorf("body %q", e.body())
	}
	if e.Error() != "413: Request Entity Too Large" {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestHTTPUnavailableForLegalReasons(t *testing.T) {
	e := HTTPUnavailableForLegalReasons("https://example.org/blocked")
	if got := e.Headers.Get("Link"); got != `<https://example.org/blocked>; rel="blocked-by"` {
		t.Errorf("Link = %q", got)
	}
}

func TestHTTPErrorWith(t *testing.T) {
	e := HTTPNotFound().WithReason("Gone Fishing")
	if e.Error() != "404: Gone Fishing" || e.body() != "404: Gone Fishing" {
		t.Errorf("Error() %q, body %q", e.Error(), e.body())
	}
	e.WithText("<h1>nope</h1>").WithContentType("text/html; charset=utf-8")
	if e.body() != "<h1>nope</h1>" || e.bodyContentType() != "text/html; charset=utf-8" {
		t.Errorf("body %q, content type %q", e.body(), e.bodyContentType())
	}
	e.WithHeader("Set-Cookie", "a=1").WithHeader("set-cookie", "b=2")
	if got := e.Headers.GetAll("Set-Cookie"); !slices.Equal(got, []string{"a=1", "b=2"}) {
		t.Errorf("Set-Cookie = %q", got)
	}
	if e := HTTPNoContent().WithText("ignored").WithContentType("text/html"); e.body() != "" || e.bodyContentType() != "" {
		t.Errorf("204: body %q, content type %q", e.body(), e.bodyContentType())
	}
}

func TestHTTPErrorLiteralAndNew(t *testing.T) {
	e := &HTTPError{Status: 409}
	if e.Error() != "409: Conflict" || e.body() != "409: Conflict" || e.bodyContentType() != "text/plain; charset=utf-8" {
		t.Errorf("literal: %q %q %q", e.Error(), e.body(), e.bodyContentType())
	}
	for _, status := range []int{100, 101, 103} {
		if e := NewHTTPError(status); e.body() != "" {
			t.Errorf("%d: body %q", status, e.body())
		}
	}
	if e := NewHTTPError(418); e.Error() != "418: I'm a Teapot" {
		t.Errorf("418: %q", e.Error())
	}
	if e := NewHTTPError(599); e.Reason != "" || e.Error() != "599: " || !e.IsServerError() {
		t.Errorf("599: %+v", e)
	}
}

func TestHTTPErrorIs(t *testing.T) {
	err := fmt.Errorf("loading user: %w", HTTPNotFound().WithText("no user 7"))
	if !errors.Is(err, HTTPNotFound()) {
		t.Error("a wrapped 404 is not HTTPNotFound()")
	}
	if errors.Is(err, HTTPGone()) {
		t.Error("a 404 is HTTPGone()")
	}
	if errors.Is(err, errors.New("404: Not Found")) {
		t.Error("a 404 is another error with the same text")
	}
	var he *HTTPError
	if !errors.As(err, &he) || he.Text != "no user 7" {
		t.Errorf("errors.As: %+v", he)
	}
}
