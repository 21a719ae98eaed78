package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/aiohttp-go/aiohttp/web"
)

// seen is what a handler saw of its request, captured while it ran.
type seen struct {
	method, version, url, relURL, path, rawPath, queryString, pathQS, target string
	query, cookies                                                           [][2]string
	match                                                                    [][2]string
	header                                                                   [][2]string
	host, remote, scheme                                                     string
	secure, keepAlive                                                        bool
	forwarded                                                                []map[string]string
	contentType, charset                                                     string
	contentLength                                                            int64
	bodyExists, canRead                                                      bool
}

// captureRequest returns a handler that sends what it saw on ch.
func captureRequest(ch chan<- seen) web.Handler {
	return func(req *web.Request) (web.Response, error) {
		s := seen{
			method: req.Method(), version: req.Version().String(), url: req.URL().String(),
			relURL: req.RelURL().String(), path: req.Path(), rawPath: req.RawPath(),
			queryString: req.QueryString(), pathQS: req.PathQS(), target: req.Target(),
			host: req.Host(), remote: req.Remote(), scheme: req.Scheme(),
			secure: req.Secure(), keepAlive: req.KeepAlive(), forwarded: req.Forwarded(),
			contentType: req.ContentType(), charset: req.Charset(), contentLength: req.ContentLength(),
			bodyExists: req.BodyExists(), canRead: req.CanReadBody(),
		}
		for k, v := range req.Query().All() {
			s.query = append(s.query, [2]string{k, v})
		}
		for k, v := range req.Cookies().All() {
			s.cookies = append(s.cookies, [2]string{k, v})
		}
		for k, v := range req.MatchInfo().All() {
			s.match = append(s.match, [2]string{k, v})
		}
		for k, v := range req.Header().All() {
			s.header = append(s.header, [2]string{k, v})
		}
		ch <- s
		return web.Text("ok"), nil
	}
}

func TestRequestAttributes(t *testing.T) {
	ch := make(chan seen, 1)
	app := newApp()
	app.Router.Get("/files/{name}/{rest:.*}", captureRequest(ch))
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	c.send("GET /files/a%2Fb/c%20d/e?x=1&y=%20two&x=3&flag&=empty#frag HTTP/1.1\r\n" +
		"Host: example.com:8080\r\n" +
		"X-Mixed-CASE: One\r\n" +
		"x-mixed-case: Two\r\n" +
		"Cookie: sid=abc; theme=\"dark\"\r\n" +
		"Forwarded: for=192.0.2.60;proto=https;by=203.0.113.43, for=\"[2001:db8::1]:4711\"\r\n" +
		"\r\n")
	if r := c.readResponse("GET"); r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	got := recv(t, ch, "the handler")

	checks := []struct{ name, got, want string }{
		{"Method", got.method, "GET"},
		{"Version", got.version, "HTTP/1.1"},
		{"Path", got.path, "/files/a/b/c d/e"}, // decoded fully, as yarl's URL.path
		{"RawPath", got.rawPath, "/files/a%2Fb/c%20d/e"},
		{"QueryString", got.queryString, "x=1&y=%20two&x=3&flag&=empty"},
		{"PathQS", got.pathQS, "/files/a%2Fb/c%20d/e?x=1&y=%20two&x=3&flag&=empty"},
		{"Target", got.target, "/files/a%2Fb/c%20d/e?x=1&y=%20two&x=3&flag&=empty#frag"},
		{"URL", got.url, "http://example.com:8080/files/a%2Fb/c%20d/e?x=1&y=%20two&x=3&flag&=empty"},
		{"RelURL", got.relURL, "/files/a%2Fb/c%20d/e?x=1&y=%20two&x=3&flag&=empty"},
		{"Host", got.host, "example.com:8080"},
		{"Remote", got.remote, "127.0.0.1"},
		{"Scheme", got.scheme, "http"},
		{"ContentType", got.contentType, "application/octet-stream"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if got.secure || !got.keepAlive || got.bodyExists || got.canRead || got.contentLength != -1 {
		t.Errorf("secure %v keepAlive %v bodyExists %v canRead %v contentLength %d",
			got.secure, got.keepAlive, got.bodyExists, got.canRead, got.contentLength)
	}
	wantQuery := [][2]string{{"x", "1"}, {"y", " two"}, {"x", "3"}, {"flag", ""}, {"", "empty"}}
	if !slices.Equal(got.query, wantQuery) {
		t.Errorf("Query = %q, want %q", got.query, wantQuery)
	}
	wantMatch := [][2]string{{"name", "a/b"}, {"rest", "c d/e"}}
	if !slices.Equal(got.match, wantMatch) {
		t.Errorf("MatchInfo = %q, want %q (an encoded slash stays in its segment, then decodes)", got.match, wantMatch)
	}
	wantHeader := [][2]string{
		{"Host", "example.com:8080"},
		{"X-Mixed-CASE", "One"},
		{"x-mixed-case", "Two"},
		{"Cookie", `sid=abc; theme="dark"`},
		{"Forwarded", `for=192.0.2.60;proto=https;by=203.0.113.43, for="[2001:db8::1]:4711"`},
	}
	if !slices.Equal(got.header, wantHeader) {
		t.Errorf("Header (raw casing and order) = %q, want %q", got.header, wantHeader)
	}
	if wantCookies := [][2]string{{"sid", "abc"}, {"theme", "dark"}}; !slices.Equal(got.cookies, wantCookies) {
		t.Errorf("Cookies = %q, want %q", got.cookies, wantCookies)
	}
	wantFwd := []map[string]string{
		{"for": "192.0.2.60", "proto": "https", "by": "203.0.113.43"},
		{"for": "[2001:db8::1]:4711"},
	}
	if fmt.Sprint(got.forwarded) != fmt.Sprint(wantFwd) {
		t.Errorf("Forwarded = %v, want %v", got.forwarded, wantFwd)
	}
}

func TestRequestHeaderLookupIsCaseInsensitive(t *testing.T) {
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		h := req.Header()
		return web.Text(h.Get("x-token") + "," + h.Get("X-TOKEN") + "," + strings.Join(h.GetAll("x-multi"), "|")), nil
	})
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	r := c.get("/", "X-Token: t", "X-Multi: 1", "x-multi: 2")
	if string(r.body) != "t,t,1|2" {
		t.Errorf("got %q", r.body)
	}
}

