package web

// Handler answers one request. It returns the response to send, or an
// error: an [*HTTPError] (web.HTTPNotFound(), web.HTTPFound(location), ...)
// becomes its own response; any other error becomes a 500, unless the
// application's [ErrorHandler] answers it otherwise.
//
// The *Request belongs to the handler only until it returns; strings,
// headers and bodies read from it stay valid afterwards.
type Handler func(req *Request) (Response, error)

// Middleware wraps every handler of an application (and of its
// sub-applications): it may act before calling next, change what next
// returns, or answer without calling it, like aiohttp's
// `async def middleware(request, handler)`. A handler's panic comes back
// from next as a [*PanicError]; [Application.ErrorResponse] turns any
// error into the response the client would get.
type Middleware func(req *Request, next Handler) (Response, error)
