package demo

import (
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/ratelimit"
)

// limitedPerMinute is how many requests a minute a client may make to
// /limited.
const limitedPerMinute = 10

// addLimited mounts /limited: "ok" at most ten times a minute for each
// client, counted in store (shared by every instance when it is Redis).
// The client is the X-Real-IP a proxy in front sets, else the peer: the
// demo trusts whoever sends it.
func addLimited(app *web.Application, store ratelimit.Store) {
	sub := web.NewApplication()
	sub.Router.Get("", func(*web.Request) (web.Response, error) { return web.Text("ok"), nil })
	ratelimit.Setup(sub, ratelimit.Options{
		Limit: ratelimit.PerMinute(limitedPerMinute), Store: store, Key: ratelimit.ForwardedIP("X-Real-IP"),
	})
	app.AddSubapp("/limited", sub)
}