// The values a handler takes from a request stay valid after it returns,
// while the connection goes on with other requests.
func TestRequestValuesOutliveTheHandler(t *testing.T) {
	type kept struct{ path, q, h, m, body string }
	var all []kept
	app := newApp()
	app.Router.Post("/item/{id}", func(req *web.Request) (web.Response, error) {
		b, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		all = append(all, kept{req.Path(), req.Query().Get("q"), req.Header().Get("X-Id"), req.MatchInfo().Get("id"), string(b)})
		return web.Text("ok"), nil
	})
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	for i := range 20 {
		n := strconv.Itoa(i)
		body := strings.Repeat(n, 100)
		c.send("POST /item/" + n + "?q=" + n + " HTTP/1.1\r\nHost: x\r\nX-Id: " + n +
			"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
		c.readResponse("POST")
	}
	for i, k := range all {
		n := strconv.Itoa(i)
		if k != (kept{"/item/" + n, n, n, n, strings.Repeat(n, 100)}) {
			t.Errorf("request %d: kept %+v", i, k)
		}
	}
}

func TestRequestHTTP10(t *testing.T) {
	ch := make(chan seen, 1)
	app := newApp()
	app.Router.Get("/", captureRequest(ch))
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	c.send("GET / HTTP/1.0\r\n\r\n")
	r := c.readResponse("GET")
	got := recv(t, ch, "the handler")
	if got.version != "HTTP/1.0" || got.keepAlive {
		t.Errorf("version %q keepAlive %v", got.version, got.keepAlive)
	}
	if got.host != s.addr {
		t.Errorf("Host without a Host field = %q, want the local address %q", got.host, s.addr)
	}
	if r.proto != "HTTP/1.0" {
		t.Errorf("response version %q", r.proto)
	}
	c.expectClosed()
}

func TestRequestConditionalHeaders(t *testing.T) {
	type cond struct {
		ims, ius, ifRange     time.Time
		imsOK, iusOK, rangeOK bool
		ifMatch, ifNoneMatch  []web.ETag
	}
	ch := make(chan cond, 1)
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		var c cond
		c.ims, c.imsOK = req.IfModifiedSince()
		c.ius, c.iusOK = req.IfUnmodifiedSince()
		c.ifRange, c.rangeOK = req.IfRange()
		c.ifMatch, c.ifNoneMatch = req.IfMatch(), req.IfNoneMatch()
		ch <- c
		return web.Text("ok"), nil
	})
	s := startApp(t, app, web.ServerOptions{})
	date := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)

	s.get("/",
		"If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT",
		"If-Unmodified-Since", "Wednesday, 21-Oct-15 07:28:00 GMT", // RFC 850
		"If-Range", "Wed Oct 21 07:28:00 2015", // asctime
		"If-Match", `"abc", W/"weak" , "x"`,
		"If-None-Match", "*")
	c := recv(t, ch, "the handler")
	if !c.imsOK || !c.ims.Equal(date) || !c.iusOK || !c.ius.Equal(date) || !c.rangeOK || !c.ifRange.Equal(date) {
		t.Errorf("dates: %v %v, %v %v, %v %v", c.ims, c.imsOK, c.ius, c.iusOK, c.ifRange, c.rangeOK)
	}
	if want := []web.ETag{{Value: "abc"}, {Value: "weak", Weak: true}, {Value: "x"}}; !slices.Equal(c.ifMatch, want) {
		t.Errorf("IfMatch = %v, want %v", c.ifMatch, want)
	}
	if want := []web.ETag{{Value: "*"}}; !slices.Equal(c.ifNoneMatch, want) {
		t.Errorf("IfNoneMatch = %v, want %v", c.ifNoneMatch, want)
	}

	// Absent or malformed values.
	s.get("/", "If-Modified-Since", "yesterday", "If-Match", `abc`, "If-None-Match", `"unterminated`, "If-Range", `"etag"`)
	c = recv(t, ch, "the handler")
	if c.imsOK || c.iusOK || c.rangeOK || c.ifMatch != nil || c.ifNoneMatch != nil {
		t.Errorf("malformed values accepted: %+v", c)
	}
}

