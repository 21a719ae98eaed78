package interop

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dial connects to the server with a deadline for the whole exchange.
func dial(t *testing.T, srv *server) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", srv.Addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(peerTimeout)); err != nil {
		t.Fatal(err)
	}
	return c
}

// pipelined is one request of a pipeline and what its response must be.
type pipelined struct {
	method, raw string // the request's method and bytes
	status      int
	body        string
	header      map[string]string // fields the response must have
	close       bool              // the response must say "Connection: close"
}

// get returns a pipelined GET of path, with extra header lines.
func get(path string, extra ...string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + strings.Join(extra, "") + "\r\n"
}

// readPipeline reads the responses to reqs in order from br.
func readPipeline(t *testing.T, br *bufio.Reader, reqs []pipelined) {
	t.Helper()
	for i, p := range reqs {
		resp, err := http.ReadResponse(br, &http.Request{Method: p.method})
		if err != nil {
			t.Fatalf("response %d (%s): %v", i+1, firstLine(p.raw), err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("response %d (%s): body: %v", i+1, firstLine(p.raw), err)
		}
		if resp.StatusCode != p.status || string(body) != p.body {
			t.Errorf("response %d (%s): %d %q, want %d %q", i+1, firstLine(p.raw), resp.StatusCode, body, p.status, p.body)
		}
		if resp.Close != p.close {
			t.Errorf("response %d (%s): Connection: close is %v, want %v", i+1, firstLine(p.raw), resp.Close, p.close)
		}
		for k, v := range p.header {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("response %d (%s): %s %q, want %q", i+1, firstLine(p.raw), k, got, v)
			}
		}
	}
}

func firstLine(raw string) string {
	line, _, _ := strings.Cut(raw, "\r\n")
	return line
}

// TestPipelining: requests written back to back in one write (GET, HEAD,
// a JSON POST, a chunked upload, 404, 405, and a last GET asking to close)
// are answered in order, each response intact, and the connection closes
// after the last.
func TestPipelining(t *testing.T) {
	srv := startServer(t)
	json := `{"pipelined":true}`
	chunks := []string{"hello, ", "pipelined ", "world"}
	var chunked strings.Builder
	for _, c := range chunks {
		chunked.WriteString(strconv.FormatInt(int64(len(c)), 16) + "\r\n" + c + "\r\n")
	}
	chunked.WriteString("0\r\n\r\n")
	reqs := []pipelined{
		{method: "GET", raw: get("/Alice"), status: 200, body: "Hello, Alice"},
		{method: "HEAD", raw: "HEAD /Bob HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", status: 200,
			header: map[string]string{"Content-Length": "10"}},
		{method: "POST", raw: "POST /api/data HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
			strconv.Itoa(len(json)) + "\r\n\r\n" + json, status: 200, body: `{"status":"success","received":` + json + `}`},
		{method: "POST", raw: "POST /digest HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked.String(),
			status: 200, body: digest([]byte(strings.Join(chunks, ""))),
			header: map[string]string{"X-Request-Transfer-Encoding": "chunked"}},
		{method: "GET", raw: get("/no/such/path"), status: 404, body: "404: Not Found"},
		{method: "DELETE", raw: "DELETE /api/data HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", status: 405, body: "405: Method Not Allowed",
			header: map[string]string{"Allow": "POST"}},
		{method: "GET", raw: get("/health", "Connection: close\r\n"), status: 200, body: "OK", close: true},
	}
	var all strings.Builder
	for _, r := range reqs {
		all.WriteString(r.raw)
	}
	c := dial(t, srv)
	if _, err := io.WriteString(c, all.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	readPipeline(t, br, reqs)
	if n, err := br.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("after the Connection: close response: read %d bytes, %v; want EOF", n, err)
	}
}

// TestPipeliningDeep: 100 GETs in one write are all answered, in order.
func TestPipeliningDeep(t *testing.T) {
	srv := startServer(t)
	var reqs []pipelined
	var all strings.Builder
	for i := range 100 {
		name := "user" + strconv.Itoa(i)
		reqs = append(reqs, pipelined{method: "GET", raw: get("/" + name), status: 200, body: "Hello, " + name})
		all.WriteString(reqs[i].raw)
	}
	c := dial(t, srv)
	go io.WriteString(c, all.String()) // the server may answer before it read them all
	readPipeline(t, bufio.NewReader(c), reqs)
}

// TestPipeliningSplitWrites: a pipeline that arrives in small pieces,
// cutting requests anywhere, is answered the same.
func TestPipeliningSplitWrites(t *testing.T) {
	srv := startServer(t)
	json := `{"n":1}`
	reqs := []pipelined{
		{method: "GET", raw: get("/Alice"), status: 200, body: "Hello, Alice"},
		{method: "POST", raw: "POST /api/data HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + strconv.Itoa(len(json)) + "\r\n\r\n" + json,
			status: 200, body: `{"status":"success","received":` + json + `}`},
		{method: "GET", raw: get("/health"), status: 200, body: "OK"},
	}
	var all strings.Builder
	for _, r := range reqs {
		all.WriteString(r.raw)
	}
	c := dial(t, srv)
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	go func() {
		s := all.String()
		for i := 0; i < len(s); i += 7 {
			if _, err := io.WriteString(c, s[i:min(i+7, len(s))]); err != nil {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	readPipeline(t, bufio.NewReader(c), reqs)
}

// TestTooLargeClosesConnection: after a 413 for a body it will not read,
// the server closes the connection, and must say so with "Connection:
// close", or else read the body and go on with the next request. A
// client that is not told reuses a dead connection (Python aiohttp fails
// with "Server disconnected").
func TestTooLargeClosesConnection(t *testing.T) {
	srv := startServer(t)
	c := dial(t, srv)
	big := payload(2 * bodyLimit)
	go func() {
		io.WriteString(c, "POST /digest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "+strconv.Itoa(len(big))+"\r\n\r\n")
		c.Write(big)
		io.WriteString(c, get("/health"))
	}()
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "POST"})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the 413: %v", err)
	}
	if resp.StatusCode != 413 || !strings.HasPrefix(string(body), tooLargeBody) {
		t.Fatalf("2 MiB upload: %d %q, want 413", resp.StatusCode, body)
	}
	if resp.Close {
		return // announced; the server may close
	}
	next, err := http.ReadResponse(br, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatalf("the 413 kept the connection alive (no Connection: close), but the next request got no answer: %v", err)
	}
	next.Body.Close()
	if next.StatusCode != 200 {
		t.Errorf("GET /health after the 413: %d", next.StatusCode)
	}
}
