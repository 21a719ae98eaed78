package aiohttp

import (
	"errors"
	"math"
	"strings"
	"time"
)

// Cookie is a cookie as the client stores it: the name and value a server
// set with Set-Cookie, and its attributes as RFC 6265 §5.3 resolves them.
//
// [ParseSetCookie] fills in what the header line says; a [Jar] then resolves
// Domain, Path and HostOnly against the URL of the response that carried it
// and sets Creation and LastAccess from its clock.
type Cookie struct {
	Name  string
	Value string
	// Domain is, in a jar, the host that set a host-only cookie, the domain
	// whose subdomains a domain cookie is also sent to, or "" for a cookie
	// given to the jar without a URL (sent to every host). From
	// ParseSetCookie it is the last non-empty Domain attribute in lower case
	// without its leading dot, or "".
	Domain string
	// Path is the path the cookie is sent to, with its sub-paths. From
	// ParseSetCookie it is "" when the last Path attribute was missing,
	// empty or did not start with "/": the jar then uses the default path of
	// the response URL (RFC 6265 §5.1.4).
	Path string
	// Expires is when the cookie expires; the zero time means a session
	// cookie, kept until the jar is cleared. Max-Age, when present, wins over
	// Expires; a Max-Age of zero or less, or an Expires in the past, makes an
	// expired cookie, which deletes the stored cookie it replaces. Times too
	// far in the future are clamped to 9999-12-31T23:59:59Z.
	Expires time.Time
	// Secure cookies are sent only over https and wss, or to the jar's
	// treat-as-secure origins.
	Secure bool
	// HTTPOnly is kept for inspection: the client sends such cookies, as
	// every HTTP client does; the flag only hides them from page scripts.
	HTTPOnly bool
	// HostOnly cookies are sent only to the host that set them, not to its
	// subdomains (the cookie had no valid Domain attribute).
	HostOnly bool
	// SameSite is "Strict", "Lax", "None", or "" when the attribute was
	// missing or unrecognised. It is kept for inspection: a client sends no
	// cross-site requests, so the jar does not enforce it.
	SameSite string
	// Partitioned (CHIPS) is kept for inspection; the jar has one partition.
	Partitioned bool
	// Creation is when the jar first stored a cookie of this name, domain
	// and path; replacing the cookie keeps it (RFC 6265 §5.3 step 11).
	Creation time.Time
	// LastAccess is when the jar stored or last sent the cookie.
	LastAccess time.Time
}

// Size limits of RFC 6265bis.
const (
	// cookieMaxNameValue is the most bytes a name and value may hold
	// together (RFC 6265bis §5.7 step 4).
	cookieMaxNameValue = 4096
	// cookieMaxAttrValue is the longest attribute value the parser uses;
	// longer ones are ignored (RFC 6265bis §5.7).
	cookieMaxAttrValue = 1024
)

var (
	// cookieMaxTime is the latest expiry a cookie can have: later Expires
	// and Max-Age values are clamped to it.
	cookieMaxTime = time.Date(9999, time.December, 31, 23, 59, 59, 0, time.UTC)
	// cookieEpoch is the expiry given to a cookie with a Max-Age of zero or
	// less: "the earliest representable date and time" of RFC 6265 §5.2.2.
	cookieEpoch = time.Unix(0, 0).UTC()
)

var (
	errCookieNoEquals = errors.New("aiohttp: set-cookie: no '=' in the name-value pair")
	errCookieNoName   = errors.New("aiohttp: set-cookie: empty cookie name")
	errCookieControl  = errors.New("aiohttp: set-cookie: control character in cookie name or value")
	errCookieTooLong  = errors.New("aiohttp: set-cookie: cookie name and value longer than 4096 bytes")
)

