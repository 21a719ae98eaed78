package web_test

import (
	"strconv"
	"testing"

	"github.com/aiohttp-go/aiohttp/web"
)

type user struct{ name string }

var (
	userKey  = web.NewRequestKey[*user]("user")
	countKey = web.NewRequestKey[int]("count")
)

// stateApp has a middleware that stores the X-User header's user and a
// count under request keys, and a handler that reports what it finds.
func stateApp() *web.Application {
	app := newApp(web.WithMiddlewares(func(req *web.Request, next web.Handler) (web.Response, error) {
		if name := req.Header().Get("X-User"); name != "" {
			userKey.Set(req, &user{name})
			countKey.Set(req, 1)
			countKey.Set(req, countKey.Get(req)+1) // Set replaces
		}
		return next(req)
	}))
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		u, ok := userKey.Lookup(req)
		if !ok {
			return web.Text("nobody"), nil
		}
		return web.Text(u.name + " " + strconv.Itoa(countKey.Get(req))), nil
	})
	return app
}

// A middleware stores values the handler reads, on the engine, and the
// next request of the connection starts with none.
func TestRequestKeyEngine(t *testing.T) {
	s := startApp(t, stateApp(), web.ServerOptions{})
	c := s.dial(t)
	for _, tc := range []struct{ header, want string }{
		{"X-User: ann", "ann 2"},
		{"", "nobody"}, // same connection, same Request storage: nothing left over
		{"X-User: bob", "bob 2"},
		{"", "nobody"},
	} {
		var lines []string
		if tc.header != "" {
			lines = append(lines, tc.header)
		}
		if r := c.get("/", lines...); string(r.body) != tc.want {
			t.Errorf("%q: got %q, want %q", tc.header, r.body, tc.want)
		}
	}
}

// Under the net/http bridge the same middleware and handler work.
func TestRequestKeyBridge(t *testing.T) {
	s := startBridged(t, stateApp())
	if _, got := s.get("/", "X-User", "ann"); got != "ann 2" {
		t.Errorf("with a user: %q", got)
	}
	if _, got := s.get("/"); got != "nobody" {
		t.Errorf("without: %q", got)
	}
}

// Lookup tells a stored zero value from none; Delete removes one key and
// leaves the others; keys with the same name are different keys.
func TestRequestKeyLookupDelete(t *testing.T) {
	other := web.NewRequestKey[int]("count")
	if other.Name() != "count" || countKey.Name() != "count" {
		t.Fatalf("names %q %q", other.Name(), countKey.Name())
	}
	errs := make(chan string, 1)
	app := newApp()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		errs <- func() string {
			if _, ok := countKey.Lookup(req); ok {
				return "a value before Set"
			}
			countKey.Set(req, 0)
			if v, ok := countKey.Lookup(req); !ok || v != 0 {
				return "a stored zero not found"
			}
			if _, ok := other.Lookup(req); ok {
				return "a key with the same name found the value"
			}
			other.Set(req, 7)
			userKey.Set(req, &user{"ann"})
			countKey.Delete(req)
			countKey.Delete(req) // nothing left to delete
			if _, ok := countKey.Lookup(req); ok {
				return "a deleted value found"
			}
			if other.Get(req) != 7 || userKey.Get(req).name != "ann" {
				return "Delete removed another key's value"
			}
			return ""
		}()
		return web.Text("ok"), nil
	})
	s := startApp(t, app, web.ServerOptions{})
	s.get("/")
	if e := recv(t, errs, "the handler"); e != "" {
		t.Error(e)
	}
}
