package aiohttp

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// CookieJar stores the cookies a [Session] receives and picks the ones it
// sends (aiohttp's AbstractCookieJar). The Session calls UpdateCookies with
// the Set-Cookie lines of every response and CookieHeader before every
// request, redirects included. [Jar] is the RFC 6265 implementation and
// [DummyCookieJar] the one that stores nothing.
type CookieJar interface {
	// UpdateCookies stores the cookies of the Set-Cookie lines a response
	// from the URL from carried. Lines that are invalid or that the URL may
	// not set are ignored, as browsers ignore them.
	UpdateCookies(setCookies []string, from *url.URL)
	// CookieHeader returns the Cookie header for a request to the URL to,
	// as "a=1; b=2", or "" when no cookie applies. Cookies with longer
	// paths come first, then the earlier created (RFC 6265 §5.4).
	CookieHeader(to *url.URL) string
	// FilterCookies returns copies of the cookies CookieHeader would send
	// to the URL to, in the same order.
	FilterCookies(to *url.URL) []*Cookie
	// Clear deletes the cookies for which pred returns true, or all of
	// them when pred is nil.
	Clear(pred func(*Cookie) bool)
	// ClearDomain deletes the cookies of a domain and of its subdomains.
	ClearDomain(domain string)
	// All returns copies of the stored cookies that have not expired.
	All() []*Cookie
	// Len returns how many stored cookies have not expired.
	Len() int
}

// JarOptions configures [NewCookieJar]. The zero value gives aiohttp's
// default CookieJar().
type JarOptions struct {
	// Unsafe accepts cookies from hosts named by an IP address (aiohttp's
	// unsafe=True); they are always host-only. By default such responses
	// set no cookie.
	Unsafe bool
	// TreatAsSecureOrigin lists origins whose plain http and ws requests
	// count as secure: Secure cookies are accepted from them and sent to
	// them (aiohttp's treat_as_secure_origin). An entry is either an origin,
	// "http://localhost:8080" (scheme, host and port must match; ws and wss
	// count as http and https; a missing port is the scheme's default), or
	// a host with an optional port, "localhost" or "127.0.0.1:8080", which
	// matches any scheme and, without a port, any port. As in aiohttp and
	// unlike browsers, localhost is not secure unless listed here.
	// NewCookieJar panics on an entry it cannot read.
	TreatAsSecureOrigin []string
	// MaxCookies bounds how many cookies the jar holds; 0 means 3000, the
	// minimum RFC 6265 §6.1 asks of browsers. When a new cookie would pass
	// the bound, the cookie sent or stored least recently is evicted.
	MaxCookies int
	// MaxCookiesPerDomain bounds the cookies stored for one domain (one
	// host for host-only cookies); 0 means 50 (RFC 6265 §6.1). Eviction
	// works as for MaxCookies, within the domain.
	MaxCookiesPerDomain int
	// Now is the jar's clock, for tests; nil means time.Now.
	Now func() time.Time
}

// Default limits of JarOptions.
const (
	defaultMaxCookies          = 3000
	defaultMaxCookiesPerDomain = 50
)

