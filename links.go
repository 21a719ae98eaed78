package aiohttp

import (
	"net/url"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/field"
)

// Link is one link of a Link header (RFC 8288; an entry of aiohttp's
// links).
type Link struct {
	// URL is the link target, resolved against the response URL.
	URL *url.URL
	// Rel is the rel parameter as sent: one or more relation types
	// separated by spaces, such as "next" or "preload prefetch"; "" when
	// there is none.
	Rel string
	// Params holds the other parameters (title, type, anchor, hreflang,
	// ...) by lower-case name, unquoted, the first of each name; those
	// named with a trailing "*" (title*) are decoded as RFC 8187 says,
	// those that do not decode left out. nil when there are none.
	Params map[string]string
}

// parseLinks parses Link header values into links, skipping those whose
// target is not a URL reference.
func parseLinks(values []string, base *url.URL) []Link {
	var links []Link
	for _, s := range values {
		for {
			s = strings.TrimLeft(s, " \t,")
			if s == "" {
				break
			}
			if s[0] != '<' {
				s = field.SkipToAny(s, ",") // not a link
				continue
			}
			end := strings.IndexByte(s, '>')
			if end < 0 {
				break
			}
			target := strings.TrimSpace(s[1:end])
			var l Link
			relSeen := false
			s = field.ForEachParam(s[end+1:], true, func(name, value string) bool {
				if name == "rel" {
					if !relSeen { // later ones are ignored (RFC 8288 section 3.3)
						l.Rel, relSeen = value, true
					}
					return true
				}
				if _, dup := l.Params[name]; dup {
					return true
				}
				if strings.HasSuffix(name, "*") {
					var ok bool
					if value, ok = field.DecodeExtValue(value); !ok {
						return true
					}
				}
				if l.Params == nil {
					l.Params = make(map[string]string)
				}
				l.Params[name] = value
				return true
			})
			u, err := url.Parse(target)
			if err != nil {
				continue
			}
			if base != nil {
				u = base.ResolveReference(u)
			}
			l.URL = u
			links = append(links, l)
		}
	}
	return links
}
