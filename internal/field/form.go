package field

import (
	"net/url"
	"strings"

	"github.com/aiohttp-go/aiohttp/multidict"
)

// ParseURLEncoded parses "a=1&b=2" leniently: pairs that do not unescape
// are kept as sent, as aiohttp does.
func ParseURLEncoded(s string) *multidict.MultiDict {
	d := new(multidict.MultiDict)
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		d.Add(k, v)
	}
	return d
}

// EncodeURLEncoded encodes items as application/x-www-form-urlencoded, in
// order.
func EncodeURLEncoded(items []multidict.Item) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(it.Key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(it.Value))
	}
	return b.String()
}
