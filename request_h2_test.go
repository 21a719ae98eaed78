package aiohttp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/aiohttp-go/aiohttp/web"
	"go.uber.org/goleak"
)

// serveTLSApp serves the application over TLS (offering h2 by ALPN) and
// returns its base URL.
func serveTLSApp(t *testing.T, setup func(app *web.Application)) string {
	t.Helper()
	cert, _ := testcert.New(t, "127.0.0.1")
	app := web.NewApplication(web.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	setup(app)
	return serveTLS(t, app, &tls.Config{Certificates: []tls.Certificate{cert}})
}

// serveTLS serves app over TLS with cfg on a free port of 127.0.0.1 until
// the test ends and returns its base URL.
func serveTLS(t *testing.T, app *web.Application, cfg *tls.Config) string {
	t.Helper()
	runner := web.NewAppRunner(app, web.ServerOptions{})
	if err := runner.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	site := web.NewTCPSite(runner, "127.0.0.1", aiotest.UnusedPort(t), web.SiteOptions{TLSConfig: cfg})
	if err := site.Start(context.Background()); err != nil {
		t.Fatal(err)
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
