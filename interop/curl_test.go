package interop

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// curlCommon are the options every curl transfer gets: no proxy, quiet but
// with errors shown, and a bound on the transfer. With --next they must be
// given again.
var curlCommon = []string{"--noproxy", "*", "--silent", "--show-error", "--max-time", "20"}

// curlArgs returns curl's arguments: -q (ignore ~/.curlrc; it must come
// first), the common options, then args.
func curlArgs(args ...string) []string {
	return append(append([]string{"-q"}, curlCommon...), args...)
}

// next starts another transfer in the same curl invocation, which shares
// the connection cache: "--next" and the common options again.
func next(args ...string) []string {
	return append(append([]string{"--next"}, curlCommon...), args...)
}

// runCurl runs curl and fails the test when it exits non-zero.
func runCurl(t *testing.T, stdin []byte, args ...string) (stdout, stderr string) {
	t.Helper()
	curl := needCurl(t)
	stdout, stderr, err := runPeer(t, stdin, curl, curlArgs(args...)...)
	if err != nil {
		t.Fatalf("curl %s: %v\nstderr:\n%s\nstdout:\n%s", strings.Join(args, " "), err, stderr, stdout)
	}
	return stdout, stderr
}

// response is an HTTP/1.x response curl printed with --include or --head.
type response struct {
	*http.Response
	body string
}

// readResponses parses the responses curl printed with --include (or
// --head, for which methods says HEAD) in order, skipping interim 1xx
// responses. methods gives each response's request method.
func readResponses(t *testing.T, out string, methods ...string) []response {
	t.Helper()
	br := bufio.NewReader(strings.NewReader(out))
	var resps []response
	for _, method := range methods {
		for {
			resp, err := http.ReadResponse(br, &http.Request{Method: method})
			if err != nil {
				t.Fatalf("parsing curl's output for response %d: %v\noutput:\n%s", len(resps)+1, err, out)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("reading body of response %d: %v\noutput:\n%s", len(resps)+1, err, out)
			}
			if resp.StatusCode >= 200 {
				resps = append(resps, response{resp, string(body)})
				break
			}
		}
	}
	if rest, _ := io.ReadAll(br); len(rest) > 0 {
		t.Fatalf("curl printed more than %d responses; left over: %q", len(methods), rest)
	}
	return resps
}

// curlOne runs one curl transfer with --include and returns its response.
func curlOne(t *testing.T, stdin []byte, method string, args ...string) response {
	t.Helper()
	out, _ := runCurl(t, stdin, append([]string{"--include"}, args...)...)
	return readResponses(t, out, method)[0]
}

// wantResponse checks a response's status, body and, when given,
// Content-Type.
func wantResponse(t *testing.T, what string, r response, status int, ctype, body string) {
	t.Helper()
	if r.StatusCode != status {
		t.Errorf("%s: status %d, want %d (body %q)", what, r.StatusCode, status, r.body)
	}
	if ctype != "" && r.Header.Get("Content-Type") != ctype {
		t.Errorf("%s: Content-Type %q, want %q", what, r.Header.Get("Content-Type"), ctype)
	}
	if r.body != body {
		t.Errorf("%s: body %q, want %q", what, r.body, body)
	}
}

