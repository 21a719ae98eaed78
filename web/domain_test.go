package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/web"
)

// answer returns a handler that answers with text.
func answer(text string) web.Handler {
	return func(*web.Request) (web.Response, error) { return web.Text(text), nil }
}

// Which Host a domain or mask matches: aiohttp's Domain and MaskDomain
// cases, and the rest of the rules AddDomain documents.
func TestAddDomainMatching(t *testing.T) {
	cases := []struct {
		domain, host string
		match        bool
	}{
		{"example.com", "example.com", true},
		{"example.com:81", "example.com:81", true},
		{"example.com:81", "example.com", false},
		{"example.com", "example.com:81", false},
		{"example.com:80", "example.com", true}, // port 80 is dropped, as aiohttp does
		{"example.com", "example.com:80", false},
		{"example.com:081", "example.com:81", true},
		{"пуникод", "xn--d1ahgkhc2a", true},
		{"пуни.код", "xn--h1ajfq.xn--d1alm", true},
		{"Example.COM.", "example.com", true},
		{"example.com", "EXAMPLE.com", true},
		{"example.com", "www.example.com", false},
		{"example.com", "example.co", false},
		{"*.example.com", "jpg.example.com", true},
		{"*.example.com", "a.example.com", true},
		{"*.example.com", "a.b.example.com", true},
		{"*.example.com", "A.Example.COM", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "a.example.com:8080", false},
		{"*.example.com", "a.example.org", false},
		{"*.example.com:8080", "a.example.com:8080", true},
		{"a*c.example.com", "abbbc.example.com", true},
		{"a*c.example.com", "ac.example.com", true},
		{"a*c.example.com", "ab.example.com", false},
		{"*a*a*", "banana", true},
		{"*a*a*", "bnn", false},
		{"*", "anything:1234", true},
	}
	for _, c := range cases {
		app := newApp()
		app.Router.Get("/", answer("root"))
		sub := newApp()
		sub.Router.Get("/", answer("sub"))
		app.AddDomain(c.domain, sub)
		s := startApp(t, app, web.ServerOptions{})
		want := map[bool]string{true: "sub", false: "root"}[c.match]
		if r := getWithHost(t, s, "GET", "/", c.host); string(r.body) != want {
			t.Errorf("domain %q, Host %q: answered by %q, want %q", c.domain, c.host, r.body, want)
		}
	}
}

// getWithHost sends one request with the given Host ("" for none, as
// HTTP/1.0) on a new connection and reads the response.
func getWithHost(t *testing.T, s *testServer, method, path, host string) *wireResponse {
	t.Helper()
	c := s.dial(t)
	if host == "" {
		c.send(method + " " + path + " HTTP/1.0\r\n\r\n")
	} else {
		c.send(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
	}
	return c.readResponse(method)
}

// The domains are tried in order before the parent's routes, and the
// first that matches answers on its own, with its 404 and 405 too
// (aiohttp's test_add_domain and #11665); the parent's middlewares wrap
// the sub-application's, and its signals run with the parent's; all of it
// under the net/http bridge too.
func TestAddDomainPrecedence(t *testing.T) {
	var events eventLog
	tag := func(name string) web.Middleware {
		return func(req *web.Request, next web.Handler) (web.Response, error) {
			events.add(name + " " + req.Path())
			return next(req)
		}
	}
	app := newApp(web.WithMiddlewares(tag("root")))
	app.Router.Get("/", answer("root /"))
	app.Router.Get("/only-root", answer("root only"))
	exact := newApp(web.WithMiddlewares(tag("exact")))
	exact.Router.Get("/", answer("exact /"))
	exact.OnStartup.Append(func(context.Context, *web.Application) error { events.add("exact startup"); return nil })
	wild := newApp()
	wild.Router.Get("/", answer("wild /"))
	wild.Router.Post("/form", answer("wild form"))
	anyHost := newApp()
	anyHost.Router.Get("/", answer("any /"))
	app.AddDomain("example.com", exact)
	app.AddDomain("*.example.com", wild)
	app.AddDomain("*", anyHost)
	s := startApp(t, app, web.ServerOptions{})
	events.expect(t, "exact startup")
	events.reset()

	type domainCase struct {
		method, path, host string
		status             int
		body, allow        string
	}
	cases := []domainCase{
		{"GET", "/", "example.com", 200, "exact /", ""},
		{"GET", "/", "a.example.com", 200, "wild /", ""},
		{"GET", "/", "example2.com", 200, "any /", ""},
		{"GET", "/", "", 200, "root /", ""}, // no Host: no domain
		{"POST", "/", "example.com", 405, "405: Method Not Allowed", "GET,HEAD"},
		{"GET", "/form", "a.example.com", 405, "405: Method Not Allowed", "POST"},
		{"GET", "/only-root", "example.com", 404, "404: Not Found", ""},
		{"GET", "/only-root", "", 200, "root only", ""},
	}
	check := func(t *testing.T, c domainCase, status int, body, allow string) {
		t.Helper()
		if status != c.status || body != c.body || allow != c.allow {
			t.Errorf("%s %s Host %q: %d %q Allow %q, want %d %q %q", c.method, c.path, c.host, status, body, allow, c.status, c.body, c.allow)
		}
	}
	for _, c := range cases {
		r := getWithHost(t, s, c.method, c.path, c.host)
		check(t, c, r.status, string(r.body), r.get("Allow"))
	}
	events.reset()
	getWithHost(t, s, "GET", "/", "example.com")
	getWithHost(t, s, "GET", "/nowhere", "example.com")
	events.expect(t, "root /", "exact /", "root /nowhere", "exact /nowhere")

	bridged := startBridged(t, app)
	for _, c := range cases {
		if c.host == "" {
			continue // net/http sends a Host
		}
		resp, body := bridged.do(c.method, c.path, nil, "Host", c.host)
		check(t, c, resp.StatusCode, body, resp.Header.Get("Allow"))
	}
}

func TestAddDomainInvalid(t *testing.T) {
	for _, domain := range []string{
		"", ".", "http://dom", "example$com", "-a.com", "a-.com", "a..com", "a_b.com",
		"example.com:99999", "example.com:x", "example.com:", "example.com:-1", "[::1]:80",
		strings.Repeat("a", 64) + ".com",
	} {
		mustPanic(t, "AddDomain("+domain+")", func() { newApp().AddDomain(domain, newApp()) })
	}
	app, sub := newApp(), newApp()
	app.AddDomain("example.com", sub)
	mustPanic(t, "a second AddDomain of one sub-application", func() { app.AddDomain("example.org", sub) })
	mustPanic(t, "AddSubapp of a domain's sub-application", func() { app.AddSubapp("/x", sub) })
	mustPanic(t, "AddDomain of itself", func() { app.AddDomain("example.net", app) })
	if sub.Parent() != app {
		t.Errorf("Parent = %v", sub.Parent())
	}
	app.Router.Get("/", answer("ok"))
	startApp(t, app, web.ServerOptions{})
	mustPanic(t, "AddDomain on a frozen application", func() { app.AddDomain("example.org", newApp()) })
	mustPanic(t, "routes on a domain's frozen sub-application", func() { sub.Router.Get("/late", answer("late")) })
}
