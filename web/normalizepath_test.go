package web_test

import (
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/web"
)

// normalizeServer serves aiohttp's test routes behind a
// NormalizePathMiddleware.
func normalizeServer(t *testing.T, opts web.NormalizePathOptions) *testServer {
	app := newApp(web.WithMiddlewares(web.NormalizePathMiddleware(opts)))
	for _, p := range []string{"/resource1", "/resource2/", "/resource1/a/b", "/resource2/a/b/", "/resource2/a/b%2Fc/"} {
		app.Router.Get(p, answer("OK"))
	}
	return startApp(t, app, web.ServerOptions{})
}

// pathCase is a request path and the status it ends with once a redirect
// is followed.
type pathCase struct {
	path   string
	status int
}

// runPathCases requests each path on a raw connection, follows one
// redirect as aiohttp's test client does, and checks the final status, the
// redirect's status, that the query survives it and that the location is
// a path on this host.
func runPathCases(t *testing.T, s *testServer, redirectStatus int, cases []pathCase) {
	t.Helper()
	c := s.dial(t)
	for _, tc := range cases {
		r := c.get(tc.path)
		final, location := r.status, ""
		if r.status >= 300 && r.status < 400 {
			location = r.get("Location")
			if r.status != redirectStatus {
				t.Errorf("%s: redirect %d, want %d", tc.path, r.status, redirectStatus)
			}
			if !strings.HasPrefix(location, "/") || strings.HasPrefix(location, "//") {
				t.Errorf("%s: Location %q is not a path on this host", tc.path, location)
				continue
			}
			if got, want := query(location), query(tc.path); got != want {
				t.Errorf("%s: Location %q lost the query %q", tc.path, location, want)
			}
			final = c.get(location).status
		}
		if final != tc.status {
			t.Errorf("%s: status %d (Location %q), want %d", tc.path, final, location, tc.status)
		}
	}
}

func query(target string) string {
	_, q, _ := strings.Cut(target, "?")
	return q
}

// withQuery returns the cases again with a query added to each path.
func withQuery(q string, cases []pathCase) []pathCase {
	out := append([]pathCase(nil), cases...)
	for _, c := range cases {
		out = append(out, pathCase{c.path + "?" + q, c.status})
	}
	return out
}

// The tables of aiohttp's TestNormalizePathMiddleware, over real sockets.
func TestNormalizePathMiddleware(t *testing.T) {
	tables := []struct {
		name  string
		opts  web.NormalizePathOptions
		cases []pathCase
	}{
		{"add trailing when necessary", web.NormalizePathOptions{DisableMergeSlashes: true}, withQuery("p1=1&p2=2", []pathCase{
			{"/resource1", 200}, {"/resource1/", 404}, {"/resource2", 200}, {"/resource2/", 200},
			{"/resource2/a/b%2Fc", 200}, {"/resource2/a/b%2Fc/", 200},
		})},
		{"remove trailing when necessary", web.NormalizePathOptions{TrailingSlash: web.RemoveSlash, DisableMergeSlashes: true}, withQuery("p1=1&p2=2", []pathCase{
			{"/resource1", 200}, {"/resource1/", 200}, {"/resource2", 404}, {"/resource2/", 200},
			{"/resource2/a/b%2Fc", 404}, {"/resource2/a/b%2Fc/", 200}, {"/resource12", 404}, {"/resource12345", 404},
		})},
		{"no trailing slash when disabled", web.NormalizePathOptions{TrailingSlash: web.KeepSlash, DisableMergeSlashes: true}, withQuery("p1=1&p2=2", []pathCase{
			{"/resource1", 200}, {"/resource1/", 404}, {"/resource2", 404}, {"/resource2/", 200},
			{"/resource2/a/b%2Fc", 404}, {"/resource2/a/b%2Fc/", 200},
		})},
		{"merge slash", web.NormalizePathOptions{TrailingSlash: web.KeepSlash}, withQuery("p=1", []pathCase{
			{"/resource1/a/b", 200}, {"//resource1//a//b", 200}, {"//resource1//a//b/", 404},
			{"///resource1//a//b", 200}, {"/////resource1/a///b", 200}, {"/////resource1/a//b/", 404},
		})},
		{"append and merge slash", web.NormalizePathOptions{}, withQuery("p=1", []pathCase{
			{"/resource1/a/b", 200}, {"/resource1/a/b/", 404}, {"//resource2//a//b", 200}, {"//resource2//a//b/", 200},
			{"///resource1//a//b", 200}, {"///resource1//a//b/", 404}, {"/////resource1/a///b", 200},
			{"/////resource1/a///b/", 404}, {"/resource2/a/b", 200}, {"///resource2//a//b", 200},
			{"///resource2//a//b/", 200}, {"/////resource2/a///b", 200}, {"/////resource2/a///b/", 200},
		})},
		{"remove and merge slash", web.NormalizePathOptions{TrailingSlash: web.RemoveSlash}, withQuery("p=1", []pathCase{
			{"/resource1/a/b", 200}, {"/resource1/a/b/", 200}, {"//resource2//a//b", 404}, {"//resource2//a//b/", 200},
			{"///resource1//a//b", 200}, {"///resource1//a//b/", 200}, {"/////resource1/a///b", 200},
			{"/////resource1/a///b/", 200}, {"/////resource1/a///b///", 200}, {"/resource2/a/b", 404},
			{"///resource2//a//b", 404}, {"///resource2//a//b/", 200}, {"/////resource2/a///b", 404},
			{"/////resource2/a///b/", 200},
		})},
	}
	for _, tb := range tables {
		t.Run(tb.name, func(t *testing.T) {
			runPathCases(t, normalizeServer(t, tb.opts), 308, tb.cases)
		})
	}
}