func TestRequestHTTPRange(t *testing.T) {
	type rng struct {
		r   web.ByteRange
		ok  bool
		err error
	}
	ch := make(chan rng, 1)
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		r, ok, err := req.HTTPRange()
		ch <- rng{r, ok, err}
		return web.Text("ok"), nil
	})
	s := startApp(t, app, web.ServerOptions{})
	tests := []struct {
		header string
		want   web.ByteRange
		ok     bool
		bad    bool
	}{
		{"", web.ByteRange{}, false, false},
		{"bytes=0-499", web.ByteRange{Start: 0, End: 500}, true, false},
		{"bytes=500-", web.ByteRange{Start: 500, End: -1}, true, false},
		{"bytes=-200", web.ByteRange{Start: -200, End: -1}, true, false},
		{"bytes=5-5", web.ByteRange{Start: 5, End: 6}, true, false},
		{"bytes=9-3", web.ByteRange{}, true, true},
		{"bytes=a-3", web.ByteRange{}, true, true},
		{"bytes=-", web.ByteRange{}, true, true},
		{"bytes=-0", web.ByteRange{}, true, true},
		{"bytes=0-1,3-4", web.ByteRange{}, true, true},
		{"blocks=0-1", web.ByteRange{}, true, true},
		{"bytes=+1-2", web.ByteRange{}, true, true},
		{"bytes=7-9223372036854775807", web.ByteRange{Start: 7, End: -1}, true, false},
		{"bytes=7-9223372036854775808", web.ByteRange{}, true, true},
	}
	for _, tt := range tests {
		var hdr []string
		if tt.header != "" {
			hdr = []string{"Range", tt.header}
		}
		s.get("/", hdr...)
		got := recv(t, ch, "the handler")
		if got.ok != tt.ok || (got.err != nil) != tt.bad || (tt.bad && !errors.Is(got.err, web.ErrBadRange)) || (!tt.bad && got.r != tt.want) {
			t.Errorf("Range %q: %+v %v %v, want %+v ok=%v bad=%v", tt.header, got.r, got.ok, got.err, tt.want, tt.ok, tt.bad)
		}
	}
}

