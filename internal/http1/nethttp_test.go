package http1

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"sort"
	"strings"
	"testing"
)

// verdict is what a parser made of the first request of an input.
type verdict struct {
	outcome string // "accept", "reject" or "incomplete"
	why     string // the error, for messages
	method  string
	target  string
	minor   int
	host    string
	chunked bool
	header  string // canonical names, values in order, sorted; no Host or Transfer-Encoding
	body    string
	trailer string
}

func (v verdict) String() string {
	if v.outcome != "accept" {
		return v.outcome + " (" + v.why + ")"
	}
	return fmt.Sprintf("accept %s %q HTTP/1.%d host=%q chunked=%v header=%s body=%q trailer=%s",
		v.method, v.target, v.minor, v.host, v.chunked, v.header, v.body, v.trailer)
}

// sameAs compares everything both parsers report.
// A parser may refuse a message cut short as soon as what it has is
// invalid (as we do) or wait for the rest (as net/http does), so refusing
// with an error and refusing for lack of data count as the same.
func (v verdict) sameAs(w verdict) bool {
	if v.outcome != "accept" && w.outcome != "accept" {
		return true
	}
	v.why, w.why = "", ""
	return v == w
}

// canonical renders header fields as net/http's Header would hold them.
func canonical(h map[string][]string) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q;", k, h[k])
	}
	return b.String()
}

func netHTTPVerdict(input []byte) verdict {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(input)))
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return verdict{outcome: "incomplete", why: err.Error()}
	}
	if err != nil {
		return verdict{outcome: "reject", why: err.Error()}
	}
	body, err := io.ReadAll(req.Body)
	if err == io.ErrUnexpectedEOF {
		return verdict{outcome: "incomplete", why: err.Error()}
	}
	if err != nil {
		return verdict{outcome: "reject", why: err.Error()}
	}
	host := req.Host
	if req.URL.Host != "" {
		host = "" // taken from the target, not the Host field
	}
	return verdict{
		outcome: "accept",
		method:  req.Method,
		target:  req.RequestURI,
		minor:   req.ProtoMinor + 10*(req.ProtoMajor-1),
		host:    host,
		chunked: slices.Equal(req.TransferEncoding, []string{"chunked"}),
		header:  canonical(req.Header),
		body:    string(body),
		trailer: canonical(req.Trailer),
	}
}

func ourVerdict(input []byte) verdict {
	r := NewReader(bytes.NewReader(input))
	var h RequestHead
	err := r.ReadRequestHead(&h, Limits{})
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return verdict{outcome: "incomplete", why: err.Error()}
	}
	if err != nil {
		return verdict{outcome: "reject", why: err.Error()}
	}
	v := verdict{
		outcome: "accept",
		method:  string(h.Method),
		target:  string(h.Target),
		minor:   int(h.Minor),
		chunked: h.Body == BodyChunked,
	}
	header := map[string][]string{}
	for _, f := range h.Fields {
		name := textproto.CanonicalMIMEHeaderKey(string(f.Name))
		switch {
		case name == "Host" || name == "Transfer-Encoding":
			continue
		case name == "Content-Length" && len(header[name]) > 0:
			continue // net/http keeps one of identical duplicates
		}
		header[name] = append(header[name], string(f.Value))
	}
	if slices.Equal(header["Pragma"], []string{"no-cache"}) && header["Cache-Control"] == nil {
		header["Cache-Control"] = []string{"no-cache"} // as net/http does for HTTP/1.0 caches
	}
	v.header = canonical(header)
	if !strings.Contains(v.target, "://") && v.method != "CONNECT" {
		v.host = string(h.Host) // else net/http takes the host from the target
	}
	var b Body
	b.Reset(r, h.Body, h.ContentLength)
	body, err := io.ReadAll(&b)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return verdict{outcome: "incomplete", why: err.Error()}
	}
	if err != nil {
		return verdict{outcome: "reject", why: err.Error()}
	}
	v.body = string(body)
	trailer := map[string][]string{}
	for _, f := range b.Trailers() {
		name := textproto.CanonicalMIMEHeaderKey(string(f.Name))
		trailer[name] = append(trailer[name], string(f.Value))
	}
	v.trailer = canonical(trailer)
	return v
}

// netHTTPCase is an input for the differential test. diff, when set, says
// why we deliberately disagree with net/http.
type netHTTPCase struct {
	name, in, diff string
}