// Jar is the cookie jar of RFC 6265, with the security rules browsers add
// from RFC 6265bis, and aiohttp's options (aiohttp's CookieJar). It is safe
// for concurrent use.
//
// What it enforces:
//   - Domain: a Domain attribute must domain-match the response's host and
//     must not be a public suffix (golang.org/x/net/publicsuffix) unless it
//     is the host itself, which then gets a host-only cookie; without a
//     valid Domain attribute a cookie is host-only. Hosts are compared in
//     lower case and in their ASCII (punycode) form, without a trailing dot.
//   - IP addresses: a response from an IP address sets no cookie unless
//     JarOptions.Unsafe is set, and then only host-only ones.
//   - Path: a missing or invalid Path attribute means the default path of
//     the response URL (§5.1.4); a cookie is sent to its path and sub-paths,
//     compared with the decoded request path.
//   - Secure: a Secure cookie is stored only from, and sent only to, https
//     and wss URLs and the treat-as-secure origins; a non-secure origin
//     cannot overwrite or delete a Secure cookie of the same name
//     (RFC 6265bis §5.7 step 16). Names starting with "__Secure-" must be
//     Secure and those starting with "__Host-" must also be host-only with
//     path "/" (cookie prefixes, RFC 6265bis §4.1.3).
//   - Expiry: an expired cookie deletes the stored one it replaces and is
//     not stored; replacing a cookie keeps its creation time; expired
//     cookies are purged lazily, when the next expiry has passed.
//   - Size: see JarOptions.MaxCookies and JarOptions.MaxCookiesPerDomain.
//
// Only http, https, ws and wss URLs take part: ws and wss behave as http and
// https; other schemes get and set no cookies.
//
// HttpOnly, SameSite and Partitioned are kept for inspection: a client is
// not a browser, so it sends HttpOnly cookies, makes no cross-site requests
// and has one partition.
type Jar struct {
	unsafe        bool
	secureOrigins []cookieOrigin
	maxTotal      int
	maxPerDomain  int
	now           func() time.Time

	mu sync.Mutex
	// domains holds the cookies under their Domain: the host for host-only
	// cookies, "" for cookies given without a URL.
	domains map[string]map[cookieKey]*jarEntry
	count   int
	// seq numbers the cookies in the order they were first stored, to order
	// cookies created at the same instant.
	seq uint64
	// nextExpiry is the earliest expiry of a stored cookie, or zero when no
	// stored cookie expires: no cookie has expired before it.
	nextExpiry time.Time
}

// cookieKey identifies a cookie within its domain.
type cookieKey struct{ name, path string }

// jarEntry is a stored cookie.
type jarEntry struct {
	c   Cookie
	seq uint64
}

// cookieOrigin is a treat-as-secure origin; an empty scheme or port matches
// any.
type cookieOrigin struct{ scheme, host, port string }

// cookieRequest is the URL cookies come from or go to, as the jar sees it.
type cookieRequest struct {
	host   string // canonical host
	ip     bool   // host is an IP address
	secure bool   // https, wss or a treat-as-secure origin
	path   string // decoded path, "/" when empty
}

var (
	_ CookieJar = (*Jar)(nil)
	_ CookieJar = DummyCookieJar{}
)

// NewCookieJar returns an empty [Jar] configured by opts, or an error
// naming an entry of opts.TreatAsSecureOrigin that is not an origin.
func NewCookieJar(opts JarOptions) (*Jar, error) {
	j := &Jar{
		unsafe:       opts.Unsafe,
		maxTotal:     opts.MaxCookies,
		maxPerDomain: opts.MaxCookiesPerDomain,
		now:          opts.Now,
		domains:      make(map[string]map[cookieKey]*jarEntry),
	}
	if j.maxTotal <= 0 {
		j.maxTotal = defaultMaxCookies
	}
	if j.maxPerDomain <= 0 {
		j.maxPerDomain = defaultMaxCookiesPerDomain
	}
	if j.now == nil {
		j.now = time.Now
	}
	for _, s := range opts.TreatAsSecureOrigin {
		o, err := parseCookieOrigin(s)
		if err != nil {
			return nil, errors.New("aiohttp: TreatAsSecureOrigin: " + err.Error())
		}
		j.secureOrigins = append(j.secureOrigins, o)
	}
	return j, nil
}

// parseCookieOrigin reads an entry of JarOptions.TreatAsSecureOrigin.
func parseCookieOrigin(s string) (cookieOrigin, error) {
	var o cookieOrigin
	var host string
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return o, err
		}
		if o.scheme = cookieScheme(u.Scheme); o.scheme == "" {
			return o, fmt.Errorf("%q: scheme is not http, https, ws or wss", s)
		}
		host, o.port = u.Hostname(), cookiePort(u, o.scheme)
	} else if h, p, err := net.SplitHostPort(s); err == nil {
		host, o.port = h, p
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	}
	h, ok := canonicalCookieHost(host)
	if !ok {
		return o, fmt.Errorf("%q: invalid host", s)
	}
	o.host = h
	return o, nil
}

// cookieScheme maps a URL scheme to the one cookies see: "http" for http
// and ws, "https" for https and wss, "" for the rest.
func cookieScheme(scheme string) string {
	switch strings.ToLower(scheme) {
	case "http", "ws":
		return "http"
	case "https", "wss":
		return "https"
	}
	return ""
}

