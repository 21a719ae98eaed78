// Package demo is the application that "aiohttp serve" runs: one server
// that answers every server example of the seed tutorials, so that the
// client examples and the fetch, ws and bench subcommands have something
// to talk to.
//
// Routes, in registration order, each answered by one handler below:
//
//	GET  /          "Hello, Anonymous"                         (hello)
//	ANY  /          other methods: httpbin's /anything echo, so that
//	                protocol probes that POST to / test the engine (binAnything)
//	GET  /health    "OK"                                       (health)
//	POST /api/data  {"status":"success","received":<the JSON>} (apiData)
//	GET  /ws        WebSocket echo; the text "close" closes    (wsEcho)
//	GET  /chat      WebSocket chat: text goes to every client  (chat.serve)
//	POST /chat      the body is said in the chat               (chat.post)
//	GET  /chat/events the chat as Server-Sent Events           (chat.events)
//	GET  /chat.html a page that talks to /chat                 (chatPage)
//	GET  /session   counts visits in a session: {"visits","new","user"} (sessionShow)
//	POST /session/login?user=NAME  a new session for NAME      (sessionLogin)
//	POST /session/logout           ends the session            (sessionLogout)
//	GET  /limited   "ok", ten times a minute a client, then 429 (addLimited)
//	POST /upload    multipart up to 64 MiB: files hashed as they stream (upload)
//	GET  /{name}    "Hello, {name}"                            (hello)
//
// and the httpbin.org look-alikes of httpbin.go (/get, /post, /status/{code},
// /delay/{n}, ...) that the client examples call.
//
// Responses are compressed as web.CompressionMiddleware's defaults say
// (zstd, br, gzip or deflate, by Accept-Encoding) and compressed request
// bodies decoded. GET routes answer HEAD too. The router tries literal paths before
// parameters, so /health is never taken for a name. POST /api/data answers
// a body that is not JSON with 400 and {"status":"error","message":...}.
// Paths that match no route get 404, and a known path asked with another
// method gets 405 with an Allow header.
//
// To grow the demo, add the route to [NewApp] and its handler below.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"

	"github.com/aiohttp-go/aiohttp/hub"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/ratelimit"
	"github.com/aiohttp-go/aiohttp/web/session"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// Option changes the demo application.
type Option func(*config)

type config struct {
	hub      hub.Hub
	sessions session.Storage
	limits   ratelimit.Store
}

// WithHub carries the chat over h, for example a hub.Redis shared by
// several instances, instead of an in-memory hub; the application closes
// h at cleanup.
func WithHub(h hub.Hub) Option {
	return func(c *config) { c.hub = h }
}

// WithSessions keeps the sessions of /session in storage, for example a
// session.RedisStorage shared by several instances, instead of cookies
// sealed with a key made at start.
func WithSessions(storage session.Storage) Option {
	return func(c *config) { c.sessions = storage }
}

// WithRateLimitStore counts the requests to /limited in store, for
// example a ratelimit.RedisStore shared by several instances, instead of
// in memory.
func WithRateLimitStore(store ratelimit.Store) Option {
	return func(c *config) { c.limits = store }
}

// NewApp returns the demo application, ready to run.
func NewApp(opts ...Option) *web.Application {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.hub == nil {
		cfg.hub = hub.NewMemory(0)
	}
	if cfg.sessions == nil {
		cfg.sessions = newCookieSessions()
	}
	app := web.NewApplication(web.WithMiddlewares(web.CompressionMiddleware(web.CompressionOptions{})))
	app.OnCleanup.Append(func(context.Context, *web.Application) error { return cfg.hub.Close() })
	chat := &chat{hub: cfg.hub}
	r := app.Router
	r.Get("/", hello)
	r.Any("/", binAnything)
	r.Get("/health", health)
	r.Post("/api/data", apiData)
	r.Get("/ws", wsEcho)
	r.Get("/chat", chat.serve)
	r.Post("/chat", chat.post)
	r.Get("/chat/events", chat.events)
	r.Get("/chat.html", chatPage)
	r.Get("/sse", eventStream)
	addSessionRoutes(r, cfg.sessions)
	r.Post("/upload", upload)
	r.Get("/{name}", hello)
	addHTTPBin(r)
	addLimited(app, cfg.limits)
	return app
}

// hello greets the {name} in the path, or "Anonymous" on "/"
// (the seeds' "Hello, World" server). A GET that has a body is read
// first, so that the answer comes after the request's end: HTTP/2
// probes (h2spec) send GETs whose stream stays open for frames that
// follow.
func hello(req *web.Request) (web.Response, error) {
	if req.CanReadBody() {
		if _, err := req.Bytes(); err != nil {
			return nil, err
		}
	}
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
		return web.JSON(apiError{Status: "error", Message: bad.Err.Error()}, web.WithStatus(400))
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

// wsEcho is the WebSocket echo (the seeds' WebSocket server): text comes
// back as text, binary as binary, and the text "close" closes the socket.
func wsEcho(req *web.Request) (web.Response, error) {
	ws := web.NewWebSocketResponse(web.WebSocketOptions{})
	sock, err := ws.Prepare(req)
	if err != nil {
		return nil, err
	}
	ctx := req.Context()
	for msg := range sock.Messages(ctx) {
		switch msg.Type {
		case websocket.MessageText:
			if msg.Text() == "close" {
				_ = sock.Close(ctx, websocket.CloseOK, "")
				return ws, nil
			}
			if err := sock.SendStr(ctx, msg.Text()); err != nil {
				return ws, nil
			}
		case websocket.MessageBinary:
			if err := sock.SendBytes(ctx, msg.Data); err != nil {
				return ws, nil
			}
		}
	}
	return ws, nil // returning it closes it
}

// chatHTML is the page of /chat.html.
//
//go:embed chat.html
var chatHTML string

// chatPage serves a small chat client for /chat.
func chatPage(*web.Request) (web.Response, error) {
	return web.Text(chatHTML).SetContentType("text/html"), nil
}