const (
	diffBareLF     = "RFC 9112 2.2: a bare LF as line terminator MAY be accepted; we reject it (request smuggling), net/http accepts it"
	diffObsFold    = "RFC 9112 5.2: obs-fold must be rejected or replaced by SP; we reject it, net/http unfolds it"
	diffColonWS    = "RFC 9112 5.1: whitespace between field name and colon MUST be rejected with 400; net/http's ReadRequest accepts it (its Server rejects it later)"
	diffCLTE       = "RFC 9112 6.3: Content-Length with Transfer-Encoding ought to be handled as an error; we reject it (request smuggling), net/http drops Content-Length"
	diffTE10       = "RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 means faulty framing; we reject it, net/http ignores it"
	diffVersion    = "RFC 9110 6.2 / 9112 2.3: we serve HTTP/1.0 and HTTP/1.1 only and answer 505; net/http accepts any HTTP/x.y"
	diffNoHost     = "RFC 9112 3.2: an HTTP/1.1 request without Host MUST get 400; net/http checks it in its Server, not in ReadRequest"
	diffPreface    = "RFC 9113 3.4: the HTTP/2 preface is handed to the HTTP/2 server (ErrHTTP2Preface); ReadRequest parses it as a request"
	diffEmptyLines = "RFC 9112 2.2: a server SHOULD ignore empty lines before the request line; net/http rejects them"
	diffChunkExt   = "RFC 9112 7.1.1: chunk-ext = *( BWS \";\" BWS name [ BWS \"=\" BWS value ] ); net/http ignores everything after the size but rejects BWS before \";\""
	diffTrailer    = "RFC 9112 7.1.2: trailer fields follow the field-line rules; net/http accepts whitespace before the colon there"
)

