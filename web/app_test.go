package web_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aiohttp-go/aiohttp/web"
)

// eventLog records what happened, in order, from any goroutine.
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (l *eventLog) add(e string) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

func (l *eventLog) reset() {
	l.mu.Lock()
	l.events = nil
	l.mu.Unlock()
}

func (l *eventLog) expect(t *testing.T, want ...string) {
	t.Helper()
	if got := l.get(); !slices.Equal(got, want) {
		t.Errorf("events:\n got %q\nwant %q", got, want)
	}
}

func TestAppStateKeys(t *testing.T) {
	dbKey := web.NewAppKey[string]("db")
	countKey := web.NewAppKey[int]("count")
	sameName := web.NewAppKey[string]("db")
	if dbKey.Name() != "db" {
		t.Errorf("Name = %q", dbKey.Name())
	}

	app := newApp()
	sub := newApp()
	dbKey.Set(app, "postgres")
	countKey.Set(sub, 7)
	sameName.Set(sub, "sub-db")
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		return web.Text(dbKey.Get(req.App())), nil
	})
	sub.Router.Get("/info", func(req *web.Request) (web.Response, error) {
		db, ok := dbKey.Lookup(req.App()) // falls back to the parent
		if !ok || req.App() != sub {
			return nil, errors.New("lookup failed")
		}
		return web.Text(db + " " + sameName.Get(req.App()) + " " + strings.Repeat("x", countKey.Get(req.App()))), nil
	})
	app.AddSubapp("/sub", sub)
	s := startApp(t, app, web.ServerOptions{})

	if _, body := s.get("/"); body != "postgres" {
		t.Errorf("GET / = %q", body)
	}
	if _, body := s.get("/sub/info"); body != "postgres sub-db xxxxxxx" {
		t.Errorf("GET /sub/info = %q", body)
	}

	// State stays changeable on a running application.
	dbKey.Set(app, "sqlite")
	if _, body := s.get("/"); body != "sqlite" {
		t.Errorf("after Set: %q", body)
	}
	dbKey.Delete(app)
	if v, ok := dbKey.Lookup(app); ok || v != "" {
		t.Errorf("after Delete: %q %v", v, ok)
	}
	if v, ok := countKey.Lookup(app); ok || v != 0 {
		t.Errorf("a child's state leaked to the parent: %v %v", v, ok)
	}
}

func TestAppMiddlewareOrder(t *testing.T) {
	var log eventLog
	mw := func(name string) web.Middleware {
		return func(req *web.Request, next web.Handler) (web.Response, error) {
			log.add(name + " in")
			resp, err := next(req)
			log.add(name + " out")
			if resp != nil {
				resp.Header().Add("X-Chain", name)
			}
			return resp, err
		}
	}
	app := newApp(web.WithMiddlewares(mw("a"), mw("b")))
	app.Use(mw("c"))
	app.Use(func(req *web.Request, next web.Handler) (web.Response, error) {
		if req.Query().Get("deny") != "" {
			log.add("deny")
			return nil, web.HTTPForbidden()
		}
		return next(req)
	})
	app.Router.Get("/", func(*web.Request) (web.Response, error) {
		log.add("handler")
		return web.Text("ok"), nil
	})
	s := startApp(t, app, web.ServerOptions{})

	resp, body := s.get("/")
	if body != "ok" {
		t.Fatalf("body %q", body)
	}
	log.expect(t, "a in", "b in", "c in", "handler", "c out", "b out", "a out")
	if got := resp.Header.Values("X-Chain"); !slices.Equal(got, []string{"c", "b", "a"}) {
		t.Errorf("X-Chain = %q", got)
	}

	// A middleware answering early: the outer ones still see the error.
	log.reset()
	resp, body = s.get("/?deny=1")
	if resp.StatusCode != 403 || body != "403: Forbidden" {
		t.Errorf("denied: %d %q", resp.StatusCode, body)
	}
	log.expect(t, "a in", "b in", "c in", "deny", "c out", "b out", "a out")

	// Middlewares wrap the 404 and 405 answers too.
	log.reset()
	resp, _ = s.get("/nowhere")
	if resp.StatusCode != 404 {
		t.Errorf("404 expected, got %d", resp.StatusCode)
	}
	log.expect(t, "a in", "b in", "c in", "c out", "b out", "a out")
	log.reset()
	resp, _ = s.do("POST", "/", nil)
	if resp.StatusCode != 405 {
		t.Errorf("405 expected, got %d", resp.StatusCode)
	}
	log.expect(t, "a in", "b in", "c in", "c out", "b out", "a out")
}