// readHandler answers with what the body reading method named by the
// "how" query parameter returns.
func readHandler(req *web.Request) (web.Response, error) {
	switch req.Query().Get("how") {
	case "read":
		b, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		again, _ := req.Bytes()
		if string(again) != string(b) {
			return nil, errors.New("a second Read returned other bytes")
		}
		return web.Text(fmt.Sprintf("%d %x", len(b), sha256.Sum256(b))), nil
	case "text":
		s, err := req.Text()
		if err != nil {
			return nil, err
		}
		return web.Text(s), nil
	case "json":
		var v map[string]any
		if err := req.JSON(&v); err != nil {
			return nil, err
		}
		return web.JSON(map[string]any{"received": v})
	case "post":
		form, err := req.Post()
		if err != nil {
			return nil, err
		}
		var parts []string
		for k, v := range form.All() {
			parts = append(parts, k+"="+v)
		}
		return web.Text(strings.Join(parts, "&")), nil
	case "stream":
		h := sha256.New()
		n, err := io.CopyBuffer(h, req.Body(), make([]byte, 1000))
		if err != nil {
			return nil, err
		}
		return web.Text(fmt.Sprintf("%d %x", n, h.Sum(nil))), nil
	}
	return nil, web.HTTPBadRequest()
}

func bodyApp(opts ...web.AppOption) *web.Application {
	app := newApp(opts...)
	app.Router.Post("/", readHandler)
	return app
}

// digest is what readHandler answers for "read" and "stream".
func digest(b []byte) string { return fmt.Sprintf("%d %x", len(b), sha256.Sum256(b)) }

func TestRequestBodyRead(t *testing.T) {
	s := startApp(t, bodyApp(), web.ServerOptions{})
	body := bigBody(300_000)
	resp, got := s.do("POST", "/?how=read", strings.NewReader(string(body)))
	if resp.StatusCode != 200 || got != digest(body) {
		t.Errorf("Content-Length body: %d %q", resp.StatusCode, got)
	}
	// A reader of unknown length goes chunked.
	resp, got = s.do("POST", "/?how=read", io.MultiReader(strings.NewReader(string(body))))
	if resp.StatusCode != 200 || got != digest(body) {
		t.Errorf("chunked body: %d %q", resp.StatusCode, got)
	}
	// An empty body.
	resp, got = s.do("POST", "/?how=read", nil)
	if resp.StatusCode != 200 || got != digest(nil) {
		t.Errorf("empty body: %d %q", resp.StatusCode, got)
	}
}

func TestRequestBodyChunkedRaw(t *testing.T) {
	s := startApp(t, bodyApp(), web.ServerOptions{})
	c := s.dial(t)
	c.send("POST /?how=text HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"5;ext=1\r\nHello\r\n" + "2\r\n, \r\n" + "6\r\nworld!\r\n" + "0\r\nX-Trailer: t\r\n\r\n")
	r := c.readResponse("POST")
	if r.status != 200 || string(r.body) != "Hello, world!" {
		t.Fatalf("got %d %q", r.status, r.body)
	}
	// The connection goes on after a chunked body with trailers.
	if r := c.get("/nothing"); r.status != 404 {
		t.Errorf("next request: %d", r.status)
	}
}

func TestRequestText(t *testing.T) {
	s := startApp(t, bodyApp(), web.ServerOptions{})
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("你好，世界")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		contentType, body, want string
		status                  int
	}{
		{"text/plain; charset=gbk", gbk, "你好，世界", 200},
		{"text/plain; charset=GBK", gbk, "你好，世界", 200},
		{"text/plain; charset=iso-8859-1", "caf\xe9", "café", 200},
		// The client's labels: Python's names, latin-1 as itself (WHATWG
		// would decode 0x80 as windows-1252's euro sign).
		{"text/plain; charset=cp936", gbk, "你好，世界", 200},
		{"text/plain; charset=latin1", "\x80", "\u0080", 200},
		{"text/plain; charset=utf_8", "\xef\xbb\xbfbom", "bom", 200},
		{"text/plain; charset=utf-8", "naïve", "naïve", 200},
		{"text/plain", "naïve", "naïve", 200},
		{"", "plain", "plain", 200},
		{"text/plain; charset=no-such-charset", "x", "unknown charset no-such-charset", 400},
	}
	for _, tt := range tests {
		var hdr []string
		if tt.contentType != "" {
			hdr = []string{"Content-Type", tt.contentType}
		}
		resp, got := s.do("POST", "/?how=text", strings.NewReader(tt.body), hdr...)
		if resp.StatusCode != tt.status || got != tt.want {
			t.Errorf("%q: %d %q, want %d %q", tt.contentType, resp.StatusCode, got, tt.status, tt.want)
		}
	}
}