var netHTTPCorpus = []netHTTPCase{
	{name: "simple GET", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "HTTP/1.0 without Host", in: "GET / HTTP/1.0\r\n\r\n"},
	{name: "POST with Content-Length", in: "POST /p?q=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"},
	{name: "Content-Length with leading zeros", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 003\r\n\r\nabc"},
	{name: "identical duplicate Content-Length", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"},
	{name: "differing duplicate Content-Length", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"},
	{name: "numerically equal duplicate Content-Length", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 03\r\n\r\nabc"},
	{name: "Content-Length list", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc"},
	{name: "Content-Length with sign", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc"},
	{name: "negative Content-Length", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -3\r\n\r\nabc"},
	{name: "Content-Length with inner space", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\nabc"},
	{name: "empty Content-Length", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n"},
	{name: "Content-Length overflow", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n"},
	{name: "chunked", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"},
	{name: "chunked upper case", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n1\r\nx\r\n0\r\n\r\n"},
	{name: "chunked with extensions and trailers", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b;c=\"d e\"\r\nabc\r\n0\r\nX-T: v\r\nY-T: w\r\n\r\n"},
	{name: "chunked with hex sizes", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n00\r\n\r\n"},
	{name: "chunk size overflow", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nabc\r\n0\r\n\r\n"},
	{name: "empty chunk size", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n"},
	{name: "chunk data too long", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n"},
	{name: "bare LF after chunk size", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n"},
	{name: "missing last chunk", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"},
	{name: "body shorter than Content-Length", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc"},
	{name: "head cut short", in: "GET / HTTP/1.1\r\nHost: a\r\n"},
	{name: "gzip then chunked", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"},
	{name: "chunked then gzip", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"},
	{name: "chunked twice in a list", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"},
	{name: "chunked twice in two lines", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{name: "identity", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"},
	{name: "empty Transfer-Encoding", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n"},
	{name: "invalid method", in: "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "unknown method", in: "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "double SP before target", in: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "SP after version", in: "GET / HTTP/1.1 \r\nHost: a\r\n\r\n"},
	{name: "two-digit minor", in: "GET / HTTP/1.10\r\nHost: a\r\n\r\n"},
	{name: "lower-case version", in: "GET / http/1.1\r\nHost: a\r\n\r\n"},
	{name: "leading zero major", in: "GET / HTTP/01.1\r\nHost: a\r\n\r\n"},
	{name: "CR alone after request line", in: "GET / HTTP/1.1\rHost: a\r\n\r\n"},
	{name: "HTAB in target", in: "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "UTF-8 in target", in: "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "absolute-form target", in: "GET http://example.com/x HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "asterisk-form target", in: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"},
	{name: "authority-form target", in: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
	{name: "NUL in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n"},
	{name: "CTL in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n"},
	{name: "DEL in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n"},
	{name: "CR in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"},
	{name: "obs-text in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: \xff\xfe\r\n\r\n"},
	{name: "HTAB and OWS in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: \t a\tb \t\r\n\r\n"},
	{name: "empty value", in: "GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n"},
	{name: "empty field name", in: "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n"},
	{name: "missing colon", in: "GET / HTTP/1.1\r\nHost: a\r\nX\r\n\r\n"},
	{name: "invalid field name", in: "GET / HTTP/1.1\r\nHost: a\r\nX(y): z\r\n\r\n"},
	{name: "duplicate Host", in: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
	{name: "duplicate Host in HTTP/1.0", in: "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n"},
	{name: "Pragma no-cache", in: "GET / HTTP/1.0\r\nPragma: no-cache\r\n\r\n"},
	{name: "repeated fields", in: "GET / HTTP/1.1\r\nHost: a\r\nAccept: a\r\naccept: b\r\nCookie: c=1\r\n\r\n"},
	{name: "forbidden trailer", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nContent-Length: 5\r\n\r\n"},

	{name: "bare LF everywhere", in: "GET / HTTP/1.1\nHost: a\n\n", diff: diffBareLF},
	{name: "bare LF after a field", in: "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", diff: diffBareLF},
	{name: "obs-fold", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", diff: diffObsFold},
	{name: "obs-fold with HTAB", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", diff: diffObsFold},
	{name: "whitespace before the first field", in: "GET / HTTP/1.1\r\nHost: a\r\n X: b\r\n\r\n", diff: diffObsFold},
	{name: "whitespace before colon", in: "GET / HTTP/1.1\r\nHost: a\r\nX : b\r\n\r\n", diff: diffColonWS},
	{name: "Content-Length and Transfer-Encoding", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", diff: diffCLTE},
	{name: "Transfer-Encoding in HTTP/1.0", in: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", diff: diffTE10},
	{name: "HTTP/1.2", in: "GET / HTTP/1.2\r\nHost: a\r\n\r\n", diff: diffVersion},
	{name: "HTTP/2.0 request line", in: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", diff: diffVersion},
	{name: "HTTP/1.1 without Host", in: "GET / HTTP/1.1\r\n\r\n", diff: diffNoHost},
	{name: "HTTP/2 preface", in: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", diff: diffPreface},
	{name: "empty line before request", in: "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", diff: diffEmptyLines},
	{name: "SP after chunk size", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n", diff: diffChunkExt},
	{name: "BWS before chunk extension", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 ; a=b\r\nabc\r\n0\r\n\r\n", diff: diffChunkExt},
	{name: "SP inside chunk extension value", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b c\r\nabc\r\n0\r\n\r\n", diff: diffChunkExt},
	{name: "empty chunk extension", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;\r\nabc\r\n0\r\n\r\n", diff: diffChunkExt},
	{name: "whitespace before colon in trailer", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX : y\r\n\r\n", diff: diffTrailer},
}

// netHTTPLLHTTPDifferences lists the llhttp request fixtures on which we
// deliberately disagree with net/http (after adding Host where llhttp's
// fixtures leave it out), with the reason.
var netHTTPLLHTTPDifferences = map[string]string{
	"request/connection.md Multiple tokens with folding":                                              diffObsFold,
	"request/connection.md Multiple tokens with folding, LWS, and CRLF":                               diffObsFold,
	"request/connection.md Invalid whitespace token with `Connection` header field":                   diffColonWS,
	"request/connection.md Invalid whitespace token with `Connection` header field (lenient)":         diffColonWS,
	"request/content-length.md Invalid whitespace token with `Content-Length` header field":           diffColonWS,
	"request/content-length.md Invalid whitespace token with `Content-Length` header field (lenient)": diffColonWS,
	"request/invalid.md Missing CR between headers":                                                   diffBareLF,
	"request/invalid.md Spaces before headers":                                                        diffObsFold,
	"request/invalid.md Spaces before headers (lenient)":                                              diffObsFold,
	"request/lenient-version.md Invalid HTTP version (lenient)":                                       diffVersion,
	"request/sample.md Prefix newline":                                                                diffEmptyLines,
	"request/sample.md Request starting with CRLF":                                                    diffEmptyLines,
	"request/sample.md Line folding in header value with CRLF":                                        diffObsFold,
	"request/sample.md Line folding in header value with LF":                                          diffBareLF,
	"request/sample.md X-SSL-Nonsense":                                                                diffObsFold,
	"request/transfer-encoding.md No extension after semicolon":                                       diffChunkExt,
	"request/transfer-encoding.md Space after chunk header":                                           diffChunkExt,
	"request/transfer-encoding.md Space after chunk header (lenient)":                                 diffChunkExt,
}

func TestNetHTTPDifferential(t *testing.T) {
	for _, c := range netHTTPCorpus {
		t.Run(c.name, func(t *testing.T) {
			checkDifferential(t, []byte(c.in), c.diff)
		})
	}
	t.Run("llhttp", func(t *testing.T) {
		seen := map[string]bool{}
		defer func() {
			for key := range netHTTPLLHTTPDifferences {
				if len(seen) > 0 && !seen[key] {
					t.Errorf("deliberate difference %q matches no fixture", key)
				}
			}
		}()
		for _, c := range loadLLHTTP(t, "request") {
			seen[c.key()] = true
			t.Run(c.name, func(t *testing.T) {
				checkDifferential(t, withHost(c.input, c.meta.SkipBody), netHTTPLLHTTPDifferences[c.key()])
			})
		}
	})
}

func checkDifferential(t *testing.T, input []byte, diff string) {
	t.Helper()
	ours, theirs := ourVerdict(input), netHTTPVerdict(input)
	same := ours.sameAs(theirs)
	switch {
	case diff == "" && !same:
		t.Errorf("input %q\nours:     %v\nnet/http: %v", input, ours, theirs)
	case diff != "" && same:
		t.Errorf("input %q: listed as a deliberate difference (%s) but both give %v", input, diff, ours)
	case diff != "":
		t.Logf("deliberate difference: %s\nours:     %v\nnet/http: %v", diff, ours, theirs)
	}
}
