package demo

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// addHTTPBinData adds httpbin's routes that generate bodies:
//
//	GET /html, /xml, /json         a sample document of that type
//	GET /bytes/{n}                 n pseudo-random bytes (at most 100 KiB)
//	GET /stream-bytes/{n}          the same, chunked, in ?chunk_size pieces
//	GET /stream/{n}                n lines of /get's JSON with an "id"
//	                               (at most 100), chunked
//	GET /range/{n}                 n bytes "abc...", honouring a Range
//	                               (206, 416) and ?duration, ?chunk_size
//	GET /drip                      ?numbytes "*" spread over ?duration
//	                               seconds after ?delay, with status ?code
//	GET /delay/{n}                 /get's answer after n seconds (at most
//	                               10; sooner when the client goes away)
//
// Byte bodies are the same on every call for the same ?seed (0 when
// absent).
func addHTTPBinData(r *web.Router) {
	r.Get("/html", binHTML)
	r.Get("/xml", binXML)
	r.Get("/json", binJSON)
	r.Get("/bytes/{n}", binBytes)
	r.Get("/stream-bytes/{n}", binStreamBytes)
	r.Get("/stream/{n}", binStream)
	r.Get("/range/{n}", binRange)
	r.Get("/drip", binDrip)
	r.Get("/delay/{n}", binDelay)
}

// HTMLPage is the body of GET /html.
const HTMLPage = `<!DOCTYPE html>
<html>
  <head>
    <title>An example page</title>
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

// xmlPage is the body of GET /xml.
const xmlPage = `<?xml version='1.0' encoding='us-ascii'?>
<!--  A sample set of slides  -->
<slideshow title="Sample Slide Show" date="Date of publication" author="Yours Truly">
    <slide type="all">
      <title>Wake up to WonderWidgets!</title>
    </slide>
    <slide type="all">
        <title>Overview</title>
        <item>Why <em>WonderWidgets</em> are great</item>
        <item/>
        <item>Who <em>buys</em> WonderWidgets</item>
    </slide>
