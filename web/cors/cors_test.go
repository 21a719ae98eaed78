package cors_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/cors"
)

func ok(req *web.Request) (web.Response, error) {
	resp := web.Text("ok")
	resp.Header().Set("X-Custom", "1")
	resp.Header().Set("X-Other", "2")
	return resp, nil
}

const (
	site  = "https://app.example"
	other = "https://other.example"
)

// exchange sends a request with header name/value pairs and returns the
// response and its body.
func exchange(t *testing.T, c *aiotest.Client, method, path string, fields ...string) (*aiohttp.Response, string) {
	t.Helper()
	var opts []aiohttp.RequestOption
	for i := 0; i < len(fields); i += 2 {
		opts = append(opts, aiohttp.Header(fields[i], fields[i+1]))
	}
	resp, err := c.Request(t.Context(), method, path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	body, err := resp.Text()
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// check compares a response's fields with name/value pairs; "" for a
// field that must be absent.
func check(t *testing.T, what string, resp *aiohttp.Response, status int, fields ...string) {
	t.Helper()
	if resp.Status != status {
		t.Errorf("%s: status %d, want %d", what, resp.Status, status)
	}
	for i := 0; i < len(fields); i += 2 {
		got := strings.Join(resp.Header.GetAll(fields[i]), ", ")
		if got != fields[i+1] {
			t.Errorf("%s: %s = %q, want %q", what, fields[i], got, fields[i+1])
		}
	}
}

func newApp(t *testing.T) *aiotest.Client {
	app := web.NewApplication()
	c := cors.Setup(app, cors.Origins{
		site: {AllowCredentials: true, AllowHeaders: []string{"X-Token", "Content-Type"}, MaxAge: time.Hour, ExposeHeaders: []string{"X-Custom"}},
	})
	c.Add(app.Router.Get("/items", ok))
	c.Add(app.Router.Post("/items", ok), cors.Origins{
		"*": {ExposeHeaders: []string{"*"}},
	})
	c.Add(app.Router.Delete("/items/{id}", ok), cors.Origins{
		site: {AllowCredentials: true, ExposeHeaders: []string{"*"}},
	})
	c.Add(app.Router.Get("/missing", func(req *web.Request) (web.Response, error) { return nil, web.HTTPNotFound() }))
	c.Add(app.Router.Put("/any", ok), cors.Origins{"*": {AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}}})
	c.Add(app.Router.Get("/narrow", ok), cors.Origins{site: {AllowMethods: []string{"GET", "PATCH"}}})
	app.Router.Get("/private", ok)
	return aiotest.NewClient(t, app)
}

func TestPreflightAllowed(t *testing.T) {
	c := newApp(t)
	resp, body := exchange(t, c, "OPTIONS", "/items",
		"Origin", site, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "X-Token, content-type")
	check(t, "preflight", resp, 200,
		"Access-Control-Allow-Origin", site,
		"Access-Control-Allow-Credentials", "true",
		"Access-Control-Max-Age", "3600",
		"Access-Control-Allow-Methods", "GET, POST",
		"Access-Control-Allow-Headers", "x-token, content-type",
		"Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
	if body != "" {
		t.Errorf("preflight body %q", body)
	}

	// The POST route's own "*" entry: any other origin, no credentials.
	resp, _ = exchange(t, c, "OPTIONS", "/items", "Origin", other, "Access-Control-Request-Method", "POST")
	check(t, "preflight of another origin", resp, 200,
		"Access-Control-Allow-Origin", other, "Access-Control-Allow-Credentials", "", "Access-Control-Max-Age", "",
		"Access-Control-Allow-Headers", "")

	resp, _ = exchange(t, c, "OPTIONS", "/items/7", "Origin", site, "Access-Control-Request-Method", "DELETE")
	check(t, "preflight of a parameterized path", resp, 200, "Access-Control-Allow-Methods", "DELETE")

	resp, _ = exchange(t, c, "OPTIONS", "/items", "Origin", site, "Access-Control-Request-Method", "HEAD")
	check(t, "HEAD, answered by the GET route", resp, 200)

	resp, _ = exchange(t, c, "OPTIONS", "/any", "Origin", other, "Access-Control-Request-Method", "PATCH",
		"Access-Control-Request-Headers", "X-Anything")
	check(t, "AllowMethods and AllowHeaders *", resp, 200,
		"Access-Control-Allow-Methods", "PATCH", "Access-Control-Allow-Headers", "x-anything")

	resp, _ = exchange(t, c, "OPTIONS", "/narrow", "Origin", site, "Access-Control-Request-Method", "GET")
	check(t, "AllowMethods", resp, 200, "Access-Control-Allow-Methods", "GET, PATCH")
}

func TestPreflightRefused(t *testing.T) {
	c := newApp(t)
	for _, tc := range []struct {
		name, path string
		fields     []string
		reason     string
	}{
		{"no Origin", "/items", []string{"Access-Control-Request-Method", "GET"},
			"CORS preflight request failed: origin header is not specified in the request"},
		{"no method", "/items", []string{"Origin", site},
			"CORS preflight request failed: 'Access-Control-Request-Method' header is not specified"},
		{"origin", "/items", []string{"Origin", other, "Access-Control-Request-Method", "GET"},
			`CORS preflight request failed: origin "https://other.example" is not allowed`},
		{"method", "/items", []string{"Origin", site, "Access-Control-Request-Method", "PUT"},
			`CORS preflight request failed: request method "PUT" is not allowed for "https://app.example" origin`},
		{"method outside AllowMethods", "/narrow", []string{"Origin", site, "Access-Control-Request-Method", "DELETE"},
			`CORS preflight request failed: request method "DELETE" is not allowed for "https://app.example" origin`},
		{"headers", "/items", []string{"Origin", site, "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "X-Token, X-Evil, Authorization"},
			"CORS preflight request failed: headers are not allowed: x-evil, authorization"},
		{"null origin against *", "/items", []string{"Origin", "null", "Access-Control-Request-Method", "POST"},
			`CORS preflight request failed: origin "null" is not allowed`},
	} {
		resp, body := exchange(t, c, "OPTIONS", tc.path, tc.fields...)
		check(t, tc.name, resp, 403, "Access-Control-Allow-Origin", "")
		if body != tc.reason {
			t.Errorf("%s: body %q, want %q", tc.name, body, tc.reason)
		}
	}
	resp, _ := exchange(t, c, "OPTIONS", "/private", "Origin", site, "Access-Control-Request-Method", "GET")
	check(t, "a route without CORS", resp, 405, "Access-Control-Allow-Origin", "")
}

func TestNoOriginsAllowed(t *testing.T) {
	app := web.NewApplication()
	cors.Setup(app, nil).Add(app.Router.Get("/", ok))
	c := aiotest.NewClient(t, app)
	resp, body := exchange(t, c, "OPTIONS", "/", "Origin", site, "Access-Control-Request-Method", "GET")
	check(t, "preflight", resp, 403)
	if body != "CORS preflight request failed: no origins are allowed" {
		t.Errorf("body %q", body)
	}
}

func TestActualRequests(t *testing.T) {
	c := newApp(t)
	resp, body := exchange(t, c, "GET", "/items", "Origin", site)
	check(t, "allowed origin", resp, 200,
		"Access-Control-Allow-Origin", site, "Access-Control-Allow-Credentials", "true",
		"Access-Control-Expose-Headers", "X-Custom", "Vary", "Origin")
	if body != "ok" {
		t.Errorf("body %q", body)
	}
	resp, _ = exchange(t, c, "GET", "/items", "Origin", other)
	check(t, "origin not allowed", resp, 200,
		"Access-Control-Allow-Origin", "", "Access-Control-Expose-Headers", "", "Vary", "Origin")
	resp, _ = exchange(t, c, "GET", "/items")
	check(t, "no Origin", resp, 200, "Access-Control-Allow-Origin", "", "Vary", "Origin")
	resp, _ = exchange(t, c, "GET", "/private", "Origin", site)
	check(t, "route without CORS", resp, 200, "Access-Control-Allow-Origin", "", "Vary", "")

	resp, _ = exchange(t, c, "POST", "/items", "Origin", other)
	check(t, "* without credentials", resp, 200,
		"Access-Control-Allow-Origin", other, "Access-Control-Allow-Credentials", "", "Access-Control-Expose-Headers", "*")
	resp, _ = exchange(t, c, "POST", "/items", "Origin", site)
	check(t, "the default entry beats the route's *", resp, 200,
		"Access-Control-Allow-Origin", site, "Access-Control-Allow-Credentials", "true", "Access-Control-Expose-Headers", "X-Custom")
	resp, _ = exchange(t, c, "DELETE", "/items/1", "Origin", site)
	check(t, "expose * with credentials lists the fields", resp, 200,
		"Access-Control-Allow-Origin", site, "Access-Control-Expose-Headers", "X-Custom, X-Other")

	resp, _ = exchange(t, c, "GET", "/missing", "Origin", site)
	check(t, "an error response", resp, 404, "Access-Control-Allow-Origin", site, "Vary", "Origin")
}

func TestCredentialsNeverWithStar(t *testing.T) {
	app := web.NewApplication()
	cors.Setup(app, cors.Origins{"*": {AllowCredentials: true}}).Add(app.Router.Get("/", ok))
	c := aiotest.NewClient(t, app)
	resp, _ := exchange(t, c, "OPTIONS", "/", "Origin", other, "Access-Control-Request-Method", "GET")
	check(t, "preflight", resp, 200, "Access-Control-Allow-Origin", other, "Access-Control-Allow-Credentials", "true")
	resp, _ = exchange(t, c, "GET", "/", "Origin", other)
	check(t, "actual", resp, 200, "Access-Control-Allow-Origin", other, "Access-Control-Allow-Credentials", "true")
}

func TestSubApplication(t *testing.T) {
	app, admin := web.NewApplication(), web.NewApplication()
	route := admin.Router.Get("/users", ok)
	app.AddSubapp("/admin", admin)
	cors.Setup(app, cors.Origins{site: {}}).Add(route)
	c := aiotest.NewClient(t, app)
	resp, _ := exchange(t, c, "OPTIONS", "/admin/users", "Origin", site, "Access-Control-Request-Method", "GET")
	check(t, "preflight", resp, 200, "Access-Control-Allow-Origin", site)
	resp, _ = exchange(t, c, "GET", "/admin/users", "Origin", site)
	check(t, "actual", resp, 200, "Access-Control-Allow-Origin", site)
}

func TestSetupOnSubApplication(t *testing.T) {
	app, admin := web.NewApplication(), web.NewApplication()
	cors.Setup(admin, cors.Origins{site: {}}).Add(admin.Router.Get("/users", ok))
	app.AddSubapp("/admin", admin)
	c := aiotest.NewClient(t, app)
	resp, _ := exchange(t, c, "OPTIONS", "/admin/users", "Origin", site, "Access-Control-Request-Method", "GET")
	check(t, "preflight", resp, 200, "Access-Control-Allow-Origin", site)
	resp, _ = exchange(t, c, "GET", "/admin/users", "Origin", site)
	check(t, "actual", resp, 200, "Access-Control-Allow-Origin", site)
}

func TestAddPanics(t *testing.T) {
	mustPanic := func(name, want string, f func()) {
		t.Helper()
		defer func() {
			r := recover()
			if s, _ := r.(string); !strings.Contains(s, want) {
				t.Errorf("%s: panic %v, want one saying %q", name, r, want)
			}
		}()
		f()
	}
	app := web.NewApplication()
	c := cors.Setup(app, cors.Origins{"*": {}})
	mustPanic("OPTIONS route", "answers OPTIONS itself", func() { c.Add(app.Router.Options("/o", ok)) })
	mustPanic("Any route", "answers OPTIONS itself", func() { c.Add(app.Router.Any("/any", ok)) })
	app.Router.Options("/x", ok)
	mustPanic("path with OPTIONS", "has an OPTIONS route already", func() { c.Add(app.Router.Get("/x", ok)) })
	mustPanic("foreign route", "not registered", func() { c.Add(web.NewRouter().Get("/y", ok)) })
	r := c.Add(app.Router.Get("/z", ok))
	mustPanic("twice", "added twice", func() { c.Add(r) })
	mustPanic("bad header name", "not a valid name", func() {
		cors.Setup(app, cors.Origins{"*": {AllowHeaders: []string{"X Bad"}}})
	})
	if err := app.Startup(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustPanic("running", "running application", func() { c.Add(r) })
}
