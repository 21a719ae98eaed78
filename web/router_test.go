package web

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

func nopHandler(*Request) (Response, error) { return nil, nil }

// routeSpec is a route to register in a table test: method "VIEW" is not
// used; "*" registers Any.
type routeSpec struct {
	method, pattern string
	opts            []RouteOption
}

// newFrozenRouter registers the routes and freezes the router.
func newFrozenRouter(t testing.TB, routes ...routeSpec) *Router {
	t.Helper()
	rt := NewRouter()
	for _, r := range routes {
		rt.Handle(r.method, r.pattern, nopHandler, r.opts...)
	}
	rt.freeze()
	return rt
}

// lookup resolves a request and describes the outcome as
// "METHOD PATTERN a=1 b=2", "405 Allow" or "404".
func lookup(rt *Router, method, path string) string {
	var m MatchInfo
	r, allow := rt.resolve(method, path, &m)
	switch {
	case r != nil:
		var b strings.Builder
		b.WriteString(r.Method() + " " + r.Pattern())
		for k, v := range m.All() {
			b.WriteString(" " + k + "=" + v)
		}
		return b.String()
	case allow != "":
		return "405 " + allow
	}
	return "404"
}

type lookupCase struct{ method, path, want string }

func runLookups(t *testing.T, rt *Router, cases []lookupCase) {
	t.Helper()
	for _, c := range cases {
		if got := lookup(rt, c.method, c.path); got != c.want {
			t.Errorf("%s %q: got %q, want %q", c.method, c.path, got, c.want)
		}
	}
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		v := recover()
		if v == nil {
			t.Errorf("no panic; want one containing %q", want)
			return
		}
		if msg := fmt.Sprint(v); !strings.Contains(msg, want) {
			t.Errorf("panic %q; want it to contain %q", msg, want)
		}
	}()
	f()
}

func TestRouterStatic(t *testing.T) {
	rt := newFrozenRouter(t,
		routeSpec{"GET", "/", nil},
		routeSpec{"GET", "/users", nil},
		routeSpec{"GET", "/users/", nil},
		routeSpec{"GET", "/users/all", nil},
		routeSpec{"GET", "/user", nil},
		routeSpec{"GET", "/usr/lib", nil},
		routeSpec{"POST", "/путь/ü", nil},
	)
	runLookups(t, rt, []lookupCase{
		{"GET", "/", "GET /"},
		{"GET", "/users", "GET /users"},
		{"GET", "/users/", "GET /users/"},
		{"GET", "/users/all", "GET /users/all"},
		{"GET", "/user", "GET /user"},
		{"GET", "/usr/lib", "GET /usr/lib"},
		{"POST", "/путь/ü", "POST /путь/ü"},
		{"GET", "/us", "404"},
		{"GET", "/users/al", "404"},
		{"GET", "/users/all/", "404"},
		{"GET", "/usersx", "404"},
		{"GET", "", "404"},
		{"GET", "/USERS", "404"},
	})
}

func TestRouterTrailingSlashIsSignificant(t *testing.T) {
	rt := newFrozenRouter(t,
		routeSpec{"GET", "/a", nil},
		routeSpec{"GET", "/b/", nil},
		routeSpec{"GET", "/c/{x}", nil},
	)
	runLookups(t, rt, []lookupCase{
		{"GET", "/a", "GET /a"},
		{"GET", "/a/", "404"},
		{"GET", "/b/", "GET /b/"},
		{"GET", "/b", "404"},
		{"GET", "/c/1", "GET /c/{x} x=1"},
		{"GET", "/c/1/", "404"},
		{"GET", "/c/", "404"},
	})
}

func TestRouterParams(t *testing.T) {
	rt := newFrozenRouter(t,
		routeSpec{"GET", "/users/{id}", nil},
		routeSpec{"GET", "/users/{id}/posts/{post}", nil},
		routeSpec{"GET", "/files/{name}.{ext}", nil},
		routeSpec{"GET", "/v{major}.{minor}/info", nil},
		routeSpec{"GET", "/img/{w}x{h}.png", nil},
		routeSpec{"GET", "/adj/{a}{b}", nil},
	)
	runLookups(t, rt, []lookupCase{
		{"GET", "/users/42", "GET /users/{id} id=42"},
		{"GET", "/users/a b:c@", "GET /users/{id} id=a b:c@"},
		{"GET", "/users/42/posts/7", "GET /users/{id}/posts/{post} id=42 post=7"},
		{"GET", "/users/", "404"},
		{"GET", "/users/42/posts/", "404"},
		{"GET", "/users/a{b", "404"},
		{"GET", "/users/a}b", "404"},
		// {name} is greedy, as aiohttp's [^{}/]+ regexp.
		{"GET", "/files/a.txt", "GET /files/{name}.{ext} name=a ext=txt"},
		{"GET", "/files/a.tar.gz", "GET /files/{name}.{ext} name=a.tar ext=gz"},
		{"GET", "/files/a.", "404"},
		{"GET", "/files/.a", "404"},
		{"GET", "/files/noext", "404"},
		{"GET", "/v1.2/info", "GET /v{major}.{minor}/info major=1 minor=2"},
		{"GET", "/v1.2.3/info", "GET /v{major}.{minor}/info major=1.2 minor=3"},
		{"GET", "/img/10x20.png", "GET /img/{w}x{h}.png w=10 h=20"},
		{"GET", "/img/x10x20x.png", "GET /img/{w}x{h}.png w=x10 h=20x"},
		{"GET", "/adj/abc", "GET /adj/{a}{b} a=ab b=c"},
		{"GET", "/adj/a", "404"},
	})
}

