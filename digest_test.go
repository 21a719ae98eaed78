package aiohttp_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

// digestServer checks RFC 7616 Digest credentials for user "Mufasa" with
// password "Circle of Life" (the RFC's example).
type digestServer struct {
	algorithm, qop string
	userhash       bool

	mu         sync.Mutex
	challenges int
	lastNC     map[string]int64 // by nonce
	failures   []string
}

func (d *digestServer) fail(why string) {
	d.mu.Lock()
	d.failures = append(d.failures, why)
	d.mu.Unlock()
}

func (d *digestServer) h(parts ...string) string {
	var x hash.Hash = md5.New()
	if strings.HasPrefix(d.algorithm, "SHA-256") {
		x = sha256.New()
	}
	x.Write([]byte(strings.Join(parts, ":")))
	return hex.EncodeToString(x.Sum(nil))
}

func (d *digestServer) handle(r *web.Request) (web.Response, error) {
	const realm, user, password = "http-auth@example.org", "Mufasa", "Circle of Life"
	body, _ := r.Bytes()
	params, ok := parseDigest(r.Header().Get("Authorization"))
	if !ok {
		d.mu.Lock()
		d.challenges++
		nonce := "nonce" + strconv.Itoa(d.challenges)
		d.mu.Unlock()
		ch := `Digest realm="` + realm + `", qop="` + d.qop + `", algorithm=` + d.algorithm +
			`, nonce="` + nonce + `", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`
		if d.userhash {
			ch += ", userhash=true"
		}
		e := web.HTTPUnauthorized()
		e.Headers.Add("WWW-Authenticate", `Basic realm="other", charset="UTF-8"`)
		e.Headers.Add("WWW-Authenticate", ch)
		return nil, e
	}
	wantUser := user
	if d.userhash {
		wantUser = d.h(user, realm)
	}
	nonce, cnonce, qop := params["nonce"], params["cnonce"], params["qop"]
	ha1 := d.h(user, realm, password)
	if strings.HasSuffix(d.algorithm, "-sess") {
		ha1 = d.h(ha1, nonce, cnonce)
	}
	ha2 := d.h(r.Method(), params["uri"])
	if qop == "auth-int" {
		ha2 = d.h(r.Method(), params["uri"], d.h(string(body)))
	}
	want := d.h(ha1, nonce, params["nc"], cnonce, qop, ha2)
	nc, _ := strconv.ParseInt(params["nc"], 16, 64)
	d.mu.Lock()
	last := d.lastNC[nonce]
	d.lastNC[nonce] = nc
	d.mu.Unlock()
	switch {
	case params["username"] != wantUser:
		d.fail("username " + params["username"])
	case params["uri"] != r.PathQS():
		d.fail("uri " + params["uri"])
	case params["algorithm"] != d.algorithm:
		d.fail("algorithm " + params["algorithm"])
	case params["opaque"] != "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS":
		d.fail("opaque")
	case nc <= last:
		d.fail("nonce count did not increase")
	case params["response"] != want:
		d.fail("response")
	default:
		return web.Text("welcome " + qop), nil
	}
	return nil, web.HTTPForbidden()
}

// parseDigest parses a Digest Authorization value.
func parseDigest(v string) (map[string]string, bool) {
	rest, ok := strings.CutPrefix(v, "Digest ")
	if !ok {
		return nil, false
	}
	params := map[string]string{}
	for rest != "" {
		name, after, _ := strings.Cut(strings.TrimLeft(rest, ", "), "=")
		var value string
		if strings.HasPrefix(after, `"`) {
			end := strings.Index(after[1:], `"`)
			value, rest = after[1:1+end], after[2+end:]
		} else {
			value, rest, _ = strings.Cut(after, ",")
		}
		params[name] = value
	}
	return params, true
}

func TestDigestAuth(t *testing.T) {
	for _, tt := range []struct {
		algorithm, qop string
		userhash       bool
		want           string
	}{
		{"MD5", "auth", false, "welcome auth"},
		{"MD5-sess", "auth", false, "welcome auth"},
		{"SHA-256", "auth, auth-int", true, "welcome auth"},
		{"SHA-256-sess", "auth-int", false, "welcome auth-int"},
	} {
		t.Run(tt.algorithm+"/"+tt.qop, func(t *testing.T) {
			d := &digestServer{algorithm: tt.algorithm, qop: tt.qop, userhash: tt.userhash, lastNC: map[string]int64{}}
			base := serveApp(t, func(app *web.Application) { app.Router.Any("/dir/{x}", d.handle) })
			s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{
				aiohttp.DigestAuthMiddleware("Mufasa", "Circle of Life"),
			}})
			for i := range 3 {
				resp, err := s.Post(testCtx(t), "/dir/index.html?page="+strconv.Itoa(i), aiohttp.String("payload"))
				if err != nil {
					t.Fatal(err)
				}
				if body := readBody(t, resp); resp.Status != 200 || body != tt.want {
					t.Fatalf("request %d: %d %q, failures %v", i, resp.Status, body, d.failures)
				}
			}
			// One challenge; later requests authorized up front.
			if d.challenges != 1 || len(d.failures) != 0 {
				t.Errorf("%d challenges, failures %v", d.challenges, d.failures)
			}
		})
	}
}

func TestDigestAuthWrongPassword(t *testing.T) {
	d := &digestServer{algorithm: "MD5", qop: "auth", lastNC: map[string]int64{}}
	base := serveApp(t, func(app *web.Application) { app.Router.Any("/x", d.handle) })
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{
		aiohttp.DigestAuthMiddleware("Mufasa", "wrong"),
	}})
	resp, _ := get(t, s, "/x")
	if resp.Status != 403 {
		t.Errorf("status %d", resp.Status)
	}
	// A server without Digest: the 401 is returned as is.
	plain := serveApp(t, func(app *web.Application) {
		app.Router.Get("/x", func(*web.Request) (web.Response, error) {
			e := web.HTTPUnauthorized()
			e.Headers.Add("WWW-Authenticate", `Basic realm="x"`)
			return nil, e
		})
	})
	resp, _ = get(t, s, plain+"/x")
	if resp.Status != 401 {
		t.Errorf("status %d", resp.Status)
	}
}
