package interop

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

// aiohttpServerScript is Python aiohttp's web server with the routes our
// client drives; see its docstring.
const aiohttpServerScript = "testdata/aiohttp_server.py"

// compressible is the body of the script's /compressed and /manual routes.
var compressible = strings.Repeat("aiohttp-go interop: the same line again and again\n", 200)

// startAiohttpServer runs the script under Debian's python3 until the test
// ends, or skips when python3-aiohttp is missing.
func startAiohttpServer(t *testing.T) *peerServer {
	t.Helper()
	python := needPython(t)
	return startPeerServer(t, "/text", python, func(port int) []string {
		return []string{aiohttpServerScript, fmt.Sprint(port)}
	})
}

// echoed is what the script's /echo route answers.
type echoed struct {
	Method     string      `json:"method"`
	Path       string      `json:"path"`
	Query      [][2]string `json:"query"`
	Headers    [][2]string `json:"headers"`
	Body       string      `json:"body"`
	BodyLength int         `json:"body_length"`
	PeerPort   int         `json:"peer_port"`
}

// header returns the values of the echoed header fields named name, in
// order.
func (e *echoed) header(name string) []string {
	var vs []string
	for _, kv := range e.Headers {
		if strings.EqualFold(kv[0], name) {
			vs = append(vs, kv[1])
		}
	}
	return vs
}