func TestRouterRegex(t *testing.T) {
	rt := newFrozenRouter(t,
		routeSpec{"GET", `/articles/{id:\d+}`, nil},
		routeSpec{"GET", `/codes/{code:[A-Z]\d{3}}`, nil},
		routeSpec{"GET", "/static/{path:.+}", nil},
		routeSpec{"GET", "/tail/{tail:.*}", nil},
		routeSpec{"GET", `/api/{version:v\d+}/users/{id}`, nil},
		routeSpec{"GET", `/mixed/{name}/{rest:.*}/edit`, nil},
		routeSpec{"GET", `/pair/{a:[a-z]+}{b:\d+}`, nil},
		routeSpec{"GET", `/ci/{word:(?i)hello}`, nil},
		routeSpec{"GET", `/obj/{key}{suffix:\.json}`, nil},
	)
	runLookups(t, rt, []lookupCase{
		{"GET", "/articles/123", "GET /articles/{id:\\d+} id=123"},
		{"GET", "/articles/12a", "404"},
		{"GET", "/articles/", "404"},
		{"GET", "/codes/A123", "GET /codes/{code:[A-Z]\\d{3}} code=A123"},
		{"GET", "/codes/A1234", "404"},
		{"GET", "/static/css/site.css", "GET /static/{path:.+} path=css/site.css"},
		{"GET", "/static/", "404"},
		{"GET", "/tail/", "GET /tail/{tail:.*} tail="},
		{"GET", "/tail/a/b/", "GET /tail/{tail:.*} tail=a/b/"},
		{"GET", "/api/v2/users/7", "GET /api/{version:v\\d+}/users/{id} version=v2 id=7"},
		{"GET", "/api/x2/users/7", "404"},
		{"GET", "/api/v2/users/7/", "404"},
		{"GET", "/mixed/n/a/b/edit", "GET /mixed/{name}/{rest:.*}/edit name=n rest=a/b"},
		{"GET", "/mixed/n/a/edit/edit", "GET /mixed/{name}/{rest:.*}/edit name=n rest=a/edit"},
		{"GET", "/mixed/n//edit", "GET /mixed/{name}/{rest:.*}/edit name=n rest="},
		{"GET", "/pair/abc123", "GET /pair/{a:[a-z]+}{b:\\d+} a=abc b=123"},
		{"GET", "/pair/123", "404"},
		{"GET", "/ci/HeLLo", "GET /ci/{word:(?i)hello} word=HeLLo"},
		{"GET", "/obj/a.b.json", "GET /obj/{key}{suffix:\\.json} key=a.b suffix=.json"},
		{"GET", "/obj/.json", "404"},
	})
}

func TestRouterPriority(t *testing.T) {
	rt := newFrozenRouter(t,
		routeSpec{"GET", "/{tail:.*}", nil},
		routeSpec{"GET", "/users/{id:\\d+}", nil},
		routeSpec{"GET", "/users/{name}", nil},
		routeSpec{"GET", "/users/new", nil},
		routeSpec{"GET", "/users/{name}/edit", nil},
		routeSpec{"GET", `/users/new/{x:\d+}`, nil},
		routeSpec{"GET", "/files/{name}", nil},
		routeSpec{"GET", "/files/{name}.json", nil},
		routeSpec{"GET", "/re/{a:.*}", nil},
		routeSpec{"GET", "/re/{b:[a-z]+}", nil},
		routeSpec{"GET", "/{section}/index", nil},
		routeSpec{"GET", "/about/{page:.*}", nil},
	)
	runLookups(t, rt, []lookupCase{
		// Static beats {name} beats regex.
		{"GET", "/users/new", "GET /users/new"},
		{"GET", "/users/42", "GET /users/{name} name=42"},
		{"GET", "/users/bob", "GET /users/{name} name=bob"},
		// Backtracking: the static "new" fails further on, {name} matches.
		{"GET", "/users/new/edit", "GET /users/{name}/edit name=new"},
		{"GET", "/users/new/5", "GET /users/new/{x:\\d+} x=5"},
		// Literal text after {name} beats the segment end.
		{"GET", "/files/x.json", "GET /files/{name}.json name=x"},
		{"GET", "/files/x.y.json", "GET /files/{name}.json name=x.y"},
		{"GET", "/files/x.jsonx", "GET /files/{name} name=x.jsonx"},
		// Regex routes at one point: registration order.
		{"GET", "/re/abc", "GET /re/{a:.*} a=abc"},
		// Literal text first: "about" beats {section}, so the regex route
		// under it wins (aiohttp too tries the longest literal prefix first).
		{"GET", "/about/index", "GET /about/{page:.*} page=index"},
		{"GET", "/home/index", "GET /{section}/index section=home"},
		{"GET", "/anything/else", "GET /{tail:.*} tail=anything/else"},
		{"GET", "/", "GET /{tail:.*} tail="},
	})
}

func TestRouterMethods(t *testing.T) {
	rt := newFrozenRouter(t,
		routeSpec{"GET", "/items", nil},
		routeSpec{"POST", "/items", nil},
		routeSpec{"delete", "/items/{id}", nil},
		routeSpec{"PUT", "/items/{id}", nil},
		routeSpec{"GET", "/nohead", []RouteOption{AllowHead(false)}},
		routeSpec{"HEAD", "/onlyhead", nil},
		routeSpec{"GET", "/explicit", []RouteOption{AllowHead(false)}},
		routeSpec{"HEAD", "/explicit", nil},
		routeSpec{"*", "/any", nil},
		routeSpec{"GET", "/any", nil},
		routeSpec{"PROPFIND", "/dav", nil},
		routeSpec{"OPTIONS", "/dav", nil},
		routeSpec{"PATCH", "/patch", nil},
	)
	runLookups(t, rt, []lookupCase{
		{"GET", "/items", "GET /items"},
		{"HEAD", "/items", "GET /items"},
		{"POST", "/items", "POST /items"},
		{"PUT", "/items", "405 GET, HEAD, POST"},
		{"DELETE", "/items/1", "DELETE /items/{id} id=1"},
		{"GET", "/items/1", "405 DELETE, PUT"},
		{"HEAD", "/nohead", "405 GET"},
		{"HEAD", "/onlyhead", "HEAD /onlyhead"},
		{"GET", "/onlyhead", "405 HEAD"},
		{"HEAD", "/explicit", "HEAD /explicit"},
		{"GET", "/any", "GET /any"},
		{"HEAD", "/any", "GET /any"},
		{"POST", "/any", "* /any"},
		{"BREW", "/any", "* /any"},
		{"PROPFIND", "/dav", "PROPFIND /dav"},
		{"GET", "/dav", "405 OPTIONS, PROPFIND"},
		{"PATCH", "/patch", "PATCH /patch"},
		{"get", "/items", "405 GET, HEAD, POST"}, // methods are case-sensitive on the wire
		{"GET", "/nothing", "404"},
	})
}