// "//google.com" never redirects to a location a browser would take for
// another host (aiohttp's test_open_redirects, GHSA-v6wp-4m6f-gcjg).
func TestNormalizePathNoOpenRedirect(t *testing.T) {
	for _, slash := range []web.TrailingSlash{web.AppendSlash, web.RemoveSlash, web.KeepSlash} {
		app := newApp(web.WithMiddlewares(web.NormalizePathMiddleware(web.NormalizePathOptions{TrailingSlash: slash})))
		reached := func(*web.Request) (web.Response, error) { return nil, web.NewHTTPError(418) }
		app.Router.Get("/", reached)
		app.Router.Get("/google.com", reached)
		app.Router.Get("/google.com/", reached)
		r := startApp(t, app, web.ServerOptions{}).dial(t).get("//google.com")
		if r.status != 308 || !strings.HasPrefix(r.get("Location"), "/google.com") {
			t.Errorf("%v: %d Location %q, want 308 to /google.com", slash, r.status, r.get("Location"))
		}
	}
	// Without merging, the appended slash gives "//google.com/", whose
	// leading slashes go too.
	app := newApp(web.WithMiddlewares(web.NormalizePathMiddleware(web.NormalizePathOptions{DisableMergeSlashes: true})))
	app.Router.Get("/google.com/", answer("here"))
	if r := startApp(t, app, web.ServerOptions{}).dial(t).get("//google.com"); r.status != 308 || r.get("Location") != "/google.com/" {
		t.Errorf("no merging: %d Location %q, want 308 to /google.com/", r.status, r.get("Location"))
	}
}

// The rest of the rules: a matched route is never redirected, the method
// counts, a custom redirect, aiohttp's bug 3669, a domain's routes, the
// bridge.
func TestNormalizePathRules(t *testing.T) {
	app := newApp(web.WithMiddlewares(web.NormalizePathMiddleware(web.NormalizePathOptions{
		TrailingSlash: web.RemoveSlash,
		Redirect:      web.HTTPMovedPermanently,
	})))
	app.Router.Get("/both", answer("no slash"))
	app.Router.Get("/both/", answer("slash"))
	app.Router.Get("/paymethod", answer("paymethod"))
	app.Router.Post("/form", answer("posted"))
	app.Router.Get("/page", answer("page"))
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	if r := c.get("/both/"); r.status != 200 || string(r.body) != "slash" {
		t.Errorf("a matched route: %d %q", r.status, r.body)
	}
	if r := c.get("/paymethods"); r.status != 404 {
		t.Errorf("bug 3669: /paymethods got %d, want 404", r.status)
	}
	if r := c.get("/page/?a=1&b=%20"); r.status != 301 || r.get("Location") != "/page?a=1&b=%20" {
		t.Errorf("custom redirect: %d %q", r.status, r.get("Location"))
	}
	// The method counts: /form has a POST route only, so GET /form/ keeps
	// its 404 and POST /form/ is redirected.
	if r := c.get("/form/"); r.status != 404 {
		t.Errorf("GET /form/: %d %q, want the 404", r.status, r.get("Location"))
	}
	c.send("POST /form/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
	if r := c.readResponse("POST"); r.status != 301 || r.get("Location") != "/form" {
		t.Errorf("POST /form/: %d %q", r.status, r.get("Location"))
	}

	// In a sub-application of AddDomain the middleware of the parent
	// normalizes the sub-application's paths.
	sub := newApp()
	sub.Router.Get("/docs/", answer("docs"))
	root := newApp(web.WithMiddlewares(web.NormalizePathMiddleware(web.NormalizePathOptions{})))
	root.Router.Get("/", answer("root"))
	root.Router.Get("/item/", answer("item"))
	root.Router.Post("/item", answer("posted item"))
	root.AddDomain("docs.example.com", sub)
	ds := startApp(t, root, web.ServerOptions{})
	if r := getWithHost(t, ds, "GET", "/docs", "docs.example.com"); r.status != 308 || r.get("Location") != "/docs/" {
		t.Errorf("domain: %d %q", r.status, r.get("Location"))
	}
	if r := getWithHost(t, ds, "GET", "//", "other.example.com"); r.status != 308 || r.get("Location") != "/" {
		t.Errorf("parent: %d %q", r.status, r.get("Location"))
	}
	// A 405 is normalized too when the normalized path answers the method.
	if r := getWithHost(t, ds, "GET", "/item", "other.example.com"); r.status != 308 || r.get("Location") != "/item/" {
		t.Errorf("405: %d %q", r.status, r.get("Location"))
	}

	if resp, _ := startBridged(t, app).get("/page/?q=1"); resp.StatusCode != 301 || resp.Header.Get("Location") != "/page?q=1" {
		t.Errorf("bridge: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
