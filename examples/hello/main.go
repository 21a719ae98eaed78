// Hello is the "Hello, World" server of the seed tutorial "aiohttp 服务器用法"
// (section 1, 一个简单的 "Hello, World" 服务器): GET / answers
// "Hello, Anonymous" and GET /{name} answers "Hello, {name}".
//
// Run it and ask it:
//
//	go run ./examples/hello -addr 127.0.0.1:8080
//	curl http://127.0.0.1:8080/John
package main

import (
	"flag"
	"log"
	"os"

	"github.com/aiohttp-go/aiohttp/web"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "host:port to listen on")
	flag.Parse()
	if err := web.RunApp(newApp(), web.RunOptions{Addr: *addr, Out: os.Stdout}); err != nil {
		log.Fatal(err)
	}
}

// newApp routes GET / and GET /{name} to one handler, as the seed does.
func newApp() *web.Application {
	app := web.NewApplication()
	app.Router.Get("/", handle)
	app.Router.Get("/{name}", handle)
	return app
}

// handle greets the name in the path (request.match_info.get('name',
// 'Anonymous') in the seed).
func handle(req *web.Request) (web.Response, error) {
	name, ok := req.MatchInfo().Lookup("name")
	if !ok {
		name = "Anonymous"
	}
	return web.Text("Hello, " + name), nil
}