func TestRouterMethodMismatchFallsThrough(t *testing.T) {
	// As in aiohttp, a pattern that matches the path but not the method
	// lets the next matching pattern answer; Allow combines them all.
	rt := newFrozenRouter(t,
		routeSpec{"GET", "/users/{id}", nil},
		routeSpec{"POST", "/users/{rest:.*}", nil},
		routeSpec{"PUT", "/docs/{id}", nil},
		routeSpec{"DELETE", "/docs/{rest:.*}", nil},
		routeSpec{"PATCH", "/docs/{a}", []RouteOption{Name("same-shape")}},
	)
	runLookups(t, rt, []lookupCase{
		{"POST", "/users/1", "POST /users/{rest:.*} rest=1"},
		{"GET", "/users/1", "GET /users/{id} id=1"},
		{"PATCH", "/users/1", "405 GET, HEAD, POST"},
		{"PATCH", "/users/1/2", "405 POST"},
		{"GET", "/docs/1", "405 DELETE, PATCH, PUT"},
		{"PATCH", "/docs/1", "PATCH /docs/{a} a=1"},
	})
}

func TestReference21GetAnswersHead(t *testing.T) {
	// aiohttp: a GET route answers HEAD; allow_head=False gives 405 with
	// Allow: GET (the body part of the behaviour is the server's).
	rt := NewRouter()
	withHead := rt.Get("/with", nopHandler)
	rt.Get("/without", nopHandler, AllowHead(false))
	rt.freeze()
	var m MatchInfo
	if r, allow := rt.resolve("HEAD", "/with", &m); r != withHead || allow != "" {
		t.Errorf("HEAD /with: got %v %q, want the GET route", r, allow)
	}
	if r, allow := rt.resolve("HEAD", "/without", &m); r != nil || allow != "GET" {
		t.Errorf("HEAD /without: got %v %q, want nil and Allow GET", r, allow)
	}
	if r, _ := rt.resolve("GET", "/without", &m); r == nil {
		t.Error("GET /without: no route")
	}
	if r, allow := rt.resolve("POST", "/with", &m); r != nil || allow != "GET, HEAD" {
		t.Errorf("POST /with: got %v %q, want Allow %q", r, allow, "GET, HEAD")
	}
}

func TestRouterInvalidPatterns(t *testing.T) {
	cases := []struct{ pattern, want string }{
		{"users", `must start with "/"`},
		{"{id}", `must start with "/"`},
		{"/users/{id", `unbalanced "{"`},
		{"/users/id}", `unbalanced "}"`},
		{"/users/{}", "invalid parameter name"},
		{"/users/{1id}", "invalid parameter name"},
		{"/users/{i-d}", "invalid parameter name"},
		{"/users/{id:}", "empty regexp"},
		{"/users/{id:[a-}", "bad regexp"},
		{"/users/{id:a)|(b}", "bad regexp"},
		{"/users/{id}/{id}", `duplicate parameter "id"`},
		{"/{a}{b}{c}{d}{e}{f}{g}{h}{i}{j}{k}{l}{m}{n}{o}{p}{q}", "more than 16 parameters"},
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			mustPanic(t, c.want, func() { NewRouter().Get(c.pattern, nopHandler) })
		})
	}
}

func TestRouterRegistrationPanics(t *testing.T) {
	cases := []struct {
		name, want string
		f          func(rt *Router)
	}{
		{"same method and pattern", "conflicts with GET /a", func(rt *Router) {
			rt.Get("/a", nopHandler)
			rt.Get("/a", nopHandler)
		}},
		{"same shape", "conflicts with POST /u/{id}", func(rt *Router) {
			rt.Post("/u/{id}", nopHandler)
			rt.Post("/u/{name}", nopHandler)
		}},
		{"same regexp shape", "conflicts", func(rt *Router) {
			rt.Get(`/u/{id:\d+}`, nopHandler)
			rt.Handle("get", `/u/{n:\d+}`, nopHandler)
		}},
		{"HEAD after GET", "AllowHead(false)", func(rt *Router) {
			rt.Get("/a", nopHandler)
			rt.Head("/a", nopHandler)
		}},
		{"GET after HEAD", "AllowHead(false)", func(rt *Router) {
			rt.Head("/a", nopHandler)
			rt.Get("/a", nopHandler)
		}},
		{"two Any", "conflicts with * /a", func(rt *Router) {
			rt.Any("/a", nopHandler)
			rt.Any("/a", nopHandler)
		}},
		{"duplicate name", `duplicate route name "n"`, func(rt *Router) {
			rt.Get("/a", nopHandler, Name("n"))
			rt.Get("/b", nopHandler, Name("n"))
		}},
		{"nil handler", "nil handler", func(rt *Router) { rt.Get("/a", nil) }},
		{"bad method", "invalid method", func(rt *Router) { rt.Handle("GE T", "/a", nopHandler) }},
		{"empty method", "invalid method", func(rt *Router) { rt.Handle("", "/a", nopHandler) }},
		{"after freeze", "router is frozen", func(rt *Router) {
			rt.freeze()
			rt.Get("/a", nopHandler)
		}},
		{"after mount", "router is frozen", func(rt *Router) {
			NewRouter().mount("/sub", rt)
			rt.Get("/a", nopHandler)
		}},
		{"view without methods", "implements none", func(rt *Router) { rt.View("/v", struct{}{}) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mustPanic(t, c.want, func() { c.f(NewRouter()) })
		})
	}
}

func TestRouterAllowedRegistrations(t *testing.T) {
	rt := NewRouter()
	rt.Get("/a", nopHandler, AllowHead(false))
	rt.Head("/a", nopHandler)
	rt.Any("/a", nopHandler)
	rt.Get("/b/{x}", nopHandler)
	rt.Post("/b/{y}", nopHandler) // same shape, other method: fine
	rt.Get("/c/{x}", nopHandler, Name("n"))
	sub := NewRouter()
	sub.Get("/d", nopHandler, Name("n")) // names are per router
	rt.mount("/s", sub)
	rt.freeze()
	runLookups(t, rt, []lookupCase{
		{"POST", "/b/1", "POST /b/{y} y=1"},
		{"GET", "/b/1", "GET /b/{x} x=1"},
		{"PUT", "/a", "* /a"},
	})
	if got := rt.Named("n").Pattern(); got != "/c/{x}" {
		t.Errorf("Named(n) = %s; the router's own name should win", got)
	}
}

type getPostView struct{}

