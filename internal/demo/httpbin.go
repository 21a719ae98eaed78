package demo

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/web"
)

// addHTTPBin adds the routes that answer, in httpbin.org's shapes, the
// httpbin endpoints the seed tutorials' client examples call, so that every
// client example runs against the demo as the seed runs against httpbin:
//
//	GET  /get, /headers       {"args", "headers", "origin", "url"}
//	POST /post, PUT /put      the same plus "data", "files", "form", "json"
//	GET  /delay/{n}           the /get answer after n seconds (at most 10;
//	                          sooner when the client goes away)
//	ANY  /status/{code}       that status with an empty body
//	GET  /html                an HTML page
//	GET  /json                {"slideshow": {..., "title": "Sample Slide Show"}}
//	GET  /bytes/{n}           n pseudo-random bytes (at most 100 KiB)
//	GET  /stream-bytes/{n}    the same, chunked, in ?chunk_size pieces (10240)
//
// JSON objects have their keys sorted, as httpbin's do. Header names are
// title-cased ("User-Agent") and repeated fields joined with commas, as
// httpbin shows them. Byte bodies are the same on every call for the same
// ?seed (0 when absent).
func addHTTPBin(r *web.Router) {
	r.Get("/get", binGet)
	r.Get("/headers", binHeaders)
	r.Post("/post", binBody)
	r.Put("/put", binBody)
	r.Get("/delay/{n}", binDelay)
	r.Any("/status/{code}", binStatus)
	r.Get("/html", binHTML)
	r.Get("/json", binJSON)
	r.Get("/bytes/{n}", binBytes)
	r.Get("/stream-bytes/{n}", binStreamBytes)
}

func binGet(req *web.Request) (web.Response, error) {
	return web.JSON(echo(req))
}

func binHeaders(req *web.Request) (web.Response, error) {
	return web.JSON(map[string]any{"headers": headers(req)})
}

// echo is httpbin's answer to a request without a body.
func echo(req *web.Request) map[string]any {
	return map[string]any{
		"args":    flatten(req.Query()),
		"headers": headers(req),
		"origin":  req.Remote(),
		"url":     req.URL().String(),
	}
}

// binBody is httpbin's /post and /put: the request echoed, its body in
// "data" (or in "form" when it is urlencoded) and, when the body is JSON,
// parsed in "json".
func binBody(req *web.Request) (web.Response, error) {
	out := echo(req)
	out["files"] = map[string]any{}
	out["form"] = map[string]any{}
	out["data"] = ""
	out["json"] = nil
	if req.ContentType() == "application/x-www-form-urlencoded" {
		form, err := req.Post()
		if err != nil {
			return nil, err
		}
		out["form"] = flatten(form)
	} else {
		body, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		out["data"] = string(body)
		var v json.RawMessage
		if json.Unmarshal(body, &v) == nil {
			out["json"] = v
		}
	}
	return web.JSON(out)
}

func binDelay(req *web.Request) (web.Response, error) {
	n, err := strconv.ParseFloat(req.MatchInfo().Get("n"), 64)
	if err != nil || n < 0 {
		return nil, web.HTTPBadRequest()
	}
	t := time.NewTimer(time.Duration(min(n, 10) * float64(time.Second)))
	defer t.Stop()
	select {
	case <-t.C:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	return web.JSON(echo(req))
}

func binStatus(req *web.Request) (web.Response, error) {
	code, err := strconv.Atoi(req.MatchInfo().Get("code"))
	if err != nil || code < 200 || code > 599 {
		return nil, web.HTTPBadRequest().WithText("Invalid status code")
	}
	return web.NewResponse(code).SetContentType("text/html").SetCharset("utf-8"), nil
}

// HTMLPage is the body of GET /html.
const HTMLPage = `<!DOCTYPE html>
<html>
  <head>
  </head>
  <body>
      <h1>An example page</h1>
      <div>
        <p>
          Served by the httpbin stand-in of the aiohttp examples' tests.
        </p>
      </div>
  </body>
</html>`

func binHTML(*web.Request) (web.Response, error) {
	return web.Text(HTMLPage).SetContentType("text/html"), nil
}

func binJSON(*web.Request) (web.Response, error) {
	type slide struct {
		Items []string `json:"items,omitempty"`
		Title string   `json:"title"`
		Type  string   `json:"type"`
	}
	return web.JSON(map[string]any{"slideshow": map[string]any{
		"author": "Yours Truly",
		"date":   "date of publication",
		"slides": []slide{
			{Title: "Wake up to WonderWidgets!", Type: "all"},
			{Title: "Overview", Type: "all", Items: []string{"Why WonderWidgets are great", "Who buys WonderWidgets"}},
		},
		"title": "Sample Slide Show",
	}})
}

// maxBytes is httpbin's bound on /bytes and /stream-bytes.
const maxBytes = 100 << 10

// randomBytes returns n bytes of the pseudo-random sequence named by the
// request's ?seed.
func randomBytes(req *web.Request, n int) []byte {
	seed, _ := strconv.ParseUint(req.Query().Get("seed"), 10, 64)
	rnd := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)})
	b := make([]byte, n)
	_, _ = rnd.Read(b) // never fails
	return b
}

func byteCount(req *web.Request) (int, error) {
	n, err := strconv.Atoi(req.MatchInfo().Get("n"))
	if err != nil || n < 0 {
		return 0, web.HTTPBadRequest()
	}
	return min(n, maxBytes), nil
}

func binBytes(req *web.Request) (web.Response, error) {
	n, err := byteCount(req)
	if err != nil {
		return nil, err
	}
	return web.Bytes(randomBytes(req, n)).SetContentType("application/octet-stream"), nil
}

func binStreamBytes(req *web.Request) (web.Response, error) {
	n, err := byteCount(req)
	if err != nil {
		return nil, err
	}
	size := 10240
	if s := req.Query().Get("chunk_size"); s != "" {
		if size, err = strconv.Atoi(s); err != nil || size <= 0 {
			return nil, web.HTTPBadRequest()
		}
	}
	body := randomBytes(req, n)
	resp := web.NewStreamResponse()
	resp.Header().Set("Content-Type", "application/octet-stream")
	if err := resp.Prepare(req); err != nil {
		return nil, err
	}
	for len(body) > 0 {
		k := min(size, len(body))
		if _, err := resp.Write(body[:k]); err != nil {
			return nil, err
		}
		if err := resp.Flush(); err != nil {
			return nil, err
		}
		body = body[k:]
	}
	return resp, nil
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
	return out
}

// titleCase writes a header name as "Accept-Encoding".
func titleCase(name string) string {
	b := []byte(strings.ToLower(name))
	up := true
	for i, c := range b {
		if up && 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '-'
	}
	return string(b)
}
