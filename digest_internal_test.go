package aiohttp

import "testing"

// FuzzDigestChallenge checks that any WWW-Authenticate value parses without
// harm, and that a Digest challenge after another scheme's gives back the
// realm and nonce it was written with, whatever their bytes.
func FuzzDigestChallenge(f *testing.F) {
	f.Add(`Digest realm="r", nonce="n", qop="auth,auth-int"`, "r", "n")
	f.Add(`Bearer abc==, Digest nonce="x",opaque="o"`, `a "q"`, `\`)
	f.Add(`Digest`, "", "=,")
	f.Fuzz(func(t *testing.T, value, realm, nonce string) {
		if params, ok := digestChallenge([]string{value}); ok && params["nonce"] == "" {
			t.Fatalf("%q: a challenge without a nonce: %v", value, params)
		}
		if nonce == "" {
			return
		}
		written := `Basic realm="other", Digest realm=` + quoteString(realm) + `, nonce=` + quoteString(nonce) + `, algorithm=MD5`
		params, ok := digestChallenge([]string{written})
		if !ok || params["realm"] != realm || params["nonce"] != nonce || params["algorithm"] != "MD5" {
			t.Fatalf("%q: %v %v", written, params, ok)
		}
	})
}

// FuzzRetryAfter checks that a Retry-After value never gives a negative
// delay.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"120", " 0 ", "-1", "1.5", "Mon, 01 Jan 2001 00:00:00 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if d, ok := retryAfter(v); d < 0 || (!ok && d != 0) {
			t.Fatalf("%q: %v %v", v, d, ok)
		}
	})
}