func (getPostView) Get(*Request) (Response, error)  { return nil, nil }
func (getPostView) Post(*Request) (Response, error) { return nil, nil }

type fullView struct{ getPostView }

func (fullView) Head(*Request) (Response, error)    { return nil, nil }
func (fullView) Put(*Request) (Response, error)     { return nil, nil }
func (fullView) Patch(*Request) (Response, error)   { return nil, nil }
func (fullView) Delete(*Request) (Response, error)  { return nil, nil }
func (fullView) Options(*Request) (Response, error) { return nil, nil }

type deleteView struct{}

func (*deleteView) Delete(*Request) (Response, error) { return nil, nil }

func TestRouterView(t *testing.T) {
	rt := NewRouter()
	gp := rt.View("/gp", getPostView{}, Name("gp"))
	full := rt.View("/full/{id}", fullView{})
	del := rt.View("/del", &deleteView{})
	noHead := rt.View("/nohead", getPostView{}, AllowHead(false))
	rt.freeze()

	methods := func(rs []*Route) []string {
		var ms []string
		for _, r := range rs {
			ms = append(ms, r.Method())
		}
		return ms
	}
	if got := methods(gp); !slices.Equal(got, []string{"GET", "POST"}) {
		t.Errorf("getPostView routes %v", got)
	}
	if got := methods(full); !slices.Equal(got, []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
		t.Errorf("fullView routes %v", got)
	}
	if got := methods(del); !slices.Equal(got, []string{"DELETE"}) {
		t.Errorf("deleteView routes %v", got)
	}
	if gp[0].Name() != "gp" || gp[1].Name() != "" {
		t.Errorf("names %q %q: the first route only should be named", gp[0].Name(), gp[1].Name())
	}
	if len(noHead) != 2 {
		t.Fatal("noHead routes")
	}
	runLookups(t, rt, []lookupCase{
		{"GET", "/gp", "GET /gp"},
		{"HEAD", "/gp", "GET /gp"},
		{"POST", "/gp", "POST /gp"},
		{"DELETE", "/gp", "405 GET, HEAD, POST"},
		{"HEAD", "/full/1", "HEAD /full/{id} id=1"},
		{"OPTIONS", "/full/1", "OPTIONS /full/{id} id=1"},
		{"TRACE", "/full/1", "405 DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"},
		{"DELETE", "/del", "DELETE /del"},
		{"GET", "/del", "405 DELETE"},
		{"HEAD", "/nohead", "405 GET, POST"},
	})
}

func TestRouterRouteTable(t *testing.T) {
	var table RouteTable
	table.Get("/g", nopHandler, Name("g"))
	table.Post("/p", nopHandler)
	table.Put("/p", nopHandler)
	table.Patch("/p", nopHandler)
	table.Delete("/p", nopHandler)
	table.Head("/h", nopHandler)
	table.Options("/p", nopHandler)
	table.Any("/any", nopHandler)
	table.Handle("PROPFIND", "/p", nopHandler)
	table.View("/v", getPostView{})
	var second RouteTable
	second.Get("/second", nopHandler, AllowHead(false))

	rt := NewRouter()
	rt.AddRoutes(table, second)
	rt.freeze()
	var got []string
	for _, r := range rt.Routes() {
		got = append(got, r.Method()+" "+r.Pattern())
	}
	want := []string{"GET /g", "POST /p", "PUT /p", "PATCH /p", "DELETE /p", "HEAD /h", "OPTIONS /p",
		"* /any", "PROPFIND /p", "GET /v", "POST /v", "GET /second"}
	if !slices.Equal(got, want) {
		t.Errorf("routes\n got %v\nwant %v", got, want)
	}
	if rt.Named("g") == nil {
		t.Error("options of a table route were not applied")
	}
	runLookups(t, rt, []lookupCase{
		{"HEAD", "/g", "GET /g"},
		{"HEAD", "/second", "405 GET"},
		{"GET", "/p", "405 DELETE, OPTIONS, PATCH, POST, PROPFIND, PUT"},
	})
}

func TestRouterRouteAccessors(t *testing.T) {
	expect := func(*Request) (Response, error) { return nil, nil }
	app := &Application{}
	rt := NewRouter()
	rt.app = app
	r := rt.Handle("post", "/x/{id}", nopHandler, Name("x"), ExpectHandler(expect))
	plain := rt.Get("/y", nopHandler)
	if r.Method() != "POST" || r.Pattern() != "/x/{id}" || r.Name() != "x" {
		t.Errorf("got %s %s %s", r.Method(), r.Pattern(), r.Name())
	}
	if r.Handler() == nil || r.expectHandler == nil || plain.expectHandler != nil {
		t.Error("handler or expect handler not kept")
	}
	if r.app != app {
		t.Error("route did not copy the router's application")
	}
	if plain.Name() != "" {
		t.Error("unnamed route has a name")
	}
}

func TestRouterRoutesAndNamed(t *testing.T) {
	rt := NewRouter()
	rt.Get("/a", nopHandler, Name("a"))
	sub := NewRouter()
	sub.Get("/b", nopHandler, Name("b"))
	subsub := NewRouter()
	subsub.Get("/c", nopHandler, Name("c"))
	sub.mount("/ss", subsub)
	rt.mount("/s", sub)
	rt.Post("/d", nopHandler)

	var got []string
	for _, r := range rt.Routes() {
		got = append(got, r.Method()+" "+r.Pattern())
	}
	want := []string{"GET /a", "GET /s/b", "GET /s/ss/c", "POST /d"}
	if !slices.Equal(got, want) {
		t.Errorf("Routes() = %v, want %v", got, want)
	}
	var own []string
	for _, r := range rt.ownRoutes() {
		own = append(own, r.Pattern())
	}
	if !slices.Equal(own, []string{"/a", "/d"}) {
		t.Errorf("ownRoutes() = %v", own)
	}
	for name, pattern := range map[string]string{"a": "/a", "b": "/s/b", "c": "/s/ss/c"} {
		if r := rt.Named(name); r == nil || r.Pattern() != pattern {
			t.Errorf("Named(%q) = %v, want %s", name, r, pattern)
		}
	}
	if rt.Named("nope") != nil {
		t.Error("Named(nope) != nil")
	}
	if _, err := rt.URLFor("nope"); err == nil || !strings.Contains(err.Error(), `no route named "nope"`) {
		t.Errorf("URLFor(nope) error %v", err)
	}
}

