package demo

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/web"
)

// addHTTPBin adds the routes of python-httpbin (httpbin.org) that clients
// and their tests call most, with httpbin's JSON shapes and statuses, so
// that every client example runs against the demo as the seeds run
// against httpbin. The request echo (this file):
//
//	GET /get                       {"args", "headers", "origin", "url"}
//	POST /post, PUT /put,          the same plus "data", "files", "form",
//	PATCH /patch, DELETE /delete   "json"
//	ANY /anything[/{path}]         the same plus "method"
//	GET /headers, /ip, /user-agent {"headers"}, {"origin"}, {"user-agent"}
//	GET /uuid                      {"uuid"}
//	GET /base64/{value}            the URL-safe base64 value, decoded
//	GET /gzip, /deflate, /brotli   {"headers", "method", "origin", "gzipped"
//	                               (or "deflated", "brotli"): true}, in that
//	                               coding whatever the client accepts
//
// statuses, redirects, cookies, authentication and caching
// (httpbin_status.go), and generated bodies (httpbin_data.go).
//
// Header names are shown as httpbin shows them ("User-Agent"), repeated
// fields joined with commas, proxy fields (X-Forwarded-For, Via, ...)
// hidden unless ?show_env is given. A body that is not UTF-8 is shown in
// "data" as a data: URL, as are such files.
func addHTTPBin(r *web.Router) {
	r.Get("/get", binGet)
	r.Post("/post", binBody)
	r.Put("/put", binBody)
	r.Patch("/patch", binBody)
	r.Delete("/delete", binBody)
	r.Any("/anything", binAnything)
	r.Any("/anything/{path:.*}", binAnything)
	r.Get("/headers", binHeaders)
	r.Get("/ip", binIP)
	r.Get("/user-agent", binUserAgent)
	r.Get("/uuid", binUUID)
	r.Get("/base64/{value}", binBase64)
	r.Get("/gzip", binEncoded("gzip", "gzipped"))
	r.Get("/deflate", binEncoded("deflate", "deflated"))
	r.Get("/brotli", binEncoded("br", "brotli"))
	addHTTPBinStatus(r)
	addHTTPBinData(r)
}

func binGet(req *web.Request) (web.Response, error) {
	return web.JSON(echo(req))
}

// echo is httpbin's answer to a request without a body.
func echo(req *web.Request) map[string]any {
	return map[string]any{
		"args":    flatten(req.Query()),
		"headers": headers(req),
		"origin":  origin(req),
		"url":     req.URL().String(),
	}
}

// binBody is httpbin's /post, /put, /patch and /delete: the request
// echoed with its body.
func binBody(req *web.Request) (web.Response, error) {
	out, err := echoBody(req)
	if err != nil {
		return nil, err
	}
	return web.JSON(out)
}

// binAnything is httpbin's /anything: binBody's answer and the method.
func binAnything(req *web.Request) (web.Response, error) {
	out, err := echoBody(req)
	if err != nil {
		return nil, err
	}
	out["method"] = req.Method()
	return web.JSON(out)
}

// echoBody is echo with the body: in "form" and "files" when it is a
// form, otherwise in "data" and, when it parses, in "json".
func echoBody(req *web.Request) (map[string]any, error) {
	out := echo(req)
	out["files"] = map[string]any{}
	out["form"] = map[string]any{}
	out["data"] = ""
	out["json"] = nil
	switch req.ContentType() {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		form, err := req.Post()
		if err != nil {
			return nil, err
		}
		out["form"] = flatten(form)
		if out["files"], err = filesJSON(req); err != nil {
			return nil, err
		}
	default:
		body, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		out["data"] = jsonSafe(body, "application/octet-stream")
		var v json.RawMessage
		if json.Unmarshal(body, &v) == nil {
			out["json"] = v
		}
	}
	return out, nil
}

// filesJSON is httpbin's "files": by field name, the content of the
// first file of that name (httpbin shows no other), as jsonSafe shows it.
func filesJSON(req *web.Request) (map[string]any, error) {
	files, err := req.Files()
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(files))
	for _, f := range files {
		if _, seen := out[f.Name]; seen {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out[f.Name] = jsonSafe(b, f.ContentType)
	}
	return out, nil
}

