package session_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/redistest"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/session"
	"github.com/redis/go-redis/v9"
)

// newApp is the application of the tests: a counter, login, whoami and
// logout, on storage.
func newApp(storage session.Storage, opts session.Options) *web.Application {
	app := web.NewApplication(web.WithMiddlewares(session.Middleware(storage, opts)))
	app.Router.Get("/count", func(req *web.Request) (web.Response, error) {
		s, err := session.Get(req)
		if err != nil {
			return nil, err
		}
		n, _ := s.Get("n")
		count, _ := n.(float64) // a number read back from JSON
		if i, ok := n.(int); ok {
			count = float64(i)
		}
		s.Set("n", count+1)
		return web.Text(fmt.Sprintf("%v new=%v", count+1, s.IsNew())), nil
	})
	app.Router.Post("/login", func(req *web.Request) (web.Response, error) {
		user, _ := req.Text()
		s, err := session.New(req)
		if err != nil {
			return nil, err
		}
		s.Set("user", user)
		return web.Text("welcome " + user), nil
	})
	app.Router.Get("/whoami", func(req *web.Request) (web.Response, error) {
		s, err := session.Get(req)
		if err != nil {
			return nil, err
		}
		return web.Text(s.String("user")), nil
	})
	app.Router.Post("/logout", func(req *web.Request) (web.Response, error) {
		s, err := session.Get(req)
		if err != nil {
			return nil, err
		}
		s.Invalidate()
		return web.Text("bye"), nil
	})
	app.Router.Get("/refuse", func(req *web.Request) (web.Response, error) {
		s, err := session.Get(req)
		if err != nil {
			return nil, err
		}
		s.Set("refused", true)
		return nil, web.HTTPForbidden()
	})
	return app
}

