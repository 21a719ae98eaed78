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
	raw    string // the last head as received
	reason string
	items  []multidict.Item
}

// strings returns the reason and the header items of a head, appending
// the items to dst. A head the same as the last, byte for byte, takes
// its strings; otherwise a string equal to the one the last head had at
// the same place, or a standard reason, is reused, and the rest is
// copied, with the head, into one new allocation.
func (c *headStrings) strings(dst []multidict.Item, h *http1.ResponseHead) (string, []multidict.Item) {
	if c.raw == "" || c.raw != string(h.Raw) {
		c.fill(h)
	}
	return c.reason, append(dst, c.items...)
}

// fill makes the strings of a head that differs from the last one.
func (c *headStrings) fill(h *http1.ResponseHead) {
	status, reason, fields := h.Status, h.Reason, h.Fields
	n := len(h.Raw)
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
	text := make([]byte, 0, n) // the new strings' bytes, never written again
	raw := takeString(&text, h.Raw)
	r := c.knownReason(status, reason)
	if r == "" {
		r = takeString(&text, reason)
	}
	items := make([]multidict.Item, 0, len(fields))
	for i, f := range fields {
		k, v := c.known(i, f)
		if k == "" {
			k = takeString(&text, f.Name)
		}
		if v == "" {
			v = takeString(&text, f.Value)
		}
		items = append(items, multidict.Item{Key: k, Value: v})
	}
	c.raw, c.reason, c.items = raw, r, items
	if len(fields) > maxKeptFields {
		c.raw = "" // do not keep a large head
	}
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