// cookiePort returns the port of u, or the default port of scheme.
func cookiePort(u *url.URL, scheme string) string {
	if p := u.Port(); p != "" {
		return p
	}
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// canonicalCookieHost returns host (without IPv6 brackets) in lower case
// and ASCII (punycode), with one trailing dot removed; false when it is
// empty or not a valid internationalised name.
func canonicalCookieHost(host string) (string, bool) {
	host = strings.TrimSuffix(host, ".")
	return asciiCookieDomain(host)
}

// asciiCookieDomain returns d in lower case and ASCII (punycode); false when
// it is empty or not a valid internationalised name.
func asciiCookieDomain(d string) (string, bool) {
	if d == "" {
		return "", false
	}
	for i := 0; i < len(d); i++ {
		if d[i] >= 0x80 {
			a, err := idna.Lookup.ToASCII(d)
			return a, err == nil && a != ""
		}
	}
	return strings.ToLower(d), true
}

// isCookieIP reports whether host is an IP address.
func isCookieIP(host string) bool {
	if !strings.Contains(host, ":") && strings.Trim(host, "0123456789.") != "" {
		return false // not IPv6 and not dotted decimal: skip ParseAddr's error
	}
	_, err := netip.ParseAddr(host)
	return err == nil
}

// cookieDomainMatch reports whether host domain-matches domain
// (RFC 6265 §5.1.3): host is domain or a subdomain of it, and not an IP
// address in the second case.
func cookieDomainMatch(host, domain string) bool {
	if host == domain {
		return true
	}
	return len(host) > len(domain) && strings.HasSuffix(host, domain) &&
		host[len(host)-len(domain)-1] == '.' && !isCookieIP(host)
}

// cookiePathMatch reports whether the request path reqPath path-matches
// cookiePath (RFC 6265 §5.1.4).
func cookiePathMatch(reqPath, cookiePath string) bool {
	if !strings.HasPrefix(reqPath, cookiePath) {
		return false
	}
	return len(reqPath) == len(cookiePath) || strings.HasSuffix(cookiePath, "/") ||
		reqPath[len(cookiePath)] == '/'
}

// defaultCookiePath is the default-path of RFC 6265 §5.1.4: the request
// path up to, not including, its last "/", or "/".
func defaultCookiePath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 || p[0] != '/' {
		return "/"
	}
	return p[:i]
}

// isPublicSuffix reports whether domain is a public suffix, such as "com"
// or "co.uk"; names under an unlisted top-level domain have that domain as
// public suffix.
func isPublicSuffix(domain string) bool {
	ps, _ := publicsuffix.PublicSuffix(domain)
	return ps == domain
}

// request returns how the jar sees u; false when u gets or sets no cookies.
func (j *Jar) request(u *url.URL) (cookieRequest, bool) {
	scheme := cookieScheme(u.Scheme)
	if scheme == "" {
		return cookieRequest{}, false
	}
	host, ok := canonicalCookieHost(u.Hostname())
	if !ok {
		return cookieRequest{}, false
	}
	r := cookieRequest{host: host, ip: isCookieIP(host), secure: scheme == "https", path: u.Path}
	if r.path == "" {
		r.path = "/"
	}
	for _, o := range j.secureOrigins {
		if !r.secure && o.host == host && (o.scheme == "" || o.scheme == scheme) &&
			(o.port == "" || o.port == cookiePort(u, scheme)) {
			r.secure = true
		}
	}
	return r, true
}

