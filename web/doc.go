// Package web is the HTTP server of aiohttp for Go (aiohttp.web, done the
// Go way): an [Application] with a [Router], middlewares, signals and typed
// state, served by our own HTTP/1.1 engine with HTTP/2 beside it, or by any
// net/http server, since an Application implements [net/http.Handler].
//
//	app := web.NewApplication()
//	app.Router.Get("/hello/{name}", func(req *web.Request) (web.Response, error) {
//		return web.Text("Hello, " + req.MatchInfo().Get("name")), nil
//	})
//	err := web.RunApp(app, web.RunOptions{Addr: "127.0.0.1:8080", Out: os.Stdout})
//
// # Main types
//
//   - [Application] holds the [Router], the middlewares ([Middleware]), the signals
//     (OnStartup, OnShutdown, OnCleanup, OnResponsePrepare, CleanupCtx),
//     typed state ([AppKey]) and sub-applications ([Application.AddSubapp]).
//     Build it, then run it: a running application is frozen.
//   - A [Handler] answers a [*Request] with a [Response] or an error. An
//     [*HTTPError] ([HTTPNotFound], [HTTPFound], ...) becomes its own
//     response; any other error, and a recovered panic ([*PanicError]),
//     goes to the application's [ErrorHandler] (a 500 from
//     [DefaultErrorHandler] unless [WithErrorHandler] says otherwise).
//   - Responses: [*BodyResponse] for a body in memory ([Text], [Bytes],
//     [JSON], [NewResponse], or [Request.Respond], which allocates
//     nothing), [*StreamResponse] for a body written while the handler
//     runs, [*FileResponse] for a file from disk ([NewFileResponse],
//     and [Router.Static] for a directory), [*WebSocketResponse] and
//     [*EventSourceResponse] (Server-Sent Events).
//   - Compression: [CompressionMiddleware] compresses responses (zstd, br,
//     gzip, deflate, by Accept-Encoding), a response may opt in or out
//     (EnableCompression, DisableCompression); request bodies sent with a
//     Content-Encoding are decoded, bounded by client_max_size.
//   - Running: [RunApp] serves until SIGINT or SIGTERM; an [AppRunner]
//     with sites ([Site]: [NewTCPSite], [NewUnixSite], [NewListenerSite])
//     and the [Server] are the parts it is made of, for programs that run
//     more than a web server. [ServerOptions] set timeouts, limits and the access log
//     ([AccessLogger]). Restarts without a refused connection: a second
//     process with [RunOptions] ReusePort before SIGTERM to the first, or
//     systemd socket activation ([RunOptions] SocketActivation,
//     [ListenersFromEnv]).
//   - Slow peers: a request body must arrive, and a response be taken, at
//     a minimum data rate ([MinDataRate]; Kestrel's 240 bytes/s after a
//     5 s grace period by default): a body below it fails with
//     [ErrRequestBodyTooSlow] (408), a client that stops reading fails the
//     handler's write with [ErrResponseTooSlow], and the connection
//     closes. [ServerOptions], the route options [MinRequestBodyRate] and
//     [MinResponseRate], and [Request.SetMinRequestBodyRate] and
//     [Request.SetMinResponseRate] set or turn them off ([NoMinDataRate]),
//     as for long polling and slow uploads.
//
// # Lifetimes
//
// A *Request, its [MatchInfo], and a response from Request.Respond belong
// to the handler until it returns: the server reuses them for the next
// request of the connection. Every string, header dictionary and body
// read from a Request is a copy that stays valid afterwards; nothing the
// package hands out changes later. An [AccessLogger] gets a Request and a
// [SentResponse] valid for the call, with the same guarantee for what it
// reads from them. A request's context ends when the client goes away or
// the server, shutting down, cancels the handlers still running.
//
// Shutting down follows aiohttp: [Server.Shutdown] (and
// [AppRunner.Cleanup], which calls it) stops listening, closes idle
// connections, runs OnShutdown, closes open WebSockets (1001) and ends
// open event streams, waits for running handlers up to the
// shutdown timeout, cancels the rest and runs the cleanup. Every
// Shutdown, Cleanup and Stop may be called more than once and from several
// goroutines: the work is done once.
//
// # Forms and uploads
//
// [Request.Post] returns the fields of an urlencoded or multipart/form-data
// body as a *multidict.MultiDict of strings; the files of a multipart one
// are [Request.Files], []*[FileField] in the order sent (aiohttp puts its
// FileFields inside post()'s dictionary; Go keeps one type per
// dictionary). A file is kept in memory while the request's files total
// at most [MaxMemory], else spooled to a temporary file; the server
// removes those once the handler returned and the response was sent, so
// [FileField.Open] them before. [Request.Multipart] streams the parts
// instead, nothing stored (a *multipart.Reader).
//
// Bodies are bounded by the application's client_max_size
// ([WithClientMaxSize], 1 MiB by default); a route that takes larger
// uploads raises it for its requests before reading:
//
//	app.Router.Post("/upload", func(req *web.Request) (web.Response, error) {
//		req.SetClientMaxSize(64 << 20)
//		mr, err := req.Multipart()
//		...
//	})
//
// Past the limit, or past multipart.Limits (1000 parts, 16 KiB of header
// per part), the answer is 413; a malformed or truncated multipart body
// is 400: return the error of Post, Files, Multipart or the reader's
// NextPart and Read from the handler as it is.
//
// # Testing
//
// Package aiotest serves an application on 127.0.0.1 for the length of a
// test, with a client bound to it, and makes requests without a socket
// for unit tests of handlers and middlewares (pytest-aiohttp's
// TestServer, TestClient and make_mocked_request).
//
// # From aiohttp
//
//	aiohttp                               web
//	web.Application()                     NewApplication(opts...)
//	app.router.add_get(path, handler)     app.Router.Get(path, handler)
//	web.RouteTableDef, web.View           RouteTable, Router.View
//	request.match_info["id"]              req.MatchInfo().Get("id")
//	request.query, request.headers        req.Query(), req.Header()
//	await request.json()                  req.JSON(&v)
//	await request.post()                  req.Post(), req.Files()
//	await request.multipart()             req.Multipart()
//	client_max_size per request           req.SetClientMaxSize(n)
//	web.Response(text=...)                Text(...)
//	web.json_response(data)               JSON(data)
//	web.StreamResponse                    NewStreamResponse()
//	web.FileResponse(path)                NewFileResponse(path)
//	router.add_static(prefix, path)       Router.Static(prefix, dir, StaticOptions{...})
//	web.WebSocketResponse                 NewWebSocketResponse(opts)
//	aiohttp_sse.EventSourceResponse       NewEventSourceResponse(opts)
//	raise web.HTTPNotFound()              return nil, HTTPNotFound()
//	@web.middleware                       Middleware, WithMiddlewares
//	resp.enable_compression(force=...)    resp.EnableCompression(...), CompressionMiddleware
//	error middleware                      WithErrorHandler, Application.ErrorResponse
//	app[key] with web.AppKey              AppKey[T].Get(app), .Set(app, v)
//	app.on_startup.append(f)              app.OnStartup.Append(f)
//	app.cleanup_ctx                       app.CleanupCtx
//	app.add_subapp(prefix, sub)           app.AddSubapp(prefix, sub)
//	web.run_app(app, host=..., port=...)  RunApp(app, RunOptions{...})
//	web.AppRunner, web.TCPSite            NewAppRunner, NewTCPSite
//	web.UnixSite, web.SockSite            NewUnixSite, NewListenerSite
//	access_log_format                     ServerOptions.AccessLogFormat
//	AbstractAccessLogger                  AccessLogger
package web
