// Command aiohttp serves the benchmark routes with this project's own server,
// package web, without an access log.
package main

import (
	"flag"
	"io"
	"log"

	"github.com/aiohttp-go/aiohttp/web"
)

type message struct {
	Message string `json:"message"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	respond := flag.Bool("respond", false, "answer through req.Respond (no allocation) instead of web.Text and web.JSON")
	flag.Parse()

	app := web.NewApplication()
	if *respond {
		app.Router.Get("/", func(r *web.Request) (web.Response, error) {
			return r.Respond().SetText("Hello, World!"), nil
		})
		app.Router.Get("/json", func(r *web.Request) (web.Response, error) {
			return r.Respond().SetJSON(message{Message: "Hello, World!"})
		})
		app.Router.Get("/user/{id}", func(r *web.Request) (web.Response, error) {
			return r.Respond().SetText(r.MatchInfo().Get("id")), nil
		})
	} else {
		app.Router.Get("/", func(r *web.Request) (web.Response, error) {
			return web.Text("Hello, World!"), nil
		})
		app.Router.Get("/json", func(r *web.Request) (web.Response, error) {
			return web.JSON(message{Message: "Hello, World!"})
		})
		app.Router.Get("/user/{id}", func(r *web.Request) (web.Response, error) {
			return web.Text(r.MatchInfo().Get("id")), nil
		})
	}
	// No access log: ServerOptions.AccessLog stays nil. No banner either.
	if err := web.RunApp(app, web.RunOptions{Addr: *addr, Out: io.Discard}); err != nil {
		log.Fatal(err)
	}
}
