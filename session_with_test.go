package aiohttp_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

// serveWithApp serves /a and /b, two responses of different lengths and
// headers, /cookie setting a cookie, and /redirect to /a.
func serveWithApp(t *testing.T) string {
	return serveApp(t, func(app *web.Application) {
		for path, body := range map[string]string{"/a": "alpha", "/b": strings.Repeat("beta", 300)} {
			app.Router.Get(path, func(*web.Request) (web.Response, error) {
				r := web.Text(body)
				r.Header().Set("X-Path", path)
				return r, nil
			})
		}
		app.Router.Get("/cookie", func(*web.Request) (web.Response, error) {
			return web.Text("cookie").SetCookie(web.Cookie{Name: "session", Value: "s3cr3t"}), nil
		})
		app.Router.Get("/redirect", func(*web.Request) (web.Response, error) {
			return nil, web.HTTPFound("/a")
		})
	})
}

// Responses recycled by With never show another request's data.
func TestSessionWithRecycles(t *testing.T) {
	base := serveWithApp(t)
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base})
	var kept []string
	for i := range 200 {
		path := "/a"
		want := "alpha"
		if i%3 == 0 {
			path, want = "/b", strings.Repeat("beta", 300)
		}
		err := s.With(testCtx(t), "GET", path, func(resp *aiohttp.Response) error {
			body, err := resp.Bytes()
			if err != nil {
				return err
			}
			if string(body) != want || resp.Header.Get("X-Path") != path || resp.URL.Path != path {
				t.Fatalf("request %d to %s: body %.20q, X-Path %q, URL %s", i, path, body, resp.Header.Get("X-Path"), resp.URL)
			}
			kept = append(kept, string(body))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range kept {
		if k != "alpha" && k != strings.Repeat("beta", 300) {
			t.Fatalf("copy %d changed: %.20q", i, k)
		}
	}
}

func TestSessionWithErrors(t *testing.T) {
	base := serveWithApp(t)
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{})
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Connector: conn})

	mine := errors.New("mine")
	if err := s.With(testCtx(t), "GET", "/a", func(*aiohttp.Response) error { return mine }); err != mine {
		t.Fatalf("fn's error: got %v", err)
	}
	called := false
	err := s.With(testCtx(t), "GET", "http://127.0.0.1:1/", func(*aiohttp.Response) error { called = true; return nil })
	if !errors.Is(err, aiohttp.ErrClientConnector) || called {
		t.Fatalf("request error: got %v, fn called %v", err, called)
	}

	// A panicking fn still gives the connection back.
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not propagate")
			}
		}()
		s.With(testCtx(t), "GET", "/a", func(*aiohttp.Response) error { panic("boom") })
	}()
	if st := conn.Stats(); st.InUse != 0 {
		t.Fatalf("after a panic: %+v", st)
	}
}

// What the jar keeps and what redirects return stays valid after fn.
func TestSessionWithCookiesAndRedirects(t *testing.T) {
	base := serveWithApp(t)
	jar := newJar(t, aiohttp.JarOptions{Unsafe: true}) // the server is an IP address
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, CookieJar: jar})
	if err := s.With(testCtx(t), "GET", "/cookie", func(*aiohttp.Response) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		err := s.With(testCtx(t), "GET", "/redirect", func(resp *aiohttp.Response) error {
			body, err := resp.Bytes()
			if string(body) != "alpha" || len(resp.History) != 1 || resp.History[0].Status != 302 {
				t.Fatalf("after a redirect: %q, history %d", body, len(resp.History))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.With(testCtx(t), "GET", "/b", func(*aiohttp.Response) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	u, _ := url.Parse(base)
	if got := s.CookieJar().FilterCookies(u); len(got) != 1 || got[0].Value != "s3cr3t" {
		t.Fatalf("jar: %+v", got)
	}
}
