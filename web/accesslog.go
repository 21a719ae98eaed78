package web

import (
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// DefaultAccessLogFormat is aiohttp's default access log format.
const DefaultAccessLogFormat = `%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"`

// AccessLogger writes the access log (aiohttp's AbstractAccessLogger). Set
// one as [ServerOptions.AccessLogger]; [NewFormatAccessLogger] is the one
// that writes lines in aiohttp's format.
//
// The server calls Log once for each request it answered, once the
// response is sent, with the time the request took. Log is called from
// the goroutines that serve requests, several at once, and holds up the
// connection it is called for while it runs. req and resp are valid only
// during the call (the server reuses them); every string read from them
// stays valid.
type AccessLogger interface {
	Log(req *Request, resp SentResponse, taken time.Duration)
}

// SentResponse is what the server sent for a request, as an
// [AccessLogger] sees it: the status, the header fields as they went out
// (Content-Type, Content-Length, Set-Cookie and the others the server
// adds included) and the number of body bytes.
type SentResponse struct {
	req  *Request
	head *responseHead
	size int64
}

// Status returns the status code.
func (r SentResponse) Status() int { return r.head.status }

// Reason returns the reason phrase sent with the status.
func (r SentResponse) Reason() string {
	if reason := r.head.sentReason(); reason != "" {
		return reason
	}
	return http1.StatusText(r.head.status)
}

// BodyLength returns the number of body bytes sent (aiohttp's
// body_length): 0 for a HEAD request.
func (r SentResponse) BodyLength() int64 { return r.size }

// Header returns the header fields as they were sent, in order.
func (r SentResponse) Header() *multidict.CIMultiDict {
	h := multidict.NewCI()
	eachSentField(appendHead(nil, r.req, r.head), func(name, value []byte) bool {
		h.Add(string(name), string(value))
		return true
	})
	return h
}

// NewFormatAccessLogger returns the AccessLogger that writes one line per
// request to w in an aiohttp access log format ([DefaultAccessLogFormat]
// when format is empty): %a remote address, %t start time, %P process id,
// %r request line, %s status, %b response body size, %T seconds taken,
// %Tf seconds with fraction, %D microseconds taken, %{Name}i a request
// header field and %{Name}o a response header field; %% is a percent
// sign. Lines are written whole, one Write each, one at a time.
func NewFormatAccessLogger(w io.Writer, format string) AccessLogger {
	if format == "" {
		format = DefaultAccessLogFormat
	}
	return newAccessLogger(w, format)
}

// accessLogger is the AccessLogger of [NewFormatAccessLogger].
type accessLogger struct {
	mu    sync.Mutex
	w     io.Writer
	parts []logPart
	buf   []byte
	head  []byte // scratch for the response head, for %{Name}o
}

// logPart is a literal (code 0) or one format code with its argument.
type logPart struct {
	code byte // 'a', 't', 'P', 'r', 's', 'b', 'T', 'f' (%Tf), 'D', 'i', 'o'
	text string
}

func newAccessLogger(w io.Writer, format string) *accessLogger {
	l := &accessLogger{w: w}
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			l.parts = append(l.parts, logPart{text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			lit.WriteByte(format[i])
			continue
		}
		i++
		switch c := format[i]; c {
		case '%':
			lit.WriteByte('%')
		case 'a', 't', 'P', 'r', 's', 'b', 'D':
			flush()
			l.parts = append(l.parts, logPart{code: c})
		case 'T':
			flush()
			if i+1 < len(format) && format[i+1] == 'f' {
				i++
				c = 'f'
			}
			l.parts = append(l.parts, logPart{code: c})
		case '{':
			end := strings.IndexByte(format[i:], '}')
			if end < 0 || i+end+1 >= len(format) || (format[i+end+1] != 'i' && format[i+end+1] != 'o') {
				lit.WriteString("%{")
				continue
			}
			flush()
			l.parts = append(l.parts, logPart{code: format[i+end+1], text: format[i+1 : i+end]})
			i += end + 1
		default:
			lit.WriteByte('%')
			lit.WriteByte(c)
		}
	}
	flush()
	return l
}

// Log writes the line of a request.
func (l *accessLogger) Log(req *Request, resp SentResponse, taken time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf[:0]
	for _, p := range l.parts {
		switch p.code {
		case 0:
			b = append(b, p.text...)
		case 'a':
			b = append(b, req.Remote()...)
		case 't':
			b = req.start.UTC().AppendFormat(append(b, '['), "02/Jan/2006:15:04:05 +0000")
			b = append(b, ']')
		case 'P':
			b = strconv.AppendInt(b, int64(os.Getpid()), 10)
		case 'r':
			b = append(b, req.method...)
			b = append(b, ' ')
			b = append(b, req.target...)
			b = append(b, ' ')
			b = append(b, req.Version().String()...)
		case 's':
			b = strconv.AppendInt(b, int64(resp.Status()), 10)
		case 'b':
			b = strconv.AppendInt(b, resp.BodyLength(), 10)
		case 'T':
			b = strconv.AppendInt(b, int64(taken/time.Second), 10)
		case 'f':
			b = strconv.AppendFloat(b, taken.Seconds(), 'f', 6, 64)
		case 'D':
			b = strconv.AppendInt(b, int64(taken/time.Microsecond), 10)
		case 'i':
			b = appendLogValue(b, req.headerView(p.text))
		case 'o':
			var v []byte
			v, l.head = resp.head.sentValue(resp.req, p.text, l.head)
			b = appendLogValue(b, v)
		}
	}
	b = append(b, '\n')
	l.buf = b
	_, _ = l.w.Write(b)
}

// appendLogValue appends a header value, "-" when it is empty, as aiohttp
// does.
func appendLogValue[V string | []byte](b []byte, v V) []byte {
	if len(v) == 0 {
		return append(b, '-')
	}
	return append(b, v...)
}