func TestAppMiddlewareChangesResponse(t *testing.T) {
	app := newApp(web.WithMiddlewares(func(req *web.Request, next web.Handler) (web.Response, error) {
		resp, err := next(req)
		var he *web.HTTPError
		if errors.As(err, &he) && he.Status == 404 {
			return web.Text("custom not found").SetStatus(404), nil
		}
		return resp, err
	}))
	app.Router.Get("/", text("ok"))
	s := startApp(t, app, web.ServerOptions{})
	resp, body := s.get("/missing")
	if resp.StatusCode != 404 || body != "custom not found" {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
}

// hooks registers every signal of app, logging under name.
func hooks(app *web.Application, name string, log *eventLog) {
	hook := func(event string) web.AppHook {
		return func(_ context.Context, a *web.Application) error {
			if a != app {
				return errors.New("hook got the wrong application")
			}
			log.add(name + " " + event)
			return nil
		}
	}
	app.CleanupCtx.Append(func(context.Context, *web.Application) (func(context.Context) error, error) {
		log.add(name + " setup1")
		return func(context.Context) error { log.add(name + " teardown1"); return nil }, nil
	}, func(context.Context, *web.Application) (func(context.Context) error, error) {
		log.add(name + " setup2")
		return func(context.Context) error { log.add(name + " teardown2"); return nil }, nil
	})
	app.OnStartup.Append(hook("startup"))
	app.OnShutdown.Append(hook("shutdown"))
	app.OnCleanup.Append(hook("cleanup"))
}

func TestAppSignalsOrder(t *testing.T) {
	var log eventLog
	app := newApp()
	hooks(app, "app", &log)
	app.OnResponsePrepare.Append(func(req *web.Request, resp web.Response) error {
		log.add("prepare " + req.Path())
		resp.Header().Set("X-Prepared", "yes")
		return nil
	})
	app.Router.Get("/", text("ok"))
	s := startApp(t, app, web.ServerOptions{})
	log.expect(t, "app setup1", "app setup2", "app startup")

	log.reset()
	resp, _ := s.get("/")
	if resp.Header.Get("X-Prepared") != "yes" {
		t.Errorf("on_response_prepare did not change the head: %v", resp.Header)
	}
	resp, _ = s.get("/missing") // error answers are prepared too
	if resp.Header.Get("X-Prepared") != "yes" {
		t.Errorf("404 not prepared: %v", resp.Header)
	}
	log.expect(t, "prepare /", "prepare /missing")

	log.reset()
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	log.expect(t, "app shutdown", "app teardown2", "app teardown1", "app cleanup")
}

func TestAppPrepareHookError(t *testing.T) {
	app := newApp()
	app.OnResponsePrepare.Append(func(*web.Request, web.Response) error { return errors.New("refused") })
	app.Router.Get("/", text("ok"))
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.expectClosed() // nothing was sent: the connection cannot be trusted
}

func TestAppCleanupContextFailure(t *testing.T) {
	var log eventLog
	boom := errors.New("setup failed")
	app := newApp()
	app.CleanupCtx.Append(func(context.Context, *web.Application) (func(context.Context) error, error) {
		log.add("setup1")
		return func(context.Context) error { log.add("teardown1"); return errors.New("teardown1 failed") }, nil
	}, func(context.Context, *web.Application) (func(context.Context) error, error) {
		log.add("setup2")
		return nil, boom
	}, func(context.Context, *web.Application) (func(context.Context) error, error) {
		log.add("setup3")
		return func(context.Context) error { log.add("teardown3"); return nil }, nil
	})
	app.OnStartup.Append(func(context.Context, *web.Application) error { log.add("startup"); return nil })
	app.OnCleanup.Append(func(context.Context, *web.Application) error { log.add("cleanup"); return nil })

	runner := web.NewAppRunner(app, web.ServerOptions{})
	ctx := context.Background()
	if err := runner.Setup(ctx); !errors.Is(err, boom) {
		t.Fatalf("Setup = %v, want %v", err, boom)
	}
	log.expect(t, "setup1", "setup2")
	err := runner.Cleanup(ctx)
	if err == nil || !strings.Contains(err.Error(), "teardown1 failed") {
		t.Errorf("Cleanup = %v, want the teardown's error", err)
	}
	log.expect(t, "setup1", "setup2", "teardown1", "cleanup")
}

func TestAppStartupFailure(t *testing.T) {
	app := newApp()
	boom := errors.New("no database")
	app.OnStartup.Append(func(context.Context, *web.Application) error { return boom })
	err := web.RunAppContext(context.Background(), app, web.RunOptions{Listener: mustListen(t), NoSignals: true, Out: io.Discard})
	if !errors.Is(err, boom) {
		t.Fatalf("RunAppContext = %v", err)
	}
}

func TestSubapp(t *testing.T) {
	var log eventLog
	app := newApp(web.WithMiddlewares(func(req *web.Request, next web.Handler) (web.Response, error) {
		log.add("parent mw " + req.Path())
		return next(req)
	}))
	hooks(app, "app", &log)
	admin := newApp(web.WithMiddlewares(func(req *web.Request, next web.Handler) (web.Response, error) {
		log.add("admin mw")
		return next(req)
	}))
	hooks(admin, "admin", &log)
	admin.OnResponsePrepare.Append(func(_ *web.Request, resp web.Response) error {
		resp.Header().Add("X-Prepare", "admin")
		return nil
	})
	app.OnResponsePrepare.Append(func(_ *web.Request, resp web.Response) error {
		resp.Header().Add("X-Prepare", "app")
		return nil
	})
	admin.Router.Get("", text("admin index"))
	admin.Router.Get("/users/{id}", func(req *web.Request) (web.Response, error) {
		if req.App() != admin {
			return nil, errors.New("request.App is not the sub-application")
		}
		u, err := req.App().Router.URLFor("user", "id", "42")
		if err != nil {
			return nil, err
		}
		return web.Text("user " + req.MatchInfo().Get("id") + " " + u.String()), nil
	}, web.Name("user"))
	app.Router.Get("/", text("root"))
	app.AddSubapp("/admin", admin)
	s := startApp(t, app, web.ServerOptions{})

	resp, body := s.get("/admin/users/7")
	if resp.StatusCode != 200 || body != "user 7 /admin/users/42" {
		t.Fatalf("GET /admin/users/7 = %d %q", resp.StatusCode, body)
	}
	if got := resp.Header.Values("X-Prepare"); !slices.Equal(got, []string{"app", "admin"}) {
		t.Errorf("prepare hooks: %q, want the parent's first", got)
	}
	if _, body := s.get("/admin"); body != "admin index" {
		t.Errorf("GET /admin = %q", body)
	}
	if resp, _ := s.get("/admin/nothing"); resp.StatusCode != 404 {
		t.Errorf("GET /admin/nothing = %d", resp.StatusCode)
	}
	if resp, _ := s.get("/users/7"); resp.StatusCode != 404 {
		t.Errorf("a sub-application's route answered without its prefix: %d", resp.StatusCode)
	}
	if u, err := app.Router.URLFor("user", "id", "a b"); err != nil || u.String() != "/admin/users/a%20b" {
		t.Errorf("parent URLFor = %v, %v", u, err)
	}
	if r := admin.Router.Named("user"); r == nil || r.Pattern() != "/admin/users/{id}" {
		t.Errorf("Named(user) = %v", r)
	}
	// The startup signals ran for both, and the parent's middleware wraps
	// the sub-application's.
	for _, want := range []string{"app startup", "admin startup", "parent mw /admin/users/7", "admin mw"} {
		if !slices.Contains(log.get(), want) {
			t.Errorf("missing event %q in %q", want, log.get())
		}
	}
	i, j := slices.Index(log.get(), "parent mw /admin/users/7"), slices.Index(log.get(), "admin mw")
	if i < 0 || j < i {
		t.Errorf("the parent's middleware did not run first: %q", log.get())
	}

	log.reset()
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	log.expect(t, "app shutdown", "admin shutdown",
		"app teardown2", "app teardown1", "app cleanup",
		"admin teardown2", "admin teardown1", "admin cleanup")
}

func TestReference29_SubappPrefixMiddlewaresSignalsURLFor(t *testing.T) {
	var started, cleaned []string
	var mu sync.Mutex
	note := func(list *[]string, s string) web.AppHook {
		return func(context.Context, *web.Application) error {
			mu.Lock()
			*list = append(*list, s)
			mu.Unlock()
			return nil
		}
	}
	app := newApp(web.WithMiddlewares(func(req *web.Request, next web.Handler) (web.Response, error) {
		resp, err := next(req)
		if resp != nil {
			resp.Header().Set("X-Parent", "1")
		}
		return resp, err
	}))
	sub := newApp()
	sub.Router.Get("/path", text("sub"), web.Name("name"))
	sub.OnStartup.Append(note(&started, "sub"))
	sub.OnCleanup.Append(note(&cleaned, "sub"))
	app.OnStartup.Append(note(&started, "app"))
	app.AddSubapp("/prefix", sub)
	s := startApp(t, app, web.ServerOptions{})

	resp, body := s.get("/prefix/path")
	if resp.StatusCode != 200 || body != "sub" || resp.Header.Get("X-Parent") != "1" {
		t.Errorf("GET /prefix/path = %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if u, err := sub.Router.URLFor("name"); err != nil || u.Path != "/prefix/path" {
		t.Errorf("URLFor = %v, %v", u, err)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(started, []string{"app", "sub"}) || !slices.Equal(cleaned, []string{"sub"}) {
		t.Errorf("signals: started %q cleaned %q", started, cleaned)
	}
}

func TestAppFrozen(t *testing.T) {
	app := newApp()
	sub := newApp()
	sub.Router.Get("/x", text("x"))
	app.AddSubapp("/sub", sub)
	app.Router.Get("/", text("ok"))
	if app.Frozen() || sub.Frozen() {
		t.Fatal("frozen before start")
	}
	startApp(t, app, web.ServerOptions{})
	if !app.Frozen() || !sub.Frozen() {
		t.Fatal("not frozen after start")
	}
	mustPanic(t, "Use", func() { app.Use(func(r *web.Request, n web.Handler) (web.Response, error) { return n(r) }) })
	mustPanic(t, "Router.Get", func() { app.Router.Get("/late", text("late")) })
	mustPanic(t, "sub Router.Get", func() { sub.Router.Get("/late", text("late")) })
	mustPanic(t, "AddSubapp", func() { app.AddSubapp("/other", newApp()) })
	mustPanic(t, "sub.Use", func() { sub.Use(func(r *web.Request, n web.Handler) (web.Response, error) { return n(r) }) })
}

func TestSubappMountedTwice(t *testing.T) {
	app := newApp()
	sub := newApp()
	app.AddSubapp("/a", sub)
	mustPanic(t, "second mount", func() { app.AddSubapp("/b", sub) })
	mustPanic(t, "self mount", func() { app.AddSubapp("/c", app) })
	if sub.Parent() != app || app.Parent() != nil {
		t.Errorf("Parent: %v %v", sub.Parent(), app.Parent())
	}
}

func TestAppOptions(t *testing.T) {
	app := web.NewApplication()
	if app.ClientMaxSize() != web.DefaultClientMaxSize || web.DefaultClientMaxSize != 1<<20 {
		t.Errorf("ClientMaxSize = %d", app.ClientMaxSize())
	}
	if app.Debug() || app.Logger() == nil {
		t.Errorf("defaults: debug %v logger %v", app.Debug(), app.Logger())
	}
	app = web.NewApplication(web.WithClientMaxSize(10), web.WithDebug(true))
	if app.ClientMaxSize() != 10 || !app.Debug() {
		t.Errorf("options not applied: %d %v", app.ClientMaxSize(), app.Debug())
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
}
