package aiohttp

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"hash"
	"strconv"
	"strings"
	"sync"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// DigestAuthMiddleware returns a middleware that answers HTTP Digest
// challenges (RFC 7616, aiohttp's DigestAuthMiddleware) with login and
// password: when a response is a 401 whose WWW-Authenticate offers
// Digest, it sends the request once more with an Authorization computed
// for the challenge. Algorithms MD5, SHA-256 and SHA-512-256 with their
// -sess variants, qop auth and auth-int (for bodies held in memory), the
// opaque value and userhash are supported. Once challenged, later
// requests to the same origin are authorized up front with the same
// nonce and an increasing nonce count. The middleware is safe for
// concurrent use; use one per set of credentials.
func DigestAuthMiddleware(login, password string) Middleware {
	d := &digestAuth{login: login, password: password}
	return d.handle
}

// digestAuth is the state of a DigestAuthMiddleware: the last challenge
// and how often its nonce was used.
type digestAuth struct {
	login, password string

	mu     sync.Mutex
	ch     map[string]string // the last Digest challenge's parameters, lower-case names
	origin string            // scheme://host:port the challenge came from
	nc     uint32            // nonce count of the challenge's nonce
}

func (d *digestAuth) handle(req *ClientRequest, next Handler) (*Response, error) {
	sentNonce := ""
	if !req.Header.Has("Authorization") {
		if v, nonce, ok := d.preemptive(req); ok {
			req.Header.Set("Authorization", v)
			sentNonce = nonce
		}
	}
	resp, err := next(req)
	if err != nil || resp.Status != 401 || !req.BodyReplayable() {
		return resp, err
	}
	ch, ok := digestChallenge(resp.Header.GetAll("WWW-Authenticate"))
	if !ok || (sentNonce != "" && ch["nonce"] == sentNonce && !strings.EqualFold(ch["stale"], "true")) {
		return resp, nil
	}
	d.mu.Lock()
	d.ch, d.origin, d.nc = ch, digestOrigin(req), 0
	v, err := d.authorize(req, ch)
	d.mu.Unlock()
	if err != nil {
		return resp, nil
	}
	resp.Close()
	req.Header.Set("Authorization", v)
	return next(req)
}

// preemptive returns the Authorization for req from the last challenge,
// when it came from req's origin.
func (d *digestAuth) preemptive(req *ClientRequest) (value, nonce string, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ch == nil || d.origin != digestOrigin(req) {
		return "", "", false
	}
	v, err := d.authorize(req, d.ch)
	return v, d.ch["nonce"], err == nil
}

// digestOrigin returns scheme://host:port of req's URL.
func digestOrigin(req *ClientRequest) string {
	u := req.URL
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + portOf(u)
}

// errDigestUnsupported reports a challenge the middleware cannot answer.
var errDigestUnsupported = errors.New("digest: unsupported challenge")

