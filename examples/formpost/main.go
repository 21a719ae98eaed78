// Formpost is the form handler of the seed tutorial "aiohttp 实践案例"
// (处理异步请求 - POST 请求示例): POST / with a form field "name",
// urlencoded or multipart/form-data, answers "Hello, {name}!". A POST
// without the field gets 400 (the seed would print "Hello, None!"). GET / serves a one-field HTML form
// that posts to it, so that the example also works from a browser; the
// seed has no such page.
//
// Run it and ask it:
//
//	go run ./examples/formpost -addr 127.0.0.1:8080
//	curl -d name=John http://127.0.0.1:8080/
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
	app.Router.Get("/", form)
	app.Router.Post("/", handle)
	return app
}

const formPage = `<!DOCTYPE html>
<title>formpost</title>
<form method="post" action="/">
<label>Name <input name="name"></label>
<button>Send</button>
</form>
`

// form serves the HTML form.
func form(*web.Request) (web.Response, error) {
	return web.Text(formPage).SetContentType("text/html"), nil
}

// handle is the seed's handler: read the form (request.post()) and greet
// its name field.
func handle(req *web.Request) (web.Response, error) {
	data, err := req.Post()
	if err != nil {
		return nil, err
	}
	name, ok := data.Lookup("name")
	if !ok {
		return nil, web.HTTPBadRequest().WithText(`missing form field "name"`)
	}
	return web.Text("Hello, " + name + "!"), nil
}
