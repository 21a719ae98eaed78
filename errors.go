package aiohttp

import (
	"net/http"
	"strconv"

	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// errorKind is one class of aiohttp's client exception tree. A kind is also
// each of its ancestors: errors.Is(ErrSocketTimeout, ErrServerTimeout)
// holds.
type errorKind struct {
	name   string
	parent *errorKind
}

func (k *errorKind) Error() string { return k.name }

// Is reports whether target is k or one of its ancestors.
func (k *errorKind) Is(target error) bool {
	for p := k; p != nil; p = p.parent {
		if p == target {
			return true
		}
	}
	return false
}

func kind(name string, parent *errorKind) *errorKind { return &errorKind{name, parent} }

// The kinds of client errors, aiohttp's exception classes; each matches,
// with errors.Is, the kinds it derives from.
var (
	ErrClient            = kind("client error", nil)                            // ClientError
	ErrClientResponse    = kind("response error", ErrClient)                    // ClientResponseError
	ErrContentType       = kind("content type error", ErrClientResponse)        // ContentTypeError
	ErrWSServerHandshake = kind("websocket handshake error", ErrClientResponse) // WSServerHandshakeError
	ErrClientHTTPProxy   = kind("http proxy error", ErrClientResponse)          // ClientHttpProxyError
	ErrTooManyRedirects  = kind("too many redirects", ErrClientResponse)        // TooManyRedirects

	ErrClientConnection           = kind("connection error", ErrClient)                      // ClientConnectionError
	ErrClientConnectionReset      = kind("connection reset", ErrClientConnection)            // ClientConnectionResetError
	ErrClientOS                   = kind("os error", ErrClientConnection)                    // ClientOSError
	ErrClientConnector            = kind("cannot connect", ErrClientOS)                      // ClientConnectorError
	ErrClientConnectorDNS         = kind("dns error", ErrClientConnector)                    // ClientConnectorDNSError
	ErrClientProxyConnection      = kind("proxy connection error", ErrClientConnector)       // ClientProxyConnectionError
	ErrUnixClientConnector        = kind("unix socket connection error", ErrClientConnector) // UnixClientConnectorError
	ErrClientSSL                  = kind("tls error", ErrClientConnector)                    // ClientSSLError
	ErrClientConnectorSSL         = kind("tls handshake error", ErrClientSSL)                // ClientConnectorSSLError
	ErrClientConnectorCertificate = kind("certificate error", ErrClientSSL)                  // ClientConnectorCertificateError

	ErrServerConnection          = kind("server connection error", ErrClientConnection)     // ServerConnectionError
	ErrServerDisconnected        = kind("server disconnected", ErrServerConnection)         // ServerDisconnectedError
	ErrServerFingerprintMismatch = kind("server fingerprint mismatch", ErrServerConnection) // ServerFingerprintMismatch
	ErrServerTimeout             = kind("timeout", ErrServerConnection)                     // ServerTimeoutError
	ErrConnectionTimeout         = kind("connection timeout", ErrServerTimeout)             // ConnectionTimeoutError
	ErrSocketTimeout             = kind("socket read timeout", ErrServerTimeout)            // SocketTimeoutError

	ErrClientPayload = kind("payload error", ErrClient) // ClientPayloadError

	ErrInvalidURL         = kind("invalid url", ErrClient)                     // InvalidURL
	ErrInvalidURLClient   = kind("invalid url", ErrInvalidURL)                 // InvalidUrlClientError
	ErrInvalidURLRedirect = kind("invalid redirect url", ErrInvalidURLClient)  // InvalidUrlRedirectClientError
	ErrRedirectClient     = kind("redirect error", ErrClient)                  // RedirectClientError
	ErrNonHTTPURLClient   = kind("non-http url", ErrClient)                    // NonHttpUrlClientError
	ErrNonHTTPURLRedirect = kind("non-http redirect url", ErrNonHTTPURLClient) // NonHttpUrlRedirectClientError

	// ErrCanceled reports a request whose context was cancelled. Like
	// Python's CancelledError it is not a client error: errors.Is(err,
	// ErrClient) is false, so retry loops on client errors stop.
	ErrCanceled = kind("request canceled", nil)

	// ErrSessionClosed reports the use of a closed Session.
	ErrSessionClosed = kind("session is closed", ErrClient)
)

// What the HTTP/1.x parser found wrong with a response, aiohttp's
// http_exceptions. A rejected head gives a ClientResponseError with status
// 400, a broken body an error of kind ErrClientPayload; either matches,
// with errors.Is, ErrBadHTTPMessage and the sentinel of what was wrong.
var (
	ErrBadHTTPMessage   = http1.ErrBadMessage       // BadHttpMessage
	ErrLineTooLong      = http1.ErrLineTooLong      // LineTooLong: the status line or a field over its limit
	ErrInvalidHeader    = http1.ErrInvalidHeader    // InvalidHeader: a malformed field, or too many
	ErrBadStatusLine    = http1.ErrBadStatusLine    // BadStatusLine
	ErrContentLength    = http1.ErrContentLength    // ContentLengthError: a body shorter than announced, or a bad Content-Length
	ErrTransferEncoding = http1.ErrTransferEncoding // TransferEncodingError: broken chunked framing
)

// Error is a client error: what kind it is, which request it concerns and,
// when there is one, its cause. errors.Is matches Kind (and its ancestors)
// and Err, so errors.Is(err, context.DeadlineExceeded) holds for a
// timeout caused by a context.
type Error struct {
	Kind   error  // one of the Err* kinds
	Method string // request method, when known
	URL    string // the URL the error concerns
	Err    error  // the cause, or nil
}

func (e *Error) Error() string {
	s := "aiohttp: "
	if e.Method != "" {
		s += e.Method + " "
	}
	if e.URL != "" {
		s += e.URL + ": "
	}
	s += e.Kind.Error()
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// ClientResponseError is an error about a response (aiohttp's
// ClientResponseError and its subclasses): a status raised by
// RaiseForStatus, a content type JSON refuses, a failed WebSocket
// handshake, a proxy's refusal, or too many redirects.
type ClientResponseError struct {
	Kind    error // ErrClientResponse or one of its descendants
	Request RequestInfo
	Status  int
	Message string // the reason phrase or what went wrong
	Header  *multidict.CIMultiDict
	History []*Response // the redirects that led here
	// Err is what the parser rejected, for a malformed response; Status
	// is then 400, as in aiohttp, although no server sent it.
	Err error
}

func (e *ClientResponseError) Error() string {
	if e.Err != nil {
		// No status came: the response was malformed, and the status
		// is aiohttp's stand-in.
		return "aiohttp: " + e.Request.Method + " " + e.Request.URL.String() + ": malformed response: " + e.Err.Error()
	}
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return "aiohttp: " + e.Request.Method + " " + e.Request.URL.String() + ": " + strconv.Itoa(e.Status) + ", message=" + strconv.Quote(msg)
}

// Unwrap returns the kind and the cause.
func (e *ClientResponseError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// ServerFingerprintMismatch reports a TLS certificate whose SHA-256
// fingerprint is not the pinned one.
type ServerFingerprintMismatch struct {
	Expected, Got []byte
	Host          string
	Port          string
}

func (e *ServerFingerprintMismatch) Error() string {
	return "aiohttp: " + e.Host + ":" + e.Port + ": server fingerprint mismatch"
}

// Unwrap returns ErrServerFingerprintMismatch.
func (e *ServerFingerprintMismatch) Unwrap() error { return ErrServerFingerprintMismatch }

// describedError says in words what err, which it wraps, meant.
type describedError struct {
	msg string
	err error
}

func (e *describedError) Error() string { return e.msg }

func (e *describedError) Unwrap() error { return e.err }
