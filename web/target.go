package web

import (
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/http1"
)

// splitTarget splits a request target into its escaped path and query. It
// accepts origin-form ("/a?b"), absolute-form ("http://h/a?b", as proxies
// receive), authority-form ("host:443", for CONNECT) and "*" (OPTIONS).
// The results are substrings of target.
func splitTarget(target string) (rawPath, rawQuery string) {
	switch {
	case target == "*":
		return "*", ""
	case target[0] == '/':
	default:
		i := strings.Index(target, "://")
		if i <= 0 {
			return "", "" // authority-form: no path
		}
		rest := target[i+3:]
		j := 0
		for j < len(rest) && rest[j] != '/' && rest[j] != '?' {
			j++
		}
		target = rest[j:]
		if target == "" || target[0] == '?' {
			target = "/" + target
		}
	}
	for i := 0; i < len(target); i++ {
		switch target[i] {
		case '?':
			q := target[i+1:]
			for j := 0; j < len(q); j++ {
				if q[j] == '#' {
					q = q[:j]
					break
				}
			}
			return target[:i], q
		case '#':
			return target[:i], ""
		}
	}
	return target, ""
}

// unescapePath percent-decodes a path. With safe set it keeps "%2F" and
// "%25" encoded, as aiohttp's path_safe does for routing, so that an encoded
// slash never splits a path segment and decoding stays reversible; match
// values are decoded afterwards. An invalid escape stays as it was sent, as
// in yarl. It returns raw itself when there is nothing to decode and
// appends into scratch otherwise.
func unescapePath(raw string, scratch []byte, safe bool) (string, []byte) {
	i := strings.IndexByte(raw, '%')
	if i < 0 {
		return raw, scratch
	}
	out := append(scratch[:0], raw[:i]...)
	for ; i < len(raw); i++ {
		d, ok := http1.Unescape(raw, i)
		if !ok {
			out = append(out, raw[i])
			continue
		}
		if safe && (d == '/' || d == '%') {
			out = append(out, raw[i:i+3]...)
		} else {
			out = append(out, d)
		}
		i += 2
	}
	return string(out), out
}