func TestRequestJSON(t *testing.T) {
	s := startApp(t, bodyApp(), web.ServerOptions{})
	resp, got := s.do("POST", "/?how=json", strings.NewReader(`{"name":"gopher","n":[1,2]}`), "Content-Type", "application/json")
	if resp.StatusCode != 200 || got != `{"received":{"n":[1,2],"name":"gopher"}}` {
		t.Errorf("valid JSON: %d %q", resp.StatusCode, got)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("JSON response Content-Type %q", ct)
	}
	resp, got = s.do("POST", "/?how=json", strings.NewReader(`{"name":`))
	if resp.StatusCode != 400 || !strings.HasPrefix(got, "invalid JSON body") {
		t.Errorf("invalid JSON: %d %q", resp.StatusCode, got)
	}
}

// DisallowUnknownFields refuses a key no struct field takes, with a 400
// naming it; options that decode also refuse data after the value, as
// json.Unmarshal does without them; any function of a *json.Decoder is an
// option.
func TestRequestJSONOptions(t *testing.T) {
	type order struct {
		Item string `json:"item"`
		N    int    `json:"n"`
	}
	app := newApp()
	app.Router.Post("/{how}", func(req *web.Request) (web.Response, error) {
		var o order
		var opts []web.JSONOption
		switch req.MatchInfo().Get("how") {
		case "strict":
			opts = append(opts, web.DisallowUnknownFields())
		case "number":
			var v any
			if err := req.JSON(&v, (*json.Decoder).UseNumber); err != nil {
				return nil, err
			}
			return web.Text(fmt.Sprintf("%T", v.(map[string]any)["n"])), nil
		}
		if err := req.JSON(&o, opts...); err != nil {
			return nil, err
		}
		return web.Text(fmt.Sprintf("%s %d", o.Item, o.N)), nil
	})
	s := startApp(t, app, web.ServerOptions{})
	for _, c := range []struct {
		how, body string
		status    int
		want      string
	}{
		{"strict", `{"item":"tea","n":2}`, 200, "tea 2"},
		{"strict", ` {"item":"tea"} ` + "\n", 200, "tea 0"},
		{"strict", `{"item":"tea","extra":1}`, 400, `invalid JSON body: json: unknown field "extra"`},
		{"strict", `{"item":"tea"} {"n":1}`, 400, "invalid JSON body: data after the JSON value at offset 14"},
		{"strict", `{"item":"tea"} x`, 400, "invalid JSON body: data after the JSON value at offset 14"},
		{"strict", ``, 400, "invalid JSON body: unexpected EOF"},
		{"strict", `{"item":`, 400, "invalid JSON body: unexpected EOF"},
		{"lax", `{"item":"tea","extra":1}`, 200, "tea 0"},
		{"lax", `{"item":"tea"} x`, 400, "invalid JSON body: invalid character 'x' after top-level value"},
		{"number", `{"n":12345678901234567890}`, 200, "json.Number"},
	} {
		resp, got := s.do("POST", "/"+c.how, strings.NewReader(c.body), "Content-Type", "application/json")
		if resp.StatusCode != c.status || got != c.want {
			t.Errorf("%s %q: %d %q, want %d %q", c.how, c.body, resp.StatusCode, got, c.status, c.want)
		}
	}
}

func TestRequestPostForm(t *testing.T) {
	s := startApp(t, bodyApp(), web.ServerOptions{})
	resp, got := s.do("POST", "/?how=post", strings.NewReader("name=%E4%BD%A0+%E5%A5%BD&x=1&x=2&bad=%zz"),
		"Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if resp.StatusCode != 200 || got != "name=你 好&x=1&x=2&bad=%zz" {
		t.Errorf("form: %d %q", resp.StatusCode, got)
	}
	// Another content type gives no fields, as in aiohttp.
	resp, got = s.do("POST", "/?how=post", strings.NewReader("a=1"), "Content-Type", "text/plain")
	if resp.StatusCode != 200 || got != "" {
		t.Errorf("text/plain: %d %q", resp.StatusCode, got)
	}
}

func TestRequestBodyStream(t *testing.T) {
	// Body has no size limit: 3 MiB stream through a 1 MiB application.
	s := startApp(t, bodyApp(), web.ServerOptions{})
	body := bigBody(3 << 20)
	resp, got := s.do("POST", "/?how=stream", io.MultiReader(strings.NewReader(string(body))))
	if resp.StatusCode != 200 || got != digest(body) {
		t.Errorf("chunked stream: %d %q", resp.StatusCode, got)
	}
	resp, got = s.do("POST", "/?how=stream", strings.NewReader(string(body)))
	if resp.StatusCode != 200 || got != digest(body) {
		t.Errorf("Content-Length stream: %d %q", resp.StatusCode, got)
	}
}

