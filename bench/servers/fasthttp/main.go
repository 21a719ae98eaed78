// Command fasthttp serves the benchmark routes with valyala/fasthttp. It has
// no router of its own, so the handler switches on the path, the way
// fasthttp's own examples do.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"strings"

	"github.com/valyala/fasthttp"
)

type message struct {
	Message string `json:"message"`
}

func handler(ctx *fasthttp.RequestCtx) {
	if !ctx.IsGet() {
		ctx.Error("Method Not Allowed", fasthttp.StatusMethodNotAllowed)
		return
	}
	path := string(ctx.Path())
	switch {
	case path == "/":
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.WriteString("Hello, World!")
	case path == "/json":
		ctx.SetContentType("application/json")
		json.NewEncoder(ctx).Encode(message{Message: "Hello, World!"})
	case strings.HasPrefix(path, "/user/") && len(path) > len("/user/") &&
		!strings.Contains(path[len("/user/"):], "/"):
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.WriteString(path[len("/user/"):])
	default:
		ctx.Error("Not Found", fasthttp.StatusNotFound)
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	flag.Parse()

	s := &fasthttp.Server{Handler: handler}
	log.Fatal(s.ListenAndServe(*addr))
}
