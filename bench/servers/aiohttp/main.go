// Command aiohttp serves the benchmark routes with this project's own server,
// package web, without an access log.
package main

import (
	"flag"
	"io"
	"log"
	"net"
	"strconv"

	"github.com/aiohttp-go/aiohttp/web"
)

type message struct {
	Message string `json:"message"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	flag.Parse()
	host, portStr, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatal(err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		log.Fatalf("bad port %q: %v", portStr, err)
	}

	app := web.NewApplication()
	app.Router.Get("/", func(r *web.Request) (web.Response, error) {
		return web.Text("Hello, World!"), nil
	})
	app.Router.Get("/json", func(r *web.Request) (web.Response, error) {
		return web.JSON(message{Message: "Hello, World!"})
	})
	app.Router.Get("/user/{id}", func(r *web.Request) (web.Response, error) {
		return web.Text(r.MatchInfo().Get("id")), nil
	})
	// No access log: ServerOptions.AccessLog stays nil. No banner either.
	if err := web.RunApp(app, web.RunOptions{Host: host, Port: port, Out: io.Discard}); err != nil {
		log.Fatal(err)
	}
}
