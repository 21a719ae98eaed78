package aiohttp

import (
	"unsafe"

	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// maxKeptFields bounds the header fields a connection keeps the strings
// of.
const maxKeptFields = 32

// headStrings keeps the strings of the last response head read on a
// connection, so that a head that repeats them (the usual case: a server
// answering the same kind of request) makes no new string. The strings
// are copies, never views of the read buffer: what a Response hands out
// stays the same forever, also after Session.With reuses the Response.
type headStrings struct {
	reason string
	items  []multidict.Item
}

// strings returns the reason and the header items of a head, appending
// the items to dst. A string equal to the one the last head had at the
// same place, or a standard reason, is reused; the rest is copied into
// one new allocation.
func (c *headStrings) strings(dst []multidict.Item, status int, reason []byte, fields []http1.Field) (string, []multidict.Item) {
	n := 0
	if c.knownReason(status, reason) == "" {
		n += len(reason)
	}
	for i, f := range fields {
		k, v := c.known(i, f)
		if k == "" {
			n += len(f.Name)
		}
		if v == "" {
			n += len(f.Value)
		}
	}
	var text []byte // the new strings' bytes, never written again
	if n > 0 {
		text = make([]byte, 0, n)
	}
	r := c.knownReason(status, reason)
	if r == "" {
		r = takeString(&text, reason)
	}
	for i, f := range fields {
		k, v := c.known(i, f)
		if k == "" {
			k = takeString(&text, f.Name)
		}
		if v == "" {
			v = takeString(&text, f.Value)
		}
		dst = append(dst, multidict.Item{Key: k, Value: v})
	}
	c.reason = r
	if len(fields) <= maxKeptFields {
		c.items = append(c.items[:0], dst[len(dst)-len(fields):]...)
	} else {
		c.items = nil
	}
	return r, dst
}

// knownReason returns reason as a string made before, or "" when there is
// none (an empty reason needs no new string either).
func (c *headStrings) knownReason(status int, reason []byte) string {
	if s := http1.StatusText(status); s == string(reason) {
		return s
	}
	if c.reason == string(reason) {
		return c.reason
	}
	return ""
}

// known returns the strings the last head had for field i where f's name
// and value equal them, and "" where they do not (or are empty).
func (c *headStrings) known(i int, f http1.Field) (name, value string) {
	if i >= len(c.items) {
		return "", ""
	}
	it := c.items[i]
	if it.Key == string(f.Name) {
		name = it.Key
	}
	if it.Value == string(f.Value) {
		value = it.Value
	}
	return name, value
}

// takeString appends b to *text, whose capacity has room for it, and
// returns the appended bytes as a string. *text is only ever appended to
// within its capacity, so the string's bytes never change.
func takeString(text *[]byte, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	start := len(*text)
	*text = append(*text, b...)
	return unsafe.String(&(*text)[start], len(b))
}