func TestRouterURLFor(t *testing.T) {
	rt := NewRouter()
	rt.Get("/users/{id}", nopHandler, Name("user"))
	rt.Get("/static/{path:.+}", nopHandler, Name("static"))
	rt.Get(`/articles/{id:\d+}/{slug}`, nopHandler, Name("article"))
	rt.Get("/plain/a b", nopHandler, Name("plain"))
	rt.Get("/files/{name}.{ext}", nopHandler, Name("file"))

	cases := []struct {
		name    string
		params  []string
		want    string // u.String()
		wantErr string
	}{
		{"user", []string{"id", "42"}, "/users/42", ""},
		{"user", []string{"id", "a b"}, "/users/a%20b", ""},
		{"user", []string{"id", "100%"}, "/users/100%25", ""},
		{"user", []string{"id", "a;b,c?d#e"}, "/users/a%3Bb%2Cc%3Fd%23e", ""},
		{"user", []string{"id", "é"}, "/users/%C3%A9", ""},
		{"user", []string{"id", "a/b"}, "", "does not match [^{}/]+"},
		{"user", []string{"id", ""}, "", "does not match"},
		{"user", []string{"id", "a{b"}, "", "does not match"},
		{"user", nil, "", `needs a value for parameter "id"`},
		{"user", []string{"id", "1", "x", "2"}, "", `has no parameter "x"`},
		{"user", []string{"id", "1", "id", "2"}, "", "given twice"},
		{"user", []string{"id"}, "", "name/value pairs"},
		{"static", []string{"path", "css/a b.css"}, "/static/css/a%20b.css", ""},
		{"static", []string{"path", "a?b/c"}, "/static/a%3Fb/c", ""},
		{"static", []string{"path", ""}, "", "does not match .+"},
		{"article", []string{"slug", "hello", "id", "7"}, "/articles/7/hello", ""},
		{"article", []string{"id", "x7", "slug", "hello"}, "", `value "x7" of parameter "id" does not match \d+`},
		{"plain", nil, "/plain/a%20b", ""},
		{"file", []string{"name", "a.tar", "ext", "gz"}, "/files/a.tar.gz", ""},
	}
	for _, c := range cases {
		t.Run(c.name+fmt.Sprint(c.params), func(t *testing.T) {
			u, err := rt.URLFor(c.name, c.params...)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := u.String(); got != c.want {
				t.Errorf("URL %q, want %q", got, c.want)
			}
		})
	}
}

// URLForQuery adds an encoded query to what URLFor builds, and fails as
// URLFor does.
func TestRouterURLForQuery(t *testing.T) {
	rt := NewRouter()
	rt.Get("/users/{id}", nopHandler, Name("user"))
	sub := NewRouter()
	sub.Get("/search", nopHandler, Name("search"))
	rt.mount("/api", sub)

	cases := []struct {
		name    string
		query   url.Values
		params  []string
		want    string
		wantErr string
	}{
		{"user", url.Values{"tab": {"posts"}}, []string{"id", "42"}, "/users/42?tab=posts", ""},
		{"user", url.Values{"b": {"2", "3"}, "a": {"x y&z=é"}}, []string{"id", "a b"}, "/users/a%20b?a=x+y%26z%3D%C3%A9&b=2&b=3", ""},
		{"user", nil, []string{"id", "7"}, "/users/7", ""},
		{"user", url.Values{}, []string{"id", "7"}, "/users/7", ""},
		{"search", url.Values{"q": {"go"}}, nil, "/api/search?q=go", ""},
		{"user", url.Values{"q": {"go"}}, []string{"id", "a/b"}, "", "does not match"},
		{"nope", url.Values{"q": {"go"}}, nil, "", `no route named "nope"`},
	}
	for _, c := range cases {
		u, err := rt.URLForQuery(c.name, c.query, c.params...)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s %v: error %v, want %q", c.name, c.query, err, c.wantErr)
			}
			continue
		}
		if err != nil || u.String() != c.want {
			t.Errorf("%s %v: %v, %v; want %s", c.name, c.query, u, err, c.want)
			continue
		}
		if got, _ := url.ParseQuery(u.RawQuery); len(c.query) > 0 && !maps.EqualFunc(got, c.query, slices.Equal) {
			t.Errorf("%s: query %v parses as %v", c.want, c.query, got)
		}
	}
}

// TestRouterURLForRoundTrip checks that the path of a URL built by
// URLFor resolves to the same route, with values that build the same URL
// again: the same values, unless the pattern is ambiguous.
func TestRouterURLForRoundTrip(t *testing.T) {
	rt := NewRouter()
	routes := []struct {
		r         *Route
		ambiguous bool
	}{
		{rt.Get("/u/{id}", nopHandler), false},
		{rt.Get("/s/{path:.*}", nopHandler), false},
		{rt.Get("/f/{name}.{ext}", nopHandler), true}, // "a.b.c" splits one way only
		{rt.Get("/r/{a:[^/]+}/x/{b:.+}", nopHandler), false},
	}
	rt.freeze()
	values := []string{"a", "a b", "%41", "ü", "a.b", "x;y", "?", "#", "+", "a/b", "a//b/", ""}
	for _, route := range routes {
		r := route.r
		for _, v1 := range values {
			for _, v2 := range values {
				var params []string
				for i, name := range r.params {
					params = append(params, name, []string{v1, v2}[i%2])
				}
				u, err := r.URLFor(params...)
				if err != nil {
					continue // a value the parameter does not accept
				}
				var m MatchInfo
				if got, _ := rt.resolve("GET", routingPath(u.EscapedPath()), &m); got != r {
					t.Errorf("%s %v: URL %s resolved to %v", r.Pattern(), params, u, got)
					continue
				}
				var again []string
				for k, v := range m.All() {
					again = append(again, k, v)
				}
				if u2, err := r.URLFor(again...); err != nil || u2.String() != u.String() {
					t.Errorf("%s: URL %s resolved to %v, which builds %v, %v", r.Pattern(), u, again, u2, err)
				}
				if !route.ambiguous && !slices.Equal(again, params) {
					t.Errorf("%s: URL %s resolved to %v, want %v", r.Pattern(), u, again, params)
				}
			}
		}
	}
}

