package aiohttp_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/multidict"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
)

// wireServer answers every request with "ok" and records the requests
// it read; the raw heads are in heads, the parsed requests in reqs.
type wireServer struct {
	*rawServer
	reqs chan *http.Request
}

func startWire(t *testing.T) *wireServer {
	w := &wireServer{reqs: make(chan *http.Request, 100)}
	w.rawServer = startRaw(t, serveRequests(func(r *http.Request) string {
		w.reqs <- r
		return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	}))
	return w
}

// next returns the next request the server read, with its body.
func (w *wireServer) next(t *testing.T) (*http.Request, string) {
	t.Helper()
	select {
	case r := <-w.reqs:
		b, _ := io.ReadAll(r.Body)
		return r, string(b)
	case <-time.After(10 * time.Second):
		t.Fatal("the server got no request")
		return nil, ""
	}
}

func TestRequestParams(t *testing.T) {
	srv := startWire(t)
	s := newSession(t, aiohttp.SessionOptions{})
	get(t, s, srv.URL+"/p?a=1", aiohttp.Params{"b": "x y", "c": "ä&="},
		aiohttp.ParamList{{Key: "d", Value: "1"}, {Key: "d", Value: "2/:?@"}})
	r, _ := srv.next(t)
	if want := "/p?a=1&b=x+y&c=%C3%A4%26%3D&d=1&d=2/:?@"; r.RequestURI != want {
		t.Errorf("target %q, want %q", r.RequestURI, want)
	}
	if got := r.URL.Query()["d"]; len(got) != 2 || got[1] != "2/:?@" {
		t.Errorf("d = %q", got)
	}
	get(t, s, srv.URL+"/q", aiohttp.Params{"k": "v"})
	if r, _ := srv.next(t); r.RequestURI != "/q?k=v" {
		t.Errorf("target %q", r.RequestURI)
	}
}

func TestRequestHeaders(t *testing.T) {
	srv := startWire(t)
	s := newSession(t, aiohttp.SessionOptions{Headers: aiohttp.Headers{"X-Session": "s", "X-Both": "session"}})
	get(t, s, srv.URL+"/", aiohttp.Headers{"X-Both": "request"}, aiohttp.Header("X-Multi", "1"), aiohttp.Header("X-Multi", "2"))
	r, _ := srv.next(t)
	if r.Header.Get("X-Session") != "s" || r.Header.Get("X-Both") != "request" || len(r.Header["X-Both"]) != 1 {
		t.Errorf("merged headers: %v", r.Header)
	}
	if got := r.Header["X-Multi"]; len(got) != 2 {
		t.Errorf("repeated header: %q", got)
	}
	get(t, s, srv.URL+"/", aiohttp.Header("Host", "example.com"), aiohttp.Header("User-Agent", "mine"))
	r, _ = srv.next(t)
	if r.Host != "example.com" || r.UserAgent() != "mine" {
		t.Errorf("Host %q, User-Agent %q", r.Host, r.UserAgent())
	}
	if !strings.HasPrefix(srv.head(1), "GET / HTTP/1.1\r\nHost: example.com\r\n") {
		t.Errorf("given Host is not first:\n%s", srv.head(1))
	}
	_, err := s.Get(testCtx(t), srv.URL+"/", aiohttp.Header("X-Bad", "a\r\nInjected: 1"))
	wantErrKind(t, err, aiohttp.ErrClient)
	_, err = s.Get(testCtx(t), srv.URL+"/", aiohttp.Header("Bad Name", "v"))
	wantErrKind(t, err, aiohttp.ErrClient)
	// The default port is left out of Host.
	srv2 := startWire(t)
	get(t, s, srv2.URL+"/")
	if r, _ := srv2.next(t); r.Host != strings.TrimPrefix(srv2.URL, "http://") {
		t.Errorf("Host %q", r.Host)
	}
}

