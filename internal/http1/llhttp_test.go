package http1

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// ourOutcome is what our parser made of a fixture input.
type ourOutcome struct {
	messages   []*wireMessage
	err        error // the rejection, nil if none
	incomplete bool  // the input ended inside a message
	stopped    bool  // stopped at an upgrade, CONNECT, the HTTP/2 preface or after Connection: close
}

func (o *ourOutcome) String() string {
	var b strings.Builder
	for _, m := range o.messages {
		fmt.Fprintf(&b, "%+v\n", *m)
	}
	fmt.Fprintf(&b, "err=%v incomplete=%v stopped=%v", o.err, o.incomplete, o.stopped)
	return b.String()
}

// runOurs parses every message of input like a server (request) or a
// client (response) would.
func runOurs(input []byte, request, skipBody bool) *ourOutcome {
	o := &ourOutcome{}
	r := NewReader(bytes.NewReader(input))
	var body Body
	for {
		m := &wireMessage{}
		var (
			kind        BodyKind
			length      int64
			close, stop bool
			connect     bool
		)
		var err error
		if request {
			var h RequestHead
			err = r.ReadRequestHead(&h, Limits{})
			if err == nil {
				m.method, m.target = string(h.Method), string(h.Target)
				m.version = fmt.Sprintf("1/%d", h.Minor)
				m.fields = copyFields(h.Fields)
				kind, length, close = h.Body, h.ContentLength, h.Close
				stop = h.Upgrade
				connect = string(h.Method) == "CONNECT"
			}
		} else {
			var h ResponseHead
			err = r.ReadResponseHead(&h, Limits{})
			if err == nil {
				m.status = string(h.Reason)
				m.version = fmt.Sprintf("1/%d", h.Minor)
				m.fields = copyFields(h.Fields)
				kind, length, close = ResponseBodyKind(&h, ""), h.ContentLength, h.Close
				stop = h.Status == 101 && h.Upgrade
			}
		}
		switch {
		case err == io.EOF:
			return o
		case err == io.ErrUnexpectedEOF:
			o.incomplete = true
			return o
		case err == ErrHTTP2Preface:
			o.stopped = true
			return o
		case err != nil:
			o.err = err
			return o
		}
		o.messages = append(o.messages, m)
		if connect || (stop && !request) {
			o.stopped = true
			return o
		}
		if skipBody {
			kind = BodyNone
		}
		body.Reset(r, kind, length)
		data, err := io.ReadAll(&body)
		m.body = string(data)
		m.fields = append(m.fields, copyFields(body.Trailers())...)
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				o.incomplete = true
			} else {
				o.err = err
			}
			return o
		}
		m.complete = true
		if stop || close {
			o.stopped = true
			return o
		}
	}
}

func copyFields(fs []Field) [][2]string {
	out := make([][2]string, len(fs))
	for i, f := range fs {
		out[i] = [2]string{string(f.Name), string(f.Value)}
	}
	return out
}

// withHost inserts "Host: llhttp" after the start line of every request
// of an HTTP/1.1 message stream that has none, since llhttp leaves that
// check (RFC 9112 3.2) to the application. It works on whole messages as
// our parser delimits them and gives up (returning the input) when it
// cannot.
func withHost(input []byte, skipBody bool) []byte {
	var out []byte
	rest := input
	for range 16 {
		r := NewReader(bytes.NewReader(rest))
		var h RequestHead
		err := r.ReadRequestHead(&h, Limits{})
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Reason != "missing Host" {
			return append(out, rest...)
		}
		start, _ := skipEmptyLines(rest)
		i := start + bytes.Index(rest[start:], []byte("\r\n"))
		fixed := append(append(append([]byte{}, rest[:i+2]...), "Host: llhttp\r\n"...), rest[i+2:]...)
		r = NewReader(bytes.NewReader(fixed))
		if err := r.ReadRequestHead(&h, Limits{}); err != nil {
			return append(out, fixed...)
		}
		var body Body
		if skipBody {
			h.Body = BodyNone
		}
		body.Reset(r, h.Body, h.ContentLength)
		if _, err := io.Copy(io.Discard, &body); err != nil || h.Upgrade || h.Close {
			return append(out, fixed...)
		}
		n := len(fixed) - r.Buffered()
		out = append(out, fixed[:n]...)
		rest = fixed[n:]
	}
	return append(out, rest...)
}