// UpdateCookies stores the cookies of the Set-Cookie lines a response from
// the URL from carried, with the rules of [Jar]. When from is nil the
// cookies are the caller's own, as aiohttp's update_cookies without a
// response URL: a cookie without a Domain attribute is sent to every host,
// one with a Domain attribute to that domain and its subdomains, in both
// cases with its Path attribute or "/"; Secure ones are sent only to secure
// URLs.
func (j *Jar) UpdateCookies(setCookies []string, from *url.URL) {
	var r cookieRequest
	if from != nil {
		var ok bool
		if r, ok = j.request(from); !ok || r.ip && !j.unsafe {
			return
		}
	}
	now := j.now()
	cookies := make([]*Cookie, 0, len(setCookies))
	for _, line := range setCookies {
		c, err := parseSetCookie(line, now)
		if err != nil {
			continue
		}
		if from == nil {
			if !resolveOwnCookie(c) {
				continue
			}
		} else if !resolveCookie(c, &r) {
			continue
		}
		c.Creation, c.LastAccess = now, now
		cookies = append(cookies, c)
	}
	if len(cookies) == 0 {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.purgeLocked(now)
	for _, c := range cookies {
		// A non-secure origin cannot overwrite or delete a Secure cookie
		// (RFC 6265bis §5.7 step 16).
		if from != nil && !r.secure && !c.Secure && j.shadowsSecureLocked(c) {
			continue
		}
		if cookieExpired(c, now) {
			j.deleteLocked(c.Domain, cookieKey{c.Name, c.Path})
			continue
		}
		j.putLocked(c, true)
	}
}

// resolveCookie resolves the domain, host-only flag and path of c, a cookie
// a response from r set (RFC 6265 §5.3 with RFC 6265bis's Secure and
// prefix rules); false when r may not set it.
func resolveCookie(c *Cookie, r *cookieRequest) bool {
	if c.Secure && !r.secure {
		return false
	}
	if hasPrefixFold(c.Name, "__Secure-") && !c.Secure ||
		hasPrefixFold(c.Name, "__Host-") && (!c.Secure || c.Domain != "" || c.Path != "/") {
		return false
	}
	c.HostOnly = true
	if c.Domain != "" {
		d, ok := asciiCookieDomain(c.Domain)
		switch {
		case !ok:
			return false
		case r.ip || isPublicSuffix(d):
			// Only the host itself may name itself, and gets a host-only
			// cookie (RFC 6265 §5.3 steps 5 and 6).
			if d != r.host {
				return false
			}
		case !cookieDomainMatch(r.host, d):
			return false
		default:
			c.HostOnly = false
			c.Domain = d
		}
	}
	if c.HostOnly {
		c.Domain = r.host
	}
	if c.Path == "" {
		c.Path = defaultCookiePath(r.path)
	}
	return true
}

// resolveOwnCookie resolves the domain and path of c, a cookie given to
// UpdateCookies without a URL; false when its Domain attribute is invalid.
func resolveOwnCookie(c *Cookie) bool {
	if c.Domain != "" {
		d, ok := asciiCookieDomain(c.Domain)
		if !ok {
			return false
		}
		c.Domain = d
	}
	if c.Path == "" {
		c.Path = "/"
	}
	return true
}

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// cookieExpired reports whether c has expired at now.
func cookieExpired(c *Cookie, now time.Time) bool {
	return !c.Expires.IsZero() && !now.Before(c.Expires)
}

// shadowsSecureLocked reports whether the jar holds a Secure cookie named
// as c whose domain domain-matches c's, or the other way round, and whose
// path c's path path-matches.
func (j *Jar) shadowsSecureLocked(c *Cookie) bool {
	for d, bucket := range j.domains {
		if !cookieDomainMatch(d, c.Domain) && !cookieDomainMatch(c.Domain, d) {
			continue
		}
		for k, e := range bucket {
			if e.c.Secure && k.name == c.Name && cookiePathMatch(c.Path, k.path) {
				return true
			}
		}
	}
	return false
}

// putLocked stores c, replacing the cookie of the same domain, path and
// name; keepCreation keeps the replaced cookie's creation time. A new
// cookie first makes room under the jar's limits.
func (j *Jar) putLocked(c *Cookie, keepCreation bool) {
	k := cookieKey{c.Name, c.Path}
	if old := j.domains[c.Domain][k]; old != nil {
		if keepCreation {
			c.Creation = old.c.Creation
		}
		old.c = *c
	} else {
		if len(j.domains[c.Domain]) >= j.maxPerDomain {
			j.evictLocked(c.Domain, false)
		}
		if j.count >= j.maxTotal {
			j.evictLocked("", true)
		}
		bucket := j.domains[c.Domain]
		if bucket == nil {
			bucket = make(map[cookieKey]*jarEntry)
			j.domains[c.Domain] = bucket
		}
		j.seq++
		bucket[k] = &jarEntry{c: *c, seq: j.seq}
		j.count++
	}
	if !c.Expires.IsZero() && (j.nextExpiry.IsZero() || c.Expires.Before(j.nextExpiry)) {
		j.nextExpiry = c.Expires
	}
}

// evictLocked deletes the least recently used cookie of domain, or of the
// whole jar when all is set.
func (j *Jar) evictLocked(domain string, all bool) {
	var victim *jarEntry
	var victimDomain string
	consider := func(d string, bucket map[cookieKey]*jarEntry) {
		for _, e := range bucket {
			if victim == nil || e.c.LastAccess.Before(victim.c.LastAccess) ||
				e.c.LastAccess.Equal(victim.c.LastAccess) && e.seq < victim.seq {
				victim, victimDomain = e, d
			}
		}
	}
	if all {
		for d, bucket := range j.domains {
			consider(d, bucket)
		}
	} else {
		consider(domain, j.domains[domain])
	}
	if victim != nil {
		j.deleteLocked(victimDomain, cookieKey{victim.c.Name, victim.c.Path})
	}
}

// deleteLocked deletes the cookie of domain with key k, if stored.
func (j *Jar) deleteLocked(domain string, k cookieKey) {
	bucket := j.domains[domain]
	if _, ok := bucket[k]; !ok {
		return
	}
	delete(bucket, k)
	j.count--
	if len(bucket) == 0 {
		delete(j.domains, domain)
	}
}

// purgeLocked deletes the cookies expired at now, if any can have.
func (j *Jar) purgeLocked(now time.Time) {
	if j.nextExpiry.IsZero() || now.Before(j.nextExpiry) {
		return
	}
	j.nextExpiry = time.Time{}
	for d, bucket := range j.domains {
		for k, e := range bucket {
			switch {
			case e.c.Expires.IsZero():
			case cookieExpired(&e.c, now):
				j.deleteLocked(d, k)
			case j.nextExpiry.IsZero() || e.c.Expires.Before(j.nextExpiry):
				j.nextExpiry = e.c.Expires
			}
		}
	}
}

// matchLocked appends to dst the cookies to send to r, in the order of
// RFC 6265 §5.4, and marks them accessed at now.
func (j *Jar) matchLocked(dst []*jarEntry, r *cookieRequest, now time.Time) []*jarEntry {
	j.purgeLocked(now)
	if j.count == 0 {
		return dst
	}
	// The host, then its parent domains unless it is an IP address, then
	// the cookies given without a URL.
	for d, last := r.host, false; ; {
		for _, e := range j.domains[d] {
			if e.c.HostOnly && d != r.host || e.c.Secure && !r.secure ||
				!cookiePathMatch(r.path, e.c.Path) {
				continue
			}
			e.c.LastAccess = now
			dst = append(dst, e)
		}
		if last {
			break
		}
		if i := strings.IndexByte(d, '.'); i >= 0 && !r.ip {
			d = d[i+1:]
		} else {
			d, last = "", true
		}
	}
	slices.SortFunc(dst, func(a, b *jarEntry) int {
		return cmp.Or(cmp.Compare(len(b.c.Path), len(a.c.Path)), compareCookieCreation(a, b))
	})
	return dst
}

// compareCookieCreation orders stored cookies by creation.
func compareCookieCreation(a, b *jarEntry) int {
	return cmp.Or(a.c.Creation.Compare(b.c.Creation), cmp.Compare(a.seq, b.seq))
}

// CookieHeader returns the Cookie header for a request to the URL to: see
// [CookieJar].
func (j *Jar) CookieHeader(to *url.URL) string {
	j.mu.Lock()
	empty := j.count == 0
	j.mu.Unlock()
	if empty { // the common case of a session that got no cookies: no parsing of to
		return ""
	}
	r, ok := j.request(to)
	if !ok {
		return ""
	}
	now := j.now()
	var buf [16]*jarEntry
	j.mu.Lock()
	defer j.mu.Unlock()
	matched := j.matchLocked(buf[:0], &r, now)
	n := 0
	for _, e := range matched {
		n += len(e.c.Name) + len(e.c.Value) + 3
	}
	var b strings.Builder
	b.Grow(n)
	for i, e := range matched {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.c.Name)
		b.WriteByte('=')
		b.WriteString(e.c.Value)
	}
	return b.String()
}