// echo sends a request to /echo (or the given path, which must end at
// /echo) and decodes the answer.
func echo(t *testing.T, s *aiohttp.Session, method, path string, opts ...aiohttp.RequestOption) (*aiohttp.Response, *echoed) {
	t.Helper()
	resp, err := s.Request(testContext(t), method, path, opts...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	var e echoed
	decodeJSON(t, resp, &e)
	if resp.Status != 200 {
		t.Fatalf("%s %s: status %d", method, path, resp.Status)
	}
	return resp, &e
}

// aiohttpServerSession starts the script's server and returns it, the
// session options of a client of it, and a session with them.
func aiohttpServerSession(t *testing.T) (*peerServer, aiohttp.SessionOptions, *aiohttp.Session) {
	t.Helper()
	srv := startAiohttpServer(t)
	base := aiohttp.SessionOptions{BaseURL: srv.URL + "/"}
	return srv, base, newClientSession(t, base)
}

// TestAiohttpServerBodies drives Python aiohttp's web server (Debian python3-aiohttp) with
// our client: requests and bodies: status, reason and headers, text in its charset, HEAD, the headers we send, every body kind, forms.
func TestAiohttpServerBodies(t *testing.T) {
	srv, _, s := aiohttpServerSession(t)
	// GET /text: status, reason, headers multidict, text with charset.
	t.Run("text", func(t *testing.T) {
		resp := ok(t)(s.Get(testContext(t), "text"))
		if got := readAll(t, resp); got != "Hello, World!" {
			t.Errorf("body %q", got)
		}
		if resp.Status != 200 || resp.Reason != "OK" || !resp.OK() {
			t.Errorf("status %d %q", resp.Status, resp.Reason)
		}
		if ct, cs := resp.ContentType(), resp.Charset(); ct != "text/plain" || cs != "utf-8" {
			t.Errorf("content type %q charset %q, want text/plain utf-8", ct, cs)
		}
		if resp.ContentLength() != 13 {
			t.Errorf("content length %d", resp.ContentLength())
		}
		if server := resp.Header.Get("server"); !strings.Contains(server, "aiohttp/") {
			t.Errorf("Server header %q does not name aiohttp", server)
		}
		if resp.URL.String() != srv.URL+"/text" {
			t.Errorf("URL %s", resp.URL)
		}
	})

	// A charset other than UTF-8 from the Content-Type header.
	t.Run("latin1", func(t *testing.T) {
		resp := ok(t)(s.Get(testContext(t), "latin1"))
		if got := readAll(t, resp); got != "café" {
			t.Errorf("body %q, want café decoded from ISO-8859-1", got)
		}
	})

	// HEAD of a GET route: Content-Length of the GET, no body, and the
	// connection stays in sync for the next request.
	t.Run("head", func(t *testing.T) {
		resp := ok(t)(s.Head(testContext(t), "text"))
		body, err := resp.Bytes()
		resp.Close()
		if err != nil || len(body) != 0 {
			t.Errorf("HEAD body %q, %v", body, err)
		}
		if resp.Status != 200 || resp.Header.Get("Content-Length") != "13" {
			t.Errorf("HEAD: %d, Content-Length %q", resp.Status, resp.Header.Get("Content-Length"))
		}
		if got := readAll(t, ok(t)(s.Get(testContext(t), "text"))); got != "Hello, World!" {
			t.Errorf("GET after HEAD: %q", got)
		}
	})

	// Automatic headers (Host first), session and request headers, and
	// query parameters from Params (key order), ParamList (repeated keys)
	// and the URL itself, in that order.
	t.Run("echo_get", func(t *testing.T) {
		s := newClientSession(t, aiohttp.SessionOptions{
			BaseURL: srv.URL + "/",
			Headers: aiohttp.Headers{"X-Session": "s", "X-Both": "session"},
		})
		_, e := echo(t, s, "GET", "echo?u=0",
			aiohttp.Params{"b": "2", "a": "1 +&="},
			aiohttp.ParamList{{Key: "r", Value: "x"}, {Key: "r", Value: "y"}},
			aiohttp.Headers{"X-Request": "r", "X-Both": "request"},
			aiohttp.Header("X-Multi", "1"), aiohttp.Header("X-Multi", "2"),
		)
		if e.Method != "GET" || e.Path != "/echo" {
			t.Errorf("method %q path %q", e.Method, e.Path)
		}
		wantQuery := [][2]string{{"u", "0"}, {"a", "1 +&="}, {"b", "2"}, {"r", "x"}, {"r", "y"}}
		if !slices.Equal(e.Query, wantQuery) {
			t.Errorf("query %q, want %q", e.Query, wantQuery)
		}
		if len(e.Headers) == 0 || !strings.EqualFold(e.Headers[0][0], "Host") || e.Headers[0][1] != srv.Host {
			t.Errorf("first header %q, want Host: %s", e.Headers[:1], srv.Host)
		}
		for name, want := range map[string]string{
			"Accept":          "*/*",
			"Accept-Encoding": "gzip, deflate, br, zstd",
			"User-Agent":      aiohttp.DefaultUserAgent,
			"X-Session":       "s",
			"X-Request":       "r",
			"X-Both":          "request",
			"X-Multi":         "1,2",
		} {
			if got := strings.Join(e.header(name), ","); got != want {
				t.Errorf("%s: %q, want %q", name, got, want)
			}
		}
		if cl := e.header("Content-Length"); e.BodyLength != 0 || e.header("Transfer-Encoding") != nil || cl != nil && !slices.Equal(cl, []string{"0"}) {
			t.Errorf("GET sent a body: %d bytes, headers %q", e.BodyLength, e.Headers)
		}
	})

	// SkipAutoHeaders leaves the automatic fields out.
	t.Run("skip_auto_headers", func(t *testing.T) {
		_, e := echo(t, s, "GET", "echo", aiohttp.SkipAutoHeaders("User-Agent", "Accept-Encoding"))
		if ua, ae := e.header("User-Agent"), e.header("Accept-Encoding"); ua != nil || ae != nil {
			t.Errorf("User-Agent %q, Accept-Encoding %q sent", ua, ae)
		}
		if got := e.header("Accept"); !slices.Equal(got, []string{"*/*"}) {
			t.Errorf("Accept %q", got)
		}
	})

	// Bodies of every method: JSON, bytes, string, and a reader of unknown
	// length sent chunked.
	t.Run("bodies", func(t *testing.T) {
		doc := map[string]any{"name": "Jörg", "n": 3.0, "list": []any{"a", true, nil}}
		_, e := echo(t, s, "POST", "echo", aiohttp.JSON(doc))
		var got map[string]any
		if err := json.Unmarshal([]byte(e.Body), &got); err != nil || !reflect.DeepEqual(got, doc) {
			t.Errorf("POST JSON: body %q (%v)", e.Body, err)
		}
		if ct := e.header("Content-Type"); !slices.Equal(ct, []string{"application/json"}) {
			t.Errorf("POST JSON: Content-Type %q", ct)
		}

		for _, method := range []string{"PUT", "PATCH", "DELETE", "POST"} {
			_, e := echo(t, s, method, "echo", aiohttp.Bytes([]byte("raw "+method)))
			if e.Method != method || e.Body != "raw "+method {
				t.Errorf("%s bytes: echoed %s %q", method, e.Method, e.Body)
			}
			if ct := e.header("Content-Type"); !slices.Equal(ct, []string{"application/octet-stream"}) {
				t.Errorf("%s bytes: Content-Type %q", method, ct)
			}
			if cl := e.header("Content-Length"); !slices.Equal(cl, []string{fmt.Sprint(len("raw " + method))}) {
				t.Errorf("%s bytes: Content-Length %q", method, cl)
			}
		}

		_, e = echo(t, s, "PUT", "echo", aiohttp.String("text body"))
		if e.Body != "text body" || !strings.HasPrefix(strings.Join(e.header("Content-Type"), ","), "text/plain") {
			t.Errorf("PUT string: %q, Content-Type %q", e.Body, e.header("Content-Type"))
		}

		// io.MultiReader hides the length: chunked.
		big := strings.Repeat("0123456789abcdef", 8192) // 128 KiB
		_, e = echo(t, s, "POST", "echo", aiohttp.Body(io.MultiReader(strings.NewReader(big[:1000]), strings.NewReader(big[1000:]))))
		if e.BodyLength != len(big) || e.Body != big {
			t.Errorf("streamed body: %d bytes echoed, want %d", e.BodyLength, len(big))
		}
		if te := e.header("Transfer-Encoding"); !slices.Equal(te, []string{"chunked"}) || e.header("Content-Length") != nil {
			t.Errorf("streamed body: Transfer-Encoding %q, Content-Length %q", te, e.header("Content-Length"))
		}
	})

	// A urlencoded form read by aiohttp's request.post().
	t.Run("form", func(t *testing.T) {
		var got struct {
			ContentType string      `json:"content_type"`
			Form        [][2]string `json:"form"`
		}
		decodeJSON(t, ok(t)(s.Post(testContext(t), "form", aiohttp.FormList{
			{Key: "name", Value: "Jörg M"}, {Key: "tag", Value: "a&b=c"}, {Key: "tag", Value: "2"},
		})), &got)
		want := [][2]string{{"name", "Jörg M"}, {"tag", "a&b=c"}, {"tag", "2"}}
		if got.ContentType != "application/x-www-form-urlencoded" || !slices.Equal(got.Form, want) {
			t.Errorf("form: %q %q, want %q", got.ContentType, got.Form, want)
		}
		decodeJSON(t, ok(t)(s.Post(testContext(t), "form", aiohttp.Form{"b": "2", "a": "1"})), &got)
		if want := [][2]string{{"a", "1"}, {"b", "2"}}; !slices.Equal(got.Form, want) {
			t.Errorf("Form map: %q, want %q", got.Form, want)
		}
	})
}

// TestAiohttpServerStreaming drives Python aiohttp's web server (Debian python3-aiohttp) with
// our client: streamed responses: chunked, ReadChunk, Session.With, compression both ways.
func TestAiohttpServerStreaming(t *testing.T) {
	_, _, s := aiohttpServerSession(t)
	// A chunked response from StreamResponse, read line by line and in
	// pieces.
	t.Run("chunked_response", func(t *testing.T) {
		resp := ok(t)(s.Get(testContext(t), "stream", aiohttp.Params{"n": "50"}))
		if te := resp.Header.Get("Transfer-Encoding"); te != "chunked" {
			t.Errorf("Transfer-Encoding %q", te)
		}
		var lines []string
		for line, err := range resp.Content().Lines() {
			if err != nil {
				t.Fatalf("line %d: %v", len(lines), err)
			}
			lines = append(lines, string(line))
		}
		resp.Close()
		if len(lines) != 50 {
			t.Fatalf("%d lines, want 50: %q", len(lines), lines)
		}
		for i, line := range lines {
			if want := fmt.Sprintf("line %d\n", i); line != want {
				t.Errorf("line %d: %q, want %q", i, line, want)
			}
		}

		resp = ok(t)(s.Get(testContext(t), "stream", aiohttp.Params{"n": "20"}))
		var all bytes.Buffer
		for piece, err := range resp.Content().IterChunked(7) {
			if err != nil {
				t.Fatalf("IterChunked: %v", err)
			}
			if len(piece) == 0 || len(piece) > 7 {
				t.Errorf("piece of %d bytes", len(piece))
			}
			all.Write(piece)
		}
		resp.Close()
		var want strings.Builder
		for i := range 20 {
			fmt.Fprintf(&want, "line %d\n", i)
		}
		if all.String() != want.String() {
			t.Errorf("IterChunked gave %q", all.String())
		}
		if !resp.Content().AtEOF() {
			t.Error("stream not at EOF after the iteration")
		}
	})

	// aiohttp's StreamResponse sends each write as one chunk: ReadChunk
	// returns each whole, flagged as its end.
	t.Run("read_chunk", func(t *testing.T) {
		resp := ok(t)(s.Get(testContext(t), "stream", aiohttp.Params{"n": "5"}))
		defer resp.Close()
		for i := 0; ; i++ {
			data, end, err := resp.Content().ReadChunk()
			if err == io.EOF && i == 5 {
				break
			}
			if want := fmt.Sprintf("line %d\n", i); err != nil || !end || string(data) != want {
				t.Fatalf("chunk %d: %q, end %v, %v; want %q, end true", i, data, end, err, want)
			}
		}
	})

	// Session.With recycles each response: what the next requests read
	// (plain, chunked, gzip) is never mixed up with the last one's.
	t.Run("with", func(t *testing.T) {
		var want strings.Builder
		for i := range 20 {
			fmt.Fprintf(&want, "line %d\n", i)
		}
		cases := []struct{ path, want string }{
			{"text", "Hello, World!"}, {"stream?n=20", want.String()}, {"manual/gzip", compressible}, {"latin1", "café"},
		}
		for i := range 40 {
			c := cases[i%len(cases)]
			err := s.With(testContext(t), "GET", c.path, func(resp *aiohttp.Response) error {
				got, err := resp.Text()
				if err == nil && got != c.want {
					t.Errorf("%s: %d bytes %.20q, want %d bytes", c.path, len(got), got, len(c.want))
				}
				return err
			})
			if err != nil {
				t.Fatalf("%s: %v", c.path, err)
			}
		}
	})

	// Bodies compressed by aiohttp (enable_compression) and by hand,
	// decoded transparently; the Content-Encoding header stays as sent.
	t.Run("compression", func(t *testing.T) {
		for _, c := range []struct{ path, encoding string }{
			{"compressed/gzip", "gzip"},
			{"compressed/deflate", "deflate"},
			{"compressed/auto", "deflate"}, // aiohttp 3.8 prefers deflate among those we accept
			{"manual/gzip", "gzip"},
			{"manual/deflate", "deflate"},
			{"manual/deflate-raw", "deflate"},
			{"manual/br", "br"},
		} {
			resp := ok(t)(s.Get(testContext(t), c.path))
			if resp.Status == 404 && c.encoding == "br" {
				resp.Close()
				t.Logf("%s: python3-brotli is not installed; skipped", c.path)
				continue
			}
			got := readAll(t, resp)
			if got != compressible {
				t.Errorf("%s: %d bytes decoded, want %d", c.path, len(got), len(compressible))
			}
			if ce := resp.Header.Get("Content-Encoding"); ce != c.encoding {
				t.Errorf("%s: Content-Encoding %q, want %q", c.path, ce, c.encoding)
			}
			if cl := resp.ContentLength(); cl <= 0 || cl >= int64(len(compressible)) {
				t.Errorf("%s: Content-Length %d: not compressed", c.path, cl)
			}
		}

		// DisableAutoDecompress hands over the gzip stream itself.
		resp := ok(t)(s.Get(testContext(t), "manual/gzip", aiohttp.AutoDecompress(false)))
		raw, err := resp.Bytes()
		resp.Close()
		if err != nil || len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
			t.Errorf("DisableAutoDecompress: %d bytes starting % x, %v; want the gzip stream", len(raw), raw[:min(len(raw), 2)], err)
		}
	})
}

