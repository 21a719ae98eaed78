package aiohttp

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aiohttp-go/aiohttp/multidict"
)

// BasicAuth are HTTP Basic credentials (aiohttp's BasicAuth). As a request
// option they authenticate one request; SessionOptions.Auth sends them
// with every request to the base URL's origin.
type BasicAuth struct {
	Login    string
	Password string
	// Encoding is how the credentials become bytes: "latin1" (the
	// default, as in aiohttp) or "utf-8".
	Encoding string
}

func (a BasicAuth) applyRequest(c *requestConfig) { c.auth = &a }

// Encode returns the Authorization header value, "Basic " and the base64
// of login:password. A login holding ':' cannot be encoded, nor, in
// latin1, a character above U+00FF.
func (a BasicAuth) Encode() (string, error) {
	if strings.IndexByte(a.Login, ':') >= 0 {
		return "", errors.New(`basic auth: a ":" is not allowed in the login (RFC 1945 section 11.1)`)
	}
	creds := a.Login + ":" + a.Password
	switch strings.ToLower(a.Encoding) {
	case "utf-8", "utf8":
		if !utf8.ValidString(creds) {
			return "", errors.New("basic auth: credentials are not valid UTF-8")
		}
	case "", "latin1", "latin-1", "iso-8859-1":
		if b, ok := latin1(creds); ok {
			creds = b
		} else {
			return "", errors.New("basic auth: credentials cannot be encoded in latin1")
		}
	default:
		return "", errors.New("basic auth: unknown encoding " + a.Encoding)
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(creds)), nil
}

// latin1 returns s encoded in ISO-8859-1, and whether it could be.
func latin1(s string) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return "", false
		}
		b = append(b, byte(r))
	}
	return string(b), true
}

// Errors of combining credentials (REFERENCE behaviour 14).
var (
	errAuthWithURLCredentials = errors.New("cannot combine auth with credentials encoded in the URL")
	errAuthWithHeader         = errors.New("cannot combine an Authorization header with auth or credentials encoded in the URL")
)

// authorization returns the Authorization value for a request to u, or ""
// when it carries none, following aiohttp's rules: explicit credentials
// (the request's, or those that survived the redirects so far) and
// credentials in the URL exclude each other and an Authorization header;
// without them the session's Auth goes to the base URL's origin; with
// TrustEnv, ~/.netrc supplies credentials for the host. userinfo is u's
// credentials, already removed from u.
func (s *Session) authorization(u *url.URL, userinfo *url.Userinfo, explicit *BasicAuth, header *multidict.CIMultiDict) (string, error) {
	auth := explicit
	if userinfo != nil {
		if auth != nil {
			return "", errAuthWithURLCredentials
		}
		pw, _ := userinfo.Password()
		auth = &BasicAuth{Login: userinfo.Username(), Password: pw}
	}
	if auth == nil && s.auth != nil && (s.base == nil || sameOrigin(s.base, u)) {
		auth = s.auth
	}
	if header.Has("Authorization") {
		if auth != nil {
			return "", errAuthWithHeader
		}
		return "", nil
	}
	if auth == nil && s.opts.TrustEnv {
		if login, password, ok := netrcAuth(u.Hostname()); ok {
			auth = &BasicAuth{Login: login, Password: password}
		}
	}
	if auth == nil {
		return "", nil
	}
	if auth == s.auth && s.authValue != "" {
		return s.authValue, nil
	}
	return auth.Encode()
}

// sameOrigin reports whether a and b have the same scheme, host and port.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && portOf(a) == portOf(b)
}

// portOf returns u's port, the scheme's default when there is none.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "wss":
		return "443"
	}
	return "80"
}