// ParseSetCookie parses the value of one Set-Cookie header with the
// algorithm of RFC 6265 §5.2, as leniently as browsers do: attribute names
// are case-insensitive, unknown attributes are ignored, Expires is read with
// the date algorithm of §5.1.1 (two-digit years included), a Max-Age too
// large for any date clamps, Max-Age wins over Expires, the last Domain and
// Path attributes win, an empty Domain attribute is ignored and an invalid
// Path attribute means the default path.
//
// As browsers do, the line is cut at its first NUL, CR or LF; it is
// rejected when it has no '=' before its first ';', when the name is empty,
// when the name or value holds another control character, or when they are
// longer than 4096 bytes together (RFC 6265bis). The returned name and value
// never contain ';', CR, LF or NUL.
//
// Max-Age is resolved against time.Now; a [Jar] parses the lines it is given
// against its own clock. Domain, Path and HostOnly are not resolved: see
// [Cookie].
func ParseSetCookie(line string) (*Cookie, error) {
	return parseSetCookie(line, time.Now())
}

// parseSetCookie is ParseSetCookie with Max-Age counted from now.
func parseSetCookie(line string, now time.Time) (*Cookie, error) {
	if i := strings.IndexAny(line, "\x00\r\n"); i >= 0 {
		line = line[:i]
	}
	pair, attrs, _ := strings.Cut(line, ";")
	name, value, ok := strings.Cut(pair, "=")
	if !ok {
		return nil, errCookieNoEquals
	}
	name, value = trimCookieWSP(name), trimCookieWSP(value)
	switch {
	case name == "":
		return nil, errCookieNoName
	case len(name)+len(value) > cookieMaxNameValue:
		return nil, errCookieTooLong
	case hasCookieCTL(name) || hasCookieCTL(value):
		return nil, errCookieControl
	}
	c := &Cookie{Name: name, Value: value}
	var maxAge, expires time.Time
	for attrs != "" {
		var av string
		av, attrs, _ = strings.Cut(attrs, ";")
		k, v, _ := strings.Cut(av, "=")
		k, v = trimCookieWSP(k), trimCookieWSP(v)
		if len(v) > cookieMaxAttrValue {
			continue
		}
		switch {
		case strings.EqualFold(k, "expires"):
			if t, ok := parseCookieDate(v); ok {
				expires = t
			}
		case strings.EqualFold(k, "max-age"):
			if t, ok := parseMaxAge(v, now); ok {
				maxAge = t
			}
		case strings.EqualFold(k, "domain"):
			if v != "" {
				c.Domain = strings.ToLower(strings.TrimPrefix(v, "."))
			}
		case strings.EqualFold(k, "path"):
			if v == "" || v[0] != '/' {
				v = ""
			}
			c.Path = v
		case strings.EqualFold(k, "secure"):
			c.Secure = true
		case strings.EqualFold(k, "httponly"):
			c.HTTPOnly = true
		case strings.EqualFold(k, "samesite"):
			c.SameSite = canonicalSameSite(v)
		case strings.EqualFold(k, "partitioned"):
			c.Partitioned = true
		}
	}
	if !maxAge.IsZero() {
		c.Expires = maxAge
	} else {
		c.Expires = expires
	}
	return c, nil
}

// canonicalSameSite returns the canonical spelling of a SameSite value, or
// "" for an unrecognised one.
func canonicalSameSite(v string) string {
	for _, s := range [...]string{"Strict", "Lax", "None"} {
		if strings.EqualFold(v, s) {
			return s
		}
	}
	return ""
}

// trimCookieWSP trims the spaces and tabs RFC 6265 calls WSP.
func trimCookieWSP(s string) string {
	return strings.Trim(s, " \t")
}

// hasCookieCTL reports whether s holds a control character other than tab.
func hasCookieCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < ' ' && b != '\t' || b == 0x7f {
			return true
		}
	}
	return false
}

// parseMaxAge turns a Max-Age value into an expiry counted from now
// (RFC 6265 §5.2.2): false for a value to ignore, the epoch for zero or
// less, cookieMaxTime when the delay does not fit before it.
func parseMaxAge(v string, now time.Time) (time.Time, bool) {
	digits := strings.TrimPrefix(v, "-")
	if digits == "" {
		return time.Time{}, false
	}
	var secs int64
	overflow := false
	for i := 0; i < len(digits); i++ {
		d := digits[i]
		if d < '0' || d > '9' {
			return time.Time{}, false
		}
		if secs > (math.MaxInt64-9)/10 {
			overflow = true
		} else {
			secs = secs*10 + int64(d-'0')
		}
	}
	if len(digits) < len(v) || secs == 0 {
		return cookieEpoch, true
	}
	if overflow || secs >= cookieMaxTime.Unix()-now.Unix() {
		return cookieMaxTime, true
	}
	return time.Unix(now.Unix()+secs, int64(now.Nanosecond())).UTC(), true
}