// jsonSafe is httpbin's json_safe: UTF-8 text as it is, other bytes as a
// base64 data: URL of the given content type.
func jsonSafe(b []byte, contentType string) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return "data:" + contentType + ";base64," + base64.StdEncoding.EncodeToString(b)
}

func binHeaders(req *web.Request) (web.Response, error) {
	return web.JSON(map[string]any{"headers": headers(req)})
}

func binIP(req *web.Request) (web.Response, error) {
	return web.JSON(map[string]string{"origin": origin(req)})
}

func binUserAgent(req *web.Request) (web.Response, error) {
	return web.JSON(map[string]any{"user-agent": userAgent(req)})
}

// userAgent is the User-Agent field, or nil (JSON null) without one.
func userAgent(req *web.Request) any {
	if ua, ok := req.Header().Lookup("User-Agent"); ok {
		return ua
	}
	return nil
}

func binUUID(*web.Request) (web.Response, error) {
	return web.JSON(map[string]string{"uuid": newUUID()})
}

// binEncoded answers httpbin's /gzip, /deflate or /brotli: the request's
// origin, headers and method, and flag set to true, in the coding named.
func binEncoded(coding, flag string) web.Handler {
	return func(req *web.Request) (web.Response, error) {
		resp, err := web.JSON(map[string]any{
			"origin": origin(req), "headers": headers(req), "method": req.Method(), flag: true,
		})
		if err != nil {
			return nil, err
		}
		return resp.EnableCompression(coding), nil
	}
}

// binBase64 answers the URL-safe base64 {value} decoded, as text.
func binBase64(req *web.Request) (web.Response, error) {
	v := req.MatchInfo().Get("value")
	b, err := base64.URLEncoding.DecodeString(v)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(v)
	}
	if err != nil || !utf8.Valid(b) {
		return nil, web.HTTPBadRequest().WithText("Incorrect Base64 data try: SFRUUEJJTiBpcyBhd2Vzb21l")
	}
	return web.Bytes(b).SetContentType("text/html").SetCharset("utf-8"), nil
}

// origin is the client's address as httpbin reports it: the
// X-Forwarded-For field when there is one.
func origin(req *web.Request) string {
	if f, ok := req.Header().Lookup("X-Forwarded-For"); ok {
		return f
	}
	return req.Remote()
}

// flatten turns a multidict into httpbin's JSON: a key's one value as a
// string, several values as a list.
func flatten(d *multidict.MultiDict) map[string]any {
	out := make(map[string]any, d.Len())
	for _, k := range d.Keys() {
		if _, done := out[k]; done {
			continue
		}
		if vs := d.GetAll(k); len(vs) == 1 {
			out[k] = vs[0]
		} else {
			out[k] = vs
		}
	}
	return out
}

// envHeaders are the fields a proxy in front of httpbin adds, which it
// hides unless ?show_env is given.
var envHeaders = []string{
	"X-Varnish", "X-Request-Start", "X-Heroku-Queue-Depth", "X-Real-Ip",
	"X-Forwarded-Proto", "X-Forwarded-Protocol", "X-Forwarded-Ssl",
	"X-Heroku-Queue-Wait-Time", "X-Forwarded-For", "X-Heroku-Dynos-In-Use",
	"X-Forwarded-Port", "X-Request-Id", "Via", "Total-Route-Time", "Connect-Time",
}

// headers returns the request's header fields as httpbin shows them.
func headers(req *web.Request) map[string]string {
	out := make(map[string]string)
	for k, v := range req.Header().All() {
		k = titleCase(k)
		if prev, ok := out[k]; ok {
			v = prev + "," + v
		}
		out[k] = v
	}
	if !req.Query().Has("show_env") {
		for _, k := range envHeaders {
			delete(out, k)
		}
	}
	return out
}

// titleCase writes a header name as WSGI servers hand it to httpbin, with
// Python's str.title: a letter after anything but a letter is upper
// case, every other letter lower case ("accept-encoding" becomes
// "Accept-Encoding", "x-api2key" becomes "X-Api2Key").
func titleCase(name string) string {
	b := []byte(strings.ToLower(name))
	up := true
	for i, c := range b {
		letter := 'a' <= c && c <= 'z'
		if up && letter {
			b[i] = c - 'a' + 'A'
		}
		up = !letter
	}
	return string(b)
}