func TestReference29Mount(t *testing.T) {
	// aiohttp's add_subapp: routes answer under the prefix, url_for
	// includes it, and routes keep their own application.
	parentApp, subApp := &Application{}, &Application{}
	root := NewRouter()
	root.app = parentApp
	root.Get("/", nopHandler, Name("index"))
	root.Get("/admin/x", nopHandler)
	sub := NewRouter()
	sub.app = subApp
	subIndex := sub.Get("", nopHandler, Name("admin-root"))
	sub.Get("/", nopHandler, Name("admin-slash"))
	user := sub.Get("/users/{id}", nopHandler, Name("admin-user"))
	sub.Post("/x", nopHandler)
	root.mount("/admin", sub)
	root.freeze()

	runLookups(t, root, []lookupCase{
		{"GET", "/", "GET /"},
		{"GET", "/admin", "GET /admin"},
		{"GET", "/admin/", "GET /admin/"},
		{"GET", "/admin/users/7", "GET /admin/users/{id} id=7"},
		{"GET", "/users/7", "404"},
		{"GET", "/administrator", "404"},
		{"GET", "/admin/x", "GET /admin/x"},
		{"POST", "/admin/x", "POST /admin/x"},
		{"PUT", "/admin/x", "405 GET, HEAD, POST"},
	})
	if user.Pattern() != "/admin/users/{id}" {
		t.Errorf("Pattern() = %q", user.Pattern())
	}
	u, err := root.URLFor("admin-user", "id", "7")
	if err != nil || u.String() != "/admin/users/7" {
		t.Errorf("URLFor = %v, %v; want /admin/users/7", u, err)
	}
	if u, err := subIndex.URLFor(); err != nil || u.String() != "/admin" {
		t.Errorf("URLFor of the empty pattern = %v, %v; want /admin", u, err)
	}
	if user.app != subApp || subIndex.app != subApp {
		t.Error("mounted routes must keep the sub-application")
	}
	if root.Named("index").app != parentApp {
		t.Error("root route lost its application")
	}
	var m MatchInfo
	if r, _ := root.resolve("GET", "/admin/users/7", &m); r == nil || r.app != subApp {
		t.Error("resolved route does not carry the sub-application")
	}
}

func TestRouterNestedMount(t *testing.T) {
	root, mid, leaf := NewRouter(), NewRouter(), NewRouter()
	r := leaf.Get("/items/{id:\\d+}", nopHandler, Name("item"))
	mid.mount("/v1", leaf)
	root.mount("/api", mid)
	root.freeze()
	if r.Pattern() != "/api/v1/items/{id:\\d+}" {
		t.Errorf("Pattern() = %q", r.Pattern())
	}
	if u, err := root.URLFor("item", "id", "3"); err != nil || u.String() != "/api/v1/items/3" {
		t.Errorf("URLFor = %v, %v", u, err)
	}
	runLookups(t, root, []lookupCase{
		{"GET", "/api/v1/items/3", "GET /api/v1/items/{id:\\d+} id=3"},
		{"GET", "/v1/items/3", "404"},
	})
}

func TestRouterMountPanics(t *testing.T) {
	cases := []struct {
		name, want string
		f          func()
	}{
		{"empty prefix", "must start with", func() { NewRouter().mount("", NewRouter()) }},
		{"relative prefix", "must start with", func() { NewRouter().mount("admin", NewRouter()) }},
		{"slash prefix", "must not end with", func() { NewRouter().mount("/", NewRouter()) }},
		{"trailing slash", "must not end with", func() { NewRouter().mount("/admin/", NewRouter()) }},
		{"parameter", "must not contain parameters", func() { NewRouter().mount("/{x}", NewRouter()) }},
		{"self", "already mounted", func() {
			rt := NewRouter()
			rt.mount("/a", rt)
		}},
		{"twice", "already mounted", func() {
			sub := NewRouter()
			NewRouter().mount("/a", sub)
			NewRouter().mount("/b", sub)
		}},
		{"into frozen", "router is frozen", func() {
			rt := NewRouter()
			rt.freeze()
			rt.mount("/a", NewRouter())
		}},
		{"conflict across mount", "conflicts with GET /admin/x", func() {
			rt, sub := NewRouter(), NewRouter()
			rt.Get("/admin/x", nopHandler)
			sub.Get("/x", nopHandler)
			rt.mount("/admin", sub)
			rt.freeze()
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { mustPanic(t, c.want, c.f) })
	}
}

func TestRouterFreezeTwice(t *testing.T) {
	rt := NewRouter()
	rt.Get("/a", nopHandler)
	rt.freeze()
	rt.freeze()
	runLookups(t, rt, []lookupCase{{"GET", "/a", "GET /a"}})
}

func TestRouterUnfrozenFindsNothing(t *testing.T) {
	rt := NewRouter()
	rt.Get("/a", nopHandler)
	runLookups(t, rt, []lookupCase{{"GET", "/a", "404"}})
}

func TestRouterMatchInfo(t *testing.T) {
	rt := NewRouter()
	r := rt.Get("/users/{name}/{rest:.*}", nopHandler)
	rt.freeze()

	var zero MatchInfo
	if zero.Route() != nil || zero.Len() != 0 || zero.Get("name") != "" {
		t.Error("zero MatchInfo is not empty")
	}
	if _, ok := zero.Lookup("name"); ok {
		t.Error("zero MatchInfo has a parameter")
	}
	for range zero.All() {
		t.Error("zero MatchInfo yields parameters")
	}

	// The path is a view of a buffer that is reused after routing.
	buf := []byte("/users/alice/a/b")
	path := unsafe.String(&buf[0], len(buf))
	var m MatchInfo
	if got, _ := rt.resolve("GET", path, &m); got != r {
		t.Fatalf("resolved %v", got)
	}
	if m.Route() != r || m.Len() != 2 {
		t.Errorf("Route %v Len %d", m.Route(), m.Len())
	}
	name := m.Get("name")
	rest, ok := m.Lookup("rest")
	if name != "alice" || rest != "a/b" || !ok {
		t.Errorf("name=%q rest=%q ok=%v", name, rest, ok)
	}
	if _, ok := m.Lookup("missing"); ok || m.Get("missing") != "" {
		t.Error("missing parameter found")
	}
	all := maps.Collect(m.All())
	if len(all) != 2 || all["name"] != "alice" || all["rest"] != "a/b" {
		t.Errorf("All() = %v", all)
	}
	for k := range m.All() {
		if k != "name" {
			t.Errorf("All() yields %q first", k)
		}
		break
	}
	copy(buf, "/users/bobby/x/y")
	if name != "alice" || rest != "a/b" {
		t.Errorf("values changed with the buffer: %q %q", name, rest)
	}
	if m.Get("name") != "bobby" {
		t.Error("MatchInfo should read the path it was given")
	}
	m.reset()
	if m.Route() != nil || m.Len() != 0 || m.path != "" {
		t.Error("reset did not forget the match")
	}

	// A failed match leaves no route behind.
	m2 := m
	if got, _ := rt.resolve("GET", "/nope", &m2); got != nil || m2.Route() != nil {
		t.Error("failed match left a route")
	}
}

func TestRouterGitHubAPI(t *testing.T) {
	rt := NewRouter()
	routes := make([]*Route, len(githubAPI))
	for i, r := range githubAPI {
		routes[i] = rt.Handle(r.method, r.path, nopHandler)
	}
	rt.freeze()
	if len(githubAPI) != 203 {
		t.Errorf("%d GitHub routes, want 203", len(githubAPI))
	}
	for i, r := range githubAPI {
		path, values := githubRequestPath(r.path)
		var m MatchInfo
		got, allow := rt.resolve(r.method, path, &m)
		if got != routes[i] {
			t.Errorf("%s %s: got %v (Allow %q), want %s", r.method, path, got, allow, r.path)
			continue
		}
		for name, v := range values {
			if m.Get(name) != v {
				t.Errorf("%s: %s=%q, want %q", path, name, m.Get(name), v)
			}
		}
	}
}

// githubRequestPath turns a route of githubAPI into a request path whose
// parameter values are ":name", as the routing benchmarks do.
func githubRequestPath(pattern string) (string, map[string]string) {
	values := map[string]string{}
	var b strings.Builder
	for _, p := range mustParse(pattern) {
		if p.name == "" {
			b.WriteString(p.lit)
		} else {
			b.WriteString(":" + p.name)
			values[p.name] = ":" + p.name
		}
	}
	return b.String(), values
}

func mustParse(pattern string) []part {
	parts, err := parsePattern(pattern)
	if err != nil {
		panic(err)
	}
	return parts
}

func TestRouterConcurrentResolve(t *testing.T) {
	rt := NewRouter()
	for _, r := range githubAPI {
		rt.Handle(r.method, r.path, nopHandler)
	}
	rt.Get(`/articles/{id:\d+}`, nopHandler)
	rt.freeze()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var m MatchInfo
			for i := range 200 {
				r := githubAPI[(g*31+i)%len(githubAPI)]
				path, values := githubRequestPath(r.path)
				m.reset()
				if got, _ := rt.resolve(r.method, path, &m); got == nil || got.Pattern() != r.path {
					t.Errorf("%s %s: got %v", r.method, path, got)
					return
				}
				for k, v := range values {
					if m.Get(k) != v {
						t.Errorf("%s: %s=%q", path, k, m.Get(k))
					}
				}
				if got, _ := rt.resolve("GET", "/articles/7", &m); got == nil || m.Get("id") != "7" {
					t.Error("regex route")
				}
			}
		})
	}
	wg.Wait()
}

