package http1

import "errors"

// Sentinel errors, one per kind of bad message, mirroring aiohttp's
// http_exceptions. Every [*ParseError] matches [ErrBadMessage] and the
// sentinel of its kind.
var (
	ErrBadMessage       = errors.New("bad http message")
	ErrLineTooLong      = errors.New("line too long")
	ErrInvalidHeader    = errors.New("invalid header")
	ErrBadStatusLine    = errors.New("bad status line")
	ErrBadMethod        = errors.New("bad http method")
	ErrContentLength    = errors.New("content length error")
	ErrTransferEncoding = errors.New("transfer encoding error")
)

// ParseError describes why a message was rejected.
type ParseError struct {
	// Kind is one of the sentinel errors above.
	Kind error
	// Status is the response status a server answers with: 400 in most
	// cases, 414 for a request line too long, 431 for header fields too
	// long or too many, 501 for a transfer coding it does not implement.
	Status int
	// Reason says what was wrong, in a few words.
	Reason string
	// Err is the cause, if any: io.ErrUnexpectedEOF for a body the
	// connection cut short.
	Err error
}

func (e *ParseError) Error() string {
	return e.Kind.Error() + ": " + e.Reason
}

// Unwrap lets errors.Is match the kind, ErrBadMessage and the cause.
func (e *ParseError) Unwrap() []error {
	errs := []error{e.Kind}
	if e.Kind != ErrBadMessage {
		errs = append(errs, ErrBadMessage)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// ErrHTTP2Preface is returned by [ParseRequestHead] and
// [Reader.ReadRequestHead] when the request line is the HTTP/2 connection
// preface "PRI * HTTP/2.0". Nothing is consumed: [Reader.Unread] hands the
// preface and everything after it to an HTTP/2 server.
var ErrHTTP2Preface = errors.New("http1: HTTP/2 connection preface")