func TestRequestBodies(t *testing.T) {
	srv := startWire(t)
	s := newSession(t, aiohttp.SessionOptions{})
	ctx := testCtx(t)
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, []byte("from a file"), 0o600)
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	tests := []struct {
		name       string
		opt        aiohttp.RequestOption
		body, ct   string
		te, length string
	}{
		{"bytes", aiohttp.Bytes([]byte("raw\x00")), "raw\x00", "application/octet-stream", "", "4"},
		{"string", aiohttp.String("héllo"), "héllo", "text/plain; charset=utf-8", "", "6"},
		{"form", aiohttp.Form{"b": "2", "a": "x y&"}, "a=x+y%26&b=2", "application/x-www-form-urlencoded", "", "12"},
		{"formlist", aiohttp.FormList{{Key: "k", Value: "1"}, {Key: "k", Value: "2"}}, "k=1&k=2", "application/x-www-form-urlencoded", "", "7"},
		{"json", aiohttp.JSON(map[string]int{"n": 1}), `{"n":1}`, "application/json", "", "7"},
		{"bytes.Reader", aiohttp.Body(bytes.NewReader([]byte("known"))), "known", "application/octet-stream", "", "5"},
		{"strings.Reader", aiohttp.Body(strings.NewReader("known too")), "known too", "application/octet-stream", "", "9"},
		{"file", aiohttp.Body(f), "from a file", "application/octet-stream", "", "11"},
		{"stream", aiohttp.Body(iotest.OneByteReader(strings.NewReader("unknown length"))), "unknown length", "application/octet-stream", "chunked", ""},
		{"empty stream", aiohttp.Body(io.MultiReader()), "", "application/octet-stream", "chunked", ""},
		{"chunked bytes", aiohttp.Bytes([]byte("forced")), "forced", "application/octet-stream", "chunked", ""},
		{"none", nil, "", "", "", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []aiohttp.RequestOption{tt.opt}
			if tt.name == "chunked bytes" {
				opts = append(opts, aiohttp.Chunked())
			}
			resp, err := s.Post(ctx, srv.URL+"/", opts...)
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, resp)
			r, body := srv.next(t)
			if body != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if ct := r.Header.Get("Content-Type"); ct != tt.ct {
				t.Errorf("Content-Type %q, want %q", ct, tt.ct)
			}
			if te := strings.Join(r.TransferEncoding, ","); te != tt.te {
				t.Errorf("Transfer-Encoding %q, want %q", te, tt.te)
			}
			if cl := r.Header.Get("Content-Length"); cl != tt.length {
				t.Errorf("Content-Length %q, want %q", cl, tt.length)
			}
		})
	}

	// A GET without body has no Content-Length; a given Content-Type wins.
	get(t, s, srv.URL+"/")
	if r, _ := srv.next(t); r.Header.Get("Content-Length") != "" || len(r.TransferEncoding) != 0 {
		t.Errorf("GET framing: %v", r.Header)
	}
	// Chunked framing announced without a body sends an empty one.
	get(t, s, srv.URL+"/", aiohttp.Header("Transfer-Encoding", "chunked"))
	if r, body := srv.next(t); len(r.TransferEncoding) != 1 || body != "" {
		t.Errorf("empty chunked body: %v %q", r.TransferEncoding, body)
	}
	get(t, s, srv.URL+"/", aiohttp.Compress("gzip"), aiohttp.Chunked())
	if r, _ := srv.next(t); r.Header.Get("Content-Encoding") != "" || len(r.TransferEncoding) != 0 {
		t.Errorf("compress without a body: %v", r.Header)
	}
	resp, err := s.Post(ctx, srv.URL+"/", aiohttp.JSON(1), aiohttp.Headers{"Content-Type": "application/x+json"})
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if r, _ := srv.next(t); r.Header.Get("Content-Type") != "application/x+json" {
		t.Errorf("given Content-Type replaced: %q", r.Header.Get("Content-Type"))
	}
	resp, err = s.Post(ctx, srv.URL+"/", aiohttp.Bytes([]byte("x")), aiohttp.SkipAutoHeaders("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if r, _ := srv.next(t); r.Header.Get("Content-Type") != "" {
		t.Errorf("skipped Content-Type sent: %q", r.Header.Get("Content-Type"))
	}

	// Conflicts.
	_, err = s.Post(ctx, srv.URL+"/", aiohttp.JSON(1), aiohttp.String("x"))
	wantErrKind(t, err, aiohttp.ErrClient)
	_, err = s.Post(ctx, srv.URL+"/", aiohttp.JSON(make(chan int)))
	wantErrKind(t, err, aiohttp.ErrClient)
	_, err = s.Post(ctx, srv.URL+"/", aiohttp.String("abc"), aiohttp.Headers{"Content-Length": "5"})
	wantErrKind(t, err, aiohttp.ErrClient)
	// A reader failing mid-body fails the request as a payload error.
	_, err = s.Post(ctx, srv.URL+"/", aiohttp.Body(iotest.ErrReader(errors.New("disk on fire"))))
	wantErrKind(t, err, aiohttp.ErrClientPayload)
}

