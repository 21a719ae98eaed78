// Package http1 is the HTTP/1.x wire engine shared by the client and the
// server: it parses request and response heads in place, decodes
// Content-Length, chunked and read-until-close bodies, and encodes status
// lines, request lines, header fields and chunked bodies.
//
// Parsing is strict RFC 9112: obs-fold, bare LF, Content-Length together with
// Transfer-Encoding, a Transfer-Encoding whose last coding is not chunked,
// differing duplicate Content-Length, invalid token or field characters,
// HTTP/1.1 requests without exactly one Host, lines or fields longer than
// [Limits] allow and more header fields than it allows are all rejected with
// a [*ParseError] that matches the sentinel errors of this package through
// errors.Is.
//
// Lifetime rules: the byte slices of a [RequestHead] or [ResponseHead] point
// into the [Reader]'s buffer and stay valid until the next call to
// ReadRequestHead or ReadResponseHead on that Reader, or until Release or
// Reset. Reading the body never moves or overwrites them. Callers that hand
// data to users copy it first. [Body.Trailers] are copied out of the buffer
// and stay valid until the Body's next Reset.
package http1
