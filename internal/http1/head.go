package http1

// Default limits, as in aiohttp.
const (
	DefaultMaxLineSize  = 8190
	DefaultMaxFieldSize = 8190
	DefaultMaxHeaders   = 128
)

// Limits bound what the parser accepts. A zero field takes its default.
type Limits struct {
	MaxLineSize  int // request or status line; default 8190
	MaxFieldSize int // one header field line; default 8190
	MaxHeaders   int // number of header fields; default 128
}

// Field is one header field: byte ranges into the buffer the head was parsed
// from, the name with its original casing, the value trimmed of surrounding
// whitespace. Their capacity ends with them, so appending to one copies
// instead of overwriting the buffer.
type Field struct {
	Name  []byte
	Value []byte
}

// BodyKind says how a message body is framed.
type BodyKind uint8

const (
	BodyNone       BodyKind = iota // no body (or Content-Length: 0)
	BodyLength                     // exactly ContentLength bytes
	BodyChunked                    // chunked transfer coding
	BodyUntilClose                 // everything until the peer closes (responses only)
)

// RequestHead is a parsed request line and header section.
type RequestHead struct {
	Method []byte
	Target []byte
	Minor  uint8 // HTTP/1.Minor; Major is always 1
	Fields []Field

	Body          BodyKind
	ContentLength int64 // -1 when the message has no Content-Length

	// Close is set when the connection must close after this message:
	// "Connection: close", or HTTP/1.0 without "Connection: keep-alive".
	Close bool
	// Upgrade is set when Connection lists "upgrade" and an Upgrade field
	// is present.
	Upgrade bool
	Host    []byte // value of the Host field, nil when absent
	Expect  []byte // value of the Expect field, nil when absent
}

// ResponseHead is a parsed status line and header section.
type ResponseHead struct {
	Minor  uint8
	Status int
	Reason []byte
	Fields []Field
	Raw    []byte // the whole head as received, status line to the empty line

	ContentLength int64 // -1 when absent
	Chunked       bool  // Transfer-Encoding ends in chunked
	Close         bool
	Upgrade       bool
}

// Reset clears h for reuse, keeping the capacity of Fields.
func (h *RequestHead) Reset() {
	*h = RequestHead{Fields: h.Fields[:0], ContentLength: -1}
}

// Reset clears h for reuse, keeping the capacity of Fields.
func (h *ResponseHead) Reset() {
	*h = ResponseHead{Fields: h.Fields[:0], ContentLength: -1}
}

// Forget clears h as Reset does and also drops the slices of the buffer
// it was parsed from that Fields' spare capacity still holds, so that h
// pins no buffer that Reader.Release returned to its pool.
func (h *ResponseHead) Forget() {
	clear(h.Fields[:cap(h.Fields)])
	h.Reset()
}