func TestRequestJSONEncoder(t *testing.T) {
	srv := startWire(t)
	s := newSession(t, aiohttp.SessionOptions{JSONEncoder: func(v any) ([]byte, error) {
		b, err := json.MarshalIndent(v, "", " ")
		return b, err
	}})
	resp, err := s.Post(testCtx(t), srv.URL+"/", aiohttp.JSON([]int{1}))
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if _, body := srv.next(t); body != "[\n 1\n]" {
		t.Errorf("body %q", body)
	}
}

func TestRequestCompress(t *testing.T) {
	srv := startWire(t)
	s := newSession(t, aiohttp.SessionOptions{})
	text := strings.Repeat("compress me ", 5000)
	for _, enc := range []string{"gzip", "deflate"} {
		resp, err := s.Post(testCtx(t), srv.URL+"/", aiohttp.String(text), aiohttp.Compress(enc))
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		r, body := srv.next(t)
		if r.Header.Get("Content-Encoding") != enc || len(r.TransferEncoding) == 0 {
			t.Fatalf("%s: headers %v", enc, r.Header)
		}
		var zr io.Reader
		var err2 error
		if enc == "gzip" {
			zr, err2 = gzip.NewReader(strings.NewReader(body))
		} else {
			zr, err2 = zlib.NewReader(strings.NewReader(body))
		}
		if err2 != nil {
			t.Fatal(err2)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || string(plain) != text {
			t.Errorf("%s: decoded %d bytes, err %v", enc, len(plain), err)
		}
		if len(body) >= len(text)/10 {
			t.Errorf("%s: %d bytes sent for %d", enc, len(body), len(text))
		}
	}
	_, err := s.Post(testCtx(t), srv.URL+"/", aiohttp.String("x"), aiohttp.Compress("lzma"))
	wantErrKind(t, err, aiohttp.ErrClient)
	_, err = s.Post(testCtx(t), srv.URL+"/", aiohttp.String("x"), aiohttp.Compress("gzip"), aiohttp.Headers{"Content-Encoding": "br"})
	wantErrKind(t, err, aiohttp.ErrClient)
}

func TestRequestExpect100(t *testing.T) {
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		for {
			head, ok := s.readHead(br)
			if !ok {
				return
			}
			if strings.HasPrefix(head, "POST /refuse") {
				io.WriteString(c, "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n")
				continue
			}
			// The body must not arrive before the 100.
			c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			if n, _ := br.Peek(1); len(n) > 0 {
				io.WriteString(c, "HTTP/1.1 400 Early\r\nContent-Length: 0\r\n\r\n")
				return
			}
			c.SetReadDeadline(time.Time{})
			io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
			body := make([]byte, 4)
			if _, err := io.ReadFull(br, body); err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"+string(body))
		}
	})
	s := newSession(t, aiohttp.SessionOptions{})
	resp, err := s.Post(testCtx(t), srv.URL+"/ok", aiohttp.String("data"), aiohttp.Expect100())
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.Status != 200 || body != "data" {
		t.Fatalf("%d %q", resp.Status, body)
	}
	if !strings.Contains(srv.head(0), "\r\nExpect: 100-continue\r\n") {
		t.Errorf("head:\n%s", srv.head(0))
	}
	resp, err = s.Post(testCtx(t), srv.URL+"/refuse", aiohttp.String("data"), aiohttp.Expect100())
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.Status != 417 {
		t.Errorf("refused: %d", resp.Status)
	}
	// After a refusal the connection is not reused: the server may still
	// wait for the body.
	resp, err = s.Post(testCtx(t), srv.URL+"/ok", aiohttp.String("more"), aiohttp.Expect100())
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); body != "more" {
		t.Errorf("after refusal: %q", body)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

func TestRequestHTTPProxy(t *testing.T) {
	proxy := startWire(t)
	s := newSession(t, aiohttp.SessionOptions{Proxy: proxy.URL, ProxyAuth: &aiohttp.BasicAuth{Login: "p", Password: "w"}})
	get(t, s, "http://example.invalid:8080/path?q=1")
	r, _ := proxy.next(t)
	if r.RequestURI != "http://example.invalid:8080/path?q=1" {
		t.Errorf("request target %q", r.RequestURI)
	}
	if r.Header.Get("Proxy-Authorization") != "Basic cDp3" || r.Host != "example.invalid:8080" {
		t.Errorf("headers %v host %q", r.Header, r.Host)
	}
	// Per request, credentials in the proxy URL.
	plain := newSession(t, aiohttp.SessionOptions{})
	get(t, plain, "http://example.invalid/", aiohttp.Proxy("http://u:s@"+strings.TrimPrefix(proxy.URL, "http://")),
		aiohttp.ProxyHeaders(aiohttp.Headers{"X-Proxy": "1", "X-Both": "proxy"}), aiohttp.Header("X-Both", "request"))
	r, _ = proxy.next(t)
	if r.RequestURI != "http://example.invalid/" || r.Header.Get("Proxy-Authorization") != "Basic dTpz" ||
		r.Header.Get("X-Proxy") != "1" || len(r.Header["X-Both"]) != 1 || r.Header.Get("X-Both") != "request" {
		t.Errorf("per-request proxy: %q %v", r.RequestURI, r.Header)
	}
	get(t, plain, "http://example.invalid/", aiohttp.Proxy(proxy.URL), aiohttp.ProxyAuth(aiohttp.BasicAuth{Login: "r", Password: "q"}))
	if r, _ := proxy.next(t); r.Header.Get("Proxy-Authorization") != "Basic cjpx" {
		t.Errorf("ProxyAuth: %v", r.Header)
	}
	// From the environment with TrustEnv only.
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", "")
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	netrc := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(netrc, []byte("machine 127.0.0.1 login n password m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETRC", netrc)
	env := newSession(t, aiohttp.SessionOptions{TrustEnv: true})
	get(t, env, "http://example.invalid/env")
	// Its credentials come from netrc, unless the proxy URL has some.
	if r, _ := proxy.next(t); r.RequestURI != "http://example.invalid/env" || r.Header.Get("Proxy-Authorization") != "Basic bjpt" {
		t.Errorf("env proxy: %q %v", r.RequestURI, r.Header)
	}
	t.Setenv("HTTP_PROXY", "http://a:b@"+strings.TrimPrefix(proxy.URL, "http://"))
	get(t, env, "http://example.invalid/env")
	if r, _ := proxy.next(t); r.Header.Get("Proxy-Authorization") != "Basic YTpi" {
		t.Errorf("env proxy with credentials: %v", r.Header)
	}
	// A proxy not from the environment does not read netrc.
	get(t, plain, "http://example.invalid/", aiohttp.Proxy(proxy.URL))
	if r, _ := proxy.next(t); r.Header.Get("Proxy-Authorization") != "" {
		t.Errorf("netrc read for a given proxy: %v", r.Header)
	}
	_, err := plain.Get(testCtx(t), "http://example.invalid/", aiohttp.Proxy("gopher://x"))
	wantErrKind(t, err, aiohttp.ErrInvalidURL)
}

func TestRequestInfo(t *testing.T) {
	srv := startWire(t)
	s := newSession(t, aiohttp.SessionOptions{})
	resp, _ := get(t, s, srv.URL+"/info#frag", aiohttp.Header("X-A", "1"))
	info := resp.Request
	if info.Method != "GET" || info.URL.String() != srv.URL+"/info" || info.RealURL.String() != srv.URL+"/info#frag" {
		t.Errorf("info %+v", info)
	}
	if info.Header.Get("X-A") != "1" || info.Header.Get("User-Agent") != aiohttp.DefaultUserAgent {
		t.Errorf("info header %v", info.Header)
	}
	if resp.Version != (aiohttp.Version{Major: 1, Minor: 1}) || resp.Reason != "OK" || resp.Method != "GET" {
		t.Errorf("response %v %q", resp.Version, resp.Reason)
	}
	if got := resp.Header.Items(); len(got) != 1 || got[0] != (multidict.Item{Key: "Content-Length", Value: "2"}) {
		t.Errorf("header %v", got)
	}
}

func TestRequestReadBufSize(t *testing.T) {
	srv := startRaw(t, serveRequests(func(*http.Request) string {
		line := strings.Repeat("x", 100) + "\n"
		return "HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n" + line
	}))
	s := newSession(t, aiohttp.SessionOptions{})
	for _, tt := range []struct {
		opt  aiohttp.RequestOption
		want error
	}{{nil, nil}, {aiohttp.ReadBufSize(16), aiohttp.ErrChunkTooBig}} {
		resp, err := s.Get(testCtx(t), srv.URL+"/", tt.opt)
		if err != nil {
			t.Fatal(err)
		}
		_, err = resp.Content().ReadLine()
		resp.Close()
		if !errors.Is(err, tt.want) {
			t.Errorf("ReadLine: %v, want %v", err, tt.want)
		}
	}
}

// ReadChunk tells where the server's chunks end (aiohttp's
// end_of_http_chunk), a chunk larger than the buffer in several pieces.
func TestResponseReadChunkBoundaries(t *testing.T) {
	big := strings.Repeat("b", 40<<10)
	srv := startRaw(t, serveRequests(func(*http.Request) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"3\r\nabc\r\n5\r\ndefgh\r\n" + strconv.FormatInt(int64(len(big)), 16) + "\r\n" + big + "\r\n0\r\n\r\n"
	}))
	s := newSession(t, aiohttp.SessionOptions{})
	resp, err := s.Get(testCtx(t), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	var chunks []string
	var cur strings.Builder
	for {
		data, end, err := resp.Content().ReadChunk()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		cur.Write(data)
		if end {
			chunks = append(chunks, cur.String())
			cur.Reset()
		}
	}
	if cur.Len() != 0 || len(chunks) != 3 || chunks[0] != "abc" || chunks[1] != "defgh" || chunks[2] != big {
		t.Fatalf("chunks %d: %.10q, rest %d bytes", len(chunks), chunks, cur.Len())
	}
}

// A body framed by the connection's end is read to it, or is empty with
// DisableReadUntilEOF (aiohttp's read_until_eof), which a request's
// ReadUntilEOF overrides either way.
func TestResponseReadUntilEOF(t *testing.T) {
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		if _, ok := s.readHead(br); ok {
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"))
		}
	})
	for _, tt := range []struct {
		disable bool
		opts    []aiohttp.RequestOption
		read    bool
	}{
		{false, nil, true},
		{true, nil, false},
		{false, []aiohttp.RequestOption{aiohttp.ReadUntilEOF(false)}, false},
		{true, []aiohttp.RequestOption{aiohttp.ReadUntilEOF(true)}, true},
	} {
		s := newSession(t, aiohttp.SessionOptions{DisableReadUntilEOF: tt.disable})
		resp, err := s.Get(testCtx(t), srv.URL+"/", tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		want := "until the end"
		if !tt.read {
			want = ""
		}
		if got := readBody(t, resp); got != want {
			t.Errorf("DisableReadUntilEOF %v, %d options: body %q, want %q", tt.disable, len(tt.opts), got, want)
		}
		if st := s.Connector().(*aiohttp.TCPConnector).Stats(); st.Idle != 0 || st.InUse != 0 {
			t.Errorf("DisableReadUntilEOF %v: the connection was kept: %+v", tt.disable, st)
		}
	}
}

// The Location of a redirect is requoted as aiohttp does, or followed as
// sent with DisableRequoteRedirectURL.
func TestRedirectRequote(t *testing.T) {
	for _, tt := range []struct {
		disable bool
		want    string // the request line of the second request
	}{
		{false, "GET /t~ilde/%2F%25?q=a%20b HTTP/1.1"},
		{true, "GET /t%7eilde/%2f%25?q=a%20b HTTP/1.1"},
	} {
		srv := startRaw(t, serveRequests(func(r *http.Request) string {
			if r.URL.Path == "/r" {
				return "HTTP/1.1 302 Found\r\nLocation: /t%7eilde/%2f%?q=a b\r\nContent-Length: 0\r\n\r\n"
			}
			return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
		}))
		s := newSession(t, aiohttp.SessionOptions{DisableRequoteRedirectURL: tt.disable})
		resp, err := s.Get(testCtx(t), srv.URL+"/r")
		if tt.disable {
			// "%?" is no escape: the Location as sent is no URL.
			if !errors.Is(err, aiohttp.ErrInvalidURLRedirect) {
				t.Fatalf("disabled: %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		srv.mu.Lock()
		line, _, _ := strings.Cut(srv.heads[1], "\r\n")
		srv.mu.Unlock()
		if line != tt.want {
			t.Errorf("requote %v: request line %q, want %q", !tt.disable, line, tt.want)
		}
	}
	// A valid Location keeps its escapes with DisableRequoteRedirectURL.
	srv := startRaw(t, serveRequests(func(r *http.Request) string {
		if r.URL.Path == "/r" {
			return "HTTP/1.1 302 Found\r\nLocation: /t%7eilde\r\nContent-Length: 0\r\n\r\n"
		}
		return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	}))
	s := newSession(t, aiohttp.SessionOptions{DisableRequoteRedirectURL: true})
	resp, err := s.Get(testCtx(t), srv.URL+"/r")
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if line, _, _ := strings.Cut(srv.heads[1], "\r\n"); line != "GET /t%7eilde HTTP/1.1" {
		t.Errorf("as sent: request line %q", line)
	}
}

// Closing a response whose small rest stopped coming does not wait for
// the total timeout: the connection closes instead.
func TestResponseCloseStalledBody(t *testing.T) {
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		if _, ok := s.readHead(br); ok {
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"))
			io.Copy(io.Discard, br) // stall until the client closes
		}
	})
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{})
	s := newSession(t, aiohttp.SessionOptions{Connector: conn})
	resp, err := s.Get(testCtx(t), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { resp.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close is waiting for the stalled body")
	}
	if st := conn.Stats(); st.Open != 0 {
		t.Errorf("the connection was kept: %+v", st)
	}
}

// A server that answers and closes without saying so leaves a pooled
// connection that ends before the next request is sent: the request goes
// again on a new one.
func TestRequestServerClosedAfterAnswer(t *testing.T) {
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		if s.readRequest(br) != nil {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	s := newSession(t, aiohttp.SessionOptions{})
	for i := range 5 {
		if _, body := get(t, s, srv.URL+"/"); body != "ok" {
			t.Fatalf("request %d: %q", i, body)
		}
	}
	if n := srv.conns.Load(); n != 5 {
		t.Errorf("%d connections, want 5", n)
	}
}

// A response the parser rejects fails with an error that names what was
// wrong, as aiohttp's http_exceptions do: a bad head as a 400
// ClientResponseError, a broken body as a payload error.
func TestResponseParserErrorsAreTyped(t *testing.T) {
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		r := s.readRequest(br)
		if r == nil {
			return
		}
		switch r.URL.Path {
		case "/status":
			io.WriteString(c, "HTTP/1.1 2x0 OK\r\n\r\n")
		case "/field":
			io.WriteString(c, "HTTP/1.1 200 OK\r\nX A: b\r\nContent-Length: 0\r\n\r\n")
		case "/long":
			io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Long: "+strings.Repeat("x", 9000)+"\r\n\r\n")
		case "/chunk":
			io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n")
		case "/short":
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
		}
	})
	s := newSession(t, aiohttp.SessionOptions{})
	for _, tt := range []struct {
		path       string
		kind, what error
	}{
		{"/status", aiohttp.ErrClientResponse, aiohttp.ErrBadStatusLine},
		{"/field", aiohttp.ErrClientResponse, aiohttp.ErrInvalidHeader},
		{"/long", aiohttp.ErrClientResponse, aiohttp.ErrLineTooLong},
		{"/chunk", aiohttp.ErrClientPayload, aiohttp.ErrTransferEncoding},
		{"/short", aiohttp.ErrClientPayload, aiohttp.ErrContentLength},
	} {
		resp, err := s.Get(testCtx(t), srv.URL+tt.path)
		if err == nil {
			_, err = resp.Bytes()
			resp.Close()
		}
		if !errors.Is(err, tt.kind) || !errors.Is(err, tt.what) || !errors.Is(err, aiohttp.ErrBadHTTPMessage) {
			t.Errorf("%s: %v, want %v and %v", tt.path, err, tt.kind, tt.what)
		}
		var re *aiohttp.ClientResponseError
		if tt.kind == aiohttp.ErrClientResponse && (!errors.As(err, &re) || re.Status != 400 || re.Message == "") {
			t.Errorf("%s: %#v, want a 400 ClientResponseError saying why", tt.path, err)
		}
	}
}

// UploadProgress follows every kind of body over HTTP/1.1 and HTTP/2, to
// its whole length.
func TestRequestUploadProgress(t *testing.T) {
	sizeApp := func(app *web.Application) {
		app.Router.Post("/size", func(r *web.Request) (web.Response, error) {
			b, err := r.Bytes()
			if err != nil {
				return nil, err
			}
			return web.Text(strconv.Itoa(len(b))), nil
		})
	}
	h1 := newSession(t, aiohttp.SessionOptions{BaseURL: serveApp(t, sizeApp)})
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{TLS: aiohttp.TLSOptions{InsecureSkipVerify: true}})
	h2 := newSession(t, aiohttp.SessionOptions{BaseURL: serveTLSApp(t, sizeApp), Connector: conn})
	big := strings.Repeat("0123456789abcdef", 600<<10/16)
	for _, tt := range []struct {
		name  string
		s     *aiohttp.Session
		body  func() aiohttp.RequestOption
		extra []aiohttp.RequestOption
		size  int
		total int64 // announced
		calls int   // at least
	}{
		{"bytes", h1, func() aiohttp.RequestOption { return aiohttp.String(big) }, nil, len(big), int64(len(big)), len(big) / (32 << 10)},
		{"small", h1, func() aiohttp.RequestOption { return aiohttp.String("tiny") }, nil, 4, 4, 1},
		{"stream", h1, func() aiohttp.RequestOption { return aiohttp.Body(io.MultiReader(strings.NewReader(big))) }, nil, len(big), -1, 2},
		{"gzip", h1, func() aiohttp.RequestOption { return aiohttp.String(big) }, []aiohttp.RequestOption{aiohttp.Compress("gzip")}, len(big), int64(len(big)), 2},
		{"h2", h2, func() aiohttp.RequestOption { return aiohttp.String(big) }, nil, len(big), int64(len(big)), 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var sent, totals []int64
			progress := aiohttp.UploadProgress(func(n, total int64) {
				sent, totals = append(sent, n), append(totals, total)
			})
			opts := append([]aiohttp.RequestOption{tt.body(), progress}, tt.extra...)
			resp, err := tt.s.Post(testCtx(t), "/size", opts...)
			if err != nil {
				t.Fatal(err)
			}
			if got := readBody(t, resp); got != strconv.Itoa(tt.size) { // compressed too: the server decodes it
				t.Fatalf("the server got %s bytes, want %d", got, tt.size)
			}
			if len(sent) < tt.calls || sent[len(sent)-1] != int64(tt.size) || !slices.IsSorted(sent) {
				t.Errorf("%d calls, ending at %v, want at least %d ending at %d, increasing", len(sent), sent[len(sent)-1:], tt.calls, tt.size)
			}
			for _, total := range totals {
				if total != tt.total {
					t.Fatalf("total %d, want %d", total, tt.total)
				}
			}
		})
	}
}
