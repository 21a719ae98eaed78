package demo

import (
	cryptorand "crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// addHTTPBinStatus adds httpbin's routes for statuses, redirects,
// cookies, authentication and caching:
//
//	ANY /status/{codes}            that status ("200,500:3" picks one at
//	                               random by weight), with httpbin's extras
//	                               (a Location for redirects, a challenge
//	                               for 401 and 407, ...)
//	GET /response-headers?k=v      k: v among the response headers, and
//	                               every response header in the JSON body
//	GET /redirect/{n}              302 n times, then /get (?absolute=true
//	                               for absolute Locations)
//	GET /relative-redirect/{n}     the same with relative Locations
//	GET /absolute-redirect/{n}     the same with absolute Locations
//	ANY /redirect-to?url=U         302 (or ?status_code) to U
//	GET /cookies                   {"cookies": {...}}
//	GET /cookies/set?k=v           sets cookies, then redirects to /cookies
//	GET /cookies/set/{name}/{value}
//	GET /cookies/delete?k          deletes cookies, then redirects
//	GET /basic-auth/{user}/{passwd}         {"authenticated", "user"} or 401
//	GET /hidden-basic-auth/{user}/{passwd}  the same, 404 instead of 401
//	GET /bearer                    {"authenticated", "token"} or 401
//	GET /cache                     304 for a conditional request, else /get
//	                               with Last-Modified and ETag
//	GET /cache/{n}                 /get with Cache-Control max-age=n
//	GET /etag/{etag}               /get with that ETag, 304 or 412 for
//	                               matching If-None-Match or failing If-Match
func addHTTPBinStatus(r *web.Router) {
	r.Any("/status/{codes}", binStatus)
	r.Any("/redirect-to", binRedirectTo)
	r.Get("/response-headers", binResponseHeaders)
	r.Post("/response-headers", binResponseHeaders)
	r.Get("/redirect/{n}", binRedirect)
	r.Get("/relative-redirect/{n}", binRelativeRedirect)
	r.Get("/absolute-redirect/{n}", binAbsoluteRedirect)
	r.Get("/cookies", binCookies)
	r.Get("/cookies/set", binSetCookies)
	r.Get("/cookies/set/{name}/{value}", binSetCookie)
	r.Get("/cookies/delete", binDeleteCookies)
	r.Get("/basic-auth/{user}/{passwd}", binBasicAuth(401))
	r.Get("/hidden-basic-auth/{user}/{passwd}", binBasicAuth(404))
	r.Get("/bearer", binBearer)
	r.Get("/cache", binCache)
	r.Get("/cache/{n}", binCacheControl)
	r.Get("/etag/{etag}", binETag)
}

// binStatus answers the status of {codes}: one code, or several with
// optional weights ("200:2,500:1"), one of which is chosen at random.
func binStatus(req *web.Request) (web.Response, error) {
	codes := req.MatchInfo().Get("codes")
	var choices []int
	var weights []float64
	total := 0.0
	for choice := range strings.SplitSeq(codes, ",") {
		code, weight, hasWeight := strings.Cut(choice, ":")
		c, err := strconv.Atoi(code)
		w := 1.0
		if hasWeight {
			w, err = parseWeight(weight, err)
		}
		if err != nil || c < 200 || c > 599 {
			return nil, web.HTTPBadRequest().WithText("Invalid status code")
		}
		choices, weights = append(choices, c), append(weights, w)
		total += w
	}
	code := choices[len(choices)-1]
	x := rand.Float64() * total
	for i, w := range weights {
		if x < w {
			code = choices[i]
			break
		}
		x -= w
	}
	return statusResponse(code), nil
}

// parseWeight parses a weight of /status/{codes}, unless the code before
// it failed to parse (err).
func parseWeight(s string, err error) (float64, error) {
	if err != nil {
		return 0, err
	}
	w, err := strconv.ParseFloat(s, 64)
	if err == nil && (w < 0 || math.IsNaN(w) || math.IsInf(w, 0)) {
		err = strconv.ErrRange
	}
	return w, err
}

// teapot is the body of status 418.
const teapot = `
    -=[ teapot ]=-

       _...._
     .'  _ _ ` + "`" + `.
    | ."` + "`" + ` ^ ` + "`" + `". _,
    \_;` + "`" + `"---"` + "`" + `|//
      |       ;/
      \_     _/
        ` + "`" + `"""` + "`" + `
`

// statusResponse is httpbin's answer with status code: an empty HTML body
// except for the few statuses httpbin dresses up.
func statusResponse(code int) *web.BodyResponse {
	resp := web.NewResponse(code).SetContentType("text/html").SetCharset("utf-8")
	switch code {
	case 301, 302, 303, 305, 307:
		resp.SetHeader("Location", "/redirect/1")
	case 401:
		resp.SetHeader("WWW-Authenticate", `Basic realm="Fake Realm"`)
	case 402:
		resp.SetText("Payment required: this is a demo.").SetHeader("X-More-Info", "http://vimeo.com/22053820")
	case 406:
		resp.SetText(`{"accept": ["image/webp", "image/svg+xml", "image/jpeg", "image/png", "image/*"], ` +
			`"message": "Client did not request a supported media type."}`).SetContentType("application/json")
	case 407:
		resp.SetHeader("Proxy-Authenticate", `Basic realm="Fake Realm"`)
	case 418:
		resp.SetText(teapot).SetHeader("X-More-Info", "http://tools.ietf.org/html/rfc2324")
	}
	return resp
}

// binResponseHeaders answers with the query's fields among its headers,
// and a JSON body listing every header it sends, Content-Length included
// (computed until the length it states is its own).
func binResponseHeaders(req *web.Request) (web.Response, error) {
	resp := web.NewResponse(200, web.WithContentType("application/json"))
	listed := map[string]any{"Content-Type": "application/json"}
	for k, v := range req.Query().All() {
		resp.Header().Add(k, v)
		switch prev := listed[k].(type) {
		case nil:
			listed[k] = v
		case string:
			listed[k] = []string{prev, v}
		case []string:
			listed[k] = append(prev, v)
		}
	}
	var body []byte
	for n := 0; ; {
		listed["Content-Length"] = strconv.Itoa(n)
		var err error
		if body, err = json.Marshal(listed); err != nil {
			return nil, err
		}
		body = append(body, '\n') // as httpbin's JSON ends
		if len(body) == n {
			break
		}
		n = len(body)
	}
	return resp.SetBody(body), nil
}

// redirectTo is Flask's redirect: 302 to location with a small HTML page.
func redirectTo(location string) *web.BodyResponse {
	page := `<!doctype html>
<html lang=en>
<title>Redirecting...</title>
<h1>Redirecting...</h1>
<p>You should be redirected automatically to the target URL: <a href="` + html.EscapeString(location) + `">` +
		html.EscapeString(location) + "</a>. If not, click the link.\n"
	return web.Text(page, web.WithStatus(302), web.WithHeader("Location", location)).SetContentType("text/html")
}

// redirectCount reads the {n} of the redirect routes, at least 1.
func redirectCount(req *web.Request) (int, error) {
	n, err := strconv.Atoi(req.MatchInfo().Get("n"))
	if err != nil || n < 1 {
		return 0, web.HTTPBadRequest().WithText("n must be a positive integer")
	}
	return n, nil
}

// external makes path an absolute URL on the server the request came to.
func external(req *web.Request, path string) string {
	return req.Scheme() + "://" + req.Host() + path
}

func binRedirect(req *web.Request) (web.Response, error) {
	n, err := redirectCount(req)
	if err != nil {
		return nil, err
	}
	absolute := strings.EqualFold(req.Query().Get("absolute"), "true")
	next := "/get"
	switch {
	case n > 1 && absolute:
		next = "/absolute-redirect/" + strconv.Itoa(n-1)
	case n > 1:
		next = "/relative-redirect/" + strconv.Itoa(n-1)
	}
	if absolute {
		next = external(req, next)
	}
	return redirectTo(next), nil
}

func binRelativeRedirect(req *web.Request) (web.Response, error) {
	n, err := redirectCount(req)
	if err != nil {
		return nil, err
	}
	next := "/get"
	if n > 1 {
		next = "/relative-redirect/" + strconv.Itoa(n-1)
	}
	return web.NewResponse(302, web.WithHeader("Location", next)).SetContentType("text/html").SetCharset("utf-8"), nil
}

func binAbsoluteRedirect(req *web.Request) (web.Response, error) {
	n, err := redirectCount(req)
	if err != nil {
		return nil, err
	}
	next := "/get"
	if n > 1 {
		next = "/absolute-redirect/" + strconv.Itoa(n-1)
	}
	return redirectTo(external(req, next)), nil
}

// binRedirectTo redirects to ?url with ?status_code (a 3xx; 302
// otherwise); the parameter names are case-insensitive, as httpbin's are.
func binRedirectTo(req *web.Request) (web.Response, error) {
	var target, status string
	var haveTarget bool
	for k, v := range req.Query().All() {
		switch strings.ToLower(k) {
		case "url":
			target, haveTarget = v, true
		case "status_code":
			status = v
		}
	}
	if !haveTarget {
		return nil, web.HTTPBadRequest().WithText("missing url parameter")
	}
	code := 302
	if c, err := strconv.Atoi(status); err == nil && c >= 300 && c < 400 {
		code = c
	}
	return web.NewResponse(code, web.WithHeader("Location", target)).SetContentType("text/html").SetCharset("utf-8"), nil
}

// envCookies are analytics cookies httpbin hides unless ?show_env is
// given.
var envCookies = []string{
	"_gauges_unique", "_gauges_unique_year", "_gauges_unique_month",
	"_gauges_unique_day", "_gauges_unique_hour", "__utmz", "__utma", "__utmb",
}

func binCookies(req *web.Request) (web.Response, error) {
	cookies := map[string]string{}
	for k, v := range req.Cookies().All() {
		cookies[k] = v
	}
	if !req.Query().Has("show_env") {
		for _, k := range envCookies {
			delete(cookies, k)
		}
	}
	return web.JSON(map[string]any{"cookies": cookies})
}

// setCookie is the cookie Flask's set_cookie sets: for the whole site,
// Secure over TLS.
func setCookie(req *web.Request, name, value string) web.Cookie {
	return web.Cookie{Name: name, Value: value, Path: "/", Secure: req.Secure()}
}

func binSetCookies(req *web.Request) (web.Response, error) {
	resp := redirectTo("/cookies")
	for k, v := range req.Query().All() {
		resp.SetCookie(setCookie(req, k, v))
	}
	return resp, nil
}

func binSetCookie(req *web.Request) (web.Response, error) {
	m := req.MatchInfo()
	return redirectTo("/cookies").SetCookie(setCookie(req, m.Get("name"), m.Get("value"))), nil
}

func binDeleteCookies(req *web.Request) (web.Response, error) {
	resp := redirectTo("/cookies")
	for _, k := range req.Query().Keys() {
		resp.DelCookie(k, "", "/")
	}
	return resp, nil
}

// basicCredentials returns the user and password of a Basic
// Authorization field.
func basicCredentials(req *web.Request) (user, passwd string, ok bool) {
	scheme, token, _ := strings.Cut(req.Header().Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(raw), ":")
}

// binBasicAuth answers {"authenticated": true, "user": ...} to the
// credentials of the path, and status failed (with a challenge for 401)
// to others.
func binBasicAuth(failed int) web.Handler {
	return func(req *web.Request) (web.Response, error) {
		m := req.MatchInfo()
		user, passwd, ok := basicCredentials(req)
		if !ok || user != m.Get("user") || passwd != m.Get("passwd") {
			return statusResponse(failed), nil
		}
		return web.JSON(map[string]any{"authenticated": true, "user": user})
	}
}

func binBearer(req *web.Request) (web.Response, error) {
	auth, ok := req.Header().Lookup("Authorization")
	if !ok {
		return web.NewResponse(401, web.WithHeader("WWW-Authenticate", "Bearer")).SetContentType("text/html").SetCharset("utf-8"), nil
	}
	return web.JSON(map[string]any{"authenticated": true, "token": strings.TrimPrefix(auth, "Bearer ")})
}

// binCache answers 304 to a conditional request, otherwise /get's answer
// with a fresh Last-Modified and ETag.
func binCache(req *web.Request) (web.Response, error) {
	h := req.Header()
	if h.Has("If-Modified-Since") || h.Has("If-None-Match") {
		return statusResponse(304), nil
	}
	resp, err := web.JSON(echo(req))
	if err != nil {
		return nil, err
	}
	resp.SetHeader("Last-Modified", time.Now().UTC().Format(http1Date))
	resp.SetHeader("ETag", hex.EncodeToString(randomID()))
	return resp, nil
}

// http1Date is the IMF-fixdate layout of HTTP dates.
const http1Date = "Mon, 02 Jan 2006 15:04:05 GMT"

func binCacheControl(req *web.Request) (web.Response, error) {
	n, err := strconv.Atoi(req.MatchInfo().Get("n"))
	if err != nil || n < 0 {
		return nil, web.HTTPBadRequest()
	}
	resp, err := web.JSON(echo(req))
	if err != nil {
		return nil, err
	}
	return resp.SetHeader("Cache-Control", "public, max-age="+strconv.Itoa(n)), nil
}

// binETag treats {etag} as the resource's entity tag: 304 when
// If-None-Match names it (or *), 412 when If-Match does not, otherwise
// /get's answer with that ETag.
func binETag(req *web.Request) (web.Response, error) {
	etag := req.MatchInfo().Get("etag")
	noneMatch := etagList(req.Header().Get("If-None-Match"))
	match := etagList(req.Header().Get("If-Match"))
	switch {
	case len(noneMatch) > 0:
		if containsETag(noneMatch, etag) {
			return statusResponse(304).SetHeader("ETag", etag), nil
		}
	case len(match) > 0:
		if !containsETag(match, etag) {
			return statusResponse(412), nil
		}
	}
	resp, err := web.JSON(echo(req))
	if err != nil {
		return nil, err
	}
	return resp.SetHeader("ETag", etag), nil
}

// etagList splits an If-Match or If-None-Match value into its tags,
// without W/ and quotes, as httpbin compares them.
func etagList(v string) []string {
	if v == "" {
		return nil
	}
	var tags []string
	for part := range strings.SplitSeq(v, ",") {
		part = strings.TrimSpace(part)
		part = strings.TrimPrefix(part, "W/")
		tags = append(tags, strings.Trim(part, `"`))
	}
	return tags
}

func containsETag(tags []string, etag string) bool {
	for _, t := range tags {
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// randomID returns 16 random bytes.
func randomID() []byte {
	b := make([]byte, 16)
	_, _ = cryptorand.Read(b) // never fails
	return b
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	b := randomID()
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