// TestCurlRoutes: the demo's routes answer curl over HTTP/1.1.
func TestCurlRoutes(t *testing.T) {
	needCurl(t)
	srv := startServer(t)
	const text = "text/plain; charset=utf-8"
	jsonBody := []string{"-H", "Content-Type: application/json", "--data-binary"}
	tests := []struct {
		name, method, path string
		args               []string
		status             int
		ctype, body        string
	}{
		{"root", "GET", "/", nil, 200, text, "Hello, Anonymous"},
		{"name", "GET", "/Alice", nil, 200, text, "Hello, Alice"},
		{"escaped name", "GET", "/J%C3%B6rg%20M", nil, 200, text, "Hello, Jörg M"},
		{"health", "GET", "/health", nil, 200, text, "OK"},
		{"post json", "POST", "/api/data", append(jsonBody, `{"key": "value", "n": [1, 2.5, null]}`),
			200, "application/json", `{"status":"success","received":{"key":"value","n":[1,2.5,null]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := curlOne(t, nil, tt.method, append(tt.args, srv.URL+tt.path)...)
			wantResponse(t, tt.method+" "+tt.path, r, tt.status, tt.ctype, tt.body)
		})
	}
	t.Run("post bad json", func(t *testing.T) {
		r := curlOne(t, nil, "POST", append(jsonBody, `{"key": `, srv.URL+"/api/data")...)
		var v struct{ Status, Message string }
		if err := json.Unmarshal([]byte(r.body), &v); err != nil || r.StatusCode != 400 || v.Status != "error" || v.Message == "" {
			t.Errorf("bad JSON: %d %q, want 400 {\"status\":\"error\",\"message\":...}", r.StatusCode, r.body)
		}
	})
}

// TestCurlKeepAlive: three URLs in one curl invocation share one
// connection.
func TestCurlKeepAlive(t *testing.T) {
	needCurl(t)
	srv := startServer(t)
	var args []string
	for _, p := range []string{"/", "/Alice", "/health"} {
		args = append(args, "--verbose", "--output", os.DevNull, "--write-out", `%{http_code} %{num_connects}\n`, srv.URL+p)
	}
	out, verbose := runCurl(t, nil, args...)
	if got, want := out, "200 1\n200 0\n200 0\n"; got != want {
		t.Errorf("status and new connections per transfer:\n%swant:\n%s", got, want)
	}
	if n := strings.Count(verbose, "Re-using existing "); n != 2 {
		t.Errorf("curl reused the connection %d times, want 2; verbose output:\n%s", n, verbose)
	}
}

// TestCurlHead: HEAD (curl --head) answers GET's headers, Content-Length
// included, and no body: a GET that follows on the same connection gets
// its own response intact.
func TestCurlHead(t *testing.T) {
	needCurl(t)
	srv := startServer(t)
	args := []string{"--head", srv.URL + "/Alice"}
	args = append(args, next("--include", "--write-out", `%{num_connects}`, srv.URL+"/Bob")...)
	out, _ := runCurl(t, nil, args...)
	connects := out[len(out)-1:]
	resps := readResponses(t, out[:len(out)-1], "HEAD", "GET")
	head, get := resps[0], resps[1]
	wantResponse(t, "HEAD /Alice", head, 200, "text/plain; charset=utf-8", "")
	if cl := head.Header.Get("Content-Length"); cl != "12" {
		t.Errorf("HEAD /Alice: Content-Length %q, want GET's 12", cl)
	}
	wantResponse(t, "GET /Bob after HEAD", get, 200, "text/plain; charset=utf-8", "Hello, Bob")
	if connects != "0" {
		t.Errorf("GET after HEAD opened %s new connections, want 0 (reuse)", connects)
	}
}

// TestCurlNotFoundMethodNotAllowed: 404 for an unknown path, 405 with the
// Allow header for a known path and another method.
func TestCurlNotFoundMethodNotAllowed(t *testing.T) {
	needCurl(t)
	srv := startServer(t)
	r := curlOne(t, nil, "GET", srv.URL+"/no/such/path")
	wantResponse(t, "GET /no/such/path", r, 404, "", "404: Not Found")

	tests := []struct{ method, path, allow string }{
		{"DELETE", "/api/data", "POST"},
		{"GET", "/api/data", "POST"},
		{"PUT", "/health", "GET,HEAD"},
	}
	for _, tt := range tests {
		r := curlOne(t, nil, tt.method, "--request", tt.method, srv.URL+tt.path)
		wantResponse(t, tt.method+" "+tt.path, r, 405, "", "405: Method Not Allowed")
		if got := r.Header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
	}
}

// writeFile writes data to a file in the test's temporary directory and
// returns its path.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const tooLargeBody = "Maximum request body size 1048576 exceeded"

// TestCurlTooLarge: a 2 MiB upload gets 413 whether curl announces it
// with Content-Length and Expect: 100-continue (its default above 1 MiB) or
// streams it chunked; 1 MiB exactly still goes through.
func TestCurlTooLarge(t *testing.T) {
	needCurl(t)
	srv := startServer(t)
	big := payload(2 * bodyLimit)
	file := writeFile(t, "big", big)

	t.Run("content-length", func(t *testing.T) {
		out, verbose := runCurl(t, nil, "--verbose", "--include", "--data-binary", "@"+file, srv.URL+"/digest")
		if !strings.Contains(verbose, "> Expect: 100-continue") {
			t.Errorf("curl did not send Expect: 100-continue for 2 MiB; verbose output:\n%s", verbose)
		}
		r := readResponses(t, out, "POST")[0]
		if r.StatusCode != 413 || !strings.HasPrefix(r.body, tooLargeBody) {
			t.Errorf("2 MiB upload: %d %q, want 413 %q", r.StatusCode, r.body, tooLargeBody)
		}
	})
	t.Run("chunked", func(t *testing.T) {
		r := curlOne(t, big, "POST", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-", srv.URL+"/digest")
		if r.StatusCode != 413 || !strings.HasPrefix(r.body, tooLargeBody) {
			t.Errorf("2 MiB chunked upload: %d %q, want 413 %q", r.StatusCode, r.body, tooLargeBody)
		}
	})
	t.Run("at the limit", func(t *testing.T) {
		body := big[:bodyLimit]
		r := curlOne(t, nil, "POST", "--data-binary", "@"+writeFile(t, "limit", body), srv.URL+"/digest")
		wantResponse(t, "1 MiB upload", r, 200, "", digest(body))
	})
	t.Run("demo route", func(t *testing.T) {
		r := curlOne(t, nil, "POST", "-H", "Content-Type: application/json", "--data-binary", "@"+file, srv.URL+"/api/data")
		if r.StatusCode != 413 {
			t.Errorf("2 MiB POST /api/data: %d %q, want 413", r.StatusCode, r.body)
		}
	})
}

// TestCurlChunkedUpload: a body of unknown length from stdin goes chunked
// and the server reads all of it.
func TestCurlChunkedUpload(t *testing.T) {
	needCurl(t)
	srv := startServer(t)
	body := payload(300_000)
	out, verbose := runCurl(t, body, "--verbose", "--include", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-", srv.URL+"/digest")
	if !strings.Contains(verbose, "> Transfer-Encoding: chunked") {
		t.Errorf("curl did not send chunked; verbose output:\n%s", verbose)
	}
	r := readResponses(t, out, "POST")[0]
	wantResponse(t, "chunked upload", r, 200, "", digest(body))
	if te := r.Header.Get("X-Request-Transfer-Encoding"); te != "chunked" {
		t.Errorf("server saw Transfer-Encoding %q, want chunked", te)
	}
}

// TestCurlExpectContinue: with Expect: 100-continue the server answers 100
// Continue before curl sends the body, then the final response.
func TestCurlExpectContinue(t *testing.T) {
	needCurl(t)
	srv := startServer(t)
	body := payload(100_000)
	// A long expect timeout: a server that never answers 100 would stall
	// curl for 10s and show "Done waiting for 100-continue".
	out, verbose := runCurl(t, nil, "--verbose", "--include", "--expect100-timeout", "10",
		"-H", "Expect: 100-continue", "--data-binary", "@"+writeFile(t, "body", body), srv.URL+"/digest")
	if !strings.Contains(verbose, "> Expect: 100-continue") {
		t.Fatalf("curl did not send Expect; verbose output:\n%s", verbose)
	}
	if !strings.Contains(verbose, "< HTTP/1.1 100 Continue") || strings.Contains(verbose, "Done waiting for 100-continue") {
		t.Errorf("no 100 Continue before the body; verbose output:\n%s", verbose)
	}
	if !strings.HasPrefix(out, "HTTP/1.1 100 Continue\r\n\r\n") {
		t.Errorf("output does not start with the 100 Continue: %q", out[:min(len(out), 80)])
	}
	wantResponse(t, "upload after 100 Continue", readResponses(t, out, "POST")[0], 200, "", digest(body))
}

// TestCurlExpectContinueRejected: a request refused before its body (404,
// 405) gets its answer at once, without 100 Continue; curl must not have
// to time out and send the body anyway.
func TestCurlExpectContinueRejected(t *testing.T) {
	needCurl(t)
	srv := startServer(t)
	file := writeFile(t, "body", payload(100_000))
	for _, tt := range []struct {
		path   string
		status int
	}{{"/no/such/path", 404}, {"/health", 405}} {
		out, verbose := runCurl(t, nil, "--verbose", "--include", "--expect100-timeout", "10",
			"-H", "Expect: 100-continue", "--data-binary", "@"+file, srv.URL+tt.path)
		if strings.Contains(verbose, "100 Continue") {
			t.Errorf("POST %s: 100 Continue for a request that is refused; verbose output:\n%s", tt.path, verbose)
		}
		if strings.Contains(verbose, "Done waiting for 100-continue") {
			t.Errorf("POST %s: the server held its %d until curl gave up waiting and sent the body; verbose output:\n%s",
				tt.path, tt.status, verbose)
		}
		if r := readResponses(t, out, "POST")[0]; r.StatusCode != tt.status {
			t.Errorf("POST %s: status %d, want %d", tt.path, r.StatusCode, tt.status)
		}
	}
}

// TestCurlHTTP2PriorKnowledge: h2c with prior knowledge. One transfer per
// curl run: Debian bookworm's curl 7.88.1 breaks a reused prior-knowledge
// connection (curl/curl#10634, fixed in 8.0.0). The 413 of an oversized
// upload is checked with nghttp (TestNghttpTooLarge): curl 7.88.1 reports
// the server's RST_STREAM(NO_ERROR) after an early response as error 92,
// though RFC 9113 section 8.1 allows it.
func TestCurlHTTP2PriorKnowledge(t *testing.T) {
	needCurlHTTP2(t)
	srv := startServer(t)
	streamed := payload(300_000)
	tests := []struct {
		name, path string
		args       []string
		stdin      []byte
		status     int
		body       string
	}{
		{name: "get", path: "/Alice", status: 200, body: "Hello, Alice"},
		{name: "post json", path: "/api/data", args: []string{"-H", "Content-Type: application/json", "--data-binary", `{"a":[1,2]}`},
			status: 200, body: `{"status":"success","received":{"a":[1,2]}}`},
		{name: "streamed body", path: "/digest", args: []string{"--data-binary", "@-"}, stdin: streamed,
			status: 200, body: digest(streamed)},
		{name: "not found", path: "/no/such/path", status: 404, body: "404: Not Found"},
		{name: "method not allowed", path: "/api/data", args: []string{"--request", "DELETE"}, status: 405, body: "405: Method Not Allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--http2-prior-knowledge", "--write-out", `\n%{http_version} %{http_code}`}, tt.args...)
			out, _ := runCurl(t, tt.stdin, append(args, srv.URL+tt.path)...)
			i := strings.LastIndexByte(out, '\n')
			body, tail := out[:max(i, 0)], out[i+1:]
			if want := fmt.Sprintf("2 %d", tt.status); tail != want {
				t.Errorf("HTTP version and status %q, want %q", tail, want)
			}
			if body != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
		})
	}
	t.Run("head", func(t *testing.T) {
		out, _ := runCurl(t, nil, "--http2-prior-knowledge", "--head", srv.URL+"/Alice")
		if !strings.HasPrefix(out, "HTTP/2 200 \r\n") || !strings.Contains(out, "content-length: 12\r\n") || !strings.HasSuffix(out, "\r\n\r\n") {
			t.Errorf("HEAD over HTTP/2: want 200 with GET's content-length 12 and no body, got %q", out)
		}
	})
}

// TestCurlH2CUpgrade: curl --http2 on an http:// URL asks for "Upgrade:
// h2c"; the server switches and answers the request over HTTP/2.
func TestCurlH2CUpgrade(t *testing.T) {
	needCurlHTTP2(t)
	srv := startServer(t)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"get", []string{srv.URL + "/Alice"}, "Hello, Alice\n2 200"},
		{"post", []string{"--data-binary", "hello", srv.URL + "/digest"}, digest([]byte("hello")) + "\n2 200"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--http2", "--verbose", "--write-out", `\n%{http_version} %{http_code}`}, tt.args...)
			out, verbose := runCurl(t, nil, args...)
			if !strings.Contains(verbose, "< HTTP/1.1 101 Switching Protocols") || !strings.Contains(verbose, "< Upgrade: h2c") {
				t.Errorf("no 101 Switching Protocols to h2c; verbose output:\n%s", verbose)
			}
			if out != tt.want {
				t.Errorf("got %q, want %q", out, tt.want)
			}
		})
	}
}
