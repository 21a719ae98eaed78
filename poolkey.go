package aiohttp

import (
	"crypto/tls"
	"encoding/hex"
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
// only when its key equals the one the connection was made for. The
// settings most requests leave alone (TLS options but the Config, a
// proxy) are one string, empty for them, so that a key hashes and
// compares in a few words.
type poolKey struct {
	hostKey
	forceHTTP1 bool
	config     *tls.Config // compared by identity, as the Config itself
	settings   string      // the other TLS options and the proxy, quoted
}

// origin returns t's host key.
func (t *dialTarget) origin() hostKey { return hostKey{t.scheme, t.host, t.port} }

// key returns t's pool key.
func (t *dialTarget) key() poolKey {
	k := poolKey{hostKey: t.origin()}
	var b []byte
	if t.scheme == "https" {
		k.forceHTTP1 = t.forceHTTP1
		if o := t.tls; o != nil {
			k.config = o.Config
			b = append(b, "tls"...)
			if o.InsecureSkipVerify {
				b = append(b, " insecure"...)
			}
			if len(o.Fingerprint) > 0 {
				b = append(b, " pin:"...)
				b = hex.AppendEncode(b, o.Fingerprint)
			}
			if o.ServerName != "" {
				b = append(b, " sni:"...)
				b = strconv.AppendQuote(b, o.ServerName)
			}
		}
	}
	if pr := t.proxy; pr != nil {
		b = append(b, " proxy:"...)
		b = strconv.AppendQuote(b, pr.url.String())
		b = strconv.AppendQuote(b, pr.auth)
		if pr.header != nil {
			for name, v := range pr.header.All() {
				b = append(b, ' ')
				b = strconv.AppendQuote(b, name)
				b = append(b, ':')
				b = strconv.AppendQuote(b, v)
			}
		}
	}
	if b != nil {
		k.settings = string(b)
	}
	return k
}
