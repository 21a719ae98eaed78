package cors_test

import (
	"time"

	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/cors"
)

// An API shared with one front end, which sends cookies, and one route
// any page may read.
func ExampleSetup() {
	app := web.NewApplication()
	c := cors.Setup(app, cors.Origins{
		"https://app.example.com": {
			AllowCredentials: true,
			AllowHeaders:     []string{"Content-Type", "X-CSRF-Token"},
			ExposeHeaders:    []string{"Location"},
			MaxAge:           10 * time.Minute,
		},
	})
	list := func(req *web.Request) (web.Response, error) { return web.JSON([]string{"a", "b"}) }
	create := func(req *web.Request) (web.Response, error) { return web.NewResponse(201), nil }
	c.Add(app.Router.Get("/api/items", list))
	c.Add(app.Router.Post("/api/items", create))
	c.Add(app.Router.Get("/api/status", list), cors.Origins{"*": {}})
	app.Router.Get("/admin", list) // not shared: no CORS fields, preflights get 405
	_ = web.NewServer(app, web.ServerOptions{})
}
