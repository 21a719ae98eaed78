package http1

import (
	"sync/atomic"
	"time"
)

// dateLine is a complete "Date: ...\r\n" field line for one second.
type dateLine struct {
	unix int64
	line []byte
}

var cachedDate atomic.Pointer[dateLine]

// AppendDate appends the field line "Date: Mon, 02 Jan 2006 15:04:05
// GMT\r\n" with the current time to dst. The line is built at most once a
// second and shared by all goroutines; appending it does not allocate.
func AppendDate(dst []byte) []byte {
	now := time.Now().Unix()
	d := cachedDate.Load()
	if d == nil || d.unix != now {
		d = newDateLine(now)
		cachedDate.Store(d)
	}
	return append(dst, d.line...)
}

func newDateLine(unix int64) *dateLine {
	b := make([]byte, 0, 37)
	b = append(b, "Date: "...)
	b = time.Unix(unix, 0).UTC().AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
	b = append(b, "\r\n"...)
	return &dateLine{unix: unix, line: b}
}
