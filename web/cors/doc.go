// Package cors shares an application's routes with pages of other
// origins through Cross-Origin Resource Sharing, as aiohttp-cors does:
// CORS is on only for the routes added to it, each with the defaults of
// the application or options of its own, by origin.
//
//	c := cors.Setup(app, cors.Origins{
//		"https://app.example.com": {AllowCredentials: true, AllowHeaders: []string{"Content-Type"}},
//	})
//	c.Add(app.Router.Get("/api/items", list))
//	c.Add(app.Router.Post("/api/items", create), cors.Origins{
//		"*": {ExposeHeaders: []string{"Location"}, MaxAge: time.Hour},
//	})
//
// Add registers, once per path pattern, an OPTIONS route that answers
// the browsers' preflight requests, so a route needs no OPTIONS handler
// of its own (and may not have one). A preflight that asks for an origin,
// a method or a header the route does not allow, or that lacks Origin or
// Access-Control-Request-Method, is answered 403 Forbidden with the
// reason in its body ("CORS preflight request failed: origin
// 'https://evil.example' is not allowed"). An allowed one is answered
// 200 with Access-Control-Allow-Origin, -Allow-Methods (the route's
// methods or AllowMethods), -Allow-Headers (those asked for),
// -Allow-Credentials and -Max-Age.
//
// The responses of an added route to a request with an allowed Origin
// carry Access-Control-Allow-Origin, which echoes the origin (so that
// credentials work with a "*" configuration too: a literal "*" is never
// sent with credentials), Access-Control-Allow-Credentials and
// Access-Control-Expose-Headers; every response of such a route says
// "Vary: Origin", so that caches keep one answer per origin. The fields
// are set by an OnResponsePrepare handler: errors, streamed responses
// and files get them too.
//
// Origins are compared as strings, exactly: "https://example.com" is not
// "https://example.com:443". The "*" entry stands for any origin but
// "null" (what sandboxed frames and file: pages send), which must be
// listed to be allowed.
package cors
