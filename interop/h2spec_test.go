package interop

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/aiohttp-go/aiohttp/web"
)

// h2specInstall is how to get the h2spec TestH2spec runs (CI does this).
const h2specInstall = "go install github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible"

// h2specTimeout bounds one h2spec run: 145 cases, a few of which wait for
// h2spec's 2 s timeout.
const h2specTimeout = 3 * time.Minute

// h2specBaseline lists the cases net/http's own HTTP/2 fails.
const h2specBaseline = "testdata/h2spec-nethttp.txt"

// TestH2spec runs h2spec's 145 HTTP/2 conformance cases against the demo's
// h2c (prior knowledge) and TLS listeners, and fails on any case the demo
// fails that net/http's HTTP/2 passes: the list of those net/http fails is
// testdata/h2spec-nethttp.txt. The same run against net/http (h2c and TLS,
// in this process) checks that list; when net/http changes, the test
// prints the new list to check in.
func TestH2spec(t *testing.T) {
	h2spec := needCommand(t, &h2specPeer, "h2spec", h2specInstall)
	baseline := readH2specBaseline(t)
	cert, _ := testcert.New(t)
	demoH2C, demoTLS := serveDemoH2(t, cert)
	stdH2C, stdTLS := serveNetHTTP2(t, cert)
	var stdFailed [2][]string
	for i, l := range []struct {
		name       string
		demo, std  string
		tlsOptions []string
	}{
		{"h2c", demoH2C, stdH2C, nil},
		{"tls", demoTLS, stdTLS, []string{"-t", "-k"}},
	} {
		t.Run(l.name, func(t *testing.T) {
			t.Run("demo", func(t *testing.T) {
				t.Parallel()
				failed := runH2spec(t, h2spec, l.demo, l.tlsOptions...)
				for _, c := range failed {
					if !slices.Contains(baseline[l.name], c.id()) {
						t.Errorf("h2spec %s %s failed (net/http passes it): %s\n%s", l.name, c.id(), c.Title, c.Error)
					}
				}
				t.Logf("%d cases failed, all failed by net/http too", len(failed))
			})
			t.Run("net/http", func(t *testing.T) {
				t.Parallel()
				for _, c := range runH2spec(t, h2spec, l.std, l.tlsOptions...) {
					stdFailed[i] = append(stdFailed[i], l.name+" "+c.id()+" "+c.Title)
				}
				var ids []string
				for _, line := range stdFailed[i] {
					ids = append(ids, strings.Fields(line)[1])
				}
				if !slices.Equal(ids, baseline[l.name]) {
					t.Errorf("net/http's %s failures changed: %s lists %q; now:\n%s", l.name, h2specBaseline, baseline[l.name], strings.Join(stdFailed[i], "\n"))
				}
			})
		})
	}
}

// h2specPeer caches the h2spec lookup.
var h2specPeer peer

// readH2specBaseline returns the case IDs of the baseline by listener.
func readH2specBaseline(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(h2specBaseline)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string][]string{}
	for line := range strings.Lines(string(data)) {
		if f := strings.Fields(line); len(f) >= 2 && !strings.HasPrefix(f[0], "#") {
			ids[f[0]] = append(ids[f[0]], f[1])
		}
	}
	return ids
}

// serveDemoH2 serves the demo until the test ends on two loopback ports,
// plain (where HTTP/2 is h2c) and TLS, and returns their addresses.
func serveDemoH2(t *testing.T, cert tls.Certificate) (h2c, tlsAddr string) {
	t.Helper()
	runner := web.NewAppRunner(demo.NewApp(), web.ServerOptions{})
	ctx := context.Background()
	if err := runner.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := runner.Cleanup(ctx); err != nil {
			t.Errorf("runner cleanup: %v", err)
		}
	})
	var addrs []string
	for _, secure := range []bool{false, true} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, ln.Addr().String())
		if secure { // what a TCP site's TLSConfig does, on a free port
			ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}})
		}
		if err := web.NewListenerSite(runner, ln).Start(ctx); err != nil {
			ln.Close()
			t.Fatal(err)
		}
	}
	return addrs[0], addrs[1]
}

// serveNetHTTP2 serves net/http's HTTP/2, h2c and TLS, until the test
// ends, with a handler like the demo's "/".
func serveNetHTTP2(t *testing.T, cert tls.Certificate) (h2c, tlsAddr string) {
	t.Helper()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "Hello, Anonymous")
	})
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	plain := &http.Server{Handler: handler, Protocols: &protocols}
	secure := &http.Server{Handler: handler, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	var addrs []string
	for _, srv := range []*http.Server{plain, secure} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, ln.Addr().String())
		if srv == secure {
			go func() { _ = srv.ServeTLS(ln, "", "") }()
		} else {
			go func() { _ = srv.Serve(ln) }()
		}
		t.Cleanup(func() { srv.Close() })
	}
	return addrs[0], addrs[1]
}

// h2specCase is a failed h2spec case.
type h2specCase struct {
	Suite string // "http2/4.2"
	N     int    // its position in the suite, from 1
	Title string
	Error string
}

// id is h2spec's name of the case: "http2/4.2/3".
func (c h2specCase) id() string { return fmt.Sprintf("%s/%d", c.Suite, c.N) }

// runH2spec runs every h2spec case against addr and returns the failed ones.
func runH2spec(t *testing.T, h2spec, addr string, args ...string) []h2specCase {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	report := filepath.Join(t.TempDir(), "h2spec.xml")
	ctx, cancel := context.WithTimeout(context.Background(), h2specTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, h2spec, append([]string{"-h", host, "-p", port, "-j", report}, args...)...)
	cmd.Env = peerEnv()
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// h2spec exits 1 when a case fails: the report says which.
	if err := cmd.Run(); ctx.Err() != nil {
		t.Fatalf("h2spec timed out after %v: %v\n%s", h2specTimeout, err, out.String())
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("h2spec wrote no report (%v):\n%s", err, out.String())
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Package   string  `xml:"package,attr"`
				ClassName string  `xml:"classname,attr"`
				Error     *string `xml:"error"`
				Failure   *string `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("h2spec report: %v", err)
	}
	var failed []h2specCase
	total := 0
	for _, s := range doc.Suites {
		for i, c := range s.Cases {
			total++
			if c.Error != nil || c.Failure != nil {
				failed = append(failed, h2specCase{Suite: c.Package, N: i + 1, Title: c.ClassName, Error: *cmp(c.Error, c.Failure)})
			}
		}
	}
	if total < 145 {
		t.Fatalf("h2spec ran %d cases, want 145:\n%s", total, out.String())
	}
	return failed
}

// cmp returns the first of its arguments that is not nil.
func cmp(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}
