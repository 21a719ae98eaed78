package http1

import (
	"bytes"
	"math"
	"strconv"
)

// limits are Limits with the defaults filled in.
type limits struct {
	line, field, headers int
}

func (l Limits) resolve() limits {
	r := limits{line: l.MaxLineSize, field: l.MaxFieldSize, headers: l.MaxHeaders}
	if r.line <= 0 {
		r.line = DefaultMaxLineSize
	}
	if r.field <= 0 {
		r.field = DefaultMaxFieldSize
	}
	if r.headers <= 0 {
		r.headers = DefaultMaxHeaders
	}
	return r
}

// maxHead is the size of the largest head the limits accept: the start line
// (empty lines before it included), every field line and the final CRLF.
func (l limits) maxHead() int {
	return l.line + 2 + l.headers*(l.field+2) + 2
}

func badMessage(reason string) error {
	return &ParseError{Kind: ErrBadMessage, Status: 400, Reason: reason}
}

// badStatusLine reports a status line that is not HTTP, quoting its start
// so that whoever reads the error sees what the peer sent instead.
func badStatusLine(reason string, buf []byte) error {
	line := bytes.TrimLeft(buf, "\r\n")
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i+1]
	}
	const maxQuoted = 64
	more := ""
	if len(line) > maxQuoted {
		line, more = line[:maxQuoted], "..."
	}
	return &ParseError{Kind: ErrBadStatusLine, Status: 400, Reason: reason + " in " + strconv.Quote(string(line)) + more}
}

func invalidHeader(reason string) error {
	return &ParseError{Kind: ErrInvalidHeader, Status: 400, Reason: reason}
}

func errStartLineTooLong() error {
	return &ParseError{Kind: ErrLineTooLong, Status: 414, Reason: "start line too long"}
}

func errFieldTooLong() error {
	return &ParseError{Kind: ErrLineTooLong, Status: 431, Reason: "header field line too long"}
}

// needLine reports that buf ended inside the start line after n bytes: more
// data is needed unless the line is already too long.
func needLine(n int, l limits) (int, error) {
	if n > l.line {
		return 0, errStartLineTooLong()
	}
	return 0, nil
}

// skipEmptyLines skips the CRLFs a server must ignore before a request line
// (RFC 9112 2.2); it reports false when buf may end inside one.
func skipEmptyLines(buf []byte) (int, bool) {
	i := 0
	for i+1 < len(buf) && buf[i] == '\r' && buf[i+1] == '\n' {
		i += 2
	}
	return i, i < len(buf) && (buf[i] != '\r' || i+1 < len(buf))
}

// ParseRequestHead parses the request line and header section at the start
// of buf into h, whose byte slices then point into buf. It returns the size
// of the head, final CRLFCRLF included, or n == 0 and a nil error when buf
// holds only part of a head that the limits could still accept. A rejected
// head gives a [*ParseError]; the HTTP/2 connection preface gives
// [ErrHTTP2Preface].
func ParseRequestHead(buf []byte, h *RequestHead, lim Limits) (n int, err error) {
	h.Reset()
	l := lim.resolve()
	i, ok := skipEmptyLines(buf)
	if !ok {
		return needLine(i, l)
	}

	start := i
	for i < len(buf) && classes[buf[i]]&classToken != 0 {
		i++
	}
	if i == len(buf) {
		return needLine(i, l)
	}
	if buf[i] != ' ' || i == start {
		if i > start && (buf[i] == '\r' || buf[i] == '\n') {
			return 0, badMessage("incomplete request line")
		}
		return 0, &ParseError{Kind: ErrBadMethod, Status: 400, Reason: "invalid method"}
	}
	h.Method = buf[start:i:i]

	i++
	start = i
	i = scanTarget(buf, i)
	if i == len(buf) {
		return needLine(i, l)
	}
	if buf[i] != ' ' || i == start {
		switch {
		case i == start:
			return 0, badMessage("empty request target")
		case buf[i] == '\r' || buf[i] == '\n':
			return 0, badMessage("missing HTTP version")
		}
		return 0, badMessage("invalid character in request target")
	}
	h.Target = buf[start:i:i]

	i++
	start = i
	for i < len(buf) && (classes[buf[i]]&classToken != 0 || buf[i] == '/') {
		i++
	}
	version := buf[start:i]
	if string(h.Method) == "PRI" && string(h.Target) == "*" && string(version) == "HTTP/2.0" {
		return 0, ErrHTTP2Preface
	}
	if i == len(buf) && len(version) < len("HTTP/1.1") {
		if !versionPrefix(version) {
			return 0, badMessage("invalid HTTP version")
		}
		return needLine(i, l)
	}
	minor, status := parseVersion(version)
	switch status {
	case 400:
		return 0, badMessage("invalid HTTP version")
	case 505:
		return 0, &ParseError{Kind: ErrBadMessage, Status: 505, Reason: "unsupported HTTP version"}
	}
	h.Minor = minor
	if i == len(buf) {
		return needLine(i, l)
	}
	if i > l.line {
		return 0, errStartLineTooLong()
	}
	switch buf[i] {
	case '\r':
	case '\n':
		return 0, badMessage("bare LF after request line")
	case ' ':
		return 0, badMessage("space after HTTP version")
	default:
		return 0, badMessage("invalid HTTP version")
	}
	if i+1 == len(buf) {
		return 0, nil
	}
	if buf[i+1] != '\n' {
		return 0, badMessage("CR without LF after request line")
	}

	var f framing
	h.Fields, n, err = parseFields(buf, i+2, h.Fields, l, &f)
	if n == 0 || err != nil {
		return 0, err
	}
	if err := f.request(h); err != nil {
		return 0, err
	}
	return n, nil
}

