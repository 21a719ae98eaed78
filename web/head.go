package web

import (
	"bytes"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// responseHead is what a response's head is made of.
type responseHead struct {
	status      int
	reason      string
	header      *multidict.CIMultiDict
	contentType string // from the response's content type and charset
	cookies     []Cookie
	length      int64  // -1 when unknown
	coding      string // the Content-Encoding the server applies, or ""
	vary        bool   // the body depends on Accept-Encoding: Vary must say so
}

// serverLine is the Server field every response carries unless its
// handler sets its own.
const serverLine = "Server: aiohttp-go\r\n"

// bodyAllowed reports whether a response with this status may have a body:
// 1xx, 204 and 304 never do.
func bodyAllowed(status int) bool {
	return status >= 200 && status != 204 && status != 304
}

// appendHead is the one rule of what a response head sends. The engine
// writes its result, the WebSocket and h2c upgrades too, and the net/http
// bridge and the access log read theirs from it (see [eachSentField]), so
// all of them send and report the same head. It appends to w, for a
// response to req:
//
//   - the status line, with the handler's reason phrase unless it could
//     split the response (the standard phrase then);
//   - the handler's fields, but for those the server owns (Connection,
//     Content-Length, Transfer-Encoding), a Content-Type on a status that
//     has no body (1xx, 204, 304), and any whose name or value could split
//     the head;
//   - Server and Date, unless the handler set its own;
//   - on a status that has a body: the response's Content-Type when the
//     handler set none, "Vary: Accept-Encoding" when compression was
//     considered and the handler's Vary does not cover it, the
//     Content-Encoding compression applied, then Content-Length when the
//     length is known, or else chunked Transfer-Encoding on HTTP/1.1
//     (HTTP/2 frames bodies itself); an HTTP/1.0 body of unknown length ends with the
//     connection, so keep-alive is turned off (req.keepAlive);
//   - a Set-Cookie for each valid cookie;
//   - for a 101, "Connection: upgrade" (its Upgrade field comes with the
//     handler's fields); otherwise the
//     Connection field the keep-alive decision needs: close on HTTP/1.1,
//     keep-alive on HTTP/1.0;
//   - the blank line that ends the head.
func appendHead(w []byte, req *Request, h *responseHead) []byte {
	w = http1.AppendStatusLine(w, req.minor, h.status, h.sentReason())
	framing := h.framing(req)
	allowed := framing != noBody
	ownServer, ownDate, ownContentType, ownVary := false, false, false, false
	for _, it := range h.header.Items() {
		if isFramingField(it.Key) || !field.IsToken(it.Key) || !http1.ValidFieldValue(it.Value) {
			continue
		}
		switch {
		case multidict.EqualFold(it.Key, "Content-Type"):
			if !allowed {
				continue
			}
			ownContentType = true
		case multidict.EqualFold(it.Key, "Server"):
			ownServer = true
		case multidict.EqualFold(it.Key, "Date"):
			ownDate = true
		case h.vary && multidict.EqualFold(it.Key, "Vary"):
			ownVary = ownVary || variesByAcceptEncoding(it.Value)
		}
		w = http1.AppendField(w, it.Key, it.Value)
	}
	if !ownServer {
		w = append(w, serverLine...)
	}
	if !ownDate {
		w = http1.AppendDate(w)
	}
	if allowed {
		if !ownContentType && h.contentType != "" {
			w = http1.AppendField(w, "Content-Type", h.contentType)
		}
		if h.vary && !ownVary {
			w = append(w, "Vary: Accept-Encoding\r\n"...)
		}
		if h.coding != "" {
			w = http1.AppendField(w, "Content-Encoding", h.coding)
		}
		if framing == byLength { // an if chain, the usual case first: cheaper than a switch here
			w = append(w, "Content-Length: "...)
			w = appendInt(w, h.length)
			w = append(w, '\r', '\n')
		} else if framing == byChunks {
			w = append(w, "Transfer-Encoding: chunked\r\n"...)
		} else if framing == byClose {
			req.keepAlive = false
		} // byFrames: HTTP/2 has its own framing
	}
	for i := range h.cookies {
		if v := h.cookies[i].String(); v != "" { // an invalid cookie renders empty
			w = http1.AppendField(w, "Set-Cookie", v)
		}
	}
	switch http11 := req.http11(); {
	case h.status == 101:
		w = append(w, "Connection: upgrade\r\n"...)
	case !req.keepAlive && http11:
		w = append(w, "Connection: close\r\n"...)
	case req.keepAlive && !http11:
		w = append(w, "Connection: keep-alive\r\n"...)
	}
	return append(w, '\r', '\n')
}

// variesByAcceptEncoding reports whether a Vary value already covers
// Accept-Encoding: it names it, or is "*".
func variesByAcceptEncoding(v string) bool {
	return field.HasToken(v, "Accept-Encoding") || field.HasToken(v, "*")
}

// sentReason returns the reason phrase the status line carries: the
// handler's, or "" for the standard one when the handler's could split
// the response.
func (h *responseHead) sentReason() string {
	if h.reason != "" && !http1.ValidFieldValue(h.reason) {
		return ""
	}
	return h.reason
}

// bodyFraming is how the end of a response body is found.
type bodyFraming uint8

const (
	noBody   bodyFraming = iota // the status has no body (1xx, 204, 304)
	byLength                    // Content-Length
	byChunks                    // chunked Transfer-Encoding (HTTP/1.1)
	byClose                     // the connection closes (HTTP/1.0, unknown length)
	byFrames                    // the end of the stream (HTTP/2, unknown length)
)

// framing returns how the body of a response to req is delimited.
func (h *responseHead) framing(req *Request) bodyFraming {
	switch {
	case !bodyAllowed(h.status):
		return noBody
	case h.length >= 0:
		return byLength
	case req.major >= 2:
		return byFrames
	case req.minor >= 1:
		return byChunks
	}
	return byClose
}

// http11 reports whether the request came over HTTP/1.1 or later.
func (r *Request) http11() bool { return r.major >= 2 || r.minor >= 1 }

// eachSentField calls yield with the name and value of each header field
// of a head appendHead made, in order, until yield returns false. The
// slices are views of head.
func eachSentField(head []byte, yield func(name, value []byte) bool) {
	_, head, _ = bytes.Cut(head, crlf) // the status line
	for {
		var line []byte
		line, head, _ = bytes.Cut(head, crlf)
		name, value, ok := bytes.Cut(line, colonSpace)
		if !ok || !yield(name, value) {
			return
		}
	}
}

var crlf, colonSpace = []byte("\r\n"), []byte(": ")

// sentValue returns the first value of the header field name as the head
// of a response to req goes out, nil when it has none. scratch is storage
// to reuse: the value is a view of it, and the grown storage is returned.
func (h *responseHead) sentValue(req *Request, name string, scratch []byte) (value, grown []byte) {
	scratch = appendHead(scratch[:0], req, h)
	eachSentField(scratch, func(n, v []byte) bool {
		if multidict.EqualFold(bytesView(n), name) {
			value = v
			return false
		}
		return true
	})
	return value, scratch
}

// isFramingField reports the fields the server sets itself.
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
