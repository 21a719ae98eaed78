// Health is the microservice of the seed tutorial "2.2 异步 Web 服务器":
// GET /hello/{name} answers JSON with a greeting and the request method,
// {"message":"Hello, {name}!","method":"GET"}, and GET /health answers
// "OK".
//
// Run it and ask it:
//
//	go run ./examples/health -addr 127.0.0.1:8080
//	curl http://127.0.0.1:8080/hello/YourName
//	curl http://127.0.0.1:8080/health
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

func newApp() *web.Application {
	app := web.NewApplication()
	app.Router.Get("/hello/{name}", handleRequest)
	app.Router.Get("/health", healthCheck)
	return app
}

// greeting is the JSON body of /hello/{name}.
type greeting struct {
	Message string `json:"message"`
	Method  string `json:"method"`
}

// handleRequest greets the name in the path and says which method asked.
func handleRequest(req *web.Request) (web.Response, error) {
	name, ok := req.MatchInfo().Lookup("name")
	if !ok {
		name = "World"
	}
	return web.JSON(greeting{Message: "Hello, " + name + "!", Method: req.Method()})
}

// healthCheck answers "OK" while the service runs.
func healthCheck(*web.Request) (web.Response, error) {
	return web.Text("OK"), nil
}