// poolDropsItems reports whether sync.Pool drops items at random, as it
// does under the race detector; regexp's pooled matchers then allocate.
func poolDropsItems() bool {
	var p sync.Pool
	for range 100 {
		p.Put(new(int))
		if p.Get() == nil {
			return true
		}
	}
	return false
}

func TestRouterResolveDoesNotAllocate(t *testing.T) {
	rt := NewRouter()
	for _, r := range githubAPI {
		rt.Handle(r.method, r.path, nopHandler)
	}
	rt.Get(`/articles/{id:\d+}`, nopHandler)
	rt.Get("/static/{path:.*}", nopHandler)
	rt.Get("/files/{name}.{ext}", nopHandler)
	rt.freeze()
	cases := []struct {
		method, path string
		regex        bool
	}{
		{"GET", "/user/repos", false},
		{"GET", "/repos/julienschmidt/httprouter/stargazers", false},
		{"GET", "/legacy/issues/search/a/b/c/d", false},
		{"GET", "/files/a.tar.gz", false},
		{"HEAD", "/users/x", false},
		{"PATCH", "/user/repos", false}, // 405 from one pattern
		{"GET", "/nothing/here", false},
		{"GET", "/articles/12345", true},
		{"GET", "/static/css/site.css", true},
	}
	skipRegex := poolDropsItems()
	for _, c := range cases {
		if c.regex && skipRegex {
			t.Logf("%s: sync.Pool drops items (race detector); regexp may allocate", c.path)
			continue
		}
		var m MatchInfo
		allocs := testing.AllocsPerRun(100, func() {
			m.reset()
			rt.resolve(c.method, c.path, &m)
		})
		if allocs != 0 {
			t.Errorf("%s %s: %v allocs per resolve, want 0", c.method, c.path, allocs)
		}
	}
}

func TestRouterBacktrackingIsBounded(t *testing.T) {
	rt := NewRouter()
	rt.Get("/{a}.{b}.{c}.{d}.x", nopHandler)
	rt.Get("/{x}", nopHandler)
	rt.Get("/r/{a:.*}.{b:.*}.{c:.*}.{d:[0-9]}", nopHandler)
	rt.freeze()
	dots := strings.Repeat(".", 5000)
	runLookups(t, rt, []lookupCase{
		// Trying every split of the dots among a, b, c and d would take
		// ~n⁴ steps; past the bound the router gives up on that pattern
		// and goes on with the next one.
		{"GET", "/a" + dots + "b", "GET /{x} x=a" + dots + "b"},
		// Regex tails take polynomial time without a bound.
		{"GET", "/r/a" + dots + "b", "404"},
		{"GET", "/r/a" + dots + "1", "GET /r/{a:.*}.{b:.*}.{c:.*}.{d:[0-9]} a=a" + dots[:4997] + " b= c= d=1"},
		{"GET", "/1.2.3.4.x", "GET /{a}.{b}.{c}.{d}.x a=1 b=2 c=3 d=4"},
		{"GET", "/r/1.2.3.4", "GET /r/{a:.*}.{b:.*}.{c:.*}.{d:[0-9]} a=1 b=2 c=3 d=4"},
	})
}

