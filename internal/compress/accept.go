package compress

import "strings"

// Accepted is what Accept-Encoding fields (RFC 9110 section 12.5.3) say a
// client accepts: a quality from 0 to 1000 for each coding it named, for
// "*" and for identity. Its zero value is a request without the field.
// Parse each field value into it, then Choose.
type Accepted struct {
	q        [numCodings]uint16
	named    [numCodings]bool
	starQ    uint16
	star     bool
	identQ   uint16
	identity bool
}

// Parse adds the codings one Accept-Encoding field value lists. Elements
// that do not parse (a bad token or quality) are skipped; a coding listed
// twice keeps its highest quality.
func (a *Accepted) Parse(value string) {
	for elem := range strings.SplitSeq(value, ",") {
		name, params, _ := strings.Cut(elem, ";")
		name = strings.TrimSpace(name)
		q, ok := parseQuality(params)
		if !ok || name == "" {
			continue
		}
		switch {
		case name == "*":
			a.starQ, a.star = max(a.starQ, q), true
		case strings.EqualFold(name, "identity"):
			a.identQ, a.identity = max(a.identQ, q), true
		default:
			if c, ok := Lookup(name); ok {
				a.q[c], a.named[c] = max(a.q[c], q), true
			}
		}
	}
}

// quality returns the quality the client gives c: as named, else as "*"
// says, else 0 (not acceptable).
func (a *Accepted) quality(c Coding) uint16 {
	switch {
	case a.named[c]:
		return a.q[c]
	case a.star:
		return a.starQ
	}
	return 0
}

// Choose returns the coding to send a response with among offered, the
// server's codings in its order of preference, and false for none
// (identity). It picks the highest quality above 0, the earliest offered
// among equals; a quality of 0 refuses a coding (aiohttp#2518). Identity
// wins only when the client names it with a quality above every offered
// coding's: a client that lists codings wants one of them.
func (a *Accepted) Choose(offered []Coding) (Coding, bool) {
	var best Coding
	var bestQ uint16
	for _, c := range offered {
		if q := a.quality(c); q > bestQ {
			best, bestQ = c, q
		}
	}
	if bestQ == 0 || a.identity && a.identQ > bestQ {
		return 0, false
	}
	return best, true
}

// parseQuality parses the parameters after a coding: nothing, or a weight
// "q=0.5" (RFC 9110 section 12.4.2: "0" to "1", up to three decimals),
// possibly among other parameters, which are ignored. It returns the
// quality in thousandths.
func parseQuality(params string) (uint16, bool) {
	q, found := uint16(1000), false
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		if found {
			return 0, false // two weights
		}
		found = true
		var ok bool
		if q, ok = parseWeight(strings.TrimSpace(v)); !ok {
			return 0, false
		}
	}
	return q, true
}

// parseWeight parses "0", "0.5", "1.000" and the like into thousandths.
func parseWeight(s string) (uint16, bool) {
	if s == "" || (s[0] != '0' && s[0] != '1') {
		return 0, false
	}
	whole := uint16(s[0]-'0') * 1000
	s = s[1:]
	if s == "" {
		return whole, true
	}
	if s[0] != '.' || len(s) > 4 {
		return 0, false
	}
	frac, scale := uint16(0), uint16(100)
	for i := 1; i < len(s); i++ {
		d := s[i]
		if d < '0' || d > '9' || (whole == 1000 && d != '0') {
			return 0, false
		}
		frac += uint16(d-'0') * scale
		scale /= 10
	}
	return whole + frac, true
}