// parseVersion checks an HTTP-version. It returns the minor version, or a
// status of 505 for a well-formed version other than 1.0 and 1.1 and 400 for
// anything else.
func parseVersion(v []byte) (minor uint8, status int) {
	if len(v) != 8 || string(v[:5]) != "HTTP/" || v[6] != '.' || !isDigit(v[5]) || !isDigit(v[7]) {
		return 0, 400
	}
	if v[5] != '1' || v[7] > '1' {
		return 0, 505
	}
	return v[7] - '0', 0
}

// versionPrefix reports whether v, shorter than an HTTP-version, may be the
// start of one.
func versionPrefix(v []byte) bool {
	const pattern = "HTTP/0.0"
	for i, c := range v {
		if p := pattern[i]; c != p && (p != '0' || !isDigit(c)) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ParseResponseHead parses the status line and header section at the start
// of buf into h, with the same contract as [ParseRequestHead].
func ParseResponseHead(buf []byte, h *ResponseHead, lim Limits) (n int, err error) {
	h.Reset()
	l := lim.resolve()
	i, ok := skipEmptyLines(buf)
	if !ok {
		return needLine(i, l)
	}

	start := i
	for i < len(buf) && (classes[buf[i]]&classToken != 0 || buf[i] == '/') {
		i++
	}
	if i == len(buf) && i-start < len("HTTP/1.1") {
		if !versionPrefix(buf[start:i]) {
			return 0, badStatusLine("invalid HTTP version", buf)
		}
		return needLine(i, l)
	}
	minor, status := parseVersion(buf[start:i])
	if status != 0 {
		return 0, badStatusLine("invalid HTTP version", buf)
	}
	if i == len(buf) {
		return needLine(i, l)
	}
	if buf[i] != ' ' {
		return 0, badStatusLine("expected SP after HTTP version", buf)
	}
	h.Minor = minor

	i++
	start = i
	code := 0
	for i < len(buf) && isDigit(buf[i]) && i-start < 3 {
		code = code*10 + int(buf[i]-'0')
		i++
	}
	if i == len(buf) {
		return needLine(i, l)
	}
	if i-start != 3 || code < 100 {
		return 0, badStatusLine("invalid status code", buf)
	}
	h.Status = code

	switch buf[i] {
	case ' ':
		i++
		start = i
		for i < len(buf) && classes[buf[i]]&classReason != 0 {
			i++
		}
		if i == len(buf) {
			return needLine(i, l)
		}
		h.Reason = buf[start:i:i]
		switch buf[i] {
		case '\r':
		case '\n':
			return 0, badStatusLine("bare LF after status line", buf)
		default:
			return 0, badStatusLine("invalid character in reason phrase", buf)
		}
	case '\r':
	case '\n':
		return 0, badStatusLine("bare LF after status line", buf)
	default:
		return 0, badStatusLine("invalid status code", buf)
	}
	if i > l.line {
		return 0, errStartLineTooLong()
	}
	if i+1 == len(buf) {
		return 0, nil
	}
	if buf[i+1] != '\n' {
		return 0, badStatusLine("CR without LF after status line", buf)
	}

	var f framing
	h.Fields, n, err = parseFields(buf, i+2, h.Fields, l, &f)
	if n == 0 || err != nil {
		return 0, err
	}
	if err := f.response(h); err != nil {
		return 0, err
	}
	h.Raw = buf[:n]
	return n, nil
}

// ResponseBodyKind says how the body of a response to a request with the
// given method is framed (RFC 9112 6.3).
func ResponseBodyKind(h *ResponseHead, method string) BodyKind {
	switch {
	case method == "HEAD", h.Status < 200, h.Status == 204, h.Status == 304:
		return BodyNone
	case method == "CONNECT" && h.Status < 300:
		return BodyNone
	case h.Chunked:
		return BodyChunked
	case h.ContentLength > 0:
		return BodyLength
	case h.ContentLength == 0:
		return BodyNone
	}
	return BodyUntilClose
}

// parseFields parses the field lines from buf[i:] to the empty line that
// ends the header section, appending them to fs and collecting the framing
// fields into f. It returns the index after the empty line, or 0 when more
// data is needed.
func parseFields(buf []byte, i int, fs []Field, l limits, f *framing) ([]Field, int, error) {
	f.cl = -1
	for {
		if i == len(buf) {
			return fs, 0, nil
		}
		if buf[i] == '\r' {
			if i+1 == len(buf) {
				return fs, 0, nil
			}
			if buf[i+1] != '\n' {
				return fs, 0, invalidHeader("CR without LF")
			}
			return fs, i + 2, nil
		}
		name, value, next, err := parseField(buf, i, l.field)
		if next == 0 {
			return fs, 0, err
		}
		if len(fs) == l.headers {
			return fs, 0, &ParseError{Kind: ErrBadMessage, Status: 431, Reason: "too many headers"}
		}
		fs = append(fs, Field{Name: name, Value: value})
		if err := f.add(name, value); err != nil {
			return fs, 0, err
		}
		i = next
	}
}

// parseField parses the field line at buf[i:]. It returns the index after
// its CRLF, or 0 with a nil error when buf ends inside a line that max still
// allows.
func parseField(buf []byte, i, max int) (name, value []byte, next int, err error) {
	start := i
	for i < len(buf) && classes[buf[i]]&classToken != 0 {
		i++
	}
	if i == len(buf) {
		return nil, nil, 0, needField(i-start, max)
	}
	if buf[i] != ':' || i == start {
		switch c := buf[i]; {
		case i == start && (c == ' ' || c == '\t'):
			return nil, nil, 0, invalidHeader("obsolete line folding")
		case i == start && c == ':':
			return nil, nil, 0, invalidHeader("empty field name")
		case c == ' ' || c == '\t':
			return nil, nil, 0, invalidHeader("whitespace before colon")
		case c == '\n':
			return nil, nil, 0, invalidHeader("bare LF")
		case c == '\r':
			return nil, nil, 0, invalidHeader("missing colon")
		}
		return nil, nil, 0, invalidHeader("invalid character in field name")
	}
	name = buf[start:i:i]

	i++
	for i < len(buf) && (buf[i] == ' ' || buf[i] == '\t') {
		i++
	}
	vstart := i
	i = scanValue(buf, i)
	if i == len(buf) {
		return nil, nil, 0, needField(i-start, max)
	}
	if i-start > max {
		return nil, nil, 0, errFieldTooLong()
	}
	if buf[i] != '\r' {
		if buf[i] == '\n' {
			return nil, nil, 0, invalidHeader("bare LF")
		}
		return nil, nil, 0, invalidHeader("invalid character in field value")
	}
	if i+1 == len(buf) {
		return nil, nil, 0, needField(i-start, max)
	}
	if buf[i+1] != '\n' {
		return nil, nil, 0, invalidHeader("CR in field value")
	}
	vend := i
	for vend > vstart && (buf[vend-1] == ' ' || buf[vend-1] == '\t') {
		vend--
	}
	return name, buf[vstart:vend:vend], i + 2, nil
}

// needField reports that buf ended inside a field line after n bytes.
func needField(n, max int) error {
	if n > max {
		return errFieldTooLong()
	}
	return nil
}

// framing collects the fields that decide how a message is framed and
// whether its connection persists.
type framing struct {
	cl      int64  // -1 when absent
	clValue []byte // the first Content-Length value

	te        bool // a Transfer-Encoding field was seen
	teBad     bool // a coding is not a token
	teLast    bool // the last coding is chunked
	teOther   bool // a coding other than chunked
	teChunked int  // how often chunked appears

	hosts        int
	host, expect []byte

	close, keepAlive, upgrade, upgradeField bool
}

func (f *framing) add(name, value []byte) error {
	switch len(name) {
	case 4:
		if equalFold(name, "host") {
			f.hosts++
			f.host = value
		}
	case 6:
		if f.expect == nil && equalFold(name, "expect") {
			f.expect = value
		}
	case 7:
		if equalFold(name, "upgrade") {
			f.upgradeField = true
		}
	case 10:
		if equalFold(name, "connection") {
			f.connection(value)
		}
	case 14:
		if equalFold(name, "content-length") {
			return f.contentLength(value)
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			f.transferEncoding(value)
		}
	}
	return nil
}

func errContentLength(reason string) error {
	return &ParseError{Kind: ErrContentLength, Status: 400, Reason: reason}
}

// contentLength accepts 1*DIGIT (RFC 9110 8.6), repeated only identically.
func (f *framing) contentLength(v []byte) error {
	if f.clValue != nil {
		if !bytes.Equal(f.clValue, v) {
			return errContentLength("differing duplicate Content-Length")
		}
		return nil
	}
	if len(v) == 0 {
		return errContentLength("empty Content-Length")
	}
	var n int64
	for _, c := range v {
		if !isDigit(c) {
			return errContentLength("invalid Content-Length")
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return errContentLength("Content-Length overflow")
		}
		n = n*10 + d
	}
	f.cl = n
	f.clValue = v
	return nil
}

// transferEncoding adds the codings of one Transfer-Encoding line.
func (f *framing) transferEncoding(v []byte) {
	f.te = true
	for len(v) > 0 {
		var coding []byte
		coding, v = nextElement(v)
		switch {
		case len(coding) == 0:
		case !isToken(coding):
			f.teBad = true
		case equalFold(coding, "chunked"):
			f.teChunked++
			f.teLast = true
		default:
			f.teOther = true
			f.teLast = false
		}
	}
}

// connection notes the close, keep-alive and upgrade options.
func (f *framing) connection(v []byte) {
	for len(v) > 0 {
		var opt []byte
		opt, v = nextElement(v)
		switch {
		case equalFold(opt, "close"):
			f.close = true
		case equalFold(opt, "keep-alive"):
			f.keepAlive = true
		case equalFold(opt, "upgrade"):
			f.upgrade = true
		}
	}
}

func errTransferEncoding(status int, reason string) error {
	return &ParseError{Kind: ErrTransferEncoding, Status: status, Reason: reason}
}

// request applies the request rules of RFC 9112 3.2 and 6 and fills h.
func (f *framing) request(h *RequestHead) error {
	if f.hosts > 1 {
		return badMessage("duplicate Host")
	}
	if f.hosts == 0 && h.Minor == 1 {
		return badMessage("missing Host")
	}
	if f.te {
		switch {
		case h.Minor == 0:
			return errTransferEncoding(400, "Transfer-Encoding in an HTTP/1.0 request")
		case f.clValue != nil:
			return badMessage("Content-Length with Transfer-Encoding")
		case f.teBad:
			return errTransferEncoding(400, "invalid Transfer-Encoding")
		case !f.teLast:
			return errTransferEncoding(400, "the final transfer coding is not chunked")
		case f.teChunked > 1:
			return errTransferEncoding(400, "chunked applied twice")
		case f.teOther:
			return errTransferEncoding(501, "unsupported transfer coding")
		}
		h.Body = BodyChunked
	} else if f.cl > 0 {
		h.Body = BodyLength
	}
	h.ContentLength = f.cl
	h.Host = f.host
	h.Expect = f.expect
	h.Close = f.close || (h.Minor == 0 && !f.keepAlive)
	h.Upgrade = f.upgrade && f.upgradeField
	return nil
}

// response applies the response rules of RFC 9112 6 and fills h.
func (f *framing) response(h *ResponseHead) error {
	h.ContentLength = f.cl
	h.Close = f.close || (h.Minor == 0 && !f.keepAlive)
	h.Upgrade = f.upgrade && f.upgradeField
	if !f.te {
		return nil
	}
	switch {
	case f.teBad:
		return errTransferEncoding(400, "invalid Transfer-Encoding")
	case f.teChunked > 1:
		return errTransferEncoding(400, "chunked applied twice")
	case !f.teLast:
		// The body runs until the connection closes (RFC 9112 6.3).
		h.ContentLength = -1
		h.Close = true
		return nil
	case f.teOther:
		return errTransferEncoding(501, "unsupported transfer coding")
	}
	h.Chunked = true
	h.ContentLength = -1
	if f.clValue != nil || h.Minor == 0 {
		h.Close = true
	}
	return nil
}

// nextElement splits the first element off a comma-separated list and trims
// it of optional whitespace.
func nextElement(v []byte) (elem, rest []byte) {
	if i := bytes.IndexByte(v, ','); i >= 0 {
		elem, rest = v[:i], v[i+1:]
	} else {
		elem = v
	}
	for len(elem) > 0 && (elem[0] == ' ' || elem[0] == '\t') {
		elem = elem[1:]
	}
	for len(elem) > 0 && (elem[len(elem)-1] == ' ' || elem[len(elem)-1] == '\t') {
		elem = elem[:len(elem)-1]
	}
	return elem, rest
}

// isToken reports whether the non-empty b is a token.
func isToken(b []byte) bool {
	for _, c := range b {
		if classes[c]&classToken == 0 {
			return false
		}
	}
	return true
}
