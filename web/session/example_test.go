package session_test

import (
	"crypto/rand"
	"fmt"
	"log"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/session"
)

// A visit counter and a login, on sealed cookies. Keep the key secret and
// the same on every instance (from a secret store, not crypto/rand).
func Example() {
	key := make([]byte, 32)
	rand.Read(key)
	storage, err := session.NewEncryptedCookieStorage(key)
	if err != nil {
		log.Fatal(err)
	}
	app := web.NewApplication(web.WithMiddlewares(
		session.Middleware(storage, session.Options{MaxAge: 30 * 24 * time.Hour, Secure: true})))
	app.Router.Get("/", func(req *web.Request) (web.Response, error) {
		s, err := session.Get(req)
		if err != nil {
			return nil, err
		}
		visits, _ := s.Get("visits")
		n, _ := visits.(float64) // numbers come back from JSON as float64
		s.Set("visits", n+1)
		return web.Text(fmt.Sprintf("visit %v", n+1)), nil
	})
	app.Router.Post("/login", func(req *web.Request) (web.Response, error) {
		s, err := session.New(req) // a new session on login: fixation-safe
		if err != nil {
			return nil, err
		}
		s.Set("user", "alice")
		return nil, web.HTTPSeeOther("/")
	})
	_ = app // web.RunApp(app, web.RunOptions{})
}
