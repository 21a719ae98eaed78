package aiohttp_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/aiohttp-go/aiohttp/web"
)

// TestTLSSessionResumption checks that a connector resumes TLS sessions,
// TLS 1.3 and 1.2, against our server and net/http's, over HTTP/1.1 and
// HTTP/2: every new connection after the first to a server resumes.
func TestTLSSessionResumption(t *testing.T) {
	noLeaks(t)
	cert, pool := testcert.New(t, "127.0.0.1")
	for _, v := range []struct {
		name    string
		version uint16
	}{{"TLS1.3", tls.VersionTLS13}, {"TLS1.2", tls.VersionTLS12}} {
		for _, server := range []struct {
			name  string
			serve func(*testing.T, *tls.Config) string
		}{{"ours", serveTLSWith}, {"net-http", serveNetHTTPTLS}} {
			for _, h1 := range []bool{true, false} {
				name := v.name + "/" + server.name + "/h2"
				if h1 {
					name = v.name + "/" + server.name + "/http1.1"
				}
				t.Run(name, func(t *testing.T) {
					base := server.serve(t, &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: v.version})
					s := newSession(t, aiohttp.SessionOptions{ForceHTTP1: h1, Connector: newResumingConnector(pool, 0)})
					for i, want := range []bool{false, true, true} {
						state := getTLS(t, s, base)
						if state.Version != v.version || state.DidResume != want {
							t.Errorf("connection %d: version %x, resumed %v; want %x, %v", i+1, state.Version, state.DidResume, v.version, want)
						}
						if (state.NegotiatedProtocol == "h2") == h1 {
							t.Errorf("connection %d: ALPN %q with ForceHTTP1 %v", i+1, state.NegotiatedProtocol, h1)
						}
						if len(state.PeerCertificates) == 0 {
							t.Errorf("connection %d: no peer certificate", i+1)
						}
					}
				})
			}
		}
	}
}

// Each connector has its own cache; TLSSessionCacheSize < 0 turns
// resumption off; a request with another Config does not resume the
// connector's sessions; a Config's own cache is used instead.
func TestTLSSessionCacheScope(t *testing.T) {
	noLeaks(t)
	cert, pool := testcert.New(t, "127.0.0.1")
	base := serveTLSWith(t, &tls.Config{Certificates: []tls.Certificate{cert}})

	first := newSession(t, aiohttp.SessionOptions{Connector: newResumingConnector(pool, 0)})
	second := newSession(t, aiohttp.SessionOptions{Connector: newResumingConnector(pool, 0)})
	getTLS(t, first, base)
	if !getTLS(t, first, base).DidResume {
		t.Error("the connector did not resume its session")
	}
	if getTLS(t, second, base).DidResume {
		t.Error("a second connector resumed the first one's session")
	}

	other := aiohttp.TLSOptions{Config: &tls.Config{RootCAs: pool}}
	for range 2 {
		if getTLS(t, first, base, other).DidResume {
			t.Error("a request with its own Config resumed a session")
		}
	}

	off := newSession(t, aiohttp.SessionOptions{Connector: newResumingConnector(pool, -1)})
	for range 2 {
		if getTLS(t, off, base).DidResume {
			t.Error("resumed with TLSSessionCacheSize -1")
		}
	}

	own := &countingCache{ClientSessionCache: tls.NewLRUClientSessionCache(1)}
	mine := newSession(t, aiohttp.SessionOptions{Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
		ForceClose: true,
		TLS:        aiohttp.TLSOptions{Config: &tls.Config{RootCAs: pool, ClientSessionCache: own}},
	})})
	getTLS(t, mine, base)
	if !getTLS(t, mine, base).DidResume || own.puts.Load() == 0 {
		t.Errorf("the Config's own cache: resumed with %d sessions put", own.puts.Load())
	}
}

// noLeaks checks, once the test and its cleanups are over, that no
// goroutine is left.
func noLeaks(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// countingCache counts the sessions put into a cache.
type countingCache struct {
	tls.ClientSessionCache
	puts atomic.Int64
}

func (c *countingCache) Put(key string, cs *tls.ClientSessionState) {
	c.puts.Add(1)
	c.ClientSessionCache.Put(key, cs)
}

// newResumingConnector returns a connector trusting pool that opens a new
// connection for every request, with a TLS session cache of size.
func newResumingConnector(pool *x509.CertPool, size int) *aiohttp.TCPConnector {
	return aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
		ForceClose:          true,
		TLSSessionCacheSize: size,
		TLS:                 aiohttp.TLSOptions{Config: &tls.Config{RootCAs: pool}},
	})
}

// getTLS makes a GET of base and returns the TLS state of its response.
func getTLS(t *testing.T, s *aiohttp.Session, base string, opts ...aiohttp.RequestOption) *tls.ConnectionState {
	t.Helper()
	resp, err := s.Get(context.Background(), base+"/", opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	if body, err := resp.Text(); err != nil || body != "hello" {
		t.Fatalf("body %q, %v", body, err)
	}
	if resp.TLS == nil {
		t.Fatal("no TLS state on an https response")
	}
	return resp.TLS
}

// serveTLSWith serves "hello" with our server over TLS with cfg and
// returns its base URL.
func serveTLSWith(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	app := web.NewApplication(web.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("hello"), nil })
	return serveTLS(t, app, cfg)
}

// serveNetHTTPTLS serves "hello" with net/http's server over TLS with
// cfg, HTTP/2 included, and returns its base URL.
func serveNetHTTPTLS(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "hello")
	}))
	srv.EnableHTTP2 = true
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}