const tooLarge = "Maximum request body size 1048576 exceeded"

func TestRequestBodyTooLarge(t *testing.T) {
	s := startApp(t, bodyApp(), web.ServerOptions{})
	limit := 1 << 20

	// Exactly the limit is fine.
	resp, got := s.do("POST", "/?how=read", strings.NewReader(string(bigBody(limit))))
	if resp.StatusCode != 200 || got != digest(bigBody(limit)) {
		t.Errorf("at the limit: %d %q", resp.StatusCode, got)
	}

	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			c := s.dial(t)
			body := bigBody(limit + 1)
			head := "POST /?how=read HTTP/1.1\r\nHost: x\r\n"
			if chunked {
				head += "Transfer-Encoding: chunked\r\n\r\n"
			} else {
				head += "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
			}
			errc := make(chan error, 1)
			go func() {
				_ = c.nc.SetWriteDeadline(time.Now().Add(ioTimeout))
				if _, err := io.WriteString(c.nc, head); err != nil {
					errc <- err
					return
				}
				for b := body; len(b) > 0; {
					n := min(len(b), 64<<10)
					var err error
					if chunked {
						_, err = fmt.Fprintf(c.nc, "%x\r\n%s\r\n", n, b[:n])
					} else {
						_, err = c.nc.Write(b[:n])
					}
					if err != nil {
						errc <- err // the server may stop reading: that is fine
						return
					}
					b = b[n:]
				}
				if chunked {
					_, _ = io.WriteString(c.nc, "0\r\n\r\n")
				}
				errc <- nil
			}()
			r := c.readResponse("POST")
			if r.status != 413 || !strings.HasPrefix(string(r.body), tooLarge) {
				t.Errorf("got %d %q, want 413 %q", r.status, r.body, tooLarge)
			}
			<-errc
		})
	}
}

func TestReference23_BodyOver1MiBIs413(t *testing.T) {
	s := startApp(t, bodyApp(), web.ServerOptions{})
	resp, got := s.do("POST", "/?how=read", strings.NewReader(string(bigBody(1<<20+1))))
	if resp.StatusCode != 413 || !strings.HasPrefix(got, tooLarge) {
		t.Errorf("got %d %q", resp.StatusCode, got)
	}
}

func TestRequestClientMaxSizeOption(t *testing.T) {
	s := startApp(t, bodyApp(web.WithClientMaxSize(10)), web.ServerOptions{})
	resp, got := s.do("POST", "/?how=read", strings.NewReader("0123456789"))
	if resp.StatusCode != 200 || got != digest([]byte("0123456789")) {
		t.Errorf("10 bytes: %d %q", resp.StatusCode, got)
	}
	for _, how := range []string{"read", "text", "json", "post"} {
		resp, got = s.do("POST", "/?how="+how, strings.NewReader("0123456789A"), "Content-Type", "application/x-www-form-urlencoded")
		if resp.StatusCode != 413 || !strings.HasPrefix(got, "Maximum request body size 10 exceeded") {
			t.Errorf("%s, 11 bytes: %d %q", how, resp.StatusCode, got)
		}
	}

	unlimited := startApp(t, bodyApp(web.WithClientMaxSize(-1)), web.ServerOptions{})
	body := bigBody(2 << 20)
	resp, got = unlimited.do("POST", "/?how=read", strings.NewReader(string(body)))
	if resp.StatusCode != 200 || got != digest(body) {
		t.Errorf("no limit: %d %q", resp.StatusCode, got)
	}
}

// A handler waiting on its context learns that the client went away.
func TestRequestContextClientDisconnect(t *testing.T) {
	started := make(chan struct{}, 1)
	ended := make(chan error, 1)
	app := newApp()
	handler := func(req *web.Request) (web.Response, error) {
		if req.Method() == "POST" {
			if _, err := req.Bytes(); err != nil {
				return nil, err
			}
		}
		ctx := req.Context()
		started <- struct{}{}
		select {
		case <-ctx.Done():
			ended <- ctx.Err()
		case <-time.After(ioTimeout):
			ended <- errors.New("context not cancelled")
		}
		return web.Text("late"), nil
	}
	app.Router.Get("/wait", handler)
	app.Router.Post("/wait", handler)
	s := startApp(t, app, web.ServerOptions{})

	for _, req := range []string{
		"GET /wait HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /wait HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
		"POST /wait HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	} {
		c := s.dial(t)
		c.send(req)
		recv(t, started, "the handler to start")
		c.nc.Close()
		if err := recv(t, ended, "the handler to end"); !errors.Is(err, context.Canceled) {
			t.Errorf("%q: ctx.Err() = %v, want context.Canceled", req[:10], err)
		}
	}
}

