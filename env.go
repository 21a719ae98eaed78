package aiohttp

import (
	"errors"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// proxyFromEnvironment returns the proxy the environment names for u, or
// nil (aiohttp's trust_env): <scheme>_proxy for the schemes http, https,
// ws and wss, the lower-case variable first and then the upper-case one
// (HTTP_PROXY is ignored when REQUEST_METHOD is set, as under CGI a
// client controls it), unless NO_PROXY (or no_proxy) exempts u's host. A
// value without a scheme is an http:// proxy; a value that does not parse
// as a proxy URL (http, https, socks5, socks5h) is an error.
func proxyFromEnvironment(u *url.URL) (*url.URL, error) {
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "http", "https", "ws", "wss":
	default:
		return nil, nil
	}
	raw := proxyEnv(scheme + "_proxy")
	if raw == "" || noProxy(u, scheme) {
		return nil, nil
	}
	return parseProxyURL(raw)
}

// proxyEnv returns the environment variable name (lower case) or its upper
// case twin.
func proxyEnv(name string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	if name == "http_proxy" && os.Getenv("REQUEST_METHOD") != "" {
		return ""
	}
	return os.Getenv(strings.ToUpper(name))
}

// errProxyURL reports a proxy URL without a host or with a scheme that is
// not a proxy's.
var errProxyURL = errors.New("proxy URL needs a host and one of the schemes http, https, socks5, socks5h")

// parseProxyURL parses a proxy setting, http:// when it names no scheme.
func parseProxyURL(raw string) (*url.URL, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, errProxyURL
	}
	if u.Hostname() == "" {
		return nil, errProxyURL
	}
	return u, nil
}

// noProxy reports whether NO_PROXY (or no_proxy, which comes first)
// exempts u from proxies. The setting is a comma-separated list of:
// "*", for every host; host names, which match themselves and their
// subdomains, with or without a leading "." or "*."; IP addresses; CIDR
// blocks; and any of the names or addresses with a port, which then
// must be u's too (scheme defaults included).
func noProxy(u *url.URL, scheme string) bool {
	list := os.Getenv("no_proxy")
	if list == "" {
		list = os.Getenv("NO_PROXY")
	}
	if list == "" {
		return false
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	port := u.Port()
	if port == "" {
		port = "80"
		if scheme == "https" || scheme == "wss" {
			port = "443"
		}
	}
	ip, ipErr := netip.ParseAddr(host)
	for entry := range strings.SplitSeq(list, ",") {
		entry = strings.ToLower(strings.TrimSpace(entry))
		if entry == "" {
			continue
		}
		if entry == "*" {
			return true
		}
		if prefix, err := netip.ParsePrefix(entry); err == nil {
			if ipErr == nil && prefix.Contains(ip.Unmap()) {
				return true
			}
			continue
		}
		name, eport := entry, ""
		if h, p, err := net.SplitHostPort(entry); err == nil {
			name, eport = h, p
		}
		if eport != "" && eport != port {
			continue
		}
		name = strings.TrimPrefix(strings.Trim(name, "[]"), "*")
		name = strings.TrimSuffix(strings.TrimPrefix(name, "."), ".")
		if name == "" {
			continue
		}
		if eip, err := netip.ParseAddr(name); err == nil {
			if ipErr == nil && eip.Unmap() == ip.Unmap() {
				return true
			}
			continue
		}
		if host == name || strings.HasSuffix(host, "."+name) {
			return true
		}
	}
	return false
}

// netrcAuth returns the login and password that the netrc file holds for
// host: the last "machine host" entry, else the "default" entry. The file
// is $NETRC, else ~/.netrc (~/_netrc on Windows), as in aiohttp; a
// missing or unreadable file holds nothing.
func netrcAuth(host string) (login, password string, ok bool) {
	path := os.Getenv("NETRC")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", "", false
		}
		name := ".netrc"
		if runtime.GOOS == "windows" {
			name = "_netrc"
		}
		path = filepath.Join(home, name)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", false
	}
	return parseNetrc(string(data), host)
}

// parseNetrc finds host's entry in the text of a netrc file. Tokens are
// separated by white space and may be double-quoted, with backslash
// escapes; "#" starts a comment up to the end of the line; "macdef"
// bodies (up to an empty line) are skipped; "user" is "login"'s synonym.
// An entry without login or password has them empty.
func parseNetrc(data, host string) (login, password string, ok bool) {
	lx := netrcLexer{s: data}
	var def, found *[2]string
	var cur *[2]string // the entry whose fields are being read
	for {
		tok, more := lx.next()
		if !more {
			break
		}
		switch tok {
		case "machine":
			name, _ := lx.next()
			cur = &[2]string{}
			if strings.EqualFold(name, host) {
				found = cur
			}
		case "default":
			cur = &[2]string{}
			def = cur
		case "login", "user", "password", "account":
			val, _ := lx.next()
			if cur == nil {
				continue
			}
			switch tok {
			case "login", "user":
				cur[0] = val
			case "password":
				cur[1] = val
			}
		case "macdef":
			lx.next()
			lx.skipMacro()
			cur = nil
		}
	}
	if found == nil {
		found = def
	}
	if found == nil {
		return "", "", false
	}
	return found[0], found[1], true
}

// netrcLexer splits the text of a netrc file into tokens.
type netrcLexer struct {
	s string
	i int
}

// next returns the next token, or false at the end.
func (lx *netrcLexer) next() (string, bool) {
	for lx.i < len(lx.s) {
		switch c := lx.s[lx.i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			lx.i++
		case c == '#':
			if j := strings.IndexByte(lx.s[lx.i:], '\n'); j >= 0 {
				lx.i += j + 1
			} else {
				lx.i = len(lx.s)
			}
		default:
			return lx.word(), true
		}
	}
	return "", false
}

// word reads a token that starts at lx.i.
func (lx *netrcLexer) word() string {
	quoted := lx.s[lx.i] == '"'
	if quoted {
		lx.i++
	}
	var b strings.Builder
	for lx.i < len(lx.s) {
		c := lx.s[lx.i]
		switch {
		case c == '\\' && lx.i+1 < len(lx.s):
			b.WriteByte(lx.s[lx.i+1])
			lx.i += 2
			continue
		case quoted && c == '"':
			lx.i++
			return b.String()
		case !quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return b.String()
		}
		b.WriteByte(c)
		lx.i++
	}
	return b.String()
}

// skipMacro skips the rest of the line and the macro body after it, up to
// and including the first empty (or blank) line.
func (lx *netrcLexer) skipMacro() {
	for lx.i < len(lx.s) {
		j := strings.IndexByte(lx.s[lx.i:], '\n')
		if j < 0 {
			lx.i = len(lx.s)
			return
		}
		lx.i += j + 1
		end := strings.IndexByte(lx.s[lx.i:], '\n')
		if end < 0 {
			end = len(lx.s) - lx.i
		}
		if strings.TrimSpace(lx.s[lx.i:lx.i+end]) == "" {
			lx.i += end
			return
		}
	}
}
