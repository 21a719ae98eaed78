package compress

import (
	"errors"
	"strings"
)

// Coding is a content coding.
type Coding uint8

const (
	Gzip    Coding = iota // gzip, also named x-gzip (RFC 9110 section 8.4.1.3)
	Deflate               // deflate: zlib (RFC 1950); raw deflate too when decoding, as browsers accept
	Brotli                // br (RFC 7932)
	Zstd                  // zstd (RFC 9659)
	numCodings
)

// names are the tokens of the codings, as sent in Content-Encoding.
var names = [numCodings]string{Gzip: "gzip", Deflate: "deflate", Brotli: "br", Zstd: "zstd"}

// String returns the coding's token: "gzip", "deflate", "br" or "zstd".
func (c Coding) String() string { return names[c] }

// Lookup returns the coding a token names, ignoring case; "x-gzip" is
// gzip.
func Lookup(name string) (Coding, bool) {
	for c, n := range names {
		if strings.EqualFold(name, n) {
			return Coding(c), true
		}
	}
	if strings.EqualFold(name, "x-gzip") {
		return Gzip, true
	}
	return 0, false
}

// ErrTooLarge is the error a [Reader] returns once the decoded body
// exceeds its bound.
var ErrTooLarge = errors.New("decompressed body too large")

// ErrTooManyCodings is the error of a body sent with more stacked content
// codings than a [Reader] decodes.
var ErrTooManyCodings = errors.New("too many content codings")

// UnknownCodingError is the error of a Content-Encoding that names a
// coding a [Reader] does not decode.
type UnknownCodingError struct {
	Coding string // the coding as the field named it
}

func (e *UnknownCodingError) Error() string { return "unknown content coding " + e.Coding }
