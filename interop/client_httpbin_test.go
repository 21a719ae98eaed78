package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

// httpbinHint installs httpbin and the server that runs it (Debian).
const httpbinHint = "apt-get install python3-httpbin gunicorn"

var httpbinPeer peer

// needHTTPBin returns Debian's python3 once it imports httpbin and
// gunicorn, or skips the test.
func needHTTPBin(t testing.TB) string {
	t.Helper()
	path, err := httpbinPeer.lookup(func() (string, error) {
		if _, err := os.Stat(pythonPath); err != nil {
			return "", err
		}
		out, _, err := runPeer(t, nil, pythonPath, "-c", "import httpbin, gunicorn")
		if err != nil {
			return "", fmt.Errorf("%s cannot import httpbin and gunicorn: %v %s", pythonPath, err, out)
		}
		return pythonPath, nil
	})
	if err != nil {
		missingPeer(t, "httpbin under gunicorn not available (%v); install it: %s", err, httpbinHint)
	}
	return path
}

// startHTTPBin serves Debian's httpbin with gunicorn (one worker, eight
// threads, so requests run concurrently and connections are kept alive)
// until the test ends.
func startHTTPBin(t *testing.T) *peerServer {
	t.Helper()
	python := needHTTPBin(t)
	return startPeerServer(t, "/get", python, func(port int) []string {
		return []string{"-m", "gunicorn",
			"--bind", fmt.Sprintf("127.0.0.1:%d", port),
			"--worker-class", "gthread", "--workers", "1", "--threads", "8",
			"--graceful-timeout", "2", "--log-level", "warning",
			"httpbin:app"}
	})
}

// binEcho is what httpbin's /get, /post, /put, /patch, /delete and
// /anything answer. Args and Form values are strings, or lists of strings
// for repeated keys.
type binEcho struct {
	URL     string            `json:"url"`
	Args    map[string]any    `json:"args"`
	Headers map[string]string `json:"headers"`
	Form    map[string]any    `json:"form"`
	Data    string            `json:"data"`
	JSON    any               `json:"json"`
	Method  string            `json:"method"`
	Origin  string            `json:"origin"`
}