// FilterCookies returns copies of the cookies CookieHeader would send to
// the URL to, in the same order.
func (j *Jar) FilterCookies(to *url.URL) []*Cookie {
	r, ok := j.request(to)
	if !ok {
		return nil
	}
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	matched := j.matchLocked(nil, &r, now)
	out := make([]*Cookie, len(matched))
	for i, e := range matched {
		c := e.c
		out[i] = &c
	}
	return out
}

// Clear deletes the cookies for which pred returns true, or all cookies
// when pred is nil. pred gets a copy of each cookie and must not call the
// jar.
func (j *Jar) Clear(pred func(*Cookie) bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if pred == nil {
		clear(j.domains)
		j.count = 0
		j.nextExpiry = time.Time{}
		return
	}
	for d, bucket := range j.domains {
		for k, e := range bucket {
			if c := e.c; pred(&c) {
				j.deleteLocked(d, k)
			}
		}
	}
}

// ClearDomain deletes the cookies of domain and of its subdomains, host-only
// or not (aiohttp's clear_domain). A leading dot is ignored.
func (j *Jar) ClearDomain(domain string) {
	d, ok := canonicalCookieHost(strings.TrimPrefix(domain, "."))
	if !ok {
		return
	}
	j.Clear(func(c *Cookie) bool { return cookieDomainMatch(c.Domain, d) })
}

