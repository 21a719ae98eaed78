package demo

import (
	"crypto/rand"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/session"
)

// sessionMaxAge is the lifetime of the demo's sessions.
const sessionMaxAge = 24 * time.Hour

// newCookieSessions is the demo's session storage on one machine: sealed
// cookies under a key made at start, so that they end with the process.
func newCookieSessions() session.Storage {
	key := make([]byte, 32)
	rand.Read(key)
	s, err := session.NewEncryptedCookieStorage(key)
	if err != nil {
		panic(err) // a 32-byte key is always accepted
	}
	return s
}

// addSessionRoutes adds /session, /session/login and /session/logout,
// which keep their state in storage.
func addSessionRoutes(r *web.Router, storage session.Storage) {
	mw := session.Middleware(storage, session.Options{MaxAge: sessionMaxAge})
	with := func(h web.Handler) web.Handler {
		return func(req *web.Request) (web.Response, error) { return mw(req, h) }
	}
	r.Get("/session", with(sessionShow))
	r.Post("/session/login", with(sessionLogin))
	r.Post("/session/logout", with(sessionLogout))
}

// sessionInfo is the JSON answer of the session routes.
type sessionInfo struct {
	Visits float64 `json:"visits"`
	New    bool    `json:"new"`
	User   string  `json:"user"`
}

// sessionShow counts a visit and shows the session.
func sessionShow(req *web.Request) (web.Response, error) {
	s, err := session.Get(req)
	if err != nil {
		return nil, err
	}
	v, _ := s.Get("visits")
	visits, _ := v.(float64)
	s.Set("visits", visits+1)
	return web.JSON(sessionInfo{Visits: visits + 1, New: s.IsNew(), User: s.String("user")})
}

// sessionLogin starts a new session (a new identity: fixation-safe) for
// the user of ?user= and shows it.
func sessionLogin(req *web.Request) (web.Response, error) {
	user := req.Query().Get("user")
	if user == "" {
		return nil, web.HTTPBadRequest().WithText("?user= is missing")
	}
	s, err := session.New(req)
	if err != nil {
		return nil, err
	}
	s.Set("user", user)
	return web.JSON(sessionInfo{New: true, User: user})
}

// sessionLogout ends the session.
func sessionLogout(req *web.Request) (web.Response, error) {
	s, err := session.Get(req)
	if err != nil {
		return nil, err
	}
	s.Invalidate()
	return web.NewResponse(204), nil
}
