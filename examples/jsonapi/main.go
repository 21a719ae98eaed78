// Jsonapi is the JSON API of the seed tutorial "aiohttp 服务器用法"
// (section 2, 处理 POST 请求和 JSON): POST /api/data reads a JSON body and
// answers {"status":"success","received":<the JSON>}; a body that is not
// JSON gets 400 and {"status":"error","message":"<why>"}.
//
// Run it and ask it:
//
//	go run ./examples/jsonapi -addr 127.0.0.1:8080
//	curl -d '{"key":"value"}' -H 'Content-Type: application/json' http://127.0.0.1:8080/api/data
package main

import (
	"encoding/json"
	"errors"
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
	app.Router.Post("/api/data", handlePost)
	return app
}

// result is the seed's response_data, fields in the seed's order.
type result struct {
	Status   string          `json:"status"`
	Received json.RawMessage `json:"received"`
}

// failure is the seed's error response.
type failure struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// handlePost is the seed's handle_post: decode the JSON body, log it and
// send it back. Decoding into a json.RawMessage checks the JSON and keeps
// it as sent (compacted), so big numbers keep every digit.
func handlePost(req *web.Request) (web.Response, error) {
	var data json.RawMessage
	if err := req.JSON(&data); err != nil {
		var bad *web.BodyError
		if !errors.As(err, &bad) {
			return nil, err // the body could not be read, or was too large
		}
		return web.JSON(failure{Status: "error", Message: bad.Err.Error()}, web.WithStatus(400))
	}
	log.Printf("Received JSON data: %s", data)
	return web.JSON(result{Status: "success", Received: data})
}