// All returns copies of the cookies that have not expired, ordered by
// domain, path and name.
func (j *Jar) All() []*Cookie {
	now := j.now()
	j.mu.Lock()
	out := make([]*Cookie, 0, j.count)
	j.purgeLocked(now)
	for _, bucket := range j.domains {
		for _, e := range bucket {
			c := e.c
			out = append(out, &c)
		}
	}
	j.mu.Unlock()
	slices.SortFunc(out, func(a, b *Cookie) int {
		return cmp.Or(cmp.Compare(a.Domain, b.Domain), cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Name, b.Name))
	})
	return out
}

// Len returns how many stored cookies have not expired.
func (j *Jar) Len() int {
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.purgeLocked(now)
	return j.count
}

// cookieFileVersion is the version of the format Save writes.
const cookieFileVersion = 1

// cookieFile is the JSON document Save writes and Load reads.
type cookieFile struct {
	Version int            `json:"version"`
	Cookies []cookieRecord `json:"cookies"`
}

// cookieRecord is one cookie in a cookieFile.
type cookieRecord struct {
	Name        string     `json:"name"`
	Value       string     `json:"value"`
	Domain      string     `json:"domain"`
	Path        string     `json:"path"`
	Expires     *time.Time `json:"expires,omitempty"`
	Secure      bool       `json:"secure,omitempty"`
	HTTPOnly    bool       `json:"http_only,omitempty"`
	HostOnly    bool       `json:"host_only,omitempty"`
	SameSite    string     `json:"same_site,omitempty"`
	Partitioned bool       `json:"partitioned,omitempty"`
	Creation    time.Time  `json:"creation"`
	LastAccess  time.Time  `json:"last_access"`
}