func key(t *testing.T) []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// storages are the storages every behaviour test runs on.
func storages(t *testing.T) map[string]func(t *testing.T) session.Storage {
	return map[string]func(*testing.T) session.Storage{
		"cookie": func(*testing.T) session.Storage { return session.NewCookieStorage() },
		"encrypted": func(t *testing.T) session.Storage {
			s, err := session.NewEncryptedCookieStorage(key(t))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"redis": func(t *testing.T) session.Storage {
			srv := redistest.Start(t)
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
			t.Cleanup(func() { rdb.Close() })
			return session.NewRedisStorage(rdb, "")
		},
	}
}

// do sends a request and returns the text and the session cookie set, if
// any.
func do(t *testing.T, c *aiotest.Client, method, path, body string, opts ...aiohttp.RequestOption) (string, *aiohttp.Cookie) {
	t.Helper()
	resp, err := c.Request(t.Context(), method, path, append(opts, aiohttp.String(body))...)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	text, _ := resp.Text()
	for _, ck := range resp.Cookies() {
		if ck.Name == "AIOHTTP_SESSION" {
			return text, ck
		}
	}
	return text, nil
}

// jarSession returns the session cookie in c's jar.
func jarSession(t *testing.T, c *aiotest.Client) string {
	u, _ := url.Parse(c.Server.MakeURL("/"))
	for _, ck := range c.CookieJar().FilterCookies(u) {
		if ck.Name == "AIOHTTP_SESSION" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie in the jar")
	return ""
}

func TestSessionLifecycle(t *testing.T) {
	for name, mk := range storages(t) {
		t.Run(name, func(t *testing.T) {
			c := aiotest.NewClient(t, newApp(mk(t), session.Options{MaxAge: time.Hour}))
			text, ck := do(t, c, "GET", "/count", "")
			if text != "1 new=true" || ck == nil || !ck.HTTPOnly || ck.Path != "/" ||
				ck.Expires.Before(time.Now().Add(59*time.Minute)) || ck.Expires.After(time.Now().Add(61*time.Minute)) {
				t.Fatalf("first visit: %q, cookie %+v", text, ck)
			}
			for i := 2; i <= 3; i++ {
				if text, _ := do(t, c, "GET", "/count", ""); text != fmt.Sprintf("%d new=false", i) {
					t.Fatalf("visit %d: %q", i, text)
				}
			}
			// Reading without changing sends no cookie.
			if _, ck := do(t, c, "GET", "/whoami", ""); ck != nil {
				t.Errorf("an unchanged session was saved: %+v", ck)
			}
			before := jarSession(t, c)
			if text, _ := do(t, c, "POST", "/login", "alice"); text != "welcome alice" {
				t.Fatal(text)
			}
			after := jarSession(t, c)
			if text, _ := do(t, c, "GET", "/whoami", ""); text != "alice" {
				t.Fatalf("whoami after login: %q", text)
			}
			if before == after {
				t.Error("login kept the session cookie")
			}
			if text, _ := do(t, c, "GET", "/count", ""); text != "1 new=false" {
				t.Errorf("login kept the old values: %q", text)
			}
			if name == "redis" {
				// The identity before the login is dead (session fixation).
				other := c.Server.NewClient()
				if text, _ := do(t, other, "GET", "/whoami", "", aiohttp.Header("Cookie", "AIOHTTP_SESSION="+before)); text != "" {
					t.Errorf("the identity from before the login still works: %q", text)
				}
			}
			if _, ck := do(t, c, "POST", "/logout", ""); ck == nil || ck.Expires.After(time.Now()) {
				t.Errorf("logout cookie %+v, want a deletion", ck)
			}
			if text, _ := do(t, c, "GET", "/whoami", ""); text != "" {
				t.Errorf("whoami after logout: %q", text)
			}
			// A handler's HTTP error still carries the cookie.
			resp, err := c.Get(t.Context(), "/refuse")
			if err != nil {
				t.Fatal(err)
			}
			resp.Close()
			if resp.Status != 403 || len(resp.Cookies()) != 1 {
				t.Errorf("refused: %d with %d cookies", resp.Status, len(resp.Cookies()))
			}
		})
	}
}

func TestForgedCookiesGetANewSession(t *testing.T) {
	for name, mk := range storages(t) {
		if name == "cookie" {
			continue // readable and forgeable by design
		}
		t.Run(name, func(t *testing.T) {
			c := aiotest.NewClient(t, newApp(mk(t), session.Options{}))
			_, ck := do(t, c, "POST", "/login", "alice")
			forged := []byte(ck.Value)
			forged[len(forged)/2] ^= 1
			if forged[len(forged)/2] == '\x00' {
				forged[len(forged)/2] = 'a'
			}
			for _, v := range []string{string(forged), "ffffffffffffffffffffffffffffffff", "x", strings.Repeat("A", 200)} {
				other := c.Server.NewClient()
				text, set := do(t, other, "GET", "/count", "", aiohttp.Header("Cookie", "AIOHTTP_SESSION="+v))
				if text != "1 new=true" || set == nil || set.Value == v {
					t.Errorf("cookie %q: %q, set %+v; want a new session under a new value", v, text, set)
				}
			}
		})
	}
}

func TestEncryptedKeyRotation(t *testing.T) {
	k1, k2 := key(t), key(t)
	ctx := context.Background()
	old, _ := session.NewEncryptedCookieStorage(k1)
	rotated, _ := session.NewEncryptedCookieStorage(k2, k1)
	onlyNew, _ := session.NewEncryptedCookieStorage(k2)
	r := session.Record{Created: time.Now(), Values: map[string]any{"user": "alice"}}
	sealedOld, err := old.Save(ctx, &r)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := rotated.Load(ctx, sealedOld); !ok || got.Values["user"] != "alice" {
		t.Fatal("the rotated storage does not open a cookie of the old key")
	}
	if _, ok, _ := onlyNew.Load(ctx, sealedOld); ok {
		t.Fatal("a storage without the old key opened its cookie")
	}
	sealedNew, _ := rotated.Save(ctx, &r)
	if _, ok, _ := onlyNew.Load(ctx, sealedNew); !ok {
		t.Fatal("the rotated storage does not seal with its first key")
	}
	if _, err := session.NewEncryptedCookieStorage([]byte("short")); err == nil {
		t.Fatal("a 5-byte key was accepted")
	}
}

func TestEncryptedCookieExpires(t *testing.T) {
	s, _ := session.NewEncryptedCookieStorage(key(t))
	ctx := context.Background()
	sealed, _ := s.Save(ctx, &session.Record{Created: time.Now(), MaxAge: time.Second, Values: map[string]any{}})
	if _, ok, _ := s.Load(ctx, sealed); !ok {
		t.Fatal("a fresh cookie was refused")
	}
	time.Sleep(2100 * time.Millisecond)
	if _, ok, _ := s.Load(ctx, sealed); ok {
		t.Fatal("a cookie past its MaxAge was accepted")
	}
}

// TestRedisSessionsAcrossInstances logs in on one instance and is known
// on another that shares the Redis storage.
func TestRedisSessionsAcrossInstances(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	a := aiotest.NewClient(t, newApp(session.NewRedisStorage(rdb, ""), session.Options{}))
	b := aiotest.NewClient(t, newApp(session.NewRedisStorage(rdb, ""), session.Options{}))
	_, ck := do(t, a, "POST", "/login", "bob")
	if text, _ := do(t, b, "GET", "/whoami", "", aiohttp.Header("Cookie", "AIOHTTP_SESSION="+ck.Value)); text != "bob" {
		t.Fatalf("instance b: %q", text)
	}
	ttl, err := rdb.TTL(context.Background(), "aiohttp-session:"+ck.Value).Result()
	if err != nil || ttl <= 0 || ttl > session.DefaultServerMaxAge {
		t.Fatalf("TTL %v, %v", ttl, err)
	}
	srv.Stop()
	resp, err := b.Get(t.Context(), "/whoami", aiohttp.Header("Cookie", "AIOHTTP_SESSION="+ck.Value))
	if err != nil {
		t.Fatal(err)
	}
	resp.Close()
	if resp.Status != 500 {
		t.Fatalf("with Redis gone: %d, want 500", resp.Status)
	}
}

func TestNoMiddleware(t *testing.T) {
	req := aiotest.NewMockedRequest("GET", "/")
	if _, err := session.Get(req); !errors.Is(err, session.ErrNoMiddleware) {
		t.Fatalf("Get = %v", err)
	}
	if _, err := session.New(req); !errors.Is(err, session.ErrNoMiddleware) {
		t.Fatalf("New = %v", err)
	}
}

func TestValuesThatDoNotMarshal(t *testing.T) {
	app := web.NewApplication(web.WithMiddlewares(session.Middleware(session.NewCookieStorage(), session.Options{})))
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		s, _ := session.Get(req)
		s.Set("f", func() {})
		return web.Text("x"), nil
	})
	c := aiotest.NewClient(t, app)
	resp, err := c.Get(t.Context(), "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Close()
	if resp.Status != 500 {
		t.Fatalf("status %d", resp.Status)
	}
}
