package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// ETag is an entity tag: of a response's ETag field, or of an If-Match or
// If-None-Match header. Value is the opaque tag without its quotes; the
// value "*" stands for any entity.
type ETag struct {
	Value string
	Weak  bool
}

// ErrInvalidETag reports an entity tag value a response cannot carry (as
// aiohttp raises ValueError): an empty one, or one with a byte RFC 9110's
// etagc leaves out, such as a double quote, a space or a control byte.
var ErrInvalidETag = errors.New("web: invalid entity tag")

// String returns the tag as a header carries it: "*", `"v"` or `W/"v"`.
func (t ETag) String() string {
	switch {
	case t.Value == "*":
		return "*"
	case t.Weak:
		return `W/"` + t.Value + `"`
	}
	return `"` + t.Value + `"`
}

// validETagValue reports whether v may be the value of an entity tag:
// non-empty and made of etagc bytes, "!", "#" to "~" and bytes from 0x80,
// as aiohttp requires. The response setters and the request parsers
// accept the same values.
func validETagValue(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c != '!' && (c < '#' || c == 0x7f) {
			return false
		}
	}
	return true
}

// setETag sets the ETag field of h to t, or fails with ErrInvalidETag.
func setETag(h *multidict.CIMultiDict, t ETag) error {
	if t.Value != "*" && !validETagValue(t.Value) {
		return fmt.Errorf("%w %q", ErrInvalidETag, t.Value)
	}
	h.Set("ETag", t.String())
	return nil
}

// etagOf returns the entity tag of h's ETag field, if it holds exactly one
// valid tag (aiohttp's etag property).
func etagOf(h *multidict.CIMultiDict) (ETag, bool) {
	tags := parseETags(h.Get("ETag"))
	if len(tags) != 1 {
		return ETag{}, false
	}
	return tags[0], true
}

// setLastModified sets the Last-Modified field of h to t, in the HTTP date
// format (whole seconds, UTC).
func setLastModified(h *multidict.CIMultiDict, t time.Time) {
	h.Set("Last-Modified", t.UTC().Format(http.TimeFormat))
}

// lastModifiedOf returns the date of h's Last-Modified field, if it holds
// a valid one.
func lastModifiedOf(h *multidict.CIMultiDict) (time.Time, bool) {
	t, err := http.ParseTime(h.Get("Last-Modified"))
	return t, err == nil
}

// ETag returns the entity tag of the ETag field, if it holds one.
func (r *BodyResponse) ETag() (ETag, bool) {
	if r.x == nil {
		return ETag{}, false
	}
	return etagOf(&r.x.header)
}

// SetETag sets the ETag field (aiohttp's resp.etag = ...): ETag{Value:
// "v1"} sends `"v1"`, ETag{Value: "v1", Weak: true} sends `W/"v1"`. An
// invalid value is an [ErrInvalidETag] and changes nothing. Remove the
// field with Header().Del("ETag").
func (r *BodyResponse) SetETag(t ETag) error { return setETag(&r.extra().header, t) }

// LastModified returns the date of the Last-Modified field, if it holds
// one.
func (r *BodyResponse) LastModified() (time.Time, bool) {
	if r.x == nil {
		return time.Time{}, false
	}
	return lastModifiedOf(&r.x.header)
}

// SetLastModified sets the Last-Modified field to t, which HTTP dates
// carry to the second (aiohttp's resp.last_modified = ...), and returns r.
// Compare it with [Request.IfModifiedSince] through LastModified, which
// gives t as sent.
func (r *BodyResponse) SetLastModified(t time.Time) *BodyResponse {
	setLastModified(&r.extra().header, t)
	return r
}

// ETag returns the entity tag of the ETag field, if it holds one.
func (s *StreamResponse) ETag() (ETag, bool) { return etagOf(&s.header) }

// SetETag sets the ETag field as [BodyResponse.SetETag] does. It fails
// with ErrAlreadyPrepared once the head was sent.
func (s *StreamResponse) SetETag(t ETag) error {
	if s.req != nil {
		return ErrAlreadyPrepared
	}
	return setETag(&s.header, t)
}