// binDo sends a request and decodes httpbin's JSON answer into v, which
// must come with status 200.
func binDo(t *testing.T, s *aiohttp.Session, method, path string, v any, opts ...aiohttp.RequestOption) *aiohttp.Response {
	t.Helper()
	resp, err := s.Request(testContext(t), method, path, opts...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	decodeJSON(t, resp, v)
	if resp.Status != 200 {
		t.Fatalf("%s %s: status %d", method, path, resp.Status)
	}
	return resp
}

// TestClientAgainstHTTPBin drives httpbin (Debian python3-httpbin, served
// by gunicorn) with our client and compares what it echoes with what the
// client was asked to send.
func TestClientAgainstHTTPBin(t *testing.T) {
	srv := startHTTPBin(t)
	s := newClientSession(t, aiohttp.SessionOptions{
		BaseURL: srv.URL + "/",
		Headers: aiohttp.Headers{"X-Session": "session value"},
	})

	// /get: automatic and custom headers, args from Params, ParamList with
	// repeated keys and the URL's own query, the URL as the server saw it.
	t.Run("get", func(t *testing.T) {
		var e binEcho
		resp := binDo(t, s, "GET", "get?q=from+url", &e,
			aiohttp.Params{"a": "1", "space": "x y"},
			aiohttp.ParamList{{Key: "r", Value: "1"}, {Key: "r", Value: "2"}, {Key: "r", Value: "3"}},
			aiohttp.Headers{"X-Custom": "custom value"},
		)
		wantArgs := map[string]any{"q": "from url", "a": "1", "space": "x y", "r": []any{"1", "2", "3"}}
		if !reflect.DeepEqual(e.Args, wantArgs) {
			t.Errorf("args %v, want %v", e.Args, wantArgs)
		}
		for name, want := range map[string]string{
			"Host":            srv.Host,
			"User-Agent":      aiohttp.DefaultUserAgent,
			"Accept":          "*/*",
			"Accept-Encoding": "gzip, deflate, br, zstd",
			"X-Custom":        "custom value",
			"X-Session":       "session value",
		} {
			if got := e.Headers[name]; got != want {
				t.Errorf("header %s: %q, want %q", name, got, want)
			}
		}
		if e.URL != resp.URL.String() {
			t.Errorf("httpbin saw URL %s, the response says %s", e.URL, resp.URL)
		}
		if e.Origin != "127.0.0.1" {
			t.Errorf("origin %q", e.Origin)
		}
	})

	// /headers: exactly the fields we send, Content-Length and
	// Content-Type absent on a GET.
	t.Run("headers", func(t *testing.T) {
		var got struct {
			Headers map[string]string `json:"headers"`
		}
		resp := binDo(t, s, "GET", "headers", &got, aiohttp.Headers{"X-A": "1", "X-B": "two words"})
		want := map[string]string{}
		for k, v := range resp.Request.Header.All() {
			want[canonicalHeader(k)] = v
		}
		if !maps.Equal(got.Headers, want) {
			t.Errorf("httpbin saw %v, the client says it sent %v", got.Headers, want)
		}
		if got.Headers["X-A"] != "1" || got.Headers["X-B"] != "two words" {
			t.Errorf("custom headers: %v", got.Headers)
		}
	})

	// /post with each kind of body.
	t.Run("post", func(t *testing.T) {
		var e binEcho
		binDo(t, s, "POST", "post", &e, aiohttp.Form{"name": "Jörg", "x": "a&b=c"})
		if want := map[string]any{"name": "Jörg", "x": "a&b=c"}; !reflect.DeepEqual(e.Form, want) {
			t.Errorf("form: %v, want %v", e.Form, want)
		}
		if ct := e.Headers["Content-Type"]; ct != "application/x-www-form-urlencoded" {
			t.Errorf("form Content-Type %q", ct)
		}

		e = binEcho{}
		binDo(t, s, "POST", "post", &e, aiohttp.FormList{{Key: "k", Value: "1"}, {Key: "k", Value: "2"}})
		if want := map[string]any{"k": []any{"1", "2"}}; !reflect.DeepEqual(e.Form, want) {
			t.Errorf("repeated form fields: %v, want %v", e.Form, want)
		}

		e = binEcho{}
		doc := map[string]any{"s": "ü", "n": 1.5, "b": false, "l": []any{1.0, "2"}, "o": map[string]any{"k": nil}}
		binDo(t, s, "POST", "post", &e, aiohttp.JSON(doc))
		if !reflect.DeepEqual(e.JSON, any(doc)) {
			t.Errorf("json: %v, want %v", e.JSON, doc)
		}
		if ct := e.Headers["Content-Type"]; ct != "application/json" {
			t.Errorf("json Content-Type %q", ct)
		}

		e = binEcho{}
		binDo(t, s, "POST", "post", &e, aiohttp.Bytes([]byte("raw bytes \x01")))
		if e.Data != "raw bytes \x01" || e.Headers["Content-Type"] != "application/octet-stream" || e.Headers["Content-Length"] != "11" {
			t.Errorf("bytes: data %q, Content-Type %q, Content-Length %q", e.Data, e.Headers["Content-Type"], e.Headers["Content-Length"])
		}

		// A reader of unknown length goes chunked; gunicorn reassembles it.
		e = binEcho{}
		want := strings.Repeat("streamed chunk\n", 5000)
		pr, pw := io.Pipe()
		go func() {
			for i := 0; i < len(want); i += 1500 {
				pw.Write([]byte(want[i:min(i+1500, len(want))]))
			}
			pw.Close()
		}()
		binDo(t, s, "POST", "post", &e, aiohttp.Body(pr))
		if e.Data != want {
			t.Errorf("chunked body: %d bytes echoed, want %d", len(e.Data), len(want))
		}
		if te := e.Headers["Transfer-Encoding"]; te != "chunked" {
			t.Errorf("chunked body: Transfer-Encoding %q", te)
		}
	})

	// /put, /patch, /delete: the method and a JSON body.
	t.Run("methods", func(t *testing.T) {
		for _, method := range []string{"PUT", "PATCH", "DELETE"} {
			var e binEcho
			path := strings.ToLower(method)
			binDo(t, s, method, path, &e, aiohttp.JSON(map[string]string{"method": method}), aiohttp.Params{"m": method})
			if got, ok := e.JSON.(map[string]any); !ok || got["method"] != method {
				t.Errorf("%s: json %v", method, e.JSON)
			}
			if e.Args["m"] != method || e.URL != srv.URL+"/"+path+"?m="+method {
				t.Errorf("%s: args %v url %s", method, e.Args, e.URL)
			}
		}
		var e binEcho
		binDo(t, s, "PATCH", "anything", &e, aiohttp.String("text"))
		if e.Method != "PATCH" || e.Data != "text" {
			t.Errorf("anything: %s %q", e.Method, e.Data)
		}
	})

	// /cookies/set redirects to /cookies, which shows what the jar sent;
	// the cookies stay in the jar for later requests.
	t.Run("cookies", func(t *testing.T) {
		s := newClientSession(t, aiohttp.SessionOptions{
			BaseURL:   srv.URL + "/",
			CookieJar: unsafeJar(t),
		})
		var got struct {
			Cookies map[string]string `json:"cookies"`
		}
		resp := binDo(t, s, "GET", "cookies/set", &got, aiohttp.ParamList{{Key: "k1", Value: "v1"}, {Key: "k2", Value: "v 2"}})
		want := map[string]string{"k1": "v1", "k2": "v 2"}
		if !maps.Equal(got.Cookies, want) {
			t.Errorf("after cookies/set: %v, want %v", got.Cookies, want)
		}
		if len(resp.History) != 1 || resp.History[0].Status != 302 || len(resp.History[0].Cookies()) != 2 {
			t.Errorf("history: %d responses", len(resp.History))
		}
		got.Cookies = nil
		binDo(t, s, "GET", "cookies", &got, aiohttp.Cookies{"extra": "x"})
		want["extra"] = "x"
		if !maps.Equal(got.Cookies, want) {
			t.Errorf("later request: %v, want %v", got.Cookies, want)
		}
		got.Cookies = nil
		binDo(t, s, "GET", "cookies/delete?k1", &got)
		if want := map[string]string{"k2": "v 2"}; !maps.Equal(got.Cookies, want) {
			t.Errorf("after cookies/delete: %v, want %v", got.Cookies, want)
		}
	})

	// Redirect chains: relative and absolute Location values, history.
	t.Run("redirects", func(t *testing.T) {
		for _, c := range []struct {
			path     string
			n        int
			absolute bool
		}{
			{"redirect/3", 3, false},
			{"relative-redirect/2", 2, false},
			{"absolute-redirect/2", 2, true},
			{"redirect/2?absolute=true", 2, true},
		} {
			var e binEcho
			resp := binDo(t, s, "GET", c.path, &e)
			if len(resp.History) != c.n {
				t.Errorf("%s: history of %d, want %d", c.path, len(resp.History), c.n)
			}
			for i, h := range resp.History {
				loc := h.Header.Get("Location")
				if h.Status != 302 || strings.HasPrefix(loc, "http://") != c.absolute {
					t.Errorf("%s: history[%d] %d Location %q", c.path, i, h.Status, loc)
				}
			}
			if resp.URL.Path != "/get" || e.URL != srv.URL+"/get" {
				t.Errorf("%s: ended at %s (httpbin saw %s)", c.path, resp.URL, e.URL)
			}
		}
	})

	// /redirect-to: 307 and 308 keep method and body, 302 and 303 turn a
	// POST into a GET.
	t.Run("redirect_to", func(t *testing.T) {
		for _, c := range []struct {
			status int
			target string
			method string
		}{
			{307, "/post", "POST"},
			{308, "/anything", "POST"},
			{302, "/get", "GET"},
			{303, "/get", "GET"},
		} {
			var e binEcho
			resp := binDo(t, s, "POST", "redirect-to", &e,
				aiohttp.ParamList{{Key: "url", Value: c.target}, {Key: "status_code", Value: fmt.Sprint(c.status)}},
				aiohttp.JSON(map[string]int{"status": c.status}))
			if len(resp.History) != 1 || resp.History[0].Status != c.status || resp.URL.Path != c.target {
				t.Errorf("%d: ended at %s after %d redirects", c.status, resp.URL, len(resp.History))
				continue
			}
			if resp.Method != c.method {
				t.Errorf("%d: followed with %s, want %s", c.status, resp.Method, c.method)
			}
			if c.method == "POST" {
				if got, ok := e.JSON.(map[string]any); !ok || got["status"] != float64(c.status) {
					t.Errorf("%d: body not kept: json %v, data %q", c.status, e.JSON, e.Data)
				}
			} else if e.Headers["Content-Type"] != "" || e.Headers["Content-Length"] != "" {
				t.Errorf("%d: GET still carries body headers: %v", c.status, e.Headers)
			}
		}
	})

	// Compressed answers are decoded transparently.
	t.Run("compressed", func(t *testing.T) {
		for _, c := range []struct{ path, encoding, flag string }{
			{"gzip", "gzip", "gzipped"},
			{"deflate", "deflate", "deflated"},
			{"brotli", "br", "brotli"},
		} {
			var got map[string]any
			resp := binDo(t, s, "GET", c.path, &got)
			if got[c.flag] != true {
				t.Errorf("%s: %s is %v in %v", c.path, c.flag, got[c.flag], got)
			}
			if ce := resp.Header.Get("Content-Encoding"); ce != c.encoding {
				t.Errorf("%s: Content-Encoding %q, want %q", c.path, ce, c.encoding)
			}
		}
	})

	// /stream/20: 20 JSON documents, one per line, sent chunked.
	t.Run("stream", func(t *testing.T) {
		resp := ok(t)(s.Get(testContext(t), "stream/20"))
		defer resp.Close()
		if te := resp.Header.Get("Transfer-Encoding"); te != "chunked" {
			t.Errorf("Transfer-Encoding %q", te)
		}
		n := 0
		for line, err := range resp.Content().Lines() {
			if err != nil {
				t.Fatalf("line %d: %v", n, err)
			}
			var doc struct {
				ID  int    `json:"id"`
				URL string `json:"url"`
			}
			if err := json.Unmarshal(line, &doc); err != nil || !bytes.HasSuffix(line, []byte("\n")) {
				t.Fatalf("line %d %q: %v", n, line, err)
			}
			if doc.ID != n || doc.URL != srv.URL+"/stream/20" {
				t.Errorf("line %d: id %d url %s", n, doc.ID, doc.URL)
			}
			n++
		}
		if n != 20 {
			t.Errorf("%d lines, want 20", n)
		}
	})

	// /bytes/N (Content-Length) and /stream-bytes/N (chunked): N bytes,
	// the same for the same seed.
	t.Run("bytes", func(t *testing.T) {
		const n = 50000
		get := func(path string, opts ...aiohttp.RequestOption) []byte {
			resp := ok(t)(s.Get(testContext(t), path, opts...))
			defer resp.Close()
			body, err := resp.Bytes()
			if err != nil || resp.Status != 200 {
				t.Fatalf("%s: %d, %v", path, resp.Status, err)
			}
			return body
		}
		a := get(fmt.Sprintf("bytes/%d", n), aiohttp.Params{"seed": "7"})
		b := get(fmt.Sprintf("bytes/%d", n), aiohttp.Params{"seed": "7"})
		if len(a) != n || !bytes.Equal(a, b) {
			t.Errorf("bytes: %d and %d bytes, equal %v", len(a), len(b), bytes.Equal(a, b))
		}
		resp := ok(t)(s.Get(testContext(t), fmt.Sprintf("stream-bytes/%d", n), aiohttp.Params{"seed": "7", "chunk_size": "1000"}))
		total := 0
		for piece, err := range resp.Content().IterChunked(4096) {
			if err != nil {
				t.Fatalf("stream-bytes: %v", err)
			}
			total += len(piece)
		}
		resp.Close()
		if total != n || resp.Header.Get("Transfer-Encoding") != "chunked" {
			t.Errorf("stream-bytes: %d bytes, Transfer-Encoding %q", total, resp.Header.Get("Transfer-Encoding"))
		}
	})

	// /status/404 with RaiseForStatus.
	t.Run("status", func(t *testing.T) {
		resp := ok(t)(s.Get(testContext(t), "status/404"))
		readAll(t, resp)
		if resp.Status != 404 || resp.OK() {
			t.Fatalf("status %d", resp.Status)
		}
		re := expectResponseError(t, resp.RaiseForStatus(), aiohttp.ErrClientResponse)
		if re.Status != 404 || re.Request.URL.String() != srv.URL+"/status/404" {
			t.Errorf("ClientResponseError: status %d URL %v", re.Status, re.Request.URL)
		}
		for _, code := range []int{200, 204, 418, 503} {
			resp, err := s.Get(testContext(t), fmt.Sprintf("status/%d", code), aiohttp.RaiseForStatus(true))
			if code < 400 {
				if err != nil || resp.Status != code {
					t.Errorf("status/%d: %v", code, err)
				} else {
					readAll(t, resp)
				}
				continue
			}
			if err == nil {
				resp.Close()
			}
			if re := expectResponseError(t, err, aiohttp.ErrClientResponse); re.Status != code {
				t.Errorf("status/%d: error status %d", code, re.Status)
			}
		}
	})

	// /basic-auth/user/pass: 200 with the right credentials, 401 without or
	// with wrong ones.
	t.Run("basic_auth", func(t *testing.T) {
		var got struct {
			Authenticated bool   `json:"authenticated"`
			User          string `json:"user"`
		}
		binDo(t, s, "GET", "basic-auth/user/pass", &got, aiohttp.BasicAuth{Login: "user", Password: "pass"})
		if !got.Authenticated || got.User != "user" {
			t.Errorf("request auth: %+v", got)
		}
		authed := newClientSession(t, aiohttp.SessionOptions{
			BaseURL: srv.URL + "/",
			Auth:    &aiohttp.BasicAuth{Login: "user", Password: "pass"},
		})
		got.Authenticated = false
		binDo(t, authed, "GET", "basic-auth/user/pass", &got)
		if !got.Authenticated {
			t.Errorf("session auth: %+v", got)
		}
		for _, opts := range [][]aiohttp.RequestOption{nil, {aiohttp.BasicAuth{Login: "user", Password: "wrong"}}} {
			resp := ok(t)(s.Get(testContext(t), "basic-auth/user/pass", opts...))
			readAll(t, resp)
			if resp.Status != 401 {
				t.Errorf("bad credentials: %d, want 401", resp.Status)
			}
		}
	})

	// /response-headers: header fields from the query, a repeated one
	// kept as several fields.
	t.Run("response_headers", func(t *testing.T) {
		var got map[string]any
		resp := binDo(t, s, "GET", "response-headers", &got,
			aiohttp.ParamList{{Key: "X-One", Value: "1"}, {Key: "X-Many", Value: "a"}, {Key: "X-Many", Value: "b"}})
		if v := resp.Header.Get("x-one"); v != "1" {
			t.Errorf("X-One %q", v)
		}
		if v := resp.Header.GetAll("X-MANY"); !reflect.DeepEqual(v, []string{"a", "b"}) {
			t.Errorf("X-Many %q, want [a b]", v)
		}
	})

	// Many requests at once through a small pool, as the seeds' crawlers
	// do; then a total timeout on /delay.
	t.Run("concurrent", func(t *testing.T) {
		s := newClientSession(t, aiohttp.SessionOptions{
			BaseURL:   srv.URL + "/",
			Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: 4}),
		})
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for i := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := s.Get(testContext(t), "get", aiohttp.Params{"i": fmt.Sprint(i)})
				if err != nil {
					errs <- err
					return
				}
				defer resp.Close()
				var e binEcho
				if err := resp.JSON(&e); err != nil || e.Args["i"] != fmt.Sprint(i) {
					errs <- fmt.Errorf("request %d: args %v, %v", i, e.Args, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}

		start := time.Now()
		resp, err := s.Get(testContext(t), "delay/3", aiohttp.ClientTimeout{Total: 300 * time.Millisecond})
		if err == nil {
			resp.Close()
			t.Fatalf("delay/3 with a 300ms timeout: %d", resp.Status)
		}
		if !errors.Is(err, aiohttp.ErrServerTimeout) && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("timeout error %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("a 300ms timeout took %v", d)
		}
	})
}

// canonicalHeader spells a field name as httpbin (werkzeug) shows it:
// each dash-separated word capitalised.
func canonicalHeader(name string) string {
	words := strings.Split(strings.ToLower(name), "-")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, "-")
}
