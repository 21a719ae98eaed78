package web_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/web"
)

// jsonErrors answers every error as {"error": ..., "status": ...}, as an
// API does.
func jsonErrors(req *web.Request, err error) web.Response {
	status := http.StatusInternalServerError
	var he *web.HTTPError
	if errors.As(err, &he) {
		status = he.Status
	}
	resp, jerr := web.JSON(map[string]any{"error": http.StatusText(status), "status": status})
	if jerr != nil {
		return nil
	}
	return resp.SetStatus(status)
}

// statusRecorder is an access-log middleware: it records the status each
// request is answered with, errors and panics included.
type statusRecorder struct {
	mu       sync.Mutex
	statuses map[string]int
}

func (s *statusRecorder) middleware(req *web.Request, next web.Handler) (web.Response, error) {
	resp, err := next(req)
	if err != nil {
		resp = req.App().ErrorResponse(req, err)
	}
	s.mu.Lock()
	s.statuses[req.Path()] = resp.Status()
	s.mu.Unlock()
	return resp, nil
}

func (s *statusRecorder) status(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statuses[path]
}

// An application with an error handler answers its errors and panics as
// JSON, on the engine and under net/http alike; an access-log middleware
// sees the status sent, 500 for a panic; each failure is logged once.
func TestErrorHandlerAnswersJSON(t *testing.T) {
	for _, bridged := range []bool{false, true} {
		name := map[bool]string{false: "engine", true: "net/http"}[bridged]
		t.Run(name, func(t *testing.T) {
			logged := new(apptest.SyncBuffer)
			rec := &statusRecorder{statuses: map[string]int{}}
			app := web.NewApplication(web.WithErrorHandler(jsonErrors),
				web.WithLogger(slog.New(slog.NewTextHandler(logged, nil))), web.WithMiddlewares(rec.middleware))
			app.Router.Get("/panic", func(*web.Request) (web.Response, error) { panic("kaboom") })
			app.Router.Get("/conflict", func(*web.Request) (web.Response, error) { return nil, web.HTTPConflict() })
			app.Router.Get("/broken", func(*web.Request) (web.Response, error) { return nil, errors.New("db down") })
			app.Router.Get("/ok", text("fine"))
			base := ""
			if bridged {
				ts := httptest.NewServer(app)
				t.Cleanup(ts.Close)
				base = ts.URL
			} else {
				base = startApp(t, app, web.ServerOptions{}).url
			}
			client := &http.Client{Timeout: ioTimeout}
			for _, tc := range []struct {
				path   string
				status int
			}{{"/panic", 500}, {"/conflict", 409}, {"/broken", 500}, {"/missing", 404}} {
				resp, err := client.Get(base + tc.path)
				body := readAll(t, resp, err)
				var got struct {
					Error  string
					Status int
				}
				if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "application/json" ||
					json.Unmarshal([]byte(body), &got) != nil || got.Status != tc.status || got.Error != http.StatusText(tc.status) {
					t.Errorf("GET %s: %d %s %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
				if s := rec.status(tc.path); s != tc.status {
					t.Errorf("GET %s: the middleware saw %d, want %d", tc.path, s, tc.status)
				}
			}
			resp, err := client.Get(base + "/ok")
			if body := readAll(t, resp, err); body != "fine" || rec.status("/ok") != 200 {
				t.Errorf("GET /ok: %q, middleware saw %d", body, rec.status("/ok"))
			}
			log := logged.String()
			if n := strings.Count(log, "request failed"); n != 2 {
				t.Errorf("%d failures logged, want 2 (the panic and the plain error):\n%s", n, log)
			}
			if !strings.Contains(log, "kaboom") || !strings.Contains(log, "db down") || !strings.Contains(log, "stack=") {
				t.Errorf("log lacks the failures or the panic's stack:\n%s", log)
			}
		})
	}
}

// A middleware gets a handler's panic as a *PanicError; one that passes it
// on leaves it to the error handler.
func TestPanicReachesMiddlewares(t *testing.T) {
	seen := make(chan error, 1)
	app := newApp(web.WithMiddlewares(func(req *web.Request, next web.Handler) (web.Response, error) {
		resp, err := next(req)
		seen <- err
		return resp, err
	}))
	app.Router.Get("/panic", func(*web.Request) (web.Response, error) { panic(errors.New("inner")) })
	s := startApp(t, app, web.ServerOptions{})
	r := s.dial(t).get("/panic")
	if r.status != 500 || string(r.body) != "500 Internal Server Error\n\nServer got itself in trouble" {
		t.Errorf("got %q %q", r.head, r.body)
	}
	err := recv(t, seen, "the middleware's error")
	var pe *web.PanicError
	if !errors.As(err, &pe) || pe.Value.(error).Error() != "inner" || !strings.Contains(string(pe.Stack), "errorhandler_test.go") ||
		err.Error() != "web: handler panic: inner" {
		t.Errorf("middleware saw %v (%#v)", err, pe)
	}
}

// An error handler that gives up (nil) or panics leaves the error to the
// default handler; a sub-application uses its parent's error handler
// unless it has its own.
func TestErrorHandlerFallbacks(t *testing.T) {
	logged := new(apptest.SyncBuffer)
	picky := func(req *web.Request, err error) web.Response {
		if errors.Is(err, web.HTTPNotFound()) {
			return nil
		}
		if errors.Is(err, web.HTTPGone()) {
			panic("the error handler failed")
		}
		return jsonErrors(req, err)
	}
	app := web.NewApplication(web.WithErrorHandler(picky), web.WithLogger(slog.New(slog.NewTextHandler(logged, nil))))
	app.Router.Get("/gone", func(*web.Request) (web.Response, error) { return nil, web.HTTPGone() })
	app.Router.Get("/conflict", func(*web.Request) (web.Response, error) { return nil, web.HTTPConflict() })
	inherits := web.NewApplication()
	inherits.Router.Get("/conflict", func(*web.Request) (web.Response, error) { return nil, web.HTTPConflict() })
	app.AddSubapp("/inherits", inherits)
	own := web.NewApplication(web.WithErrorHandler(func(*web.Request, error) web.Response { return web.Text("own").SetStatus(418) }))
	own.Router.Get("/conflict", func(*web.Request) (web.Response, error) { return nil, web.HTTPConflict() })
	app.AddSubapp("/own", own)
	s := startApp(t, app, web.ServerOptions{})
	c := s.dial(t)
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/missing", "404: Not Found", 404},
		{"/gone", "410: Gone", 410},
		{"/conflict", `{"error":"Conflict","status":409}`, 409},
		{"/inherits/conflict", `{"error":"Conflict","status":409}`, 409},
		{"/own/conflict", "own", 418},
	} {
		if r := c.get(tc.path); r.status != tc.status || string(r.body) != tc.want {
			t.Errorf("GET %s: %q %q, want %d %q", tc.path, r.head, r.body, tc.status, tc.want)
		}
	}
	if !strings.Contains(logged.String(), "the error handler failed") {
		t.Errorf("the error handler's panic was not logged:\n%s", logged.String())
	}
}
