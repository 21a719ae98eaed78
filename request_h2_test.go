package aiohttp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
	"go.uber.org/goleak"
)

// selfSigned returns a self-signed certificate for host, a name or an IP
// address.
func selfSigned(t *testing.T, host string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// serveTLSApp serves the application over TLS (offering h2 by ALPN) and
// returns its base URL.
func serveTLSApp(t *testing.T, setup func(app *web.Application)) string {
	t.Helper()
	cert := selfSigned(t, "127.0.0.1")
	app := web.NewApplication(web.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	setup(app)
	runner := web.NewAppRunner(app, web.ServerOptions{})
	if err := runner.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	site := web.NewTCPSite(runner, "127.0.0.1", 0, web.SiteOptions{TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{cert},
	}})
	if err := site.Start(context.Background()); err != nil {
		t.Skipf("cannot listen: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		runner.Cleanup(ctx)
	})
	return site.URL()
}

func TestRequestHTTP2(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	t.Run("h2", testHTTP2)
}

func testHTTP2(t *testing.T) {
	base := serveTLSApp(t, func(app *web.Application) {
		echoApp(app)
		app.Router.Get("/stall", func(r *web.Request) (web.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		})
	})
	insecure := aiohttp.TLSOptions{InsecureSkipVerify: true}
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{TLS: insecure})
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Connector: conn})
	ctx := testCtx(t)

	resp, body := get(t, s, "/echo?x=1", aiohttp.Header("X-A", "1"))
	if resp.Version != (aiohttp.Version{Major: 2}) || !strings.HasPrefix(body, "GET  |") || !strings.HasSuffix(body, "|path=/echo?x=1") {
		t.Fatalf("%v %q", resp.Version, body)
	}
	for _, opt := range []aiohttp.RequestOption{
		aiohttp.String("h2 body"),
		aiohttp.Body(io.MultiReader(strings.NewReader("h2 body"))),
	} {
		resp, err := s.Post(ctx, "/r/307", opt)
		if err != nil {
			if errors.Is(err, aiohttp.ErrClientPayload) {
				continue // a plain stream cannot follow the 307
			}
			t.Fatal(err)
		}
		if body := readBody(t, resp); !strings.HasPrefix(body, "POST h2 body |") || len(resp.History) != 1 {
			t.Errorf("POST over h2: %q", body)
		}
	}
	resp, err := s.Post(ctx, "/echo", aiohttp.String(strings.Repeat("z", 1000)), aiohttp.Compress("gzip"), aiohttp.AllowRedirects(false))
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)

	// Timeouts and cancellation on a stream.
	_, err = s.Get(ctx, "/stall", aiohttp.ClientTimeout{SockRead: 100 * time.Millisecond})
	wantErrKind(t, err, aiohttp.ErrSocketTimeout)
	_, err = s.Get(ctx, "/stall", aiohttp.ClientTimeout{Total: 100 * time.Millisecond})
	wantErrKind(t, err, aiohttp.ErrServerTimeout)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("total: %v", err)
	}

	// ForceHTTP1 keeps to HTTP/1.1.
	h1 := newSession(t, aiohttp.SessionOptions{BaseURL: base, ForceHTTP1: true})
	resp, _ = get(t, h1, "/echo", insecure)
	if resp.Version != (aiohttp.Version{Major: 1, Minor: 1}) {
		t.Errorf("ForceHTTP1: %v", resp.Version)
	}
}
