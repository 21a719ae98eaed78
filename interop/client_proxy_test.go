package interop

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

// Our client through real third-party proxies: tinyproxy (HTTP, CONNECT)
// and microsocks (SOCKS5), both from Debian, both requiring a login.

// proxyHint installs the proxies (Debian).
const proxyHint = "apt-get install tinyproxy microsocks"

// The login both proxies require.
const proxyUser, proxyPassword = "proxyuser", "s3cret"

var tinyproxyPeer, microsocksPeer peer

// startTinyproxy runs tinyproxy on a loopback port, for clients on
// 127.0.0.1 with proxyUser's Basic credentials, until the test ends.
func startTinyproxy(t *testing.T) *peerServer {
	t.Helper()
	bin := needCommand(t, &tinyproxyPeer, "tinyproxy", proxyHint)
	conf := filepath.Join(t.TempDir(), "tinyproxy.conf")
	return startPeerServer(t, "/", bin, func(port int) []string {
		text := fmt.Sprintf("Port %d\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nAllow 127.0.0.1\nBasicAuth %s %s\nLogLevel Connect\n",
			port, proxyUser, proxyPassword)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return []string{"-d", "-c", conf}
	})
}

// startMicrosocks runs microsocks on a loopback port, with proxyUser's
// login, until the test ends.
func startMicrosocks(t *testing.T) *peerServer {
	t.Helper()
	bin := needCommand(t, &microsocksPeer, "microsocks", proxyHint)
	return startPeerServer(t, "", bin, func(port int) []string {
		return []string{"-i", "127.0.0.1", "-p", strconv.Itoa(port), "-u", proxyUser, "-P", proxyPassword}
	})
}

// logged waits (at most two seconds) until the proxy's output holds s,
// which says the proxy carried a request, and fails the test otherwise.
func logged(t *testing.T, proxy *peerServer, s string) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !strings.Contains(proxy.output.String(), s); {
		if time.Now().After(deadline) {
			t.Errorf("the proxy did not log %q:\n%s", s, proxy.output)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startTLSTarget serves HTTPS (HTTP/2 offered) on 127.0.0.1, answering
// "secure <protocol>", and returns its URL and TLS options trusting it.
func startTLSTarget(t *testing.T) (string, aiohttp.TLSOptions) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secure "+r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return srv.URL, aiohttp.TLSOptions{Config: &tls.Config{RootCAs: roots}}
}

// proxyURL returns the URL of a proxy with proxyUser's login, or with
// none when password is "".
func proxyURL(scheme, host, password string) string {
	if password == "" {
		return scheme + "://" + host
	}
	return scheme + "://" + proxyUser + ":" + password + "@" + host
}

func TestClientThroughTinyproxy(t *testing.T) {
	proxy := startTinyproxy(t)
	srv := startServer(t)
	// tinyproxy closes each client connection after its response without
	// saying so (no Connection: close): a request sent on the pooled
	// connection races that close, and a POST cannot be retried.
	s := newClientSession(t, aiohttp.SessionOptions{
		Proxy:     proxyURL("http", proxy.Host, proxyPassword),
		Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{ForceClose: true}),
	})

	t.Run("plain", func(t *testing.T) {
		for i := range 3 {
			var got binEcho
			binDo(t, s, "GET", srv.URL+"/get?show_env=1&n="+strconv.Itoa(i), &got)
			if got.Args["n"] != strconv.Itoa(i) || !strings.Contains(got.Headers["Via"], "tinyproxy") {
				t.Errorf("request %d: args %v, Via %q", i, got.Args, got.Headers["Via"])
			}
		}
	})
	t.Run("streamed_body", func(t *testing.T) {
		body := payload(300 << 10)
		resp := ok(t)(s.Post(testContext(t), srv.URL+"/digest", aiohttp.Body(io.MultiReader(strings.NewReader(""), strings.NewReader(string(body))))))
		if got := readAll(t, resp); got != digest(body) {
			t.Errorf("the server got %q, want %q", got, digest(body))
		}
	})
	t.Run("connect_tunnel", func(t *testing.T) {
		target, tlsOpts := startTLSTarget(t)
		resp := ok(t)(s.Get(testContext(t), target+"/", tlsOpts))
		if got := readAll(t, resp); got != "secure HTTP/2.0" {
			t.Errorf("through the tunnel: %q, want HTTP/2 over TLS", got)
		}
		logged(t, proxy, "CONNECT "+strings.TrimPrefix(target, "https://")+" ")
		h1 := newClientSession(t, aiohttp.SessionOptions{Proxy: proxyURL("http", proxy.Host, proxyPassword), ForceHTTP1: true})
		resp = ok(t)(h1.Get(testContext(t), target+"/", tlsOpts))
		if got := readAll(t, resp); got != "secure HTTP/1.1" {
			t.Errorf("through the tunnel, HTTP/1.1 forced: %q", got)
		}
	})
	t.Run("without_credentials", func(t *testing.T) {
		anon := newClientSession(t, aiohttp.SessionOptions{Proxy: proxyURL("http", proxy.Host, "")})
		// A plain request gets the proxy's answer, as in aiohttp...
		resp := ok(t)(anon.Get(testContext(t), srv.URL+"/get"))
		resp.Close()
		if resp.Status != http.StatusProxyAuthRequired {
			t.Errorf("status %d, want 407", resp.Status)
		}
		// ...a tunnel fails with ClientHttpProxyError.
		target, tlsOpts := startTLSTarget(t)
		_, err := anon.Get(testContext(t), target+"/", tlsOpts)
		if re := expectResponseError(t, err, aiohttp.ErrClientHTTPProxy); re.Status != http.StatusProxyAuthRequired {
			t.Errorf("tunnel refused with %d, want 407", re.Status)
		}
	})
}

func TestClientThroughMicrosocks(t *testing.T) {
	proxy := startMicrosocks(t)
	srv := startServer(t)
	port := strings.TrimPrefix(srv.URL, "http://127.0.0.1:")
	for _, tt := range []struct{ scheme, url string }{
		{"socks5", srv.URL},                     // we resolve the name
		{"socks5h", "http://localhost:" + port}, // the proxy does
	} {
		t.Run(tt.scheme, func(t *testing.T) {
			s := newClientSession(t, aiohttp.SessionOptions{Proxy: proxyURL(tt.scheme, proxy.Host, proxyPassword)})
			for i := range 3 {
				var got binEcho
				binDo(t, s, "GET", tt.url+"/get?n="+strconv.Itoa(i), &got)
				if got.Args["n"] != strconv.Itoa(i) {
					t.Errorf("request %d: args %v", i, got.Args)
				}
			}
			logged(t, proxy, "connected to "+strings.TrimPrefix(tt.url, "http://"))
			target, tlsOpts := startTLSTarget(t)
			resp := ok(t)(s.Get(testContext(t), target+"/", tlsOpts))
			if got := readAll(t, resp); got != "secure HTTP/2.0" {
				t.Errorf("TLS through SOCKS: %q", got)
			}
			logged(t, proxy, "connected to "+strings.TrimPrefix(target, "https://"))
		})
	}
	t.Run("wrong_password", func(t *testing.T) {
		s := newClientSession(t, aiohttp.SessionOptions{Proxy: proxyURL("socks5", proxy.Host, "wrong")})
		_, err := s.Get(testContext(t), srv.URL+"/get")
		if !errors.Is(err, aiohttp.ErrClientProxyConnection) {
			t.Errorf("wrong password: %v, want ErrClientProxyConnection", err)
		}
	})
}