// authorize computes the Authorization value answering challenge ch for
// req, counting one more use of its nonce. d.mu is held.
func (d *digestAuth) authorize(req *ClientRequest, ch map[string]string) (string, error) {
	alg := ch["algorithm"]
	if alg == "" {
		alg = "MD5"
	}
	base, sess := strings.CutSuffix(strings.ToUpper(alg), "-SESS")
	var newHash func() hash.Hash
	switch base {
	case "MD5":
		newHash = md5.New
	case "SHA-256":
		newHash = sha256.New
	case "SHA-512-256":
		newHash = sha512.New512_256
	default:
		return "", errDigestUnsupported
	}
	h := func(parts ...string) string {
		x := newHash()
		for i, p := range parts {
			if i > 0 {
				x.Write([]byte{':'})
			}
			x.Write([]byte(p))
		}
		return hex.EncodeToString(x.Sum(nil))
	}

	qop := ""
	if q, ok := ch["qop"]; ok {
		var auth, authInt bool
		for o := range strings.SplitSeq(q, ",") {
			switch strings.ToLower(strings.TrimSpace(o)) {
			case "auth":
				auth = true
			case "auth-int":
				authInt = true
			}
		}
		switch {
		case auth:
			qop = "auth"
		case authInt && (req.body == nil || req.body.r == nil):
			qop = "auth-int"
		default:
			return "", errDigestUnsupported
		}
	}

	realm, nonce := ch["realm"], ch["nonce"]
	uri := req.URL.RequestURI()
	var c [16]byte
	rand.Read(c[:])
	cnonce := hex.EncodeToString(c[:])
	d.nc++
	nc := strconv.FormatUint(uint64(d.nc), 16)
	nc = strings.Repeat("0", 8-len(nc)) + nc

	ha1 := h(d.login, realm, d.password)
	if sess {
		ha1 = h(ha1, nonce, cnonce)
	}
	ha2 := h(req.Method, uri)
	if qop == "auth-int" {
		var body []byte
		if req.body != nil {
			body = req.body.data
		}
		ha2 = h(req.Method, uri, h(string(body)))
	}
	var response string
	if qop == "" {
		response = h(ha1, nonce, ha2)
	} else {
		response = h(ha1, nonce, nc, cnonce, qop, ha2)
	}

	user := d.login
	userhash := strings.EqualFold(ch["userhash"], "true")
	if userhash {
		user = h(d.login, realm)
	}
	var b strings.Builder
	b.WriteString("Digest username=")
	b.WriteString(quoteString(user))
	b.WriteString(", realm=")
	b.WriteString(quoteString(realm))
	b.WriteString(", nonce=")
	b.WriteString(quoteString(nonce))
	b.WriteString(", uri=")
	b.WriteString(quoteString(uri))
	b.WriteString(", algorithm=")
	b.WriteString(alg)
	b.WriteString(", response=")
	b.WriteString(quoteString(response))
	if o, ok := ch["opaque"]; ok {
		b.WriteString(", opaque=")
		b.WriteString(quoteString(o))
	}
	if qop != "" {
		b.WriteString(", qop=")
		b.WriteString(qop)
		b.WriteString(", nc=")
		b.WriteString(nc)
		b.WriteString(", cnonce=")
		b.WriteString(quoteString(cnonce))
	}
	if userhash {
		b.WriteString(", userhash=true")
	}
	return b.String(), nil
}

// quoteString returns s as an HTTP quoted-string.
func quoteString(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return `"` + s + `"`
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// digestChallenge finds the first Digest challenge in WWW-Authenticate
// values and returns its parameters by lower-case name.
func digestChallenge(values []string) (map[string]string, bool) {
	for _, v := range values {
		p := challengeParser{s: v}
		for p.i < len(p.s) {
			scheme := p.token()
			if scheme == "" {
				p.i++
				continue
			}
			params := p.params()
			if multidict.EqualFold(scheme, "Digest") && params["nonce"] != "" {
				return params, true
			}
		}
	}
	return nil, false
}

// challengeParser reads the challenges of a WWW-Authenticate value (RFC
// 9110 11.6.1): schemes, each followed by name=value parameters or a
// token68.
type challengeParser struct {
	s string
	i int
}

// params reads a challenge's parameters, stopping before the next
// scheme.
func (p *challengeParser) params() map[string]string {
	params := map[string]string{}
	for {
		p.skip(" \t,")
		start := p.i
		name := p.token()
		p.skip(" \t")
		if name == "" || p.i == len(p.s) || p.s[p.i] != '=' {
			p.i = start // the next scheme
			return params
		}
		p.i++
		p.skip(" \t")
		if p.i == len(p.s) || p.s[p.i] == '=' || p.s[p.i] == ',' {
			// a token68 ending in '=': not parameters
			p.skip("=")
			continue
		}
		if p.s[p.i] == '"' {
			params[strings.ToLower(name)] = p.quoted()
		} else {
			params[strings.ToLower(name)] = p.token()
		}
	}
}

// skip moves past any of the bytes in set.
func (p *challengeParser) skip(set string) {
	for p.i < len(p.s) && strings.IndexByte(set, p.s[p.i]) >= 0 {
		p.i++
	}
}

// token reads a token, "" when there is none.
func (p *challengeParser) token() string {
	start := p.i
	for p.i < len(p.s) && field.IsTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// quoted reads a quoted-string and returns it unescaped.
func (p *challengeParser) quoted() string {
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; c {
		case '"':
			p.i++
			return b.String()
		case '\\':
			if p.i+1 < len(p.s) {
				p.i++
				b.WriteByte(p.s[p.i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
