package http1

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// errNeedMore marks a case where the parser must ask for more data.
var errNeedMore = errors.New("need more data")

type requestCase struct {
	name   string
	in     string
	want   error // nil: accepted; errNeedMore; or the sentinel of the ParseError
	status int   // the ParseError's Status, when rejected
	check  func(t *testing.T, h *RequestHead)
	lim    Limits
}

// runRequestCases parses every case and checks the outcome; an accepted
// case must consume exactly the whole input.
func runRequestCases(t *testing.T, cases []requestCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var h RequestHead
			n, err := ParseRequestHead([]byte(c.in), &h, c.lim)
			checkOutcome(t, c.in, n, err, c.want, c.status)
			if err == nil && n > 0 && c.check != nil {
				c.check(t, &h)
			}
		})
	}
}

func checkOutcome(t *testing.T, in string, n int, err, want error, status int) {
	t.Helper()
	switch {
	case want == nil:
		if err != nil || n != len(in) {
			t.Fatalf("ParseHead(%q) = %d, %v; want %d, nil", in, n, err, len(in))
		}
	case want == errNeedMore:
		if err != nil || n != 0 {
			t.Fatalf("ParseHead(%q) = %d, %v; want 0, nil", in, n, err)
		}
	case want == ErrHTTP2Preface:
		if err != ErrHTTP2Preface || n != 0 {
			t.Fatalf("ParseHead(%q) = %d, %v; want 0, ErrHTTP2Preface", in, n, err)
		}
	default:
		var pe *ParseError
		if !errors.As(err, &pe) || n != 0 {
			t.Fatalf("ParseHead(%q) = %d, %v; want 0, *ParseError", in, n, err)
		}
		if !errors.Is(err, want) || !errors.Is(err, ErrBadMessage) {
			t.Fatalf("ParseHead(%q) error %v does not match %v and ErrBadMessage", in, err, want)
		}
		if status != 0 && pe.Status != status {
			t.Fatalf("ParseHead(%q) status %d, want %d (%v)", in, pe.Status, status, err)
		}
		if pe.Reason == "" {
			t.Fatalf("ParseHead(%q): empty reason", in)
		}
	}
}

