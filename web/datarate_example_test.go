package web_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// Slow peers: the server's minimum data rates, one route that takes slow
// uploads, and a long poll that turns the response rate off for itself.
func ExampleMinDataRate() {
	opts := web.ServerOptions{
		MinRequestBodyRate: web.MinDataRate{BytesPerSecond: 1024, Grace: 10 * time.Second},
		MinResponseRate:    web.MinDataRate{BytesPerSecond: 1024, Grace: 10 * time.Second},
	}
	upload := func(req *web.Request) (web.Response, error) {
		body, err := req.Bytes()
		if errors.Is(err, web.ErrRequestBodyTooSlow) {
			return nil, err // 408 Request Timeout, and the connection closes
		}
		if err != nil {
			return nil, err
		}
		return web.Text(fmt.Sprint(len(body))), nil
	}
	app := web.NewApplication()
	app.Router.Post("/upload", upload)
	app.Router.Post("/upload/satellite", upload, web.MinRequestBodyRate(web.NoMinDataRate))
	app.Router.Get("/poll", func(req *web.Request) (web.Response, error) {
		req.SetMinResponseRate(web.NoMinDataRate)
		return web.Text("news"), nil
	})
	_ = web.NewServer(app, opts)
}