// Save writes the cookies that have not expired, session cookies included
// (as aiohttp's save), to the file at path in the order they were created,
// replacing the file atomically; it is created readable by its owner only.
// The format is JSON:
//
//	{"version": 1, "cookies": [{"name": "sid", "value": "abc",
//	  "domain": "example.com", "path": "/", "expires": "2030-01-02T03:04:05Z",
//	  "secure": true, "http_only": true, "host_only": true, "same_site": "Lax",
//	  "partitioned": true, "creation": "...", "last_access": "..."}]}
//
// with times in RFC 3339, "expires" left out for a session cookie and false
// flags and an empty same_site left out. Fields may be added in a later
// version 1; a different version means an incompatible format.
func (j *Jar) Save(path string) error {
	now := j.now()
	j.mu.Lock()
	j.purgeLocked(now)
	entries := make([]*jarEntry, 0, j.count)
	for _, bucket := range j.domains {
		for _, e := range bucket {
			entries = append(entries, e)
		}
	}
	slices.SortFunc(entries, compareCookieCreation)
	f := cookieFile{Version: cookieFileVersion, Cookies: make([]cookieRecord, len(entries))}
	for i, e := range entries {
		c := e.c
		r := cookieRecord{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path,
			Secure: c.Secure, HTTPOnly: c.HTTPOnly, HostOnly: c.HostOnly, SameSite: c.SameSite,
			Partitioned: c.Partitioned, Creation: c.Creation, LastAccess: c.LastAccess}
		if !c.Expires.IsZero() {
			r.Expires = &c.Expires
		}
		f.Cookies[i] = r
	}
	j.mu.Unlock()
	data, err := json.MarshalIndent(&f, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cookies-*.json")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// Load adds the cookies of a file written by Save to the jar, replacing
// stored cookies of the same domain, path and name and dropping those that
// have expired; the jar's limits apply. A file that cannot be read, or
// that holds an invalid cookie, changes nothing.
func (j *Jar) Load(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f cookieFile
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("aiohttp: load cookies %s: %w", path, err)
	}
	if f.Version != cookieFileVersion {
		return fmt.Errorf("aiohttp: load cookies %s: unsupported version %d", path, f.Version)
	}
	cookies := make([]*Cookie, len(f.Cookies))
	for i, r := range f.Cookies {
		c := &Cookie{Name: r.Name, Value: r.Value, Domain: r.Domain, Path: r.Path,
			Secure: r.Secure, HTTPOnly: r.HTTPOnly, HostOnly: r.HostOnly, SameSite: r.SameSite,
			Partitioned: r.Partitioned, Creation: r.Creation, LastAccess: r.LastAccess}
		if r.Expires != nil {
			c.Expires = *r.Expires
		}
		if err := checkLoadedCookie(c); err != nil {
			return fmt.Errorf("aiohttp: load cookies %s: cookie %d: %w", path, i, err)
		}
		cookies[i] = c
	}
	slices.SortStableFunc(cookies, func(a, b *Cookie) int { return a.Creation.Compare(b.Creation) })
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.purgeLocked(now)
	for _, c := range cookies {
		if !cookieExpired(c, now) {
			j.putLocked(c, false)
		}
	}
	return nil
}

// errCookieRecord reports a loaded cookie the jar could not have stored.
var errCookieRecord = errors.New("invalid cookie")

// checkLoadedCookie checks that c, read by Load, is a cookie the jar could
// have stored.
func checkLoadedCookie(c *Cookie) error {
	switch {
	case c.Name == "" || strings.ContainsRune(c.Name, ';') || strings.ContainsRune(c.Name, '=') ||
		strings.ContainsRune(c.Value, ';') || hasCookieCTL(c.Name) || hasCookieCTL(c.Value):
		return fmt.Errorf("%w: bad name or value", errCookieRecord)
	case !strings.HasPrefix(c.Path, "/"):
		return fmt.Errorf("%w: path %q does not start with /", errCookieRecord, c.Path)
	case c.Domain == "" && c.HostOnly:
		return fmt.Errorf("%w: host-only cookie without domain", errCookieRecord)
	case len(c.Name)+len(c.Value) > cookieMaxNameValue:
		return fmt.Errorf("%w: name and value longer than %d bytes", errCookieRecord, cookieMaxNameValue)
	case c.Domain != "" && !isCanonicalCookieDomain(c.Domain):
		return fmt.Errorf("%w: domain %q is not in canonical form", errCookieRecord, c.Domain)
	case c.SameSite != canonicalSameSite(c.SameSite):
		return fmt.Errorf("%w: same_site %q", errCookieRecord, c.SameSite)
	}
	return nil
}

// isCanonicalCookieDomain reports whether d is in the form the jar stores
// domains in: lower case ASCII, no control character.
func isCanonicalCookieDomain(d string) bool {
	a, ok := asciiCookieDomain(d)
	return ok && a == d && !hasCookieCTL(d)
}

// DummyCookieJar is a [CookieJar] that stores nothing and sends nothing
// (aiohttp's DummyCookieJar): use it to turn cookies off in a Session.
type DummyCookieJar struct{}

// UpdateCookies does nothing.
func (DummyCookieJar) UpdateCookies([]string, *url.URL) {}

// CookieHeader returns "".
func (DummyCookieJar) CookieHeader(*url.URL) string { return "" }

// FilterCookies returns nil.
func (DummyCookieJar) FilterCookies(*url.URL) []*Cookie { return nil }

// Clear does nothing.
func (DummyCookieJar) Clear(func(*Cookie) bool) {}

// ClearDomain does nothing.
func (DummyCookieJar) ClearDomain(string) {}

// All returns nil.
func (DummyCookieJar) All() []*Cookie { return nil }

// Len returns 0.
func (DummyCookieJar) Len() int { return 0 }