// TestAiohttpServerCookiesAndRedirects drives Python aiohttp's web server (Debian python3-aiohttp) with
// our client: cookies and redirects: the jar, every redirect status, bodies that cannot be replayed, relative Locations, limits.
func TestAiohttpServerCookiesAndRedirects(t *testing.T) {
	srv, base, s := aiohttpServerSession(t)
	// Set-Cookie goes into the jar (unsafe: the host is an IP address) and
	// back; session and per-request cookies are sent along.
	t.Run("cookies", func(t *testing.T) {
		s := newClientSession(t, aiohttp.SessionOptions{
			BaseURL:   srv.URL + "/",
			CookieJar: unsafeJar(t),
			Cookies:   aiohttp.Cookies{"session": "0"},
		})
		resp := ok(t)(s.Get(testContext(t), "cookies/set", aiohttp.ParamList{{Key: "a", Value: "1"}, {Key: "b", Value: "two"}}))
		readAll(t, resp)
		var names []string
		for _, c := range resp.Cookies() {
			names = append(names, c.Name+"="+c.Value+" path="+c.Path)
		}
		if want := []string{"a=1 path=/", "b=two path=/"}; !slices.Equal(names, want) {
			t.Errorf("response cookies %q, want %q", names, want)
		}

		var got map[string]string
		decodeJSON(t, ok(t)(s.Get(testContext(t), "cookies")), &got)
		if want := map[string]string{"a": "1", "b": "two", "session": "0"}; !maps.Equal(got, want) {
			t.Errorf("cookies sent %v, want %v", got, want)
		}
		got = nil
		decodeJSON(t, ok(t)(s.Get(testContext(t), "cookies", aiohttp.Cookies{"c": "3", "a": "override"})), &got)
		if want := map[string]string{"a": "override", "b": "two", "c": "3", "session": "0"}; !maps.Equal(got, want) {
			t.Errorf("with per-request cookies: sent %v, want %v", got, want)
		}

		// aiohttp's default jar refuses cookies from an IP address.
		plain := newClientSession(t, base)
		readAll(t, ok(t)(plain.Get(testContext(t), "cookies/set", aiohttp.Params{"a": "1"})))
		var none map[string]string
		decodeJSON(t, ok(t)(plain.Get(testContext(t), "cookies")), &none)
		if len(none) != 0 {
			t.Errorf("default jar: cookies %v sent back to an IP address", none)
		}
	})

	// Redirect chains of every status, with a POST body: 301/302/303 turn
	// into GET without body, 307/308 keep method and body.
	t.Run("redirects", func(t *testing.T) {
		for _, code := range []int{301, 302, 303, 307, 308} {
			t.Run(fmt.Sprint(code), func(t *testing.T) {
				resp, e := echo(t, s, "POST", fmt.Sprintf("redirect/%d/3", code), aiohttp.Bytes([]byte("payload")))
				if len(resp.History) != 3 {
					t.Fatalf("history of %d, want 3", len(resp.History))
				}
				for i, h := range resp.History {
					wantPath := fmt.Sprintf("/redirect/%d/%d", code, 3-i)
					if h.Status != code || h.URL.Path != wantPath {
						t.Errorf("history[%d]: %d %s, want %d %s", i, h.Status, h.URL.Path, code, wantPath)
					}
				}
				if resp.URL.Path != "/echo" || resp.URL.RawQuery != "from=redirect" {
					t.Errorf("final URL %s", resp.URL)
				}
				keep := code == 307 || code == 308
				wantMethod, wantBody := "GET", ""
				if keep {
					wantMethod, wantBody = "POST", "payload"
				}
				if e.Method != wantMethod || e.Body != wantBody || resp.Method != wantMethod {
					t.Errorf("followed with %s %q (response method %s), want %s %q", e.Method, e.Body, resp.Method, wantMethod, wantBody)
				}
				if cl := e.header("Content-Length"); !keep && (e.header("Content-Type") != nil || cl != nil && !slices.Equal(cl, []string{"0"})) {
					t.Errorf("%d: body headers kept after the switch to GET: %q", code, e.Headers)
				}
			})
		}
	})

	// A body that cannot be sent again stops a 307: ClientPayloadError.
	t.Run("redirect_unreplayable_body", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			pw.Write([]byte("once"))
			pw.Close()
		}()
		resp, err := s.Post(testContext(t), "redirect/307/1", aiohttp.Body(pr))
		if err == nil {
			resp.Close()
			t.Fatalf("307 with a one-shot body: %d, no error", resp.Status)
		}
		if !errors.Is(err, aiohttp.ErrClientPayload) {
			t.Errorf("error %v, want ErrClientPayload", err)
		}
	})

	// Relative Location values: "../x", "x" and "//host/x".
	t.Run("relative_location", func(t *testing.T) {
		for _, c := range []struct{ path, wantPath, wantQuery string }{
			{"relative/dotdot", "/echo", "from=dotdot"},
			{"relative/plain", "/relative/plain-target", ""},
			{"relative/netpath", "/echo", "from=netpath"},
		} {
			resp := ok(t)(s.Get(testContext(t), c.path))
			readAll(t, resp)
			if resp.Status != 200 || resp.URL.Path != c.wantPath || resp.URL.RawQuery != c.wantQuery || resp.URL.Host != srv.Host {
				t.Errorf("%s: %d at %s, want %s?%s", c.path, resp.Status, resp.URL, c.wantPath, c.wantQuery)
			}
			if len(resp.History) != 1 || resp.History[0].Status != 302 {
				t.Errorf("%s: history %d", c.path, len(resp.History))
			}
		}
	})

	// AllowRedirects(false) and MaxRedirects.
	t.Run("redirect_limits", func(t *testing.T) {
		resp := ok(t)(s.Get(testContext(t), "redirect/302/2", aiohttp.AllowRedirects(false)))
		readAll(t, resp)
		if resp.Status != 302 || resp.Header.Get("Location") != "/redirect/302/1" || len(resp.History) != 0 {
			t.Errorf("not followed: %d Location %q history %d", resp.Status, resp.Header.Get("Location"), len(resp.History))
		}

		resp, err := s.Get(testContext(t), "redirect/302/5", aiohttp.MaxRedirects(2))
		if err == nil {
			resp.Close()
		}
		re := expectResponseError(t, err, aiohttp.ErrTooManyRedirects)
		if len(re.History) == 0 {
			t.Errorf("TooManyRedirects without history: %v", re)
		}

		// As in aiohttp, the n-th redirect is one too many: MaxRedirects(n)
		// follows n-1 of them.
		resp, err = s.Get(testContext(t), "redirect/302/5", aiohttp.MaxRedirects(5))
		if err == nil {
			resp.Close()
		}
		if re := expectResponseError(t, err, aiohttp.ErrTooManyRedirects); len(re.History) != 5 {
			t.Errorf("MaxRedirects(5) over 5 redirects: history of %d, want 5", len(re.History))
		}
		resp = ok(t)(s.Get(testContext(t), "redirect/302/5", aiohttp.MaxRedirects(6)))
		readAll(t, resp)
		if resp.Status != 200 || len(resp.History) != 5 {
			t.Errorf("MaxRedirects(6) over 5 redirects: %d, history %d", resp.Status, len(resp.History))
		}
	})
}

