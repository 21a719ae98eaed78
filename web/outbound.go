package web

import (
	"github.com/aiohttp-go/aiohttp/internal/field"
	"io"
	"net"
	"strconv"

	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// outbound is where a request's response goes: the engine's connection or a
// net/http ResponseWriter.
type outbound interface {
	// writeResponse sends a whole in-memory response.
	writeResponse(req *Request, r *BodyResponse) error
	// writeHead sends the head of a streamed response; length is the body
	// length, or -1 when unknown (chunked on HTTP/1.1).
	writeHead(req *Request, h *responseHead) error
	// write sends body bytes of a streamed response.
	write(p []byte) error
	// flush pushes what was written to the client.
	flush() error
	// end finishes a streamed body.
	end() error
	// writeContinue sends "100 Continue".
	writeContinue()
	// hijacked reports whether a handler took the connection over.
	hijacked() bool
	// hijack hands the connection to the handler: the net.Conn and a
	// reader that first returns the bytes already received after the
	// request's head.
	hijack() (net.Conn, io.Reader, error)
}

// responseHead is what a response's head is made of.
type responseHead struct {
	status      int
	reason      string
	header      *multidict.CIMultiDict
	contentType string // from the response's content type and charset
	cookies     []Cookie
	length      int64 // -1 when unknown
}

// bodyAllowed reports whether a response with this status may have a body:
// 1xx, 204 and 304 never do.
func bodyAllowed(status int) bool {
	return status >= 200 && status != 204 && status != 304
}

// serverLine is the Server field every response carries.
const serverLine = "Server: aiohttp-go\r\n"

// appendHead appends the status line and header fields of a response,
// without the blank line that ends them. It adds Date, Server,
// Content-Type and Content-Length (or chunked Transfer-Encoding) and the
// Connection field the keep-alive decision needs, and drops framing fields
// a user set by hand, which the engine owns, and a reason phrase that
// could split the response, which gives way to the standard one.
func appendHead(w []byte, req *Request, h *responseHead) []byte {
	reason := h.reason
	if !http1.ValidFieldValue(reason) {
		reason = ""
	}
	w = http1.AppendStatusLine(w, req.minor, h.status, reason)
	w = append(w, serverLine...)
	w = http1.AppendDate(w)
	allowed := bodyAllowed(h.status)
	userCT := false
	for _, it := range h.header.Items() {
		if isFramingField(it.Key) {
			continue
		}
		if multidict.EqualFold(it.Key, "Content-Type") {
			if !allowed {
				continue
			}
			userCT = true
		}
		if !field.IsToken(it.Key) || !http1.ValidFieldValue(it.Value) {
			continue // never let a header value split the response
		}
		w = http1.AppendField(w, it.Key, it.Value)
	}
	if allowed {
		if !userCT && h.contentType != "" {
			w = http1.AppendField(w, "Content-Type", h.contentType)
		}
		switch {
		case h.length >= 0:
			w = append(w, "Content-Length: "...)
			w = appendInt(w, h.length)
			w = append(w, '\r', '\n')
		case req.minor >= 1:
			w = append(w, "Transfer-Encoding: chunked\r\n"...)
		default:
			req.keepAlive = false // HTTP/1.0: the end of the body is the close
		}
	}
	for i := range h.cookies {
		if v := h.cookies[i].String(); v != "" { // an invalid cookie renders empty
			w = http1.AppendField(w, "Set-Cookie", v)
		}
	}
	switch {
	case !req.keepAlive && req.minor >= 1:
		w = append(w, "Connection: close\r\n"...)
	case req.keepAlive && req.minor == 0:
		w = append(w, "Connection: keep-alive\r\n"...)
	}
	return w
}

// sentValue returns the first value of the response header field name as
// the head goes out: the handler's, or the Content-Type, Content-Length or
// Set-Cookie that appendHead adds; "" for a field it drops or lacks.
func (h *responseHead) sentValue(name string) string {
	allowed := bodyAllowed(h.status)
	switch {
	case multidict.EqualFold(name, "Content-Type"):
		if !allowed {
			return ""
		}
		if v := h.header.Get(name); v != "" {
			return v
		}
		return h.contentType
	case multidict.EqualFold(name, "Content-Length"):
		if !allowed || h.length < 0 {
			return ""
		}
		return strconv.FormatInt(h.length, 10)
	case isFramingField(name):
		return ""
	case multidict.EqualFold(name, "Set-Cookie"):
		if v := h.header.Get(name); v != "" {
			return v
		}
		for i := range h.cookies {
			if v := h.cookies[i].String(); v != "" {
				return v
			}
		}
		return ""
	}
	return h.header.Get(name)
}

// isFramingField reports the fields the engine sets itself.
func isFramingField(name string) bool {
	switch len(name) {
	case 10:
		return multidict.EqualFold(name, "Connection")
	case 14:
		return multidict.EqualFold(name, "Content-Length")
	case 17:
		return multidict.EqualFold(name, "Transfer-Encoding")
	}
	return false
}

// appendInt appends n in decimal without allocating.
func appendInt(w []byte, n int64) []byte {
	if n == 0 {
		return append(w, '0')
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(w, buf[i:]...)
}

// writeResponse appends a whole response to the connection's output. A HEAD
// request gets the head only, with the Content-Length of the body it would
// have had.
func (c *serverConn) writeResponse(req *Request, r *BodyResponse) error {
	h := r.head()
	c.w = appendHead(c.w, req, &h)
	c.w = append(c.w, '\r', '\n')
	if req.method == "HEAD" || !bodyAllowed(r.status) {
		return c.logAccess(req, &h, 0)
	}
	if r.isText {
		c.w = append(c.w, r.text...)
	} else {
		c.w = append(c.w, r.body...)
	}
	return c.logAccess(req, &h, h.length)
}

// streamState tracks a streamed response on the engine.
type streamState struct {
	chunked bool
	noBody  bool
	written int64
	head    responseHead
}

func (c *serverConn) writeHead(req *Request, h *responseHead) error {
	c.stream = streamState{head: *h, noBody: req.method == "HEAD" || !bodyAllowed(h.status)}
	c.w = appendHead(c.w, req, h)
	c.w = append(c.w, '\r', '\n')
	c.stream.chunked = h.length < 0 && req.minor >= 1 && !c.stream.noBody
	return nil
}

func (c *serverConn) write(p []byte) error {
	if c.stream.noBody || len(p) == 0 {
		return nil
	}
	c.stream.written += int64(len(p))
	if c.stream.chunked {
		c.w = http1.AppendChunk(c.w, p)
	} else {
		c.w = append(c.w, p...)
	}
	if len(c.w) >= flushThreshold {
		return c.flush()
	}
	return nil
}

func (c *serverConn) flush() error {
	if len(c.w) == 0 {
		return nil
	}
	_, err := c.nc.Write(c.w)
	c.w = c.w[:0]
	return err
}

func (c *serverConn) end() error {
	if c.stream.chunked {
		c.w = http1.AppendLastChunk(c.w, nil)
	}
	return c.logAccess(&c.req, &c.stream.head, c.stream.written)
}

func (c *serverConn) writeContinue() {
	c.continued = true
	c.w = append(c.w, "HTTP/1.1 100 Continue\r\n\r\n"...)
	_ = c.flush()
}

func (c *serverConn) hijacked() bool { return c.state.Load() == stateHijacked }

func (c *serverConn) hijack() (net.Conn, io.Reader, error) {
	if c.hijacked() {
		return nil, nil, ErrHijacked
	}
	c.stopBackgroundRead()
	if err := c.flush(); err != nil {
		return nil, nil, err
	}
	c.state.Store(stateHijacked)
	return c.nc, c.r, nil
}

// logAccess writes the access log line of a finished request, if the
// server keeps an access log.
func (c *serverConn) logAccess(req *Request, h *responseHead, size int64) error {
	if c.srv.access != nil {
		c.srv.access.log(req, h, size)
	}
	return nil
}