// refRoute is a route of the differential test with the regexp aiohttp
// would build for its pattern.
type refRoute struct {
	route *Route
	re    *regexp.Regexp
}

func (rr refRoute) answers(method string) bool {
	m := rr.route.method
	return m == "*" || m == method || method == "HEAD" && rr.route.allowHead
}

// TestRouterDifferential compares the router with aiohttp's definition of
// a match, each pattern being one anchored regexp: a route it returns
// must match the path with values that rebuild the path; when it returns
// none, no route may match both path and method, and Allow must list the
// methods of every pattern that matches the path.
func TestRouterDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		rt := NewRouter()
		var refs []refRoute
		for range 1 + rng.IntN(12) {
			pattern := randomPattern(rng)
			method := []string{"GET", "POST", "*", "HEAD", "PUT"}[rng.IntN(5)]
			r := tryHandle(rt, method, pattern)
			if r != nil {
				refs = append(refs, refRoute{r, aiohttpRegexp(r.parts)})
			}
		}
		rt.freeze()
		for range 60 {
			var path string
			if rng.IntN(3) > 0 && len(refs) > 0 {
				path = randomPathFor(rng, refs[rng.IntN(len(refs))].route.parts)
			} else {
				path = "/" + randomString(rng, "ab/.1", 8)
			}
			method := []string{"GET", "POST", "HEAD", "DELETE"}[rng.IntN(4)]
			checkAgainstReference(t, rt, refs, method, path)
		}
	}
}

func FuzzRouterResolve(f *testing.F) {
	rt := NewRouter()
	var refs []refRoute
	for _, spec := range []routeSpec{
		{"GET", "/", nil}, {"GET", "/a/{x}", nil}, {"POST", "/a/{x}.{y}", nil},
		{"GET", "/a/b", nil}, {"*", "/s/{p:.*}", nil}, {"PUT", `/n/{id:\d+}/{rest:.+}`, nil},
		{"GET", "/{a}{b:[0-9]+}", nil}, {"DELETE", "/{x}/{y}/{z}", nil},
	} {
		r := rt.Handle(spec.method, spec.pattern, nopHandler)
		refs = append(refs, refRoute{r, aiohttpRegexp(r.parts)})
	}
	rt.freeze()
	for _, s := range []string{"/", "/a/b", "/a/x.y", "/s/", "/n/1/2", "/x1", "/a/b/c", "/{"} {
		f.Add("GET", s)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		checkAgainstReference(t, rt, refs, method, path)
	})
}

func checkAgainstReference(t *testing.T, rt *Router, refs []refRoute, method, path string) {
	t.Helper()
	var m MatchInfo
	got, allow := rt.resolve(method, path, &m)
	if got != nil {
		var ref refRoute
		for _, rr := range refs {
			if rr.route == got {
				ref = rr
			}
		}
		if !ref.re.MatchString(path) || !ref.answers(method) {
			t.Fatalf("%s %q: got %s %s, which does not match", method, path, got.method, got.full)
		}
		// The parameters match, as in aiohttp, on the routing path (where
		// only %2F and %25 stay encoded); their values are then decoded.
		var b strings.Builder
		param := 0
		for _, p := range got.parts {
			if p.name == "" {
				b.WriteString(p.lit)
				continue
			}
			s := m.spans[param]
			param++
			raw := m.path[s.start:s.end]
			if !p.match(raw) {
				t.Fatalf("%s %q: %s: %s=%q does not match its parameter", method, path, got.full, p.name, raw)
			}
			if v, _ := unescapePath(raw, nil, false); m.Get(p.name) != v {
				t.Fatalf("%s %q: %s: %s=%q, want %q decoded", method, path, got.full, p.name, m.Get(p.name), raw)
			}
			b.WriteString(raw)
		}
		if b.String() != path {
			t.Fatalf("%s %q: %s: parameters rebuild %q", method, path, got.full, b.String())
		}
		return
	}
	methods := map[string]bool{}
	for _, rr := range refs {
		if !rr.re.MatchString(path) {
			continue
		}
		if rr.answers(method) {
			var all []string
			for _, r := range refs {
				all = append(all, r.route.method+" "+r.route.full)
			}
			t.Fatalf("%s %q: no route, but %s %s matches; routes %q", method, path, rr.route.method, rr.route.full, all)
		}
		methods[rr.route.method] = true
		if rr.route.allowHead {
			methods["HEAD"] = true
		}
	}
	if want := strings.Join(slices.Sorted(maps.Keys(methods)), ", "); allow != want {
		t.Fatalf("%s %q: Allow %q, want %q", method, path, allow, want)
	}
}

// aiohttpRegexp builds the anchored regexp aiohttp compiles for a
// pattern.
func aiohttpRegexp(parts []part) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, p := range parts {
		switch {
		case p.name == "":
			b.WriteString(regexp.QuoteMeta(p.lit))
		case p.rx == nil:
			b.WriteString("(?P<" + p.name + ">[^{}/]+)")
		default:
			b.WriteString("(?P<" + p.name + ">" + p.re + ")")
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// tryHandle registers a route, or returns nil when it conflicts with one
// registered before.
func tryHandle(rt *Router, method, pattern string) (r *Route) {
	defer func() {
		if recover() != nil {
			r = nil
		}
	}()
	return rt.Handle(method, pattern, nopHandler)
}

func randomPattern(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("/")
	for i := range 1 + rng.IntN(5) {
		name := fmt.Sprintf("p%d", i)
		switch rng.IntN(9) {
		case 0, 1, 2:
			b.WriteString(randomString(rng, "ab/.", 3))
		case 3, 4:
			b.WriteString("{" + name + "}")
		case 5:
			b.WriteString("{" + name + ":[ab]+}")
		case 6:
			b.WriteString("{" + name + ":.*}")
		case 7:
			b.WriteString("{" + name + `:\d}`)
		case 8:
			b.WriteString("/")
		}
	}
	return b.String()
}

func randomPathFor(rng *rand.Rand, parts []part) string {
	var b strings.Builder
	for _, p := range parts {
		if p.name == "" {
			b.WriteString(p.lit)
		} else {
			b.WriteString(randomString(rng, "ab1./", 4))
		}
	}
	return b.String()
}

func randomString(rng *rand.Rand, alphabet string, max int) string {
	n := 1 + rng.IntN(max)
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}
