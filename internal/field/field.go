// Package field lexes HTTP field values (RFC 9110 section 5): tokens,
// optional white space, comma-separated lists and media types. The
// client, the server and the WebSocket handshake share it, so that they
// accept and send the same things.
package field

import "strings"

// tchars marks the bytes of a token (RFC 9110 5.6.2).
var tchars = func() (t [256]bool) {
	for _, c := range []byte("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		t[c] = true
	}
	return t
}()

// IsTokenChar reports whether c may appear in a token.
func IsTokenChar(c byte) bool { return tchars[c] }

// IsToken reports whether s is a non-empty token, as a method or a field
// name must be.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tchars[s[i]] {
			return false
		}
	}
	return true
}

// Token splits s after its leading token, which is "" when s does not
// start with one.
func Token(s string) (tok, rest string) {
	i := 0
	for i < len(s) && tchars[s[i]] {
		i++
	}
	return s[:i], s[i:]
}

// TrimOWS removes the optional white space (spaces and tabs) around s.
func TrimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// HasToken reports whether the comma-separated list v holds token,
// compared without case, as in Connection or Upgrade.
func HasToken(v, token string) bool {
	for v != "" {
		var t string
		t, v, _ = strings.Cut(v, ",")
		if strings.EqualFold(TrimOWS(t), token) {
			return true
		}
	}
	return false
}

// MediaType returns the media type of a Content-Type value in lower case,
// without parameters; "text/plain" when it is not type/subtype (as
// aiohttp, through Python's email parser, on both sides).
func MediaType(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	v = TrimOWS(v)
	typ, sub, ok := strings.Cut(v, "/")
	if !ok || !IsToken(typ) || !IsToken(sub) {
		return "text/plain"
	}
	return LowerASCII(v)
}

// LowerASCII returns s with ASCII letters in lower case, allocating only
// when s has upper-case letters.
func LowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
