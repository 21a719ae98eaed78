package web

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/net/idna"

	"github.com/aiohttp-go/aiohttp/multidict"
)

// domainApp is a sub-application mounted with AddDomain.
type domainApp struct {
	host string // lower case, IDNA-encoded, with ":port" unless the port is 80
	mask bool   // host holds "*", which stands for any run of characters
	app  *Application
}

// AddDomain mounts sub for the requests whose Host is domain (aiohttp's
// add_domain): "api.example.com", "example.com:8080", or a mask in which
// "*" stands for any run of characters, dots included: "*.example.com"
// matches "a.example.com" and "a.b.example.com" but not "example.com".
//
// Hosts compare without regard to case. A domain without a port matches a
// Host without one; port 80 is dropped from the domain as aiohttp does
// ("example.com:80" is "example.com"), and any other port must appear in
// the Host as it does in the domain. A domain with letters outside ASCII
// is IDNA-encoded, as clients send it ("пуни.код" matches
// "xn--h1ajfq.xn--d1alm"). A request without a Host matches no domain.
//
// The domains are tried in the order they were added, before a's own
// routes, as in aiohttp: the first that matches answers the request on its
// own, with its routes, or its 404 or 405. The middlewares of a wrap those
// of sub, and sub's signals run with a's. URLs built on sub's router are
// paths on that domain.
//
// AddDomain panics, as route registration does, when the domain is empty,
// has a scheme, a bad port, or a label that is not 1 to 63 letters, digits
// and hyphens (and "*" in a mask) neither starting nor ending with a
// hyphen, and when sub is already mounted or a is frozen.
func (a *Application) AddDomain(domain string, sub *Application) {
	a.mustNotBeFrozen()
	host, mask, err := parseDomain(domain)
	if err != nil {
		panic(fmt.Sprintf("web: AddDomain(%q): %v", domain, err))
	}
	if sub.parent != nil || sub == a || sub.Router.mounted || sub.Router.frozen {
		panic("web: sub-application is already mounted")
	}
	sub.parent = a
	a.subapps = append(a.subapps, sub)
	a.domains = append(a.domains, domainApp{host: host, mask: mask, app: sub})
}

// parseDomain validates a domain or mask as aiohttp's Domain and MaskDomain
// do and returns its canonical form: lower case, without trailing dots,
// IDNA-encoded, with ":port" unless the port is 80.
func parseDomain(domain string) (host string, mask bool, err error) {
	d := strings.ToLower(strings.TrimRight(domain, "."))
	switch {
	case d == "":
		return "", false, fmt.Errorf("domain cannot be empty")
	case strings.Contains(d, "://"):
		return "", false, fmt.Errorf("scheme not supported")
	}
	port := ""
	if i := strings.LastIndexByte(d, ':'); i >= 0 {
		d, port = d[:i], d[i+1:]
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return "", false, fmt.Errorf("invalid port %q", port)
		}
		port = strconv.FormatUint(n, 10)
	}
	mask = strings.Contains(d, "*")
	labels := strings.Split(d, ".")
	for i, label := range labels {
		if !isASCII(label) {
			if label, err = idna.Lookup.ToASCII(label); err != nil {
				return "", false, fmt.Errorf("label %q: %v", labels[i], err)
			}
			labels[i] = label
		}
		if !validDomainLabel(label) {
			return "", false, fmt.Errorf("invalid label %q", label)
		}
	}
	host = strings.Join(labels, ".")
	if port != "" && port != "80" {
		host += ":" + port
	}
	return host, mask, nil
}

// validDomainLabel reports whether label is 1 to 63 letters, digits,
// hyphens and "*", neither starting nor ending with a hyphen.
func validDomainLabel(label string) bool {
	if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '*' {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// domainApp returns the sub-application added with AddDomain that serves
// req's Host, or nil. An application without domains pays one length
// check.
func (a *Application) domainApp(req *Request) *Application {
	if len(a.domains) == 0 {
		return nil
	}
	return a.matchDomain(req)
}

func (a *Application) matchDomain(req *Request) *Application {
	host := req.headerView("Host")
	if host == "" {
		return nil
	}
	for _, d := range a.domains {
		if d.mask && matchMask(d.host, host) || !d.mask && multidict.EqualFold(d.host, host) {
			return d.app
		}
	}
	return nil
}

// matchMask reports whether host matches mask, a lower-case domain in
// which "*" stands for any run of characters; host's letters match in any
// case. A "*" that did not lead to a match takes one more character and
// matching resumes after it, so the work stays within len(mask)*len(host).
func matchMask(mask, host string) bool {
	m, h := 0, 0
	star, resume := -1, 0
	for h < len(host) {
		switch {
		case m < len(mask) && mask[m] == '*':
			star, resume = m, h
			m++
		case m < len(mask) && mask[m] == lowerByte(host[h]):
			m++
			h++
		case star >= 0:
			resume++
			m, h = star+1, resume
		default:
			return false
		}
	}
	for m < len(mask) && mask[m] == '*' {
		m++
	}
	return m == len(mask)
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