// TestAiohttpServerErrorsAndAuth drives Python aiohttp's web server (Debian python3-aiohttp) with
// our client: errors and authentication: statuses raised, JSON content types, basic auth.
func TestAiohttpServerErrorsAndAuth(t *testing.T) {
	srv, _, s := aiohttpServerSession(t)
	// 404 from a route and from the router; RaiseForStatus per request and
	// per session.
	t.Run("not_found", func(t *testing.T) {
		resp := ok(t)(s.Get(testContext(t), "status/404"))
		if got := readAll(t, resp); resp.Status != 404 || resp.OK() || got != "status 404" {
			t.Errorf("status/404: %d %q", resp.Status, got)
		}
		re := expectResponseError(t, resp.RaiseForStatus(), aiohttp.ErrClientResponse)
		if re.Status != 404 || re.Message != "Not Found" {
			t.Errorf("RaiseForStatus: status %d message %q", re.Status, re.Message)
		}

		resp = ok(t)(s.Get(testContext(t), "no/such/route"))
		if got := readAll(t, resp); resp.Status != 404 || got != "404: Not Found" {
			t.Errorf("unknown route: %d %q", resp.Status, got)
		}

		resp, err := s.Get(testContext(t), "status/404", aiohttp.RaiseForStatus(true))
		if err == nil {
			resp.Close()
		}
		if re := expectResponseError(t, err, aiohttp.ErrClientResponse); re.Status != 404 {
			t.Errorf("RaiseForStatus(true): status %d", re.Status)
		}

		raising := newClientSession(t, aiohttp.SessionOptions{BaseURL: srv.URL + "/", RaiseForStatus: true})
		resp, err = raising.Get(testContext(t), "status/418")
		if err == nil {
			resp.Close()
		}
		if re := expectResponseError(t, err, aiohttp.ErrClientResponse); re.Status != 418 {
			t.Errorf("session RaiseForStatus: status %d", re.Status)
		}
	})

	// JSON refuses a text/plain body unless told otherwise.
	t.Run("json_content_type", func(t *testing.T) {
		resp := ok(t)(s.Get(testContext(t), "json-as-text"))
		var v map[string]int
		err := resp.JSON(&v)
		expectResponseError(t, err, aiohttp.ErrContentType)
		if err := resp.JSON(&v, aiohttp.AnyContentType()); err != nil || v["a"] != 1 {
			t.Errorf("JSON with AnyContentType: %v, %v", v, err)
		}
		resp.Close()
	})

	// Basic auth from the session (base URL's origin) and per request.
	t.Run("basic_auth", func(t *testing.T) {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte("user:pass"))
		authed := newClientSession(t, aiohttp.SessionOptions{
			BaseURL: srv.URL + "/",
			Auth:    &aiohttp.BasicAuth{Login: "user", Password: "pass"},
		})
		if _, e := echo(t, authed, "GET", "echo"); !slices.Equal(e.header("Authorization"), []string{want}) {
			t.Errorf("session auth: Authorization %q, want %q", e.header("Authorization"), want)
		}
		if _, e := echo(t, s, "GET", "echo", aiohttp.BasicAuth{Login: "user", Password: "pass"}); !slices.Equal(e.header("Authorization"), []string{want}) {
			t.Errorf("request auth: Authorization %q, want %q", e.header("Authorization"), want)
		}
		if _, e := echo(t, s, "GET", "echo"); e.header("Authorization") != nil {
			t.Errorf("no auth: Authorization %q sent", e.header("Authorization"))
		}
	})
}

