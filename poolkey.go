package aiohttp

import (
	"crypto/tls"
	"strconv"
	"strings"
)

// hostKey is an origin, by which the connection limits count.
type hostKey struct{ scheme, host, port string }

// String returns scheme://host:port, with brackets around an IPv6 host.
func (k hostKey) String() string {
	host := k.host
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	return k.scheme + "://" + host + ":" + k.port
}

// poolKey tells connections apart: a request takes a pooled connection
// only when its key equals the one the connection was made for.
type poolKey struct {
	hostKey
	forceHTTP1 bool
	tls        tlsKey
	proxy      proxyKey
}

// tlsKey is what of a request's TLSOptions a connection depends on.
type tlsKey struct {
	set         bool        // TLSOptions were given
	config      *tls.Config // compared by identity, as the Config itself
	insecure    bool
	fingerprint string
	serverName  string
}

// proxyKey is the proxy a connection goes through, with what it sends
// the proxy.
type proxyKey struct {
	url, auth, header string
}

// origin returns t's host key.
func (t *dialTarget) origin() hostKey { return hostKey{t.scheme, t.host, t.port} }

// key returns t's pool key.
func (t *dialTarget) key() poolKey {
	k := poolKey{hostKey: t.origin()}
	if t.scheme == "https" {
		k.forceHTTP1 = t.forceHTTP1
		if o := t.tls; o != nil {
			k.tls = tlsKey{set: true, config: o.Config, insecure: o.InsecureSkipVerify,
				fingerprint: string(o.Fingerprint), serverName: o.ServerName}
		}
	}
	if pr := t.proxy; pr != nil {
		k.proxy = proxyKey{url: pr.url.String(), auth: pr.auth}
		if pr.header != nil {
			var b []byte
			for name, v := range pr.header.All() {
				b = strconv.AppendQuote(b, name)
				b = append(b, ':')
				b = strconv.AppendQuote(b, v)
				b = append(b, ' ')
			}
			k.proxy.header = string(b)
		}
	}
	return k
}
