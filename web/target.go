package web

import (
	"errors"
	"strings"
)

// errBadTarget reports a request target the server cannot route.
var errBadTarget = errors.New("web: malformed request target")

// splitTarget splits a request target into its escaped path and query. It
// accepts origin-form ("/a?b"), absolute-form ("http://h/a?b", as proxies
// receive), authority-form ("host:443", for CONNECT) and "*" (OPTIONS).
// The results are substrings of target.
func splitTarget(target string) (rawPath, rawQuery string, err error) {
	switch {
	case target == "*":
		return "*", "", nil
	case target[0] == '/':
	default:
		i := strings.Index(target, "://")
		if i <= 0 {
			return "", "", nil // authority-form: no path
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
			return target[:i], q, nil
		case '#':
			return target[:i], "", nil
		}
	}
	return target, "", nil
}

// unescapePath percent-decodes a path, keeping "%2F" (an encoded slash)
// encoded so that it never splits a path segment. It returns raw itself
// when there is nothing to decode, and appends into scratch otherwise.
func unescapePath(raw string, scratch []byte) (string, []byte, error) {
	i := 0
	for i < len(raw) && raw[i] != '%' {
		i++
	}
	if i == len(raw) {
		return raw, scratch, nil
	}
	out := append(scratch[:0], raw[:i]...)
	for ; i < len(raw); i++ {
		c := raw[i]
		if c != '%' {
			out = append(out, c)
			continue
		}
		if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
			return "", out, errBadTarget
		}
		d := unhex(raw[i+1])<<4 | unhex(raw[i+2])
		if d == '/' {
			out = append(out, raw[i:i+3]...)
		} else {
			out = append(out, d)
		}
		i += 2
	}
	return string(out), out, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
