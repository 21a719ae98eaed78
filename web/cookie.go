package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// SameSite is the value of a cookie's SameSite attribute.
type SameSite string

// The SameSite values browsers know. SameSiteNone cookies must also be
// Secure for browsers to keep them.
const (
	SameSiteStrict SameSite = "Strict"
	SameSiteLax    SameSite = "Lax"
	SameSiteNone   SameSite = "None"
)

// Cookie is a cookie that a response sets with a Set-Cookie field, holding
// the arguments of aiohttp's set_cookie. The zero value of each attribute
// leaves it out, except Path, which defaults to "/" as in aiohttp.
type Cookie struct {
	// Name must be an RFC 9110 token.
	Name string
	// Value may hold RFC 6265 cookie-octets plus spaces and commas: any
	// printable ASCII character except '"', ';' and '\'. A value with a
	// space or a comma is sent in double quotes, which browsers keep as
	// part of the value and this package's request parsing removes.
	Value string
	// Expires is when the cookie expires; the zero Time leaves Expires
	// out. It is sent in IMF-fixdate form, in GMT.
	Expires time.Time
	// MaxAge is the cookie's lifetime in seconds: 0 leaves Max-Age out and
	// a negative value sends "Max-Age=0", which deletes the cookie.
	MaxAge int
	// Domain is the host, and its subdomains, the cookie is sent to; ""
	// means only the host that set it.
	Domain string
	// Path is the path prefix the cookie is sent for; "" means "/".
	Path string
	// Secure sends the cookie over HTTPS only.
	Secure bool
	// HTTPOnly hides the cookie from scripts.
	HTTPOnly bool
	// SameSite limits sending the cookie with cross-site requests; ""
	// leaves the attribute out.
	SameSite SameSite
	// Partitioned keeps the cookie in storage partitioned by top-level
	// site (CHIPS); browsers require Secure with it.
	Partitioned bool
}

// cookieTimeLayout is IMF-fixdate (RFC 9110 5.6.7), the Expires format.
const cookieTimeLayout = "Mon, 02 Jan 2006 15:04:05 GMT"

// Valid reports why c cannot be sent in a Set-Cookie field, or nil when it
// can.
func (c Cookie) Valid() error {
	switch {
	case c.Name == "" || !allBytesIn(c.Name, cookieToken):
		return fmt.Errorf("web: invalid cookie name %q", c.Name)
	case !allBytesIn(c.Value, cookieValue):
		return fmt.Errorf("web: invalid value for cookie %q", c.Name)
	case !allBytesIn(c.Domain, cookieDomain):
		return fmt.Errorf("web: invalid domain %q for cookie %q", c.Domain, c.Name)
	case !allBytesIn(c.Path, cookiePath):
		return fmt.Errorf("web: invalid path %q for cookie %q", c.Path, c.Name)
	case !c.Expires.IsZero() && (c.Expires.UTC().Year() < 1601 || c.Expires.UTC().Year() > 9999):
		return fmt.Errorf("web: expiry time of cookie %q out of range", c.Name)
	}
	switch c.SameSite {
	case "", SameSiteStrict, SameSiteLax, SameSiteNone:
		return nil
	}
	return fmt.Errorf("web: invalid SameSite %q for cookie %q", c.SameSite, c.Name)
}

// String returns the value of the Set-Cookie field for c (RFC 6265 4.1),
// for example "sid=42; Max-Age=3600; Path=/; HttpOnly", or "" when c is not
// valid (see [Cookie.Valid]). Attributes come in the order Expires, Max-Age,
// Domain, Path, Secure, HttpOnly, SameSite, Partitioned.
func (c Cookie) String() string {
	if c.Valid() != nil {
		return ""
	}
	b := make([]byte, 0, len(c.Name)+len(c.Value)+len(c.Domain)+len(c.Path)+96)
	b = append(b, c.Name...)
	b = append(b, '=')
	if strings.ContainsAny(c.Value, " ,") {
		b = append(b, '"')
		b = append(b, c.Value...)
		b = append(b, '"')
	} else {
		b = append(b, c.Value...)
	}
	if !c.Expires.IsZero() {
		b = append(b, "; Expires="...)
		b = c.Expires.UTC().AppendFormat(b, cookieTimeLayout)
	}
	if c.MaxAge != 0 {
		b = append(b, "; Max-Age="...)
		b = strconv.AppendInt(b, int64(max(c.MaxAge, 0)), 10)
	}
	if c.Domain != "" {
		b = append(b, "; Domain="...)
		b = append(b, c.Domain...)
	}
	b = append(b, "; Path="...)
	if c.Path == "" {
		b = append(b, '/')
	} else {
		b = append(b, c.Path...)
	}
	if c.Secure {
		b = append(b, "; Secure"...)
	}
	if c.HTTPOnly {
		b = append(b, "; HttpOnly"...)
	}
	if c.SameSite != "" {
		b = append(b, "; SameSite="...)
		b = append(b, c.SameSite...)
	}
	if c.Partitioned {
		b = append(b, "; Partitioned"...)
	}
	return string(b)
}