// LastModified returns the date of the Last-Modified field, if it holds
// one.
func (s *StreamResponse) LastModified() (time.Time, bool) { return lastModifiedOf(&s.header) }

// SetLastModified sets the Last-Modified field as
// [BodyResponse.SetLastModified] does; it must come before Prepare.
func (s *StreamResponse) SetLastModified(t time.Time) { setLastModified(&s.header, t) }

// IfModifiedSince returns the If-Modified-Since date, if the header holds a
// valid one.
func (r *Request) IfModifiedSince() (time.Time, bool) { return r.dateHeader("If-Modified-Since") }

// IfUnmodifiedSince returns the If-Unmodified-Since date, if valid.
func (r *Request) IfUnmodifiedSince() (time.Time, bool) { return r.dateHeader("If-Unmodified-Since") }

// IfRange returns the If-Range date, if the header holds a date.
func (r *Request) IfRange() (time.Time, bool) { return r.dateHeader("If-Range") }

func (r *Request) dateHeader(name string) (time.Time, bool) {
	v := r.headerView(name)
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// IfMatch returns the entity tags of If-Match; nil when absent or invalid.
func (r *Request) IfMatch() []ETag { return parseETags(r.headerView("If-Match")) }

// IfNoneMatch returns the entity tags of If-None-Match; nil when absent or
// invalid.
func (r *Request) IfNoneMatch() []ETag { return parseETags(r.headerView("If-None-Match")) }

// parseETags parses `*` or a list of `"tag"` / `W/"tag"`; a list with a
// tag validETagValue refuses is invalid as a whole.
func parseETags(v string) []ETag {
	v = field.TrimOWS(v)
	if v == "" {
		return nil
	}
	if v == "*" {
		return []ETag{{Value: "*"}}
	}
	var tags []ETag
	for v != "" {
		var t ETag
		if strings.HasPrefix(v, "W/") {
			t.Weak, v = true, v[2:]
		}
		if len(v) < 2 || v[0] != '"' {
			return nil
		}
		end := strings.IndexByte(v[1:], '"')
		if end < 0 {
			return nil
		}
		if !validETagValue(v[1 : end+1]) {
			return nil
		}
		t.Value = strings.Clone(v[1 : end+1])
		tags = append(tags, t)
		v = field.TrimOWS(v[end+2:])
		if v != "" {
			if v[0] != ',' {
				return nil
			}
			v = field.TrimOWS(v[1:])
		}
	}
	return tags
}

// Forwarded returns the elements of the Forwarded headers (RFC 7239), each
// a map of lower-cased parameter names to values, quotes removed. Malformed
// elements are skipped. These values come from the client or a proxy: trust
// them only behind a proxy you control.
func (r *Request) Forwarded() []map[string]string {
	var out []map[string]string
	for _, h := range r.Header().GetAll("Forwarded") {
		for h != "" {
			elem := map[string]string{}
			valid := true
			for {
				h = field.TrimOWS(h)
				eq := strings.IndexByte(h, '=')
				if eq <= 0 {
					valid = false
					break
				}
				name := strings.ToLower(field.TrimOWS(h[:eq]))
				h = h[eq+1:]
				var val string
				if strings.HasPrefix(h, `"`) {
					val, h, valid = cutQuoted(h)
					if !valid {
						break
					}
				} else {
					end := strings.IndexAny(h, ";,")
					if end < 0 {
						end = len(h)
					}
					val, h = field.TrimOWS(h[:end]), h[end:]
				}
				elem[name] = val
				h = field.TrimOWS(h)
				if h == "" || h[0] == ',' {
					break
				}
				h = h[1:] // ';'
			}
			if valid && len(elem) > 0 {
				out = append(out, elem)
			}
			if i := strings.IndexByte(h, ','); i >= 0 {
				h = h[i+1:]
			} else {
				h = ""
			}
		}
	}
	return out
}

// cutQuoted reads a quoted-string at the start of s and returns its
// unescaped content and the rest of s.
func cutQuoted(s string) (val, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return "", "", false
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false
}
