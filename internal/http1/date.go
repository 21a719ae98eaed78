package http1

import (
	"sync"
	"sync/atomic"
	"time"
)

// The Date line is rebuilt once a second by a timer, not per response.
// While responses are being written, a timer fires at each second boundary
// and stores the new line; a second without any AppendDate stops it, and
// the next AppendDate starts it again. No goroutine lives between ticks.
var (
	dateLine atomic.Pointer[[]byte] // the current line; nil while no timer is armed
	dateUsed atomic.Bool            // AppendDate ran since the last tick
	dateMu   sync.Mutex             // serialises starting and ticking
)

// AppendDate appends the field line "Date: Mon, 02 Jan 2006 15:04:05
// GMT\r\n" with the current time to dst. It does not read the clock or
// format anything: the line is shared, rebuilt once a second.
func AppendDate(dst []byte) []byte {
	p := dateLine.Load()
	if p == nil {
		p = startDate()
	} else if !dateUsed.Load() {
		dateUsed.Store(true)
	}
	return append(dst, *p...)
}

// startDate builds the line for now and arms the timer.
func startDate() *[]byte {
	dateMu.Lock()
	defer dateMu.Unlock()
	p := dateLine.Load()
	if p == nil {
		now := time.Now()
		p = newDateLine(now)
		dateLine.Store(p)
		time.AfterFunc(untilNextSecond(now), tickDate)
	}
	return p
}

// tickDate runs at each second boundary: it rebuilds the line and re-arms
// the timer, or, when nobody used the line for a second, stops.
func tickDate() {
	dateMu.Lock()
	defer dateMu.Unlock()
	if !dateUsed.Swap(false) {
		dateLine.Store(nil)
		return
	}
	now := time.Now()
	dateLine.Store(newDateLine(now))
	time.AfterFunc(untilNextSecond(now), tickDate)
}

func untilNextSecond(now time.Time) time.Duration {
	return time.Second - time.Duration(now.Nanosecond())
}

func newDateLine(now time.Time) *[]byte {
	b := make([]byte, 0, len("Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n"))
	b = append(b, "Date: "...)
	b = now.UTC().AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
	b = append(b, "\r\n"...)
	return &b
}