// TestAiohttpServerConnections drives Python aiohttp's web server (Debian python3-aiohttp) with
// our client: connections: timeouts, keep-alive, the per-host limit, the net/http client.
func TestAiohttpServerConnections(t *testing.T) {
	srv, _, s := aiohttpServerSession(t)
	// A slow answer: the caller's deadline, the session's total timeout
	// and the sock_read timeout between two chunks; the session works on.
	t.Run("timeouts", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		resp, err := s.Get(ctx, "slow", aiohttp.Params{"delay": "5"})
		if err == nil {
			resp.Close()
			t.Fatalf("context deadline: answered %d", resp.Status)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("context deadline: %v, not context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("context deadline of 300ms took %v", d)
		}

		resp, err = s.Get(testContext(t), "slow", aiohttp.Params{"delay": "5"}, aiohttp.ClientTimeout{Total: 300 * time.Millisecond})
		if err == nil {
			resp.Close()
			t.Fatalf("total timeout: answered %d", resp.Status)
		}
		if !errors.Is(err, aiohttp.ErrServerTimeout) && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("total timeout: %v, neither ErrServerTimeout nor context.DeadlineExceeded", err)
		}

		resp = ok(t)(s.Get(testContext(t), "slow-body", aiohttp.Params{"delay": "5"},
			aiohttp.ClientTimeout{SockRead: 300 * time.Millisecond}))
		line, err := resp.Content().ReadLine()
		if err != nil || string(line) != "first\n" {
			t.Errorf("first line %q, %v", line, err)
		}
		_, err = resp.Bytes()
		resp.Close()
		if !errors.Is(err, aiohttp.ErrSocketTimeout) {
			t.Errorf("sock_read between chunks: %v, want ErrSocketTimeout", err)
		}

		resp = ok(t)(s.Get(testContext(t), "slow", aiohttp.Params{"delay": "0.05"}))
		if got := readAll(t, resp); got != "slow" {
			t.Errorf("after the timeouts: %q", got)
		}
	})

	// Keep-alive: one connection for sequential requests (counted by the
	// trace hooks and by the server's view of the peer port); Connection:
	// close ends it.
	t.Run("keepalive", func(t *testing.T) {
		var created, reused atomic.Int32
		trace := &aiohttp.TraceConfig{
			OnConnectionCreateEnd: func(context.Context) { created.Add(1) },
			OnConnectionReuseconn: func(context.Context) { reused.Add(1) },
		}
		s := newClientSession(t, aiohttp.SessionOptions{
			BaseURL:      srv.URL + "/",
			Connector:    aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: 1}),
			TraceConfigs: []*aiohttp.TraceConfig{trace},
		})
		ports := map[int]bool{}
		for range 5 {
			_, e := echo(t, s, "GET", "echo")
			ports[e.PeerPort] = true
		}
		readAll(t, ok(t)(s.Head(testContext(t), "text")))
		_, e := echo(t, s, "GET", "echo")
		ports[e.PeerPort] = true
		if len(ports) != 1 || created.Load() != 1 || reused.Load() != 6 {
			t.Errorf("7 requests: %d peer ports, %d connections created, %d reused; want 1, 1, 6", len(ports), created.Load(), reused.Load())
		}

		if got := readAll(t, ok(t)(s.Get(testContext(t), "close"))); got != "closing" {
			t.Errorf("close: %q", got)
		}
		_, e2 := echo(t, s, "GET", "echo")
		if ports[e2.PeerPort] || created.Load() != 2 {
			t.Errorf("after Connection: close: peer port %d (seen %v), %d connections created; want a new one", e2.PeerPort, ports, created.Load())
		}
	})

	// Concurrent requests under a per-host limit: the server never sees
	// more connections than the limit.
	t.Run("limit_per_host", func(t *testing.T) {
		conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: 10, LimitPerHost: 3})
		s := newClientSession(t, aiohttp.SessionOptions{BaseURL: srv.URL + "/", Connector: conn})
		var mu sync.Mutex
		ports := map[int]bool{}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					resp, err := s.Get(testContext(t), "echo")
					if err != nil {
						errs <- err
						return
					}
					var e echoed
					err = resp.JSON(&e)
					resp.Close()
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					ports[e.PeerPort] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if len(ports) == 0 || len(ports) > 3 {
			t.Errorf("80 requests from 8 goroutines with LimitPerHost 3: %d connections", len(ports))
		}
		if st := conn.Stats(); st.Open > 3 || st.InUse != 0 {
			t.Errorf("stats after: %+v", st)
		}
	})

	// HTTPClient: net/http's client on our transport, redirects included.
	t.Run("http_client", func(t *testing.T) {
		c := s.HTTPClient()
		req, err := http.NewRequestWithContext(testContext(t), "POST", srv.URL+"/redirect/307/2", strings.NewReader("via net/http"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Std", "1")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("http.Client: %v", err)
		}
		defer resp.Body.Close()
		var e echoed
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || e.Method != "POST" || e.Body != "via net/http" || !slices.Equal(e.header("X-Std"), []string{"1"}) {
			t.Errorf("http.Client: %d, echoed %s %q X-Std %q", resp.StatusCode, e.Method, e.Body, e.header("X-Std"))
		}
		if resp.Request.URL.Path != "/echo" {
			t.Errorf("http.Client ended at %s", resp.Request.URL)
		}
	})
}

// TestAiohttpServerRequestInfo drives Python aiohttp's web server (Debian python3-aiohttp) with
// our client: the RequestInfo of a response against what the server saw.
func TestAiohttpServerRequestInfo(t *testing.T) {
	_, _, s := aiohttpServerSession(t)
	// The response's RequestInfo holds the headers as sent.
	t.Run("request_info", func(t *testing.T) {
		resp, e := echo(t, s, "GET", "echo", aiohttp.Headers{"X-Info": "1"})
		sent := resp.Request.Header
		if sent == nil || resp.Request.Method != "GET" || resp.Request.URL.Path != "/echo" {
			t.Fatalf("request info %+v", resp.Request)
		}
		var got [][2]string
		for k, v := range sent.All() {
			got = append(got, [2]string{k, v})
		}
		if !sameFields(got, e.Headers) {
			t.Errorf("RequestInfo headers %q, server saw %q", got, e.Headers)
		}
	})
}

// sameFields reports whether a and b hold the same header fields, names
// compared without case, in the same order.
func sameFields(a, b [][2]string) bool {
	return slices.EqualFunc(a, b, func(x, y [2]string) bool {
		return strings.EqualFold(x[0], y[0]) && x[1] == y[1]
	})
}
