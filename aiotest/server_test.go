package aiotest_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/web"
)

// get fetches url with net/http, a client that is not ours.
func get(t *testing.T, client *http.Client, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestServerServesAndShutsDown(t *testing.T) {
	var started, cleaned atomic.Int32
	app := web.NewApplication()
	app.Router.Get("/hello/{name}", func(req *web.Request) (web.Response, error) {
		return web.Text("Hello, " + req.MatchInfo().Get("name")), nil
	})
	app.OnStartup.Append(func(context.Context, *web.Application) error { started.Add(1); return nil })
	app.OnCleanup.Append(func(context.Context, *web.Application) error { cleaned.Add(1); return nil })

	srv := aiotest.NewServer(t, app)
	if started.Load() != 1 {
		t.Errorf("startup handlers ran %d times, want 1", started.Load())
	}
	if srv.Host != "127.0.0.1" || srv.Port == 0 || srv.URL != "http://127.0.0.1:"+strconv.Itoa(srv.Port) {
		t.Errorf("Host, Port, URL = %q, %d, %q", srv.Host, srv.Port, srv.URL)
	}
	if srv.App() != app {
		t.Error("App is not the application served")
	}
	for path, want := range map[string]string{
		"/hello/John": srv.URL + "/hello/John",
		"hello/John":  srv.URL + "/hello/John",
		"/a?b=c":      srv.URL + "/a?b=c",
		"":            srv.URL + "/",
	} {
		if got := srv.MakeURL(path); got != want {
			t.Errorf("MakeURL(%q) = %q, want %q", path, got, want)
		}
	}
	if status, body := get(t, http.DefaultClient, srv.MakeURL("/hello/John")); status != 200 || body != "Hello, John" {
		t.Errorf("GET = %d %q", status, body)
	}
	http.DefaultClient.CloseIdleConnections()

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if cleaned.Load() != 1 {
		t.Errorf("cleanup handlers ran %d times, want 1", cleaned.Load())
	}
	if _, err := net.Dial("tcp", net.JoinHostPort(srv.Host, strconv.Itoa(srv.Port))); err == nil {
		t.Error("the server still listens after Close")
	}
}

func TestMakeURLRefusesAbsoluteURLs(t *testing.T) {
	srv := aiotest.NewServer(t, web.NewApplication())
	defer func() {
		if recover() == nil {
			t.Error("MakeURL of an absolute URL did not panic")
		}
	}()
	srv.MakeURL("http://example.com/")
}

func TestRawServerGetsEveryRequest(t *testing.T) {
	srv := aiotest.NewRawServer(t, func(req *web.Request) (web.Response, error) {
		return web.Text(req.Method() + " " + req.PathQS() + " " + strconv.Itoa(req.MatchInfo().Len())), nil
	})
	for _, tt := range []struct{ method, path, want string }{
		{"GET", "/", "GET / 0"},
		{"POST", "/any/path?q=1", "POST /any/path?q=1 0"},
		{"DELETE", "/x", "DELETE /x 0"},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), tt.method, srv.MakeURL(tt.path), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != tt.want {
			t.Errorf("%s %s = %d %q, want 200 %q", tt.method, tt.path, resp.StatusCode, body, tt.want)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestTLSServer(t *testing.T) {
	app := web.NewApplication()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		return web.Text(req.Scheme() + " " + req.Version().String()), nil
	})
	srv := aiotest.NewServer(t, app, aiotest.WithTLS(nil))
	if srv.URL != "https://127.0.0.1:"+strconv.Itoa(srv.Port) || srv.Certificate() == nil {
		t.Fatalf("URL %q, certificate %v", srv.URL, srv.Certificate())
	}

	client := srv.NewClient()
	resp, err := client.Get(t.Context(), "/")
	if err != nil {
		t.Fatal(err)
	}
	text, err := resp.Text()
	resp.Close()
	if err != nil || text != "https HTTP/2.0" {
		t.Errorf("our client got %q, %v; want https over HTTP/2", text, err)
	}

	// net/http, trusting the certificate, and speaking HTTP/1.1.
	tr := &http.Transport{TLSClientConfig: tlsConfigTrusting(srv.Certificate())}
	defer tr.CloseIdleConnections()
	if status, body := get(t, &http.Client{Transport: tr}, srv.URL); status != 200 || body != "https HTTP/1.1" {
		t.Errorf("net/http got %d %q", status, body)
	}
}

func TestServerOptionsPassThrough(t *testing.T) {
	var log apptest.SyncBuffer
	app := web.NewApplication()
	app.Router.Get("/", func(*web.Request) (web.Response, error) { return web.Text("ok"), nil })
	srv := aiotest.NewServer(t, app, aiotest.WithServerOptions(web.ServerOptions{AccessLog: &log, AccessLogFormat: "%r %s"}))
	client := srv.NewClient()
	resp, err := client.Get(t.Context(), "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if got := log.String(); got != "GET / HTTP/1.1 200\n" {
		t.Errorf("access log %q", got)
	}
}

func TestUnusedPort(t *testing.T) {
	port := aiotest.UnusedPort(t)
	if port <= 0 || port > 65535 {
		t.Fatalf("UnusedPort = %d", port)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("the port is not free: %v", err)
	}
	ln.Close()
}

// tlsConfigTrusting returns a client configuration that trusts cert.
func tlsConfigTrusting(cert *x509.Certificate) *tls.Config {
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &tls.Config{RootCAs: roots}
}

func TestServerStartupFailureFailsTheTest(t *testing.T) {
	var cleaned atomic.Int32
	app := web.NewApplication()
	app.OnStartup.Append(func(context.Context, *web.Application) error { return errors.New("no database") })
	app.OnCleanup.Append(func(context.Context, *web.Application) error { cleaned.Add(1); return nil })
	ft := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		aiotest.NewServer(ft, app)
	}()
	<-done
	if !strings.Contains(ft.msg, "no database") {
		t.Errorf("the test failed with %q", ft.msg)
	}
	if cleaned.Load() != 1 {
		t.Errorf("cleanup handlers ran %d times, want 1", cleaned.Load())
	}
}

// fatalRecorder records the message of Fatalf and ends the goroutine, as
// a test's Fatalf does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