// A context a handler obtained ends with its request, and the next request
// of the connection gets a fresh one.
func TestRequestContextEndsWithRequest(t *testing.T) {
	ctxs := make(chan context.Context, 2)
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		ctx := req.Context()
		if ctx.Err() != nil {
			return nil, errors.New("context already ended")
		}
		ctxs <- ctx
		return web.Text("ok"), nil
	})
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	c.get("/")
	first := recv(t, ctxs, "the first context")
	c.get("/")
	second := recv(t, ctxs, "the second context")
	if first == second {
		t.Fatal("the connection reused a context that was handed out")
	}
	select {
	case <-first.Done():
	case <-time.After(ioTimeout):
		t.Fatal("the first request's context did not end")
	}
	if !errors.Is(first.Err(), context.Canceled) {
		t.Errorf("Err = %v", first.Err())
	}
}

// A handler that watches its context does not lose the next pipelined
// request, which the background read that watches the client takes: the
// first handler returns only once that read took a byte of it.
func TestRequestContextWatchKeepsPipelinedRequest(t *testing.T) {
	watching := make(chan struct{}, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	spy := &oneByteReadListener{Listener: ln, took: make(chan struct{}, 1)}
	app := newApp()
	app.Router.Get("/{n}", func(req *web.Request) (web.Response, error) {
		n := req.MatchInfo().Get("n")
		if n == "1" {
			ctx := req.Context()
			ctx.Done() // starts watching the client
			watching <- struct{}{}
			select {
			case <-spy.took:
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(ioTimeout):
				return nil, errors.New("the background read took no byte")
			}
		}
		return web.Text(n), nil
	})
	s := startAppOn(t, app, web.ServerOptions{}, spy)
	c := s.dial(t)
	c.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n")
	recv(t, watching, "the first handler to watch its context")
	c.send("GET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n\r\n")
	for _, want := range []string{"1", "2", "3"} {
		if r := c.readResponse("GET"); string(r.body) != want {
			t.Fatalf("got %d %q, want %q", r.status, r.body, want)
		}
	}
}

// oneByteReadListener accepts connections that report on took when a
// one-byte read returns a byte: the server's background read, which reads
// one byte to notice a client going away.
type oneByteReadListener struct {
	net.Listener
	took chan struct{}
}

func (l *oneByteReadListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &oneByteReadConn{Conn: nc, took: l.took}, nil
}

type oneByteReadConn struct {
	net.Conn
	took chan struct{}
}

func (c *oneByteReadConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if len(p) == 1 && n == 1 {
		select {
		case c.took <- struct{}{}:
		default:
		}
	}
	return n, err
}

func TestRequestVirtualHost(t *testing.T) {
	ch := make(chan seen, 1)
	app := newApp()
	app.Router.Get("/", captureRequest(ch))
	s := startApp(t, app, web.ServerOptions{})
	s.get("/", "Host", "virtual.test")
	if got := recv(t, ch, "the handler"); got.host != "virtual.test" {
		t.Errorf("Host = %q", got.host)
	}
}

type ctxKey struct{}

// ServerOptions.BaseContext gives every request context its values, over
// the engine and over HTTP/2.
func TestRequestContextBaseValues(t *testing.T) {
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		v, _ := req.Context().Value(ctxKey{}).(string)
		return web.Text(v), nil
	})
	base := context.WithValue(context.Background(), ctxKey{}, "from base")
	s := startApp(t, app, web.ServerOptions{BaseContext: base})
	if r := s.dial(t).get("/"); string(r.body) != "from base" {
		t.Errorf("HTTP/1.1: %q", r.body)
	}
	tr := h2cTransport()
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: ioTimeout}).Get(s.url + "/")
	if got := readAll(t, resp, err); got != "from base" {
		t.Errorf("h2c: %q", got)
	}
}