// deleteCookie returns the cookie aiohttp's del_cookie sends to make the
// client drop a cookie: an empty value with Max-Age=0 and Expires at the
// Unix epoch ("Thu, 01 Jan 1970 00:00:00 GMT"), for the given domain and
// path ("" meaning no Domain and Path "/").
func deleteCookie(name, domain, path string) Cookie {
	return Cookie{Name: name, Expires: time.Unix(0, 0), MaxAge: -1, Domain: domain, Path: path}
}

// parseCookieHeader adds the cookies of a Cookie field value such as
// "a=1; b=2" to into. It is as lenient as browsers are:
//
//   - pairs are split at ';' only (a quoted value cannot hold one) and
//     trimmed of spaces and tabs;
//   - a pair without '=' is a cookie with an empty value, as in aiohttp and
//     net/http; a pair whose name is empty or holds a character aiohttp
//     refuses (a control character, space, '"', ',', ';' or '\') is
//     skipped;
//   - a value in double quotes loses them, and the backslash escapes that
//     Python's http.cookies writes inside them are undone, as aiohttp does.
//
// Like aiohttp's request.cookies, into ends up with one pair per name, at
// the position of the name's first occurrence and with the value of its
// last (including pairs into held before). That takes time linear in the
// size of into, so callers with several Cookie fields pay for each call.
func parseCookieHeader(h string, into *multidict.MultiDict) {
	for h != "" {
		var pair string
		pair, h, _ = strings.Cut(h, ";")
		name, value, _ := strings.Cut(pair, "=")
		if name = field.TrimOWS(name); name != "" && allBytesIn(name, cookieName) {
			into.Add(name, unquoteCookieValue(field.TrimOWS(value)))
		}
	}
	keepLastValues(into)
}

// keepLastValues leaves one pair per key in d, at the position of the
// key's first pair and with the value of its last, as a Python dict built
// from the pairs would.
func keepLastValues(d *multidict.MultiDict) {
	items := d.Items()
	if len(items) <= 16 && !hasDuplicateKeys(items) {
		return // the common case, without allocating
	}
	last := make(map[string]string, len(items))
	for _, it := range items {
		last[it.Key] = it.Value
	}
	if len(last) == len(items) {
		return
	}
	kept := make([]multidict.Item, 0, len(last))
	for _, it := range items {
		if v, ok := last[it.Key]; ok {
			kept = append(kept, multidict.Item{Key: it.Key, Value: v})
			delete(last, it.Key)
		}
	}
	d.Reset()
	for _, it := range kept {
		d.Add(it.Key, it.Value)
	}
}

// hasDuplicateKeys reports whether two of items have the same key, in
// quadratic time for short lists.
func hasDuplicateKeys(items []multidict.Item) bool {
	for i := range items {
		for j := range i {
			if items[i].Key == items[j].Key {
				return true
			}
		}
	}
	return false
}

// unquoteCookieValue removes the double quotes around v, if any, and undoes
// the escapes Python's http.cookies writes between them: a backslash
// followed by three octal digits (000 to 377) is that code point, and a
// backslash followed by any other byte is that byte.
func unquoteCookieValue(v string) string {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return v
	}
	v = v[1 : len(v)-1]
	if !strings.Contains(v, `\`) {
		return v
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] != '\\' || i+1 == len(v):
			b = append(b, v[i])
		case i+3 < len(v) && isOctalEscape(v[i+1:i+4]):
			b = utf8.AppendRune(b, rune(v[i+1]-'0')<<6|rune(v[i+2]-'0')<<3|rune(v[i+3]-'0'))
			i += 3
		default:
			b = append(b, v[i+1])
			i++
		}
	}
	return string(b)
}

// isOctalEscape reports whether d, three bytes, is an octal number from 000
// to 377.
func isOctalEscape(d string) bool {
	return '0' <= d[0] && d[0] <= '3' && '0' <= d[1] && d[1] <= '7' && '0' <= d[2] && d[2] <= '7'
}

// Byte classes of cookie syntax, one lookup per byte.
const (
	cookieToken  = 1 << iota // tchar (RFC 9110 5.6.2): Set-Cookie names
	cookieValue              // cookie-octet (RFC 6265 4.1.1), plus space and comma
	cookieName               // names accepted in a Cookie field (aiohttp's set)
	cookieDomain             // letters, digits and "-._:" of host names and IPs
	cookiePath               // av-octet: any CHAR except CTLs and ';'
)

var cookieClasses = func() (t [256]uint8) {
	for c := 0x20; c < 0x7f; c++ {
		if c != ';' {
			t[c] |= cookiePath
		}
		if c != '"' && c != ';' && c != '\\' {
			t[c] |= cookieValue
		}
		if c != ' ' && c != '"' && c != ',' && c != ';' && c != '\\' && c != '=' {
			t[c] |= cookieName
		}
		if strings.IndexByte("()<>@,;:\\\"/[]?={} ", byte(c)) < 0 {
			t[c] |= cookieToken
		}
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._:", byte(c)) >= 0 {
			t[c] |= cookieDomain
		}
	}
	return t
}()

// allBytesIn reports whether every byte of s is in class.
func allBytesIn(s string, class uint8) bool {
	for i := 0; i < len(s); i++ {
		if cookieClasses[s[i]]&class == 0 {
			return false
		}
	}
	return true
}
