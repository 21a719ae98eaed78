package web

import (
	"errors"
	"math"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/field"
)

// ByteRange is a single byte range of a Range header, like aiohttp's
// http_range slice: Start is the first byte, or, when negative, a suffix
// of -Start bytes; End is one past the last byte, or -1 for "to the end".
type ByteRange struct {
	Start, End int64
}

// ErrBadRange reports a Range header that is not one valid byte range.
var ErrBadRange = errors.New("web: range not in acceptable format")

// ErrTooManyRanges reports a Range header asking for more than
// [MaxRanges] ranges. A FileResponse ignores such a header and sends the
// whole file, as nginx does past its max_ranges.
var ErrTooManyRanges = errors.New("web: too many ranges")

// MaxRanges is the most ranges [Request.HTTPRanges] accepts in one Range
// header.
const MaxRanges = 100

// HTTPRange returns the byte range the client asked for; ok is false when
// there is no Range header. A malformed header, a unit other than bytes,
// several ranges, or start > end gives ErrBadRange (answer it with 416).
func (r *Request) HTTPRange() (rng ByteRange, ok bool, err error) {
	v := r.headerView("Range")
	if v == "" {
		return ByteRange{}, false, nil
	}
	ranges, err := parseRanges(v)
	if err != nil || len(ranges) != 1 {
		return ByteRange{}, true, ErrBadRange
	}
	return ranges[0], true, nil
}

// HTTPRanges returns the byte ranges of the Range header in the order the
// client gave them, or nil when there is none (RFC 9110 section 14.1.1:
// "bytes=0-99, 200-, -50"). A malformed header, a unit other than bytes
// or a range with start > end gives ErrBadRange; more than [MaxRanges]
// ranges give ErrTooManyRanges.
func (r *Request) HTTPRanges() ([]ByteRange, error) {
	v := r.headerView("Range")
	if v == "" {
		return nil, nil
	}
	return parseRanges(v)
}

// parseRanges parses a Range value: the unit "bytes" (in any case), "=",
// then a comma-separated list of first-last, first- or -suffix specs with
// optional whitespace around the commas; empty list elements are skipped,
// as RFC 9110's list rule allows, but at least one range is needed. A
// suffix of 0 bytes, which no representation can satisfy, is malformed
// too (aiohttp answers both with 416).
func parseRanges(v string) ([]ByteRange, error) {
	unit, set, found := strings.Cut(field.TrimOWS(v), "=")
	if !found || !strings.EqualFold(unit, "bytes") {
		return nil, ErrBadRange
	}
	var out []ByteRange
	for set != "" {
		var spec string
		spec, set, _ = strings.Cut(set, ",")
		spec = field.TrimOWS(spec)
		if spec == "" {
			continue
		}
		if len(out) == MaxRanges {
			return nil, ErrTooManyRanges
		}
		rng, ok := parseRangeSpec(spec)
		if !ok {
			return nil, ErrBadRange
		}
		out = append(out, rng)
	}
	if len(out) == 0 {
		return nil, ErrBadRange
	}
	return out, nil
}

// parseRangeSpec parses one int-range ("5-9", "5-") or suffix-range
// ("-5").
func parseRangeSpec(spec string) (ByteRange, bool) {
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return ByteRange{}, false
	}
	if first == "" {
		n, ok := parseDigits(last)
		if !ok || n == 0 {
			return ByteRange{}, false
		}
		return ByteRange{Start: -n, End: -1}, true
	}
	start, ok := parseDigits(first)
	if !ok {
		return ByteRange{}, false
	}
	if last == "" {
		return ByteRange{Start: start, End: -1}, true
	}
	end, ok := parseDigits(last)
	if !ok || start > end {
		return ByteRange{}, false
	}
	if end == math.MaxInt64 { // past any representable length: to the end
		return ByteRange{Start: start, End: -1}, true
	}
	return ByteRange{Start: start, End: end + 1}, true
}

// parseDigits parses a non-empty run of ASCII digits that fits an int64.
func parseDigits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 || n > (math.MaxInt64-int64(d))/10 {
			return 0, false
		}
		n = n*10 + int64(d)
	}
	return n, true
}

// byteSpan is a resolved byte range of a representation: its first byte and
// its length, both within the representation.
type byteSpan struct{ start, length int64 }

// resolveRanges applies the client's ranges to a representation of size
// bytes, as net/http's ServeContent does: a range that starts at or past
// the end is left out; the end of the others is clamped to the size. It
// reports whether any range remains (none: answer 416). When the
// remaining ranges together ask for more bytes than the representation
// has, as overlapping ranges used to exhaust servers do, it returns nil
// and true: send the whole representation.
func resolveRanges(ranges []ByteRange, size int64) ([]byteSpan, bool) {
	spans := make([]byteSpan, 0, len(ranges))
	var sum int64 // up to size
	tooMuch := false
	for _, r := range ranges {
		var s byteSpan
		switch {
		case r.Start < 0: // suffix
			n := min(-r.Start, size)
			if n == 0 {
				continue
			}
			s = byteSpan{size - n, n}
		case r.Start >= size:
			continue
		case r.End < 0 || r.End > size:
			s = byteSpan{r.Start, size - r.Start}
		default:
			s = byteSpan{r.Start, r.End - r.Start}
		}
		if s.length > size-sum {
			tooMuch = true
		} else {
			sum += s.length
		}
		spans = append(spans, s)
	}
	switch {
	case len(spans) == 0:
		return nil, false
	case len(spans) > 1 && tooMuch:
		return nil, true
	}
	return spans, true
}