// llhttpDifferences lists the fixtures where we deliberately part from
// strict llhttp, keyed by file and heading, with the reason.
var llhttpDifferences = map[string]string{
	// llhttp knows a fixed list of methods; RFC 9110 9.1 makes the method
	// an extensible token and leaves unknown ones to the server (501).
	"request/invalid.md HTTP protocol and ANNOUNCE method": "RFC 9110 9.1: any token is a method",
	"request/invalid.md Invalid method":                    "RFC 9110 9.1: any token is a method",
	// llhttp also speaks RTSP and ICE; we speak HTTP/1.0 and HTTP/1.1 only.
	"request/method.md SOURCE request with ICE":                                                     "RFC 9112 2.3: only HTTP-version is accepted",
	"request/method.md OPTIONS request with RTSP":                                                   "RFC 9112 2.3: only HTTP-version is accepted",
	"request/method.md ANNOUNCE request with RTSP":                                                  "RFC 9112 2.3: only HTTP-version is accepted",
	"response/sample.md RTSP response":                                                              "RFC 9112 2.3: only HTTP-version is accepted",
	"response/sample.md ICE response":                                                               "RFC 9112 2.3: only HTTP-version is accepted",
	"response/sample.md HTTP version 0.9":                                                           "RFC 9112 2.3: HTTP/0.9 is not HTTP/1.x",
	"request/sample.md No HTTP version":                                                             "RFC 9112 3: an HTTP/0.9 simple request has no HTTP-version; rejected",
	"request/method.md PRI request HTTP2":                                                           "RFC 9113 3.4: only \"PRI * HTTP/2.0\" is the HTTP/2 preface (ErrHTTP2Preface); PRI with HTTP/1.1 is an ordinary request, and the \"SM\" after it is garbage",
	"request/uri.md Disallow UTF-8 in URI path in strict mode":                                      "we accept obs-text (0x80-0xFF) in the request target and leave it to the router; only CTL, SP and DEL are rejected",
	"request/transfer-encoding.md POST with `chunked` as last transfer-encoding":                    "RFC 9112 6.1: we implement no transfer coding but chunked, so deflate gets 501",
	"request/transfer-encoding.md POST with `chunked` as last transfer-encoding (multiple headers)": "RFC 9112 6.1: we implement no transfer coding but chunked, so deflate gets 501",
	// Lenient flags that are not about parsing: strict llhttp fails on data
	// after a message with Connection: close (error 5). We never parse that
	// data, the connection closes after the message, so the message itself
	// is accepted like in strict llhttp.
	"request/connection.md Resetting flags when keep-alive is off (1.0, lenient)":        "data after Connection: close is not parsed",
	"request/connection.md CRLF between requests, explicit `close` (lenient)":            "data after Connection: close is not parsed",
	"response/connection.md HTTP/1.1 with keep-alive disabled, content-length (lenient)": "data after Connection: close is not parsed",
	"response/connection.md HTTP/1.1 with keep-alive disabled and 204 status (lenient)":  "data after Connection: close is not parsed",
}

func TestLLHTTPFixtures(t *testing.T) {
	seen := map[string]bool{}
	for _, kind := range []string{"request", "response"} {
		for _, c := range loadLLHTTP(t, kind) {
			key := c.key()
			seen[key] = true
			t.Run(c.name, func(t *testing.T) {
				diff := compareLLHTTP(c)
				reason, listed := llhttpDifferences[key]
				switch {
				case listed && diff == "":
					t.Errorf("listed as a deliberate difference (%s) but we agree with llhttp", reason)
				case listed:
					t.Logf("deliberate difference: %s", reason)
				case diff != "":
					t.Error(diff)
				}
			})
		}
	}
	for key := range llhttpDifferences {
		if !seen[key] {
			t.Errorf("deliberate difference %q matches no fixture", key)
		}
	}
}

// key names a case by file and heading.
func (c *llhttpCase) key() string {
	file, heading, _ := strings.Cut(c.name, ":")
	_, heading, _ = strings.Cut(heading, " ")
	return file + " " + heading
}

// compareLLHTTP runs a case through our parser and describes how the
// outcome differs from llhttp's, or returns "".
func compareLLHTTP(c *llhttpCase) string {
	want := parseLLHTTPLog(c.log)
	input := c.input
	if c.request() {
		input = withHost(input, c.meta.SkipBody)
	}
	got := runOurs(input, c.request(), c.meta.SkipBody)
	wantReject := want.rejected() || c.lenient()
	gotReject := got.err != nil
	if gotReject != wantReject {
		return fmt.Sprintf("input %q\nllhttp rejected=%v (code %d %q, lenient=%v), we rejected=%v\nours: %v", input, wantReject, want.errCode, want.reason, c.lenient(), gotReject, got)
	}
	if wantReject {
		return ""
	}
	// A message cut short by the end of the input: llhttp counts it once it
	// began, we once its head is complete. A response read until the
	// connection closes is complete for us at the end of the input.
	wantMsgs := want.messages
	wantIncomplete := len(wantMsgs) > 0 && !wantMsgs[len(wantMsgs)-1].complete && !want.stopped()
	if wantIncomplete && got.incomplete && len(got.messages) < len(wantMsgs) {
		wantMsgs = wantMsgs[:len(wantMsgs)-1]
	}
	if wantIncomplete && !got.incomplete && !c.request() && len(got.messages) == len(wantMsgs) {
		wantIncomplete = false
	}
	if wantIncomplete != got.incomplete {
		return fmt.Sprintf("input %q\nllhttp incomplete=%v, we %v\nours: %v", input, wantIncomplete, got.incomplete, got)
	}
	if len(got.messages) != len(wantMsgs) {
		return fmt.Sprintf("input %q\nllhttp parsed %d messages, we %d\nours: %v", input, len(wantMsgs), len(got.messages), got)
	}
	for i, w := range wantMsgs {
		g := got.messages[i]
		if !w.complete && !g.complete {
			continue
		}
		g.fields = dropInjectedHost(g.fields)
		if fmt.Sprint(g.method, g.target, g.status, g.version, g.fields, g.body) != fmt.Sprint(w.method, w.target, w.status, w.version, w.fields, w.body) {
			return fmt.Sprintf("message %d:\nllhttp %+v\nours   %+v", i, *w, *g)
		}
	}
	return ""
}

func dropInjectedHost(fs [][2]string) [][2]string {
	out := fs[:0:0]
	for _, f := range fs {
		if f != [2]string{"Host", "llhttp"} {
			out = append(out, f)
		}
	}
	return out
}
