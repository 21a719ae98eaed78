package aiohttp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

func TestBasicAuthEncode(t *testing.T) {
	tests := []struct {
		auth    aiohttp.BasicAuth
		want    string
		wantErr bool
	}{
		{aiohttp.BasicAuth{Login: "Aladdin", Password: "open sesame"}, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", false},
		{aiohttp.BasicAuth{Login: "über", Password: "ß"}, "Basic /GJlcjrf", false}, // latin1 bytes
		{aiohttp.BasicAuth{Login: "über", Password: "ß", Encoding: "utf-8"}, "Basic w7xiZXI6w58=", false},
		{aiohttp.BasicAuth{Login: "日本", Password: "x"}, "", true},
		{aiohttp.BasicAuth{Login: "a:b", Password: "x"}, "", true},
		{aiohttp.BasicAuth{Login: "a", Password: "x", Encoding: "ebcdic"}, "", true},
		{aiohttp.BasicAuth{}, "Basic Og==", false},
	}
	for _, tt := range tests {
		got, err := tt.auth.Encode()
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%+v: %q, %v; want %q", tt.auth, got, err, tt.want)
		}
	}
}

func TestSessionAuthOnlyToBaseOrigin(t *testing.T) {
	base := serveApp(t, echoApp)
	other := serveApp(t, echoApp)
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Auth: &aiohttp.BasicAuth{Login: "u", Password: "p"}})
	if _, body := get(t, s, "/echo"); !strings.Contains(body, "|auth=Basic dTpw|") {
		t.Errorf("base origin: %q", body)
	}
	if _, body := get(t, s, other+"/echo"); !strings.Contains(body, "|auth=|") {
		t.Errorf("other origin: %q", body)
	}
	// Without a base URL it goes everywhere; a request's auth replaces it.
	s = newSession(t, aiohttp.SessionOptions{Auth: &aiohttp.BasicAuth{Login: "u", Password: "p"}})
	if _, body := get(t, s, other+"/echo"); !strings.Contains(body, "|auth=Basic dTpw|") {
		t.Errorf("no base URL: %q", body)
	}
	if _, body := get(t, s, other+"/echo", aiohttp.BasicAuth{Login: "x", Password: "y"}); !strings.Contains(body, "|auth=Basic eDp5|") {
		t.Errorf("request auth: %q", body)
	}
}

func TestDigestChallengeParsing(t *testing.T) {
	tests := []struct {
		values []string
		want   map[string]string
	}{
		{[]string{`Digest realm="r", nonce="n", qop="auth,auth-int", algorithm=SHA-256`},
			map[string]string{"realm": "r", "nonce": "n", "qop": "auth,auth-int", "algorithm": "SHA-256"}},
		{[]string{`Basic realm="b", Digest realm="a \"q\"", NONCE=abc`},
			map[string]string{"realm": `a "q"`, "nonce": "abc"}},
		{[]string{`Bearer abc==, Digest nonce="x",opaque="o"`},
			map[string]string{"nonce": "x", "opaque": "o"}},
		{[]string{`Basic realm="x"`, `digest nonce="late"`}, map[string]string{"nonce": "late"}},
		{[]string{`Basic realm="x"`}, nil},
		{[]string{`Digest realm="no nonce"`}, nil},
		{[]string{`Digest`, `=`, `"`, `Digest nonce=`}, nil},
	}
	for _, tt := range tests {
		got, ok := aiohttp.DigestChallenge(tt.values)
		if ok != (tt.want != nil) || len(got) != len(tt.want) {
			t.Errorf("%q: %v, %v", tt.values, got, ok)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%q: %s=%q, want %q", tt.values, k, got[k], v)
			}
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	if d, ok := aiohttp.RetryAfter(" 120 "); !ok || d != 2*time.Minute {
		t.Errorf("seconds: %v %v", d, ok)
	}
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if d, ok := aiohttp.RetryAfter(future); !ok || d < 59*time.Minute || d > time.Hour {
		t.Errorf("date: %v %v", d, ok)
	}
	if d, ok := aiohttp.RetryAfter("Mon, 01 Jan 2001 00:00:00 GMT"); !ok || d != 0 {
		t.Errorf("past date: %v %v", d, ok)
	}
	for _, bad := range []string{"", "-1", "soon", "1.5"} {
		if _, ok := aiohttp.RetryAfter(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
