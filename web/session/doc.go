// Package session keeps per-user state between requests, as
// aiohttp-session does: a [Middleware] loads the session a request's
// cookie names, a handler reads and changes it through [Get] (or starts a
// fresh one with [New], on login), and the middleware saves what changed
// when the handler returns.
//
//	app := web.NewApplication(web.WithMiddlewares(
//		session.Middleware(session.NewEncryptedCookieStorage(key), session.Options{MaxAge: 24 * time.Hour})))
//
//	func login(req *web.Request) (web.Response, error) {
//		s, err := session.New(req) // a new identity: fixation-safe
//		if err != nil {
//			return nil, err
//		}
//		s.Set("user", "alice")
//		return web.Text("welcome"), nil
//	}
//
// The storages:
//
//   - [NewCookieStorage]: the values in the cookie, in plain JSON that the
//     client can read and forge — for development and tests only
//     (aiohttp-session's SimpleCookieStorage).
//   - [NewEncryptedCookieStorage]: the values in the cookie, sealed with
//     AES-256-GCM; several keys rotate (the first seals, all open), and a
//     cookie older than MaxAge is refused.
//   - [NewRedisStorage]: the cookie holds a random identity and the values
//     live in Redis with MaxAge as their expiry, shared by every instance
//     of the application.
//
// Values go through JSON: a value read back in a later request is a JSON
// type (string, float64, bool, nil, []any, map[string]any), as in Python.
package session
