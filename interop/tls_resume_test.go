package interop

import (
	"context"
	"crypto/tls"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/aiohttp-go/aiohttp/web"
)

// tlsResumeScript is an OpenSSL server and client (Python's ssl module)
// that report whether handshakes resumed; see its docstring.
const tlsResumeScript = "testdata/tls_resume.py"

// tlsVersions are the versions the resumption tests run with.
var tlsVersions = []struct {
	name    string
	version uint16
}{{"1.3", tls.VersionTLS13}, {"1.2", tls.VersionTLS12}}

// TestClientResumesWithOpenSSL: our client resumes its TLS sessions with
// an OpenSSL server, TLS 1.3 and 1.2, a new connection per request.
func TestClientResumesWithOpenSSL(t *testing.T) {
	python := needPython(t)
	cert, pool := testcert.New(t, "127.0.0.1")
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	testcert.WritePEM(t, cert, certFile, keyFile)
	for _, v := range tlsVersions {
		t.Run("TLS"+v.name, func(t *testing.T) {
			srv := startPeerServer(t, "", python, func(port int) []string {
				return []string{tlsResumeScript, "serve", strconv.Itoa(port), certFile, keyFile, v.name}
			})
			s, err := aiohttp.NewSession(aiohttp.SessionOptions{Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
				ForceClose: true,
				TLS:        aiohttp.TLSOptions{Config: &tls.Config{RootCAs: pool}},
			})})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for i, want := range []string{"full", "resumed", "resumed"} {
				resp, err := s.Get(testContext(t), "https://"+srv.Host+"/")
				if err != nil {
					t.Fatal(err)
				}
				body, err := resp.Text()
				resp.Close()
				if err != nil || body != want || resp.TLS.DidResume != (want == "resumed") || resp.TLS.Version != v.version {
					t.Errorf("connection %d: server saw %q (%v), client resumed %v with TLS %x; want %s", i+1, body, err, resp.TLS.DidResume, resp.TLS.Version, want)
				}
			}
		})
	}
}

// TestServerTicketsResumeWithOpenSSL: an OpenSSL client resumes sessions
// with our server's tickets, TLS 1.3 and 1.2.
func TestServerTicketsResumeWithOpenSSL(t *testing.T) {
	python := needPython(t)
	cert, _ := testcert.New(t, "127.0.0.1")
	caFile := filepath.Join(t.TempDir(), "cert.pem")
	testcert.WritePEM(t, cert, caFile, caFile+".key")
	for _, v := range tlsVersions {
		t.Run("TLS"+v.name, func(t *testing.T) {
			site := web.NewTCPSite(setUpRunner(t, demo.NewApp()), "127.0.0.1", aiotest.UnusedPort(t), web.SiteOptions{TLSConfig: &tls.Config{
				Certificates: []tls.Certificate{cert}, MaxVersion: v.version,
			}})
			if err := site.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			_, port, _ := strings.Cut(site.Addr().String(), ":")
			out, stderr, err := runPeer(t, nil, python, tlsResumeScript, "connect", port, caFile, v.name)
			if got := strings.TrimSpace(out); err != nil || got != "full resumed resumed" {
				t.Errorf("OpenSSL client: %q, want \"full resumed resumed\" (%v %s)", got, err, stderr)
			}
		})
	}
}
