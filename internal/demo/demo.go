// Package demo is the application that "aiohttp serve" runs: one server
// that answers every server example of the seed tutorials, so that the
// client examples and the fetch, ws and bench subcommands have something
// to talk to.
//
// Routes, in registration order, each answered by one handler below:
//
//	GET  /          "Hello, Anonymous"                         (hello)
//	GET  /health    "OK"                                       (health)
//	POST /api/data  {"status":"success","received":<the JSON>} (apiData)
//	GET  /{name}    "Hello, {name}"                            (hello)
//
// and the httpbin.org look-alikes of httpbin.go (/get, /post, /status/{code},
// /delay/{n}, ...) that the client examples call.
//
// GET routes answer HEAD too. The router tries literal paths before
// parameters, so /health is never taken for a name. POST /api/data answers
// a body that is not JSON with 400 and {"status":"error","message":...}.
// Paths that match no route get 404, and a known path asked with another
// method gets 405 with an Allow header.
//
// To grow the demo, add the route to [NewApp] and its handler below.
package demo

import (
	"encoding/json"
	"errors"

	"github.com/aiohttp-go/aiohttp/web"
)

// NewApp returns the demo application, ready to run.
func NewApp() *web.Application {
	app := web.NewApplication()
	r := app.Router
	r.Get("/", hello)
	r.Get("/health", health)
	r.Post("/api/data", apiData)
	r.Get("/{name}", hello)
	addHTTPBin(r)
	return app
}

// hello greets the {name} in the path, or "Anonymous" on "/"
// (the seeds' "Hello, World" server).
func hello(req *web.Request) (web.Response, error) {
	name, ok := req.MatchInfo().Lookup("name")
	if !ok {
		name = "Anonymous"
	}
	return web.Text("Hello, " + name), nil
}

// health answers "OK" for liveness probes (the seeds' health check).
func health(*web.Request) (web.Response, error) {
	return web.Text("OK"), nil
}

// apiData echoes the JSON body it receives (the seeds' "POST and JSON"
// server). The JSON value is sent back as the client wrote it, compacted,
// so numbers keep their precision.
func apiData(req *web.Request) (web.Response, error) {
	var received json.RawMessage
	if err := req.JSON(&received); err != nil {
		var bad *web.BodyError
		if !errors.As(err, &bad) {
			return nil, err // the body could not be read, or was too large
		}
		resp, jerr := web.JSON(apiError{Status: "error", Message: bad.Err.Error()})
		if jerr != nil {
			return nil, jerr
		}
		return resp.SetStatus(400), nil
	}
	return web.JSON(apiResult{Status: "success", Received: received})
}

// apiResult is the answer to a well-formed POST /api/data.
type apiResult struct {
	Status   string          `json:"status"`
	Received json.RawMessage `json:"received"`
}

// apiError is the answer to a malformed POST /api/data.
type apiError struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}
