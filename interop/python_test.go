package interop

import (
	"encoding/json"
	"strings"
	"testing"
)

// pythonScript drives the server with aiohttp.ClientSession; see its
// docstring.
const pythonScript = "testdata/aiohttp_client.py"

// pythonChecks are the script's checks the server passes, in the order
// they run.
var pythonChecks = []string{
	"get_root",            // GET / as text, Content-Type text/plain; charset=utf-8
	"get_name",            // GET /Alice, /Jörg M (percent-encoded by yarl), /health
	"post_json",           // POST /api/data with json=, answered {"status":"success","received":...}
	"head",                // HEAD: GET's Content-Length, empty body, connection still in sync
	"not_found",           // 404
	"method_not_allowed",  // 405 with Allow: POST, and GET,HEAD
	"keepalive",           // 6 requests, TCPConnector(limit=1): 1 connection created, 5 reuses
	"chunked_upload",      // data= async generator: sent chunked, server reads it all
	"too_large",           // 2 MiB by Content-Length, with expect100, chunked: 413; 1 MiB: 200
	"expect100",           // expect100=True: 100 Continue, then the upload
	"expect100_rejected",  // expect100=True to a 404 and a 405: answered at once, no body sent
	"too_large_keepalive", // 413 says Connection: close; the next request gets a new connection
	"multipart_upload",    // FormData (a 5 MiB file from disk) and MultipartWriter to POST /upload: digests, fields, non-ASCII filenames
	"multipart_post",      // FormData to Request.Post/Files: a spooled file, one in memory, repeated fields; 413 past the route's limit
}

// pythonResult is one line the script prints per passing check.
type pythonResult struct {
	Check string `json:"check"`
	OK    bool   `json:"ok"`
	line  string
}

// runPython runs the script's checks against srv and returns their
// results by name. A check that fails makes the script exit non-zero with
// a traceback, which fails the test.
func runPython(t *testing.T, srv *server, checks ...string) map[string]pythonResult {
	t.Helper()
	python := needPython(t)
	args := append([]string{"-X", "dev", pythonScript, srv.URL}, checks...)
	stdout, stderr, err := runPeer(t, nil, python, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s\nstdout:\n%s", python, strings.Join(args, " "), err, stderr, stdout)
	}
	results := make(map[string]pythonResult)
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r pythonResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("script printed %q, not a JSON result: %v\nstderr:\n%s", line, err, stderr)
		}
		r.line = line
		results[r.Check] = r
	}
	if stderr != "" {
		t.Logf("script's stderr:\n%s", stderr)
	}
	return results
}

// TestPythonAiohttpClient: Python aiohttp's client (Debian python3-aiohttp)
// against the demo server; each check is a subtest.
func TestPythonAiohttpClient(t *testing.T) {
	srv := startServer(t)
	results := runPython(t, srv, pythonChecks...)
	for _, name := range pythonChecks {
		t.Run(name, func(t *testing.T) {
			r, ok := results[name]
			if !ok || !r.OK {
				t.Fatalf("check %s: no passing result", name)
			}
			t.Log(r.line)
		})
	}
}
