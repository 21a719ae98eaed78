package web

import (
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultAccessLogFormat is aiohttp's default access log format.
const DefaultAccessLogFormat = `%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"`

// accessLogger writes one line per request in an aiohttp access log format:
// %a remote address, %t start time, %P process id, %r request line,
// %s status, %b response body size, %T seconds taken, %Tf seconds with
// fraction, %D microseconds taken, %{Name}i a request header field and
// %{Name}o a response header field; %% is a percent sign.
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

// log writes the line of a request answered with head and size body bytes.
func (l *accessLogger) log(req *Request, head *responseHead, size int64) {
	taken := time.Since(req.start)
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
			b = strconv.AppendInt(b, int64(head.status), 10)
		case 'b':
			b = strconv.AppendInt(b, size, 10)
		case 'T':
			b = strconv.AppendInt(b, int64(taken/time.Second), 10)
		case 'f':
			b = strconv.AppendFloat(b, taken.Seconds(), 'f', 6, 64)
		case 'D':
			b = strconv.AppendInt(b, int64(taken/time.Microsecond), 10)
		case 'i':
			b = appendLogValue(b, req.headerView(p.text))
		case 'o':
			var v string
			v, l.head = head.sentValue(req, p.text, l.head)
			b = appendLogValue(b, v)
		}
	}
	b = append(b, '\n')
	l.buf = b
	_, _ = l.w.Write(b)
}

// appendLogValue appends a header value, "-" when it is empty, as aiohttp
// does.
func appendLogValue(b []byte, v string) []byte {
	if v == "" {
		return append(b, '-')
	}
	return append(b, v...)
}
