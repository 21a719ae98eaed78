package web

import (
	"slices"
	"strconv"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// HTTPError is an HTTP status that a handler returns as its error, aiohttp's
// HTTPException family: the server answers with the status, the extra
// header fields and a short body instead of a response from the handler.
//
// Build one with the constructor named after aiohttp's class (for example
// [HTTPNotFound], [HTTPFound] or [HTTPMethodNotAllowed]) or with
// [NewHTTPError] for any status, then adjust it with the With methods:
//
//	return nil, web.HTTPNotFound().WithText("no such user")
//
// Zero fields take aiohttp's defaults, so a literal such as
// &web.HTTPError{Status: 409} is valid too. Every constructor returns a new
// value that the caller may change.
type HTTPError struct {
	// Status is the status code, 100 to 599.
	Status int
	// Reason is the reason phrase; "" means the standard phrase (the
	// constructors fill it in).
	Reason string
	// Text is the body. "" means aiohttp's default "<status>: <reason>",
	// for example "404: Not Found". Statuses that carry no body (1xx, 204,
	// 205 and 304) are always sent without one.
	Text string
	// ContentType is the Content-Type of the body; "" means text/plain
	// with charset utf-8.
	ContentType string
	// Headers holds extra header fields: Location for redirects, Allow for
	// 405, Link for 451, or any the caller adds.
	Headers multidict.CIMultiDict
}

// Error returns the status and its reason phrase, for example
// "404: Not Found", the default body.
func (e *HTTPError) Error() string {
	return strconv.Itoa(e.Status) + ": " + e.phrase()
}

// Is reports whether target is an [*HTTPError] with the same status, so that
// errors.Is(err, web.HTTPNotFound()) matches any 404.
func (e *HTTPError) Is(target error) bool {
	t, ok := target.(*HTTPError)
	return ok && t.Status == e.Status
}

// IsSuccessful reports whether the status is 2xx (aiohttp's HTTPSuccessful).
func (e *HTTPError) IsSuccessful() bool { return e.Status/100 == 2 }

// IsRedirect reports whether the status is 3xx (aiohttp's HTTPRedirection).
func (e *HTTPError) IsRedirect() bool { return e.Status/100 == 3 }

// IsClientError reports whether the status is 4xx (aiohttp's
// HTTPClientError).
func (e *HTTPError) IsClientError() bool { return e.Status/100 == 4 }

// IsServerError reports whether the status is 5xx (aiohttp's
// HTTPServerError).
func (e *HTTPError) IsServerError() bool { return e.Status/100 == 5 }

// WithText sets the body and returns e.
func (e *HTTPError) WithText(text string) *HTTPError {
	e.Text = text
	return e
}

// WithReason sets the reason phrase and returns e. The default body follows
// it: HTTPNotFound().WithReason("Gone Fishing") sends "404: Gone Fishing".
func (e *HTTPError) WithReason(reason string) *HTTPError {
	e.Reason = reason
	return e
}

// WithHeader adds a header field, after any already there with that name,
// and returns e.
func (e *HTTPError) WithHeader(name, value string) *HTTPError {
	e.Headers.Add(name, value)
	return e
}

// WithContentType sets the Content-Type of the body and returns e.
func (e *HTTPError) WithContentType(contentType string) *HTTPError {
	e.ContentType = contentType
	return e
}

// phrase returns the reason phrase to send.
func (e *HTTPError) phrase() string {
	if e.Reason != "" {
		return e.Reason
	}
	return http1.StatusText(e.Status)
}

// body returns the body to send: "" for statuses that carry none, else Text
// or the default "<status>: <reason>".
func (e *HTTPError) body() string {
	switch {
	case e.Status < 200, e.Status == 204, e.Status == 205, e.Status == 304:
		return ""
	case e.Text != "":
		return e.Text
	}
	return e.Error()
}

// bodyContentType returns the Content-Type value to send with the body, or
// "" when there is no body.
func (e *HTTPError) bodyContentType() string {
	switch {
	case e.body() == "":
		return ""
	case e.ContentType != "":
		return e.ContentType
	}
	return "text/plain; charset=utf-8"
}

// NewHTTPError returns an HTTPError for any status, with its standard
// reason phrase.
func NewHTTPError(status int) *HTTPError {
	return &HTTPError{Status: status, Reason: http1.StatusText(status)}
}

// redirect returns an HTTPError for a 3xx status that moves the client to
// location. It panics when location is empty, as aiohttp raises ValueError.
func redirect(status int, location string) *HTTPError {
	if location == "" {
		panic("web: HTTP redirects need a location to redirect to.")
	}
	return NewHTTPError(status).WithHeader("Location", location)
}

// HTTPOk returns a 200 OK HTTPError.
func HTTPOk() *HTTPError { return NewHTTPError(200) }

// HTTPCreated returns a 201 Created HTTPError.
func HTTPCreated() *HTTPError { return NewHTTPError(201) }

// HTTPAccepted returns a 202 Accepted HTTPError.
func HTTPAccepted() *HTTPError { return NewHTTPError(202) }

// HTTPNonAuthoritativeInformation returns a 203 Non-Authoritative
// Information HTTPError.
func HTTPNonAuthoritativeInformation() *HTTPError { return NewHTTPError(203) }

// HTTPNoContent returns a 204 No Content HTTPError, sent without a body.
func HTTPNoContent() *HTTPError { return NewHTTPError(204) }

// HTTPResetContent returns a 205 Reset Content HTTPError, sent without a
// body.
func HTTPResetContent() *HTTPError { return NewHTTPError(205) }

// HTTPPartialContent returns a 206 Partial Content HTTPError.
func HTTPPartialContent() *HTTPError { return NewHTTPError(206) }

// HTTPMultipleChoices returns a 300 Multiple Choices HTTPError with a
// Location field. It panics when location is empty.
func HTTPMultipleChoices(location string) *HTTPError { return redirect(300, location) }

// HTTPMovedPermanently returns a 301 Moved Permanently HTTPError that
// redirects to location. It panics when location is empty.
func HTTPMovedPermanently(location string) *HTTPError { return redirect(301, location) }

// HTTPFound returns a 302 Found HTTPError that redirects to location. It
// panics when location is empty.
func HTTPFound(location string) *HTTPError { return redirect(302, location) }

// HTTPSeeOther returns a 303 See Other HTTPError that redirects to location,
// the redirect to use after a POST. It panics when location is empty.
func HTTPSeeOther(location string) *HTTPError { return redirect(303, location) }

// HTTPNotModified returns a 304 Not Modified HTTPError, sent without a body.
func HTTPNotModified() *HTTPError { return NewHTTPError(304) }

// HTTPUseProxy returns a 305 Use Proxy HTTPError with a Location field. It
// panics when location is empty.
func HTTPUseProxy(location string) *HTTPError { return redirect(305, location) }

// HTTPTemporaryRedirect returns a 307 Temporary Redirect HTTPError that
// redirects to location, keeping the method and body. It panics when
// location is empty.
func HTTPTemporaryRedirect(location string) *HTTPError { return redirect(307, location) }

// HTTPPermanentRedirect returns a 308 Permanent Redirect HTTPError that
// redirects to location, keeping the method and body. It panics when
// location is empty.
func HTTPPermanentRedirect(location string) *HTTPError { return redirect(308, location) }

// HTTPBadRequest returns a 400 Bad Request HTTPError.
func HTTPBadRequest() *HTTPError { return NewHTTPError(400) }

// HTTPUnauthorized returns a 401 Unauthorized HTTPError.
func HTTPUnauthorized() *HTTPError { return NewHTTPError(401) }

// HTTPPaymentRequired returns a 402 Payment Required HTTPError.
func HTTPPaymentRequired() *HTTPError { return NewHTTPError(402) }

// HTTPForbidden returns a 403 Forbidden HTTPError.
func HTTPForbidden() *HTTPError { return NewHTTPError(403) }

// HTTPNotFound returns a 404 Not Found HTTPError.
func HTTPNotFound() *HTTPError { return NewHTTPError(404) }

// HTTPMethodNotAllowed returns a 405 Method Not Allowed HTTPError whose
// Allow field lists the allowed methods sorted and joined by "," as aiohttp
// does. method is the refused request method; as in aiohttp, it is not sent.
func HTTPMethodNotAllowed(method string, allowed []string) *HTTPError {
	return NewHTTPError(405).WithHeader("Allow", strings.Join(slices.Sorted(slices.Values(allowed)), ","))
}

// HTTPNotAcceptable returns a 406 Not Acceptable HTTPError.
func HTTPNotAcceptable() *HTTPError { return NewHTTPError(406) }

// HTTPProxyAuthenticationRequired returns a 407 Proxy Authentication
// Required HTTPError.
func HTTPProxyAuthenticationRequired() *HTTPError { return NewHTTPError(407) }

// HTTPRequestTimeout returns a 408 Request Timeout HTTPError.
func HTTPRequestTimeout() *HTTPError { return NewHTTPError(408) }

// HTTPConflict returns a 409 Conflict HTTPError.
func HTTPConflict() *HTTPError { return NewHTTPError(409) }

// HTTPGone returns a 410 Gone HTTPError.
func HTTPGone() *HTTPError { return NewHTTPError(410) }

// HTTPLengthRequired returns a 411 Length Required HTTPError.
func HTTPLengthRequired() *HTTPError { return NewHTTPError(411) }

// HTTPPreconditionFailed returns a 412 Precondition Failed HTTPError.
func HTTPPreconditionFailed() *HTTPError { return NewHTTPError(412) }

// HTTPRequestEntityTooLarge returns a 413 Request Entity Too Large HTTPError
// whose body is aiohttp's "Maximum request body size <maxSize> exceeded,
// actual body size <actualSize>".
func HTTPRequestEntityTooLarge(maxSize, actualSize int64) *HTTPError {
	return NewHTTPError(413).WithText("Maximum request body size " + strconv.FormatInt(maxSize, 10) +
		" exceeded, actual body size " + strconv.FormatInt(actualSize, 10))
}

// HTTPRequestURITooLong returns a 414 Request-URI Too Long HTTPError.
func HTTPRequestURITooLong() *HTTPError { return NewHTTPError(414) }

// HTTPUnsupportedMediaType returns a 415 Unsupported Media Type HTTPError.
func HTTPUnsupportedMediaType() *HTTPError { return NewHTTPError(415) }

// HTTPRequestRangeNotSatisfiable returns a 416 Requested Range Not
// Satisfiable HTTPError.
func HTTPRequestRangeNotSatisfiable() *HTTPError { return NewHTTPError(416) }

// HTTPExpectationFailed returns a 417 Expectation Failed HTTPError.
func HTTPExpectationFailed() *HTTPError { return NewHTTPError(417) }

// HTTPMisdirectedRequest returns a 421 Misdirected Request HTTPError.
func HTTPMisdirectedRequest() *HTTPError { return NewHTTPError(421) }

// HTTPUnprocessableEntity returns a 422 Unprocessable Entity HTTPError.
func HTTPUnprocessableEntity() *HTTPError { return NewHTTPError(422) }

// HTTPFailedDependency returns a 424 Failed Dependency HTTPError.
func HTTPFailedDependency() *HTTPError { return NewHTTPError(424) }

// HTTPUpgradeRequired returns a 426 Upgrade Required HTTPError.
func HTTPUpgradeRequired() *HTTPError { return NewHTTPError(426) }

// HTTPPreconditionRequired returns a 428 Precondition Required HTTPError.
func HTTPPreconditionRequired() *HTTPError { return NewHTTPError(428) }

// HTTPTooManyRequests returns a 429 Too Many Requests HTTPError.
func HTTPTooManyRequests() *HTTPError { return NewHTTPError(429) }

// HTTPRequestHeaderFieldsTooLarge returns a 431 Request Header Fields Too
// Large HTTPError.
func HTTPRequestHeaderFieldsTooLarge() *HTTPError { return NewHTTPError(431) }

// HTTPUnavailableForLegalReasons returns a 451 Unavailable For Legal Reasons
// HTTPError whose Link field points at link with rel="blocked-by".
func HTTPUnavailableForLegalReasons(link string) *HTTPError {
	return NewHTTPError(451).WithHeader("Link", "<"+link+`>; rel="blocked-by"`)
}

// HTTPInternalServerError returns a 500 Internal Server Error HTTPError.
func HTTPInternalServerError() *HTTPError { return NewHTTPError(500) }

// HTTPNotImplemented returns a 501 Not Implemented HTTPError.
func HTTPNotImplemented() *HTTPError { return NewHTTPError(501) }

// HTTPBadGateway returns a 502 Bad Gateway HTTPError.
func HTTPBadGateway() *HTTPError { return NewHTTPError(502) }

// HTTPServiceUnavailable returns a 503 Service Unavailable HTTPError.
func HTTPServiceUnavailable() *HTTPError { return NewHTTPError(503) }

// HTTPGatewayTimeout returns a 504 Gateway Timeout HTTPError.
func HTTPGatewayTimeout() *HTTPError { return NewHTTPError(504) }

// HTTPVersionNotSupported returns a 505 HTTP Version Not Supported
// HTTPError.
func HTTPVersionNotSupported() *HTTPError { return NewHTTPError(505) }

// HTTPVariantAlsoNegotiates returns a 506 Variant Also Negotiates HTTPError.
func HTTPVariantAlsoNegotiates() *HTTPError { return NewHTTPError(506) }

// HTTPInsufficientStorage returns a 507 Insufficient Storage HTTPError.
func HTTPInsufficientStorage() *HTTPError { return NewHTTPError(507) }

// HTTPNotExtended returns a 510 Not Extended HTTPError.
func HTTPNotExtended() *HTTPError { return NewHTTPError(510) }

// HTTPNetworkAuthenticationRequired returns a 511 Network Authentication
// Required HTTPError.
func HTTPNetworkAuthenticationRequired() *HTTPError { return NewHTTPError(511) }
