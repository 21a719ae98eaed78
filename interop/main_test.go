// Package interop drives the demo server with real third-party peers:
// curl, Python's aiohttp client (Debian's python3-aiohttp), h2load and a
// raw socket; and our client against third-party servers and proxies
// (Python aiohttp, httpbin, websockets, tinyproxy, microsocks), and TLS
// session resumption both ways with OpenSSL (Python's ssl). A peer that is missing skips its tests with the command
// that installs it; CI installs them all. TestH2spec runs h2spec's HTTP/2
// conformance cases against the demo and net/http.
//
// Every test starts its own server on 127.0.0.1:0, talks to it only over
// loopback and bounds every peer process with a timeout.
package interop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/web"
)

// peerTimeout bounds every peer process a test runs.
const peerTimeout = 30 * time.Second

// installHint is what a developer runs to get every peer (Debian, Ubuntu).
const installHint = "apt-get install curl python3-aiohttp nghttp2-client"

// bodyLimit is the application's client_max_size: aiohttp's default, 1 MiB.
const bodyLimit = web.DefaultClientMaxSize

// server is a demo application serving on a loopback port.
type server struct {
	URL  string // "http://127.0.0.1:PORT"
	Addr string // "127.0.0.1:PORT"
}

// startServer serves the demo application, with the test-only routes of
// addTestRoutes, on 127.0.0.1:0 until the test ends.
func startServer(t testing.TB) *server {
	t.Helper()
	app := demo.NewApp()
	addTestRoutes(app)
	return serveApp(t, app)
}

// serveApp serves app on 127.0.0.1:0 until the test ends.
func serveApp(t testing.TB, app *web.Application) *server {
	t.Helper()
	runner := setUpRunner(t, app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	site := web.NewListenerSite(runner, ln)
	if err := site.Start(context.Background()); err != nil {
		ln.Close()
		t.Fatalf("site start: %v", err)
	}
	return &server{URL: site.URL(), Addr: ln.Addr().String()}
}

// setUpRunner returns a runner of app, set up, that cleans up when the
// test ends.
func setUpRunner(t testing.TB, app *web.Application) *web.AppRunner {
	t.Helper()
	runner := web.NewAppRunner(app, web.ServerOptions{})
	if err := runner.Setup(context.Background()); err != nil {
		t.Fatalf("runner setup: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := runner.Cleanup(ctx); err != nil {
			t.Errorf("runner cleanup: %v", err)
		}
	})
	return runner
}

// addTestRoutes adds what the demo lacks for the body tests:
//
//	POST /digest  reads the whole body with Request.Bytes (so the 1 MiB
//	              client_max_size applies: 413 above it) and answers
//	              "<length> <sha256 hex>", with the request's
//	              Transfer-Encoding echoed in X-Request-Transfer-Encoding.
//	POST /post-files  reads a multipart/form-data body of up to 8 MiB with
//	              Request.Post and Request.Files and answers
//	              {"fields": [[name, value]...], "files": [{name, filename,
//	              content_type, size, sha256, spooled}...]}.
func addTestRoutes(app *web.Application) {
	app.Router.Post("/post-files", postFiles)
	app.Router.Post("/digest", func(req *web.Request) (web.Response, error) {
		body, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		return web.Text(digest(body)).
			SetHeader("X-Request-Transfer-Encoding", req.Header().Get("Transfer-Encoding")), nil
	})
}

// postFiles is the /post-files route.
func postFiles(req *web.Request) (web.Response, error) {
	req.SetClientMaxSize(8 << 20)
	fields, err := req.Post()
	if err != nil {
		return nil, err
	}
	files, err := req.Files()
	if err != nil {
		return nil, err
	}
	answer := map[string]any{"fields": [][2]string{}, "files": []map[string]any{}}
	for k, v := range fields.All() {
		answer["fields"] = append(answer["fields"].([][2]string), [2]string{k, v})
	}
	for _, f := range files {
		r, err := f.Open()
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		n, err := io.Copy(h, r)
		r.Close()
		if err != nil {
			return nil, err
		}
		_, spooled := r.(*os.File)
		answer["files"] = append(answer["files"].([]map[string]any), map[string]any{
			"name": f.Name, "filename": f.Filename, "content_type": f.ContentType,
			"size": n, "sha256": hex.EncodeToString(h.Sum(nil)), "spooled": spooled,
		})
	}
	return web.JSON(answer)
}