// req builds a request from lines joined by CRLF, ending with the empty line.
func req(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n\r\n" }

func hasField(name, value string) func(t *testing.T, h *RequestHead) {
	return func(t *testing.T, h *RequestHead) {
		t.Helper()
		for _, f := range h.Fields {
			if string(f.Name) == name {
				if string(f.Value) != value {
					t.Fatalf("%s = %q, want %q", name, f.Value, value)
				}
				return
			}
		}
		t.Fatalf("no field %s in %q", name, h.Fields)
	}
}

func body(kind BodyKind, length int64) func(t *testing.T, h *RequestHead) {
	return func(t *testing.T, h *RequestHead) {
		t.Helper()
		if h.Body != kind || h.ContentLength != length {
			t.Fatalf("Body, ContentLength = %d, %d; want %d, %d", h.Body, h.ContentLength, kind, length)
		}
	}
}

func closeUpgrade(close, upgrade bool) func(t *testing.T, h *RequestHead) {
	return func(t *testing.T, h *RequestHead) {
		t.Helper()
		if h.Close != close || h.Upgrade != upgrade {
			t.Fatalf("Close, Upgrade = %v, %v; want %v, %v", h.Close, h.Upgrade, close, upgrade)
		}
	}
}

func TestRequestLine(t *testing.T) {
	runRequestCases(t, []requestCase{
		{name: "ValidGET", in: req("GET /index.html?q=1 HTTP/1.1", "Host: example.com"), check: func(t *testing.T, h *RequestHead) {
			if string(h.Method) != "GET" || string(h.Target) != "/index.html?q=1" || h.Minor != 1 || string(h.Host) != "example.com" {
				t.Fatalf("got %q %q %d %q", h.Method, h.Target, h.Minor, h.Host)
			}
			if h.Body != BodyNone || h.ContentLength != -1 || h.Close || h.Upgrade || h.Expect != nil {
				t.Fatalf("got %+v", h)
			}
		}},
		{name: "HTTP10", in: req("GET / HTTP/1.0"), check: func(t *testing.T, h *RequestHead) {
			if h.Minor != 0 || h.Host != nil {
				t.Fatalf("Minor %d Host %q", h.Minor, h.Host)
			}
		}},
		{name: "EmptyLinesBeforeRequestLineIgnored", in: "\r\n\r\n" + req("GET / HTTP/1.1", "Host: a")},
		{name: "EmptyLinesOnlyNeedMore", in: "\r\n\r\n", want: errNeedMore},
		{name: "LoneCRNeedMore", in: "\r\n\r", want: errNeedMore},
		{name: "BareLFBeforeRequestLine", in: "\n" + req("GET / HTTP/1.1", "Host: a"), want: ErrBadMethod},
		{name: "MethodAnyToken", in: req("M-SEARCH * HTTP/1.1", "Host: a")},
		{name: "MethodMustBeToken", in: req("GE(T / HTTP/1.1", "Host: a"), want: ErrBadMethod, status: 400},
		{name: "MethodNonASCII", in: req("G\xc3\x89T / HTTP/1.1", "Host: a"), want: ErrBadMethod},
		{name: "MethodEmpty", in: req(" / HTTP/1.1", "Host: a"), want: ErrBadMethod},
		{name: "MethodOnly", in: req("GET"), want: ErrBadMessage},
		{name: "MethodTabSeparator", in: req("GET\t/ HTTP/1.1", "Host: a"), want: ErrBadMethod},
		{name: "TargetEmpty", in: req("GET  HTTP/1.1", "Host: a"), want: ErrBadMessage, status: 400},
		{name: "TargetTwoSpaces", in: req("GET  / HTTP/1.1", "Host: a"), want: ErrBadMessage},
		{name: "TargetCTL", in: req("GET /a\x01b HTTP/1.1", "Host: a"), want: ErrBadMessage},
		{name: "TargetHTAB", in: req("GET /a\tb HTTP/1.1", "Host: a"), want: ErrBadMessage},
		{name: "TargetDEL", in: req("GET /a\x7fb HTTP/1.1", "Host: a"), want: ErrBadMessage},
		{name: "TargetNUL", in: req("GET /a\x00b HTTP/1.1", "Host: a"), want: ErrBadMessage},
		{name: "TargetObsTextAllowed", in: req("GET /caf\xc3\xa9 HTTP/1.1", "Host: a")},
		{name: "TargetLong", in: req("GET /"+strings.Repeat("a", 5000)+" HTTP/1.1", "Host: a"), check: func(t *testing.T, h *RequestHead) {
			if len(h.Target) != 5001 {
				t.Fatalf("target length %d", len(h.Target))
			}
		}},
		{name: "TargetAbsoluteForm", in: req("GET http://x.org/a HTTP/1.1", "Host: x.org")},
		{name: "TargetAsterisk", in: req("OPTIONS * HTTP/1.1", "Host: a")},
		{name: "TargetAuthorityForm", in: req("CONNECT x.org:443 HTTP/1.1", "Host: x.org:443")},
		{name: "NoVersion", in: req("GET /"), want: ErrBadMessage},
		{name: "SpaceAfterVersion", in: req("GET / HTTP/1.1 ", "Host: a"), want: ErrBadMessage},
		{name: "OtherCharacterAfterVersion", in: req("GET / HTTP/1.1(", "Host: a"), want: ErrBadMessage},
		{name: "TwoSpacesBeforeVersion", in: req("GET /  HTTP/1.1", "Host: a"), want: ErrBadMessage},
		{name: "VersionLowerCase", in: req("GET / http/1.1", "Host: a"), want: ErrBadMessage, status: 400},
		{name: "VersionTwoDigitMinor", in: req("GET / HTTP/1.10", "Host: a"), want: ErrBadMessage, status: 400},
		{name: "VersionNoMinor", in: req("GET / HTTP/1", "Host: a"), want: ErrBadMessage, status: 400},
		{name: "VersionGarbage", in: req("GET / HTTPS/1.1", "Host: a"), want: ErrBadMessage, status: 400},
		{name: "VersionGarbageEarly", in: "GET / HTTX", want: ErrBadMessage, status: 400},
		{name: "Version12", in: req("GET / HTTP/1.2", "Host: a"), want: ErrBadMessage, status: 505},
		{name: "Version20", in: req("GET / HTTP/2.0", "Host: a"), want: ErrBadMessage, status: 505},
		{name: "Version30", in: req("GET / HTTP/3.0", "Host: a"), want: ErrBadMessage, status: 505},
		{name: "Version09Unknown", in: req("GET / HTTP/0.9"), want: ErrBadMessage, status: 505},
		{name: "VersionUnsupportedEarly", in: "GET / HTTP/5.6", want: ErrBadMessage, status: 505},
		{name: "HTTP2Preface", in: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", want: ErrHTTP2Preface},
		{name: "HTTP2PrefacePartial", in: "PRI * HTTP/2.0", want: ErrHTTP2Preface},
		{name: "PRIWithHTTP11IsARequest", in: req("PRI * HTTP/1.1", "Host: a")},
		{name: "BareLFAfterRequestLine", in: "GET / HTTP/1.1\nHost: a\r\n\r\n", want: ErrBadMessage},
		{name: "CRWithoutLFAfterRequestLine", in: "GET / HTTP/1.1\rHost: a\r\n\r\n", want: ErrBadMessage},
		{name: "RequestLineTooLong", in: req("GET /"+strings.Repeat("a", 8190)+" HTTP/1.1", "Host: a"), want: ErrLineTooLong, status: 414},
		{name: "RequestLineAtLimit", in: req("GET /"+strings.Repeat("a", 8190-len("GET / HTTP/1.1"))+" HTTP/1.1", "Host: a")},
		{name: "RequestLineTooLongIncomplete", in: "GET /" + strings.Repeat("a", 8190), want: ErrLineTooLong, status: 414},
		{name: "RequestLineTooLongInMethod", in: strings.Repeat("G", 8191), want: ErrLineTooLong, status: 414},
		{name: "RequestLineCustomLimit", in: req("GET /0123456789 HTTP/1.1", "Host: a"), lim: Limits{MaxLineSize: 20}, want: ErrLineTooLong, status: 414},
		{name: "EmptyLinesCountTowardsLineLimit", in: strings.Repeat("\r\n", 20), lim: Limits{MaxLineSize: 20}, want: ErrLineTooLong, status: 414},
	})
}

func TestHeaderFields(t *testing.T) {
	runRequestCases(t, []requestCase{
		{name: "FieldsInOrder", in: req("GET / HTTP/1.1", "Host: a", "Accept: */*", "accept: b"), check: func(t *testing.T, h *RequestHead) {
			want := [][2]string{{"Host", "a"}, {"Accept", "*/*"}, {"accept", "b"}}
			if len(h.Fields) != len(want) {
				t.Fatalf("fields %q", h.Fields)
			}
			for i, f := range h.Fields {
				if string(f.Name) != want[i][0] || string(f.Value) != want[i][1] {
					t.Fatalf("field %d = %q: %q", i, f.Name, f.Value)
				}
			}
		}},
		{name: "OWSTrimmed", in: req("GET / HTTP/1.1", "Host: a", "X: \t a \t b \t "), check: hasField("X", "a \t b")},
		{name: "NoOWS", in: req("GET / HTTP/1.1", "Host: a", "X:b"), check: hasField("X", "b")},
		{name: "EmptyValue", in: req("GET / HTTP/1.1", "Host: a", "X:"), check: hasField("X", "")},
		{name: "EmptyValueWithOWS", in: req("GET / HTTP/1.1", "Host: a", "X: \t "), check: hasField("X", "")},
		{name: "ValueObsText", in: req("GET / HTTP/1.1", "Host: a", "X: \x80\xff caf\xc3\xa9"), check: hasField("X", "\x80\xff caf\xc3\xa9")},
		{name: "ValueHTAB", in: req("GET / HTTP/1.1", "Host: a", "X: a\tb"), check: hasField("X", "a\tb")},
		{name: "ValueLong", in: req("GET / HTTP/1.1", "Host: a", "X: "+strings.Repeat("v", 8000)), check: hasField("X", strings.Repeat("v", 8000))},
		{name: "ValueNUL", in: req("GET / HTTP/1.1", "Host: a", "X: a\x00b"), want: ErrInvalidHeader, status: 400},
		{name: "ValueCTL", in: req("GET / HTTP/1.1", "Host: a", "X: a\x01b"), want: ErrInvalidHeader},
		{name: "ValueCTLAfterEightBytes", in: req("GET / HTTP/1.1", "Host: a", "X: abcdefghijklmnop\x1fq"), want: ErrInvalidHeader},
		{name: "ValueDEL", in: req("GET / HTTP/1.1", "Host: a", "X: a\x7fb"), want: ErrInvalidHeader},
		{name: "ValueCR", in: req("GET / HTTP/1.1", "Host: a", "X: a\rb"), want: ErrInvalidHeader},
		{name: "ValueBareLF", in: req("GET / HTTP/1.1", "Host: a", "X: a\nb"), want: ErrInvalidHeader},
		{name: "BareLFEndsField", in: "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", want: ErrInvalidHeader},
		{name: "BareLFEndsHead", in: "GET / HTTP/1.1\r\nHost: a\r\n\n", want: ErrInvalidHeader},
		{name: "BareLFEverywhere", in: "GET / HTTP/1.1\nHost: a\n\n", want: ErrBadMessage},
		{name: "CRWithoutLFEndsHead", in: "GET / HTTP/1.1\r\nHost: a\r\n\rX", want: ErrInvalidHeader},
		{name: "ObsFoldRejected", in: req("GET / HTTP/1.1", "Host: a", "X: a", " b"), want: ErrInvalidHeader, status: 400},
		{name: "ObsFoldHTABRejected", in: req("GET / HTTP/1.1", "Host: a", "X: a", "\tb"), want: ErrInvalidHeader},
		{name: "WhitespaceBeforeFirstField", in: req("GET / HTTP/1.1", " Host: a"), want: ErrInvalidHeader},
		{name: "FieldNameMustBeToken", in: req("GET / HTTP/1.1", "Host: a", "X(y): z"), want: ErrInvalidHeader},
		{name: "FieldNameNonASCII", in: req("GET / HTTP/1.1", "Host: a", "X\xc3\xa9: z"), want: ErrInvalidHeader},
		{name: "FieldNameEmpty", in: req("GET / HTTP/1.1", "Host: a", ": z"), want: ErrInvalidHeader},
		{name: "FieldNameMissingColon", in: req("GET / HTTP/1.1", "Host: a", "X"), want: ErrInvalidHeader},
		{name: "WhitespaceBeforeColon", in: req("GET / HTTP/1.1", "Host: a", "X : z"), want: ErrInvalidHeader},
		{name: "TabBeforeColon", in: req("GET / HTTP/1.1", "Host: a", "X\t: z"), want: ErrInvalidHeader},
		{name: "FieldTooLong", in: req("GET / HTTP/1.1", "Host: a", "X: "+strings.Repeat("v", 8188)), want: ErrLineTooLong, status: 431},
		{name: "FieldAtLimit", in: req("GET / HTTP/1.1", "Host: a", "X: "+strings.Repeat("v", 8187))},
		{name: "FieldNameTooLong", in: req("GET / HTTP/1.1", "Host: a", strings.Repeat("X", 8191)+": v"), want: ErrLineTooLong, status: 431},
		{name: "FieldTooLongIncomplete", in: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("v", 8188), want: ErrLineTooLong, status: 431},
		{name: "FieldNameTooLongIncomplete", in: "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X", 8191), want: ErrLineTooLong, status: 431},
		{name: "FieldCustomLimit", in: req("GET / HTTP/1.1", "Host: a", "X: 0123456789"), lim: Limits{MaxFieldSize: 10}, want: ErrLineTooLong, status: 431},
		{name: "TooManyHeaders", in: req(append([]string{"GET / HTTP/1.1", "Host: a"}, strings.Split(strings.Repeat("X: y\n", 128), "\n")[:128]...)...), want: ErrBadMessage, status: 431},
		{name: "HeadersAtLimit", in: req(append([]string{"GET / HTTP/1.1", "Host: a"}, strings.Split(strings.Repeat("X: y\n", 127), "\n")[:127]...)...)},
		{name: "TooManyHeadersCustomLimit", in: req("GET / HTTP/1.1", "Host: a", "X: 1", "X: 2"), lim: Limits{MaxHeaders: 2}, want: ErrBadMessage, status: 431},
		{name: "IncompleteHead", in: "GET / HTTP/1.1\r\nHost: a\r\n", want: errNeedMore},
		{name: "IncompleteFieldName", in: "GET / HTTP/1.1\r\nHo", want: errNeedMore},
		{name: "IncompleteFinalCR", in: "GET / HTTP/1.1\r\nHost: a\r\n\r", want: errNeedMore},
		{name: "Expect", in: req("POST / HTTP/1.1", "Host: a", "Expect: 100-continue", "Content-Length: 1"), check: func(t *testing.T, h *RequestHead) {
			if string(h.Expect) != "100-continue" {
				t.Fatalf("Expect %q", h.Expect)
			}
		}},
		{name: "FieldNamesCaseInsensitive", in: req("POST / HTTP/1.1", "hOsT: a", "CONTENT-LENGTH: 3"), check: func(t *testing.T, h *RequestHead) {
			if string(h.Host) != "a" || h.ContentLength != 3 {
				t.Fatalf("Host %q ContentLength %d", h.Host, h.ContentLength)
			}
		}},
	})
}

func TestContentLength(t *testing.T) {
	runRequestCases(t, []requestCase{
		{name: "ContentLength", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 42"), check: body(BodyLength, 42)},
		{name: "ContentLengthZero", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 0"), check: body(BodyNone, 0)},
		{name: "ContentLengthAbsent", in: req("POST / HTTP/1.1", "Host: a"), check: body(BodyNone, -1)},
		{name: "ContentLengthLeadingZeros", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 007"), check: body(BodyLength, 7)},
		{name: "ContentLengthMaxInt64", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 9223372036854775807"), check: body(BodyLength, 1<<63-1)},
		{name: "ContentLengthOverflow", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 9223372036854775808"), want: ErrContentLength, status: 400},
		{name: "ContentLengthHugeOverflow", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 100000000000000000000000"), want: ErrContentLength},
		{name: "ContentLengthEmpty", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: "), want: ErrContentLength},
		{name: "ContentLengthSign", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: +1"), want: ErrContentLength},
		{name: "ContentLengthNegative", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: -1"), want: ErrContentLength},
		{name: "ContentLengthHex", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 0x10"), want: ErrContentLength},
		{name: "ContentLengthInnerSpace", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 1 2"), want: ErrContentLength},
		{name: "ContentLengthList", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 5, 5"), want: ErrContentLength},
		{name: "ContentLengthOWS", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: \t5 "), check: body(BodyLength, 5)},
		{name: "ContentLengthDuplicateIdentical", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 5", "Content-Length: 5"), check: body(BodyLength, 5)},
		{name: "ContentLengthDuplicateDiffering", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 5", "Content-Length: 6"), want: ErrContentLength, status: 400},
		{name: "ContentLengthDuplicateDifferentSpelling", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 5", "Content-Length: 05"), want: ErrContentLength},
		{name: "ContentLengthDuplicateInvalid", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: x", "Content-Length: x"), want: ErrContentLength},
	})
}

func TestTransferEncoding(t *testing.T) {
	runRequestCases(t, []requestCase{
		{name: "Chunked", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked"), check: body(BodyChunked, -1)},
		{name: "ChunkedCaseInsensitive", in: req("POST / HTTP/1.1", "Host: a", "transfer-encoding: ChUnKeD"), check: body(BodyChunked, -1)},
		{name: "ChunkedWithEmptyListElements", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: , chunked ,"), check: body(BodyChunked, -1)},
		{name: "ChunkedNotLast", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked, gzip"), want: ErrTransferEncoding, status: 400},
		{name: "ChunkedNotLastAcrossLines", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked", "Transfer-Encoding: gzip"), want: ErrTransferEncoding, status: 400},
		{name: "NotChunked", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: gzip"), want: ErrTransferEncoding, status: 400},
		{name: "Identity", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: identity"), want: ErrTransferEncoding, status: 400},
		{name: "EmptyTransferEncoding", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: "), want: ErrTransferEncoding, status: 400},
		{name: "ChunkedChunked", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked, chunked"), want: ErrTransferEncoding, status: 400},
		{name: "ChunkedTwiceAcrossLines", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"), want: ErrTransferEncoding, status: 400},
		{name: "ChunkedchunkedIsNotChunked", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunkedchunked"), want: ErrTransferEncoding, status: 400},
		{name: "OtherCodingNotImplemented", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: gzip, chunked"), want: ErrTransferEncoding, status: 501},
		{name: "OtherCodingAcrossLinesNotImplemented", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: deflate", "Transfer-Encoding: chunked"), want: ErrTransferEncoding, status: 501},
		{name: "CodingWithParameters", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked;q=1"), want: ErrTransferEncoding, status: 400},
		{name: "TransferEncodingInHTTP10", in: req("POST / HTTP/1.0", "Transfer-Encoding: chunked"), want: ErrTransferEncoding, status: 400},
		{name: "ContentLengthWithTransferEncoding", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 5", "Transfer-Encoding: chunked"), want: ErrBadMessage, status: 400},
		{name: "TransferEncodingWithContentLength", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked", "Content-Length: 0"), want: ErrBadMessage, status: 400},
	})
}

func TestHost(t *testing.T) {
	runRequestCases(t, []requestCase{
		{name: "HostRequiredInHTTP11", in: req("GET / HTTP/1.1"), want: ErrBadMessage, status: 400},
		{name: "HostOptionalInHTTP10", in: req("GET / HTTP/1.0")},
		{name: "HostEmptyAllowed", in: req("GET / HTTP/1.1", "Host:"), check: func(t *testing.T, h *RequestHead) {
			if h.Host == nil || len(h.Host) != 0 {
				t.Fatalf("Host %q (nil %v)", h.Host, h.Host == nil)
			}
		}},
		{name: "DuplicateHost", in: req("GET / HTTP/1.1", "Host: a", "Host: b"), want: ErrBadMessage, status: 400},
		{name: "DuplicateIdenticalHost", in: req("GET / HTTP/1.1", "Host: a", "Host: a"), want: ErrBadMessage, status: 400},
		{name: "DuplicateHostInHTTP10", in: req("GET / HTTP/1.0", "Host: a", "Host: a"), want: ErrBadMessage, status: 400},
		{name: "HostRequiredForCONNECT", in: req("CONNECT a:443 HTTP/1.1"), want: ErrBadMessage, status: 400},
	})
}

func TestConnection(t *testing.T) {
	runRequestCases(t, []requestCase{
		{name: "KeepAliveDefaultInHTTP11", in: req("GET / HTTP/1.1", "Host: a"), check: closeUpgrade(false, false)},
		{name: "CloseDefaultInHTTP10", in: req("GET / HTTP/1.0"), check: closeUpgrade(true, false)},
		{name: "KeepAliveInHTTP10", in: req("GET / HTTP/1.0", "Connection: keep-alive"), check: closeUpgrade(false, false)},
		{name: "KeepAliveCaseInsensitive", in: req("GET / HTTP/1.0", "Connection: Keep-Alive"), check: closeUpgrade(false, false)},
		{name: "ConnectionClose", in: req("GET / HTTP/1.1", "Host: a", "Connection: close"), check: closeUpgrade(true, false)},
		{name: "ConnectionCloseInList", in: req("GET / HTTP/1.1", "Host: a", "Connection: keep-alive, CLOSE"), check: closeUpgrade(true, false)},
		{name: "ConnectionCloseOnSecondLine", in: req("GET / HTTP/1.1", "Host: a", "Connection: te", "Connection: close"), check: closeUpgrade(true, false)},
		{name: "CloseWinsOverKeepAliveInHTTP10", in: req("GET / HTTP/1.0", "Connection: keep-alive, close"), check: closeUpgrade(true, false)},
		{name: "ConnectionTokenNotSubstring", in: req("GET / HTTP/1.1", "Host: a", "Connection: closed, xclose"), check: closeUpgrade(false, false)},
		{name: "Upgrade", in: req("GET /ws HTTP/1.1", "Host: a", "Connection: Upgrade", "Upgrade: websocket"), check: closeUpgrade(false, true)},
		{name: "UpgradeInList", in: req("GET /ws HTTP/1.1", "Host: a", "Connection: keep-alive, upgrade", "Upgrade: h2c"), check: closeUpgrade(false, true)},
		{name: "UpgradeWithoutUpgradeField", in: req("GET /ws HTTP/1.1", "Host: a", "Connection: upgrade"), check: closeUpgrade(false, false)},
		{name: "UpgradeFieldWithoutConnectionToken", in: req("GET /ws HTTP/1.1", "Host: a", "Upgrade: websocket"), check: closeUpgrade(false, false)},
	})
}

// TestReference18LimitsFail is REFERENCE.md behaviour 18: over the line,
// field or count limits the message fails.
func TestReference18LimitsFail(t *testing.T) {
	long := strings.Repeat("x", DefaultMaxLineSize)
	many := make([]string, 0, DefaultMaxHeaders+3)
	many = append(many, "GET / HTTP/1.1", "Host: a")
	for len(many) < DefaultMaxHeaders+2 {
		many = append(many, "X: y")
	}
	runRequestCases(t, []requestCase{
		{name: "LineOverLimit", in: req("GET /"+long+" HTTP/1.1", "Host: a"), want: ErrLineTooLong, status: 414},
		{name: "FieldOverLimit", in: req("GET / HTTP/1.1", "Host: a", "X: "+long), want: ErrLineTooLong, status: 431},
		{name: "FieldNameOverLimit", in: req("GET / HTTP/1.1", "Host: a", long+"xx: v"), want: ErrLineTooLong, status: 431},
		{name: "CountOverLimit", in: req(many...), want: ErrBadMessage, status: 431},
		{name: "CountAtLimit", in: req(many[:len(many)-1]...)},
		{name: "SmallerLimits", in: req("GET /abc HTTP/1.1", "Host: a"), lim: Limits{MaxLineSize: 10}, want: ErrLineTooLong, status: 414},
	})
	// Responses and trailers obey the same limits.
	var rh ResponseHead
	if _, err := ParseResponseHead([]byte("HTTP/1.1 200 OK\r\nX: "+long+"\r\n\r\n"), &rh, Limits{}); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("response field over limit: %v", err)
	}
	if _, err := ParseResponseHead([]byte("HTTP/1.1 200 "+long+"\r\n\r\n"), &rh, Limits{}); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("status line over limit: %v", err)
	}
	_, err := readChunked(t, "1\r\nx\r\n0\r\nX: "+long+"\r\n\r\n", Limits{})
	if !errors.Is(err, ErrLineTooLong) {
		t.Errorf("trailer over limit: %v", err)
	}
}

// TestReference32StrictParser is REFERENCE.md behaviour 32: the parser
// rejects obs-fold, bare LF, CL+TE, TE not ending in chunked, duplicate
// Host or differing Content-Length, HTTP/1.1 without Host.
func TestReference32StrictParser(t *testing.T) {
	runRequestCases(t, []requestCase{
		{name: "ObsFold", in: req("GET / HTTP/1.1", "Host: a", "X: a", " b"), want: ErrInvalidHeader, status: 400},
		{name: "BareLF", in: "GET / HTTP/1.1\nHost: a\n\n", want: ErrBadMessage, status: 400},
		{name: "BareLFInFields", in: "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", want: ErrInvalidHeader, status: 400},
		{name: "ContentLengthAndTransferEncoding", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 3", "Transfer-Encoding: chunked"), want: ErrBadMessage, status: 400},
		{name: "TransferEncodingNotEndingInChunked", in: req("POST / HTTP/1.1", "Host: a", "Transfer-Encoding: chunked, identity"), want: ErrTransferEncoding, status: 400},
		{name: "DuplicateHost", in: req("GET / HTTP/1.1", "Host: a", "Host: b"), want: ErrBadMessage, status: 400},
		{name: "DifferingContentLength", in: req("POST / HTTP/1.1", "Host: a", "Content-Length: 1", "Content-Length: 2"), want: ErrContentLength, status: 400},
		{name: "HTTP11WithoutHost", in: req("GET / HTTP/1.1"), want: ErrBadMessage, status: 400},
	})
	var rh ResponseHead
	for _, in := range []string{
		"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
		"HTTP/1.1 200 OK\nX: a\n\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	} {
		if _, err := ParseResponseHead([]byte(in), &rh, Limits{}); !errors.Is(err, ErrBadMessage) {
			t.Errorf("response %q: %v", in, err)
		}
	}
}

func TestParseRequestHeadPipelined(t *testing.T) {
	first := req("POST /a HTTP/1.1", "Host: a", "Content-Length: 3")
	in := first + "abc" + req("GET /b HTTP/1.1", "Host: a")
	var h RequestHead
	n, err := ParseRequestHead([]byte(in), &h, Limits{})
	if err != nil || n != len(first) {
		t.Fatalf("got %d, %v; want %d", n, err, len(first))
	}
}

// TestParseRequestHeadPrefixes checks that every proper prefix of valid
// heads asks for more data and the whole head parses the same as in one
// piece.
func TestParseRequestHeadPrefixes(t *testing.T) {
	for _, in := range []string{
		req("GET / HTTP/1.1", "Host: a"),
		"\r\n" + req("POST /x?y=z HTTP/1.0", "Content-Length: 10", "X:  v ", "Connection: keep-alive"),
		req("GET /abcdefghijklmnopqrstuvwxyz HTTP/1.1", "Host: example.com", "User-Agent: Mozilla/5.0 (X11; Linux x86_64)", "Accept: */*"),
	} {
		for i := range len(in) {
			var h RequestHead
			if n, err := ParseRequestHead([]byte(in[:i]), &h, Limits{}); n != 0 || err != nil {
				t.Fatalf("prefix %q: %d, %v", in[:i], n, err)
			}
		}
		var h RequestHead
		if n, err := ParseRequestHead([]byte(in), &h, Limits{}); n != len(in) || err != nil {
			t.Fatalf("%q: %d, %v", in, n, err)
		}
	}
}

func TestParseRequestHeadReusesFields(t *testing.T) {
	skipAllocsUnderRace(t)
	in := []byte(req("GET / HTTP/1.1", "Host: a", "Accept: */*", "User-Agent: x", "Cookie: a=b"))
	h := RequestHead{Fields: make([]Field, 0, 8)}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseRequestHead(in, &h, Limits{}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocs per parse, want 0", allocs)
	}
	var rh ResponseHead
	rh.Fields = make([]Field, 0, 8)
	rin := []byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\n")
	allocs = testing.AllocsPerRun(100, func() {
		if _, err := ParseResponseHead(rin, &rh, Limits{}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocs per response parse, want 0", allocs)
	}
}

func TestParseRequestHeadResets(t *testing.T) {
	var h RequestHead
	if _, err := ParseRequestHead([]byte(req("POST / HTTP/1.0", "Host: a", "Content-Length: 4", "Expect: x", "Connection: upgrade", "Upgrade: y")), &h, Limits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRequestHead([]byte(req("GET / HTTP/1.1", "Host: b")), &h, Limits{}); err != nil {
		t.Fatal(err)
	}
	if h.ContentLength != -1 || h.Body != BodyNone || h.Expect != nil || h.Close || h.Upgrade || len(h.Fields) != 1 || h.Minor != 1 {
		t.Fatalf("stale state: %+v", h)
	}
}

type responseCase struct {
	name   string
	in     string
	want   error
	status int
	check  func(t *testing.T, h *ResponseHead)
}

func respFraming(length int64, chunked, close bool) func(t *testing.T, h *ResponseHead) {
	return func(t *testing.T, h *ResponseHead) {
		t.Helper()
		if h.ContentLength != length || h.Chunked != chunked || h.Close != close {
			t.Fatalf("ContentLength, Chunked, Close = %d, %v, %v; want %d, %v, %v", h.ContentLength, h.Chunked, h.Close, length, chunked, close)
		}
	}
}

func resp(lines ...string) string { return req(lines...) }

func TestResponseHead(t *testing.T) {
	cases := []responseCase{
		{name: "StatusLine", in: resp("HTTP/1.1 404 Not Found", "Content-Length: 3"), check: func(t *testing.T, h *ResponseHead) {
			if h.Minor != 1 || h.Status != 404 || string(h.Reason) != "Not Found" || len(h.Fields) != 1 {
				t.Fatalf("got %+v", h)
			}
		}},
		{name: "HTTP10", in: resp("HTTP/1.0 200 OK"), check: func(t *testing.T, h *ResponseHead) {
			if h.Minor != 0 || !h.Close {
				t.Fatalf("got %+v", h)
			}
		}},
		{name: "HTTP10KeepAlive", in: resp("HTTP/1.0 200 OK", "Connection: keep-alive"), check: respFraming(-1, false, false)},
		{name: "EmptyLinesBeforeStatusLine", in: "\r\n" + resp("HTTP/1.1 200 OK")},
		{name: "NoReason", in: resp("HTTP/1.1 200"), check: func(t *testing.T, h *ResponseHead) {
			if h.Reason != nil || h.Status != 200 {
				t.Fatalf("got %+v", h)
			}
		}},
		{name: "EmptyReason", in: resp("HTTP/1.1 200 "), check: func(t *testing.T, h *ResponseHead) {
			if len(h.Reason) != 0 {
				t.Fatalf("reason %q", h.Reason)
			}
		}},
		{name: "ReasonWithSpacesAndObsText", in: resp("HTTP/1.1 500 Ori\xc3\xabntatie \tprobleem"), check: func(t *testing.T, h *ResponseHead) {
			if string(h.Reason) != "Ori\xc3\xabntatie \tprobleem" {
				t.Fatalf("reason %q", h.Reason)
			}
		}},
		{name: "ReasonCTL", in: resp("HTTP/1.1 200 O\x01K"), want: ErrBadStatusLine},
		{name: "StatusTwoDigits", in: resp("HTTP/1.1 20 OK"), want: ErrBadStatusLine},
		{name: "StatusFourDigits", in: resp("HTTP/1.1 2000 OK"), want: ErrBadStatusLine},
		{name: "StatusBelow100", in: resp("HTTP/1.1 099 OK"), want: ErrBadStatusLine},
		{name: "StatusMissing", in: resp("HTTP/1.1"), want: ErrBadStatusLine},
		{name: "StatusTwoSpaces", in: resp("HTTP/1.1  200 OK"), want: ErrBadStatusLine},
		{name: "StatusTab", in: resp("HTTP/1.1\t200 OK"), want: ErrBadStatusLine},
		{name: "Version09", in: resp("HTTP/0.9 200 OK"), want: ErrBadStatusLine},
		{name: "Version20", in: resp("HTTP/2.0 200 OK"), want: ErrBadStatusLine},
		{name: "VersionRTSP", in: resp("RTSP/1.0 200 OK"), want: ErrBadStatusLine},
		{name: "VersionGarbageEarly", in: "HTTPX", want: ErrBadStatusLine},
		{name: "BareLFAfterStatusLine", in: "HTTP/1.1 200 OK\nX: y\r\n\r\n", want: ErrBadStatusLine},
		{name: "BareLFAfterStatusCode", in: "HTTP/1.1 200\nX: y\r\n\r\n", want: ErrBadStatusLine},
		{name: "CRWithoutLFAfterStatusLine", in: "HTTP/1.1 200 OK\rX: y\r\n\r\n", want: ErrBadStatusLine},
		{name: "Incomplete", in: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n", want: errNeedMore},
		{name: "IncompleteEmptyLine", in: "\r\n\r", want: errNeedMore},
		{name: "IncompleteReason", in: "HTTP/1.1 200 O", want: errNeedMore},
		{name: "IncompleteStatus", in: "HTTP/1.1 20", want: errNeedMore},
		{name: "IncompleteVersion", in: "HTTP/1.", want: errNeedMore},
		{name: "TransferCodingWithParameters", in: resp("HTTP/1.1 200 OK", "Transfer-Encoding: chunked;x=1"), want: ErrTransferEncoding},
		{name: "ObsFold", in: resp("HTTP/1.1 200 OK", "X: a", " b"), want: ErrInvalidHeader},
		{name: "ContentLength", in: resp("HTTP/1.1 200 OK", "Content-Length: 12"), check: respFraming(12, false, false)},
		{name: "ContentLengthDuplicateIdentical", in: resp("HTTP/1.1 200 OK", "Content-Length: 12", "Content-Length: 12"), check: respFraming(12, false, false)},
		{name: "ContentLengthDuplicateDiffering", in: resp("HTTP/1.1 200 OK", "Content-Length: 12", "Content-Length: 13"), want: ErrContentLength},
		{name: "ContentLengthInvalid", in: resp("HTTP/1.1 200 OK", "Content-Length: 1x"), want: ErrContentLength},
		{name: "Chunked", in: resp("HTTP/1.1 200 OK", "Transfer-Encoding: chunked"), check: respFraming(-1, true, false)},
		{name: "TransferEncodingWinsOverContentLength", in: resp("HTTP/1.1 200 OK", "Content-Length: 5", "Transfer-Encoding: chunked"), check: respFraming(-1, true, true)},
		{name: "TransferEncodingNotChunkedReadsUntilClose", in: resp("HTTP/1.1 200 OK", "Transfer-Encoding: gzip"), check: respFraming(-1, false, true)},
		{name: "ChunkedNotLastReadsUntilClose", in: resp("HTTP/1.1 200 OK", "Transfer-Encoding: chunked, gzip"), check: respFraming(-1, false, true)},
		{name: "ChunkedNotLastWithContentLengthReadsUntilClose", in: resp("HTTP/1.1 200 OK", "Content-Length: 5", "Transfer-Encoding: gzip"), check: respFraming(-1, false, true)},
		{name: "ChunkedTwice", in: resp("HTTP/1.1 200 OK", "Transfer-Encoding: chunked, chunked"), want: ErrTransferEncoding},
		{name: "OtherCodingNotImplemented", in: resp("HTTP/1.1 200 OK", "Transfer-Encoding: gzip, chunked"), want: ErrTransferEncoding, status: 501},
		{name: "ChunkedInHTTP10Closes", in: resp("HTTP/1.0 200 OK", "Connection: keep-alive", "Transfer-Encoding: chunked"), check: respFraming(-1, true, true)},
		{name: "NoHostRequired", in: resp("HTTP/1.1 204 No Content")},
		{name: "ConnectionClose", in: resp("HTTP/1.1 200 OK", "Connection: close"), check: respFraming(-1, false, true)},
		{name: "Upgrade", in: resp("HTTP/1.1 101 Switching Protocols", "Connection: upgrade", "Upgrade: websocket"), check: func(t *testing.T, h *ResponseHead) {
			if !h.Upgrade {
				t.Fatal("Upgrade not set")
			}
		}},
		{name: "StatusLineTooLong", in: resp("HTTP/1.1 200 " + strings.Repeat("x", 8190)), want: ErrLineTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var h ResponseHead
			n, err := ParseResponseHead([]byte(c.in), &h, Limits{})
			checkOutcome(t, c.in, n, err, c.want, c.status)
			if err == nil && n > 0 && c.check != nil {
				c.check(t, &h)
			}
		})
	}
}

func TestResponseBodyKind(t *testing.T) {
	cases := []struct {
		name   string
		status int
		method string
		cl     int64
		chunk  bool
		want   BodyKind
	}{
		{"HEAD", 200, "HEAD", 10, false, BodyNone},
		{"HEADChunked", 200, "HEAD", -1, true, BodyNone},
		{"Informational", 100, "GET", -1, false, BodyNone},
		{"SwitchingProtocols", 101, "GET", -1, false, BodyNone},
		{"NoContent", 204, "GET", -1, true, BodyNone},
		{"NotModified", 304, "GET", 10, false, BodyNone},
		{"CONNECT2xx", 200, "CONNECT", -1, false, BodyNone},
		{"CONNECTNon2xx", 407, "CONNECT", 5, false, BodyLength},
		{"Chunked", 200, "GET", -1, true, BodyChunked},
		{"Length", 200, "GET", 10, false, BodyLength},
		{"ZeroLength", 200, "GET", 0, false, BodyNone},
		{"UntilClose", 200, "GET", -1, false, BodyUntilClose},
		{"UntilCloseOnError", 500, "POST", -1, false, BodyUntilClose},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := ResponseHead{Status: c.status, ContentLength: c.cl, Chunked: c.chunk}
			if got := ResponseBodyKind(&h, c.method); got != c.want {
				t.Fatalf("got %d, want %d", got, c.want)
			}
		})
	}
}

func TestParseErrorMessages(t *testing.T) {
	e := &ParseError{Kind: ErrContentLength, Status: 400, Reason: "x"}
	if e.Error() != "content length error: x" || !errors.Is(e, ErrContentLength) || !errors.Is(e, ErrBadMessage) {
		t.Fatalf("%v", e)
	}
	e = &ParseError{Kind: ErrBadMessage, Status: 400, Reason: "y"}
	if e.Error() != "bad http message: y" || !errors.Is(e, ErrBadMessage) || errors.Is(e, ErrContentLength) {
		t.Fatalf("%v", e)
	}
	e = &ParseError{Kind: ErrContentLength, Status: 400, Reason: "z", Err: io.ErrUnexpectedEOF}
	if !errors.Is(e, io.ErrUnexpectedEOF) || !errors.Is(e, ErrContentLength) {
		t.Fatalf("the cause: %v", e)
	}
	if errors.Is(ErrHTTP2Preface, ErrBadMessage) {
		t.Fatal("ErrHTTP2Preface must not be a ParseError")
	}
}