</slideshow>
`

func binXML(*web.Request) (web.Response, error) {
	return web.Bytes([]byte(xmlPage)).SetContentType("application/xml"), nil
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

// maxBytes is httpbin's bound on /bytes, /stream-bytes and /range.
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

// pathCount reads the {n} of a route, which must be a non-negative
// integer.
func pathCount(req *web.Request) (int, error) {
	n, err := strconv.Atoi(req.MatchInfo().Get("n"))
	if err != nil || n < 0 {
		return 0, web.HTTPBadRequest()
	}
	return n, nil
}

// chunkSize reads ?chunk_size (at least 1; 10240 when absent).
func chunkSize(req *web.Request) (int, error) {
	s, ok := req.Query().Lookup("chunk_size")
	if !ok {
		return 10240, nil
	}
	size, err := strconv.Atoi(s)
	if err != nil {
		return 0, web.HTTPBadRequest().WithText("chunk_size must be an integer")
	}
	return max(size, 1), nil
}

// queryFloat reads a number of the query string, def when absent.
func queryFloat(req *web.Request, name string, def float64) (float64, error) {
	s, ok := req.Query().Lookup(name)
	if !ok {
		return def, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 3600 {
		return 0, web.HTTPBadRequest().WithText(name + " must be a number of seconds")
	}
	return f, nil
}

func binBytes(req *web.Request) (web.Response, error) {
	n, err := pathCount(req)
	if err != nil {
		return nil, err
	}
	return web.Bytes(randomBytes(req, min(n, maxBytes))).SetContentType("application/octet-stream"), nil
}

// streamBody writes body in pieces of size, each flushed, spread evenly
// over duration.
func streamBody(req *web.Request, resp *web.StreamResponse, body []byte, size int, duration time.Duration) error {
	if err := resp.Prepare(req); err != nil {
		return err
	}
	pause := time.Duration(0)
	if len(body) > 0 {
		pause = duration * time.Duration(size) / time.Duration(len(body))
	}
	for len(body) > 0 {
		k := min(size, len(body))
		if _, err := resp.Write(body[:k]); err != nil {
			return err
		}
		if err := resp.Flush(); err != nil {
			return err
		}
		body = body[k:]
		if err := sleep(req, pause); err != nil {
			return err
		}
	}
	return nil
}

// sleep waits d, or until the client goes away.
func sleep(req *web.Request, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-req.Context().Done():
		return req.Context().Err()
	}
}

func binStreamBytes(req *web.Request) (web.Response, error) {
	n, err := pathCount(req)
	if err != nil {
		return nil, err
	}
	size, err := chunkSize(req)
	if err != nil {
		return nil, err
	}
	resp := web.NewStreamResponse()
	resp.Header().Set("Content-Type", "application/octet-stream")
	return resp, streamBody(req, resp, randomBytes(req, min(n, maxBytes)), size, 0)
}

// binStream answers n lines, each /get's JSON with its "id" (0, 1, ...).
func binStream(req *web.Request) (web.Response, error) {
	n, err := pathCount(req)
	if err != nil {
		return nil, err
	}
	resp := web.NewStreamResponse()
	resp.Header().Set("Content-Type", "application/json")
	if err := resp.Prepare(req); err != nil {
		return nil, err
	}
	line := echo(req)
	for i := range min(n, 100) {
		line["id"] = i
		b, err := json.Marshal(line)
		if err != nil {
			return nil, err
		}
		if _, err := resp.Write(append(b, '\n')); err != nil {
			return nil, err
		}
		if err := resp.Flush(); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// binRange answers n bytes "abcd...zabc..." with an ETag, honouring one
// byte range of a Range field as httpbin does: 206 with Content-Range for
// a part, 200 for the whole, 416 for a range outside the body.
func binRange(req *web.Request) (web.Response, error) {
	n, err := pathCount(req)
	if err != nil {
		return nil, err
	}
	tag := "range" + strconv.Itoa(n)
	if n == 0 || n > maxBytes {
		return web.Text("number of bytes must be in the range (0, 102400]", web.WithStatus(404),
			web.WithHeader("ETag", tag), web.WithHeader("Accept-Ranges", "bytes")).SetContentType("text/html"), nil
	}
	size, err := chunkSize(req)
	if err != nil {
		return nil, err
	}
	duration, err := queryFloat(req, "duration", 0)
	if err != nil {
		return nil, err
	}
	first, last, ok := byteRange(req.Header().Get("Range"), n)
	if !ok {
		return web.NewResponse(416, web.WithHeader("ETag", tag), web.WithHeader("Accept-Ranges", "bytes"),
			web.WithHeader("Content-Range", "bytes */"+strconv.Itoa(n))).SetContentType("text/html").SetCharset("utf-8"), nil
	}
	body := make([]byte, 0, last+1-first)
	for i := first; i <= last; i++ {
		body = append(body, 'a'+byte(i%26))
	}
	resp := web.NewStreamResponse()
	h := resp.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("ETag", tag)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Range", "bytes "+strconv.Itoa(first)+"-"+strconv.Itoa(last)+"/"+strconv.Itoa(n))
	resp.SetContentLength(int64(len(body)))
	if first != 0 || last != n-1 {
		_ = resp.SetStatus(206) // not prepared yet: cannot fail
	}
	return resp, streamBody(req, resp, body, size, time.Duration(duration*float64(time.Second)*float64(len(body))/float64(n)))
}

// byteRange reads a "bytes=first-last" Range value as httpbin does (one
// range; either bound may be left out) against a body of n bytes; ok is
// false when the range does not fit it.
func byteRange(v string, n int) (first, last int, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !found {
		return 0, n - 1, true
	}
	a, b, _ := strings.Cut(spec, "-")
	left, errLeft := strconv.Atoi(a)
	right, errRight := strconv.Atoi(b)
	switch {
	case errLeft != nil && errRight != nil:
		first, last = 0, n-1
	case errLeft != nil:
		first, last = max(0, n-right), n-1
	case errRight != nil:
		first, last = left, n-1
	default:
		first, last = left, right
	}
	return first, last, first <= last && first >= 0 && last < n
}

// maxDrip is httpbin's bound on /drip's ?numbytes.
const maxDrip = 10 << 20

// binDrip sends ?numbytes (10) bytes "*" spread over ?duration (2)
// seconds, after ?delay (0) seconds, with status ?code (200).
func binDrip(req *web.Request) (web.Response, error) {
	duration, err := queryFloat(req, "duration", 2)
	if err != nil {
		return nil, err
	}
	delay, err := queryFloat(req, "delay", 0)
	if err != nil {
		return nil, err
	}
	n, code := 10, 200
	if s, ok := req.Query().Lookup("numbytes"); ok {
		if n, err = strconv.Atoi(s); err != nil {
			return nil, web.HTTPBadRequest().WithText("numbytes must be an integer")
		}
	}
	if n <= 0 {
		return web.Text("number of bytes must be positive", web.WithStatus(400)).SetContentType("text/html"), nil
	}
	if s, ok := req.Query().Lookup("code"); ok {
		if code, err = strconv.Atoi(s); err != nil || code < 200 || code > 599 {
			return nil, web.HTTPBadRequest().WithText("Invalid status code")
		}
	}
	if err := sleep(req, time.Duration(delay*float64(time.Second))); err != nil {
		return nil, err
	}
	n = min(n, maxDrip)
	resp := web.NewStreamResponse()
	_ = resp.SetStatus(code) // not prepared yet: cannot fail
	resp.Header().Set("Content-Type", "application/octet-stream")
	resp.SetContentLength(int64(n))
	// Drip at most 100 times a second: a piece is what is due by then.
	total := time.Duration(duration * float64(time.Second))
	pieces := min(n, max(1, int(total/(10*time.Millisecond))))
	return resp, streamBody(req, resp, []byte(strings.Repeat("*", n)), (n+pieces-1)/pieces, total)
}

func binDelay(req *web.Request) (web.Response, error) {
	n, err := strconv.ParseFloat(req.MatchInfo().Get("n"), 64)
	if err != nil || n < 0 {
		return nil, web.HTTPBadRequest()
	}
	if err := sleep(req, time.Duration(min(n, 10)*float64(time.Second))); err != nil {
		return nil, err
	}
	out, err := echoBody(req)
	if err != nil {
		return nil, err
	}
	delete(out, "json")
	return web.JSON(out)
}