// digest is the /digest route's answer for body.
func digest(body []byte) string {
	sum := sha256.Sum256(body)
	return strconv.Itoa(len(body)) + " " + hex.EncodeToString(sum[:])
}

// payload returns n deterministic, incompressible-looking bytes.
func payload(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// peer is a program found once per test binary.
type peer struct {
	once sync.Once
	path string
	err  error
}

var (
	curlPeer   peer
	pythonPeer peer
	h2loadPeer peer
)

// lookup finds the peer with find, once.
func (p *peer) lookup(find func() (string, error)) (string, error) {
	p.once.Do(func() { p.path, p.err = find() })
	return p.path, p.err
}

// needCommand returns the path of the program name, found once through
// p, or skips the test with the command hint that installs it.
func needCommand(t testing.TB, p *peer, name, hint string) string {
	t.Helper()
	path, err := p.lookup(func() (string, error) { return exec.LookPath(name) })
	if err != nil {
		missingPeer(t, "%s not found (%v); install it: %s", name, err, hint)
	}
	return path
}

// needCurl returns curl's path, or skips the test.
func needCurl(t testing.TB) string {
	t.Helper()
	return needCommand(t, &curlPeer, "curl", installHint)
}

// needCurlHTTP2 returns the path of a curl built with HTTP/2, or skips.
func needCurlHTTP2(t testing.TB) string {
	t.Helper()
	curl := needCurl(t)
	out, _, err := runPeer(t, nil, curl, "-V")
	if err != nil {
		t.Fatalf("curl -V: %v", err)
	}
	if !strings.Contains(out, "HTTP2") {
		missingPeer(t, "curl is built without HTTP/2; install Debian's: %s", installHint)
	}
	return curl
}

// pythonPath is Debian's interpreter: python3-aiohttp installs into its
// dist-packages, which other interpreters (pyenv, venvs) do not see.
const pythonPath = "/usr/bin/python3"

// needPython returns /usr/bin/python3 once it imports aiohttp, or skips.
func needPython(t testing.TB) string {
	t.Helper()
	path, err := pythonPeer.lookup(func() (string, error) {
		if _, err := os.Stat(pythonPath); err != nil {
			return "", err
		}
		ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, pythonPath, "-c", "import aiohttp; print(aiohttp.__version__)")
		cmd.Env = peerEnv()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("%s cannot import aiohttp: %v: %s", pythonPath, err, bytes.TrimSpace(out))
		}
		return pythonPath, nil
	})
	if err != nil {
		missingPeer(t, "Python aiohttp client not available (%v); install it: %s", err, installHint)
	}
	return path
}

// needH2load returns h2load's path, or skips the test.
func needH2load(t testing.TB) string {
	t.Helper()
	return needCommand(t, &h2loadPeer, "h2load", installHint)
}

// peerEnv is the environment of peer processes: the test's, without
// proxy settings, so that every request goes straight to 127.0.0.1.
func peerEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToLower(name) {
		case "http_proxy", "https_proxy", "all_proxy", "no_proxy", "curl_home":
			continue
		}
		env = append(env, kv)
	}
	// Keep testdata free of __pycache__.
	return append(env, "PYTHONDONTWRITEBYTECODE=1")
}

// runPeer runs a peer program with stdin (nil for none) and returns its
// stdout and stderr. err is non-nil when it could not run, exited non-zero
// or outlived peerTimeout.
func runPeer(t testing.TB, stdin []byte, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = peerEnv()
	cmd.WaitDelay = 5 * time.Second
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	err = cmd.Run()
	if ctx.Err() != nil {
		err = errors.Join(fmt.Errorf("%s timed out after %v", name, peerTimeout), err)
	}
	return out.String(), errOut.String(), err
}

// requirePeersEnv, when set (as .ci/run does), makes a missing peer fail
// the test instead of skipping it, so that CI never skips silently.
const requirePeersEnv = "AIOHTTP_GO_REQUIRE_PEERS"

// missingPeer skips the test for a peer that is not installed, or fails it
// when requirePeersEnv is set.
func missingPeer(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv(requirePeersEnv) != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