// parseCookieDate parses a cookie date with the algorithm of RFC 6265
// §5.1.1, which accepts the many formats servers send: the first time,
// day of month, month and year tokens found are used, in any order, and
// two-digit years mean 1970–2069. Time zones are ignored: cookie dates are
// in UTC.
func parseCookieDate(s string) (time.Time, bool) {
	var foundTime, foundDay, foundMonth, foundYear bool
	var hour, minute, second, day, year int
	month := time.January
	for s != "" {
		i := 0
		for i < len(s) && isCookieDateDelim(s[i]) {
			i++
		}
		j := i
		for j < len(s) && !isCookieDateDelim(s[j]) {
			j++
		}
		token := s[i:j]
		s = s[j:]
		if token == "" {
			break
		}
		if !foundTime {
			if h, m, sec, ok := parseCookieTime(token); ok {
				foundTime, hour, minute, second = true, h, m, sec
				continue
			}
		}
		if !foundDay {
			if d, n := leadingDigits(token, 2); n >= 1 {
				foundDay, day = true, d
				continue
			}
		}
		if !foundMonth {
			if m, ok := cookieMonth(token); ok {
				foundMonth, month = true, m
				continue
			}
		}
		if !foundYear {
			if y, n := leadingDigits(token, 4); n >= 2 {
				foundYear, year = true, y
			}
		}
	}
	if !foundTime || !foundDay || !foundMonth || !foundYear {
		return time.Time{}, false
	}
	switch {
	case year >= 70 && year <= 99:
		year += 1900
	case year >= 0 && year <= 69:
		year += 2000
	}
	if day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, month, day, hour, minute, second, 0, time.UTC)
	if t.Day() != day { // no such date, as 31 April
		return time.Time{}, false
	}
	return t, true
}

// isCookieDateDelim reports whether b is a delimiter of RFC 6265 §5.1.1.
func isCookieDateDelim(b byte) bool {
	return b == '\t' || b >= 0x20 && b <= 0x2f || b >= 0x3b && b <= 0x40 ||
		b >= 0x5b && b <= 0x60 || b >= 0x7b && b <= 0x7e
}

// leadingDigits reads the digits that start token, matching the grammar
// "1*maxDIGIT [ non-digit *OCTET ]": it returns their value and count, or
// a count of zero when token starts with no digit or with more than max.
func leadingDigits(token string, max int) (value, n int) {
	for n < len(token) && token[n] >= '0' && token[n] <= '9' {
		if n == max {
			return 0, 0
		}
		value = value*10 + int(token[n]-'0')
		n++
	}
	return value, n
}

// parseCookieTime matches the time production of RFC 6265 §5.1.1:
// "1*2DIGIT ':' 1*2DIGIT ':' 1*2DIGIT [ non-digit *OCTET ]".
func parseCookieTime(token string) (hour, minute, second int, ok bool) {
	var fields [3]int
	for i := range fields {
		v, n := leadingDigits(token, 2)
		if n == 0 {
			return 0, 0, 0, false
		}
		fields[i], token = v, token[n:]
		if i < 2 {
			if token == "" || token[0] != ':' {
				return 0, 0, 0, false
			}
			token = token[1:]
		}
	}
	return fields[0], fields[1], fields[2], true
}

// cookieMonth matches the month production of RFC 6265 §5.1.1: a token
// starting with the first three letters of a month's English name.
func cookieMonth(token string) (time.Month, bool) {
	if len(token) < 3 {
		return 0, false
	}
	for m := time.January; m <= time.December; m++ {
		if strings.EqualFold(token[:3], m.String()[:3]) {
			return m, true
		}
	}
	return 0, false
}
