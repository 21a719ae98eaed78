package web

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
)

// ErrorHandler turns an error that reached the server (from a handler, a
// middleware, or a recovered panic as a [*PanicError]) into the response
// sent for it, as an aiohttp error middleware does. It returns nil to
// leave the error to [DefaultErrorHandler]. Set one with
// [WithErrorHandler]; an API answers its errors as JSON this way:
//
//	func jsonErrors(req *web.Request, err error) web.Response {
//		status := http.StatusInternalServerError
//		var he *web.HTTPError
//		if errors.As(err, &he) {
//			status = he.Status
//		}
//		resp, _ := web.JSON(map[string]any{"error": http.StatusText(status)})
//		return resp.SetStatus(status)
//	}
type ErrorHandler func(req *Request, err error) Response

// WithErrorHandler sets how the application answers errors and panics
// (the text or HTML of [DefaultErrorHandler] otherwise). Its
// sub-applications use it too unless they set their own.
func WithErrorHandler(h ErrorHandler) AppOption {
	return func(a *Application) { a.errorHandler = h }
}

// PanicError is a handler panic the server recovered: the value passed to
// panic and the stack where it happened. Middlewares and the error
// handler get it as the handler's error, as aiohttp's middlewares get the
// exception a handler raised.
type PanicError struct {
	Value any
	Stack []byte
}

// Error returns "web: handler panic: " and the panic value.
func (p *PanicError) Error() string { return fmt.Sprintf("web: handler panic: %v", p.Value) }

// call runs a handler, turning a panic into a *PanicError.
func call(h Handler, req *Request) (resp Response, err error) {
	defer func() {
		if v := recover(); v != nil {
			resp, err = nil, &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return h(req)
}

// recovering returns h with its panics turned into errors, so that the
// middlewares around it see them.
func recovering(h Handler) Handler {
	return func(req *Request) (Response, error) { return call(h, req) }
}

// ErrorResponse returns the response the application sends for err, from
// its error handler: a middleware that must see the status the client
// gets for an error (an access log) returns this response instead of the
// error. An error that is no [*HTTPError] is logged, once, here.
func (a *Application) ErrorResponse(req *Request, err error) Response {
	if httpErrorOf(err) == nil {
		logFailure(a, req, err)
	}
	if a.errorHandler != nil {
		if resp := a.customErrorResponse(req, err); resp != nil {
			return resp
		}
	}
	return DefaultErrorHandler(req, err)
}

// customErrorResponse runs the application's error handler; a panic in
// it is logged and leaves the error to the default handler.
func (a *Application) customErrorResponse(req *Request, err error) (resp Response) {
	defer func() {
		if v := recover(); v != nil {
			logFailure(a, req, &PanicError{Value: v, Stack: debug.Stack()})
			resp = nil
		}
	}()
	return a.errorHandler(req, err)
}

// errorResponse is the response for err to a request on its own
// application (the root one when routing failed).
func errorResponse(req *Request, err error) Response {
	return req.app.ErrorResponse(req, err)
}

// DefaultErrorHandler is the error handler of applications that set none,
// and the fallback of those whose handler returns nil: an *[HTTPError]
// anywhere in the chain becomes its own response; anything else becomes a
// 500, an HTML page when the client accepts text/html, with the error
// (and a panic's stack) only in debug mode.
func DefaultErrorHandler(req *Request, err error) Response {
	if he := httpErrorOf(err); he != nil {
		return he.response()
	}
	detail := "Server got itself in trouble"
	if req.app != nil && req.app.debug {
		detail = err.Error()
		var pe *PanicError
		if errors.As(err, &pe) {
			detail += "\n\n" + string(pe.Stack)
		}
	}
	title := "500 Internal Server Error"
	if strings.Contains(req.headerView("Accept"), "text/html") {
		page := "<html><head><title>" + title + "</title></head><body><h1>" + title +
			"</h1>" + htmlEscape(detail) + "</body></html>"
		return Text(page).SetStatus(500).SetContentType("text/html")
	}
	return Text(title + "\n\n" + detail).SetStatus(500)
}

// httpErrorOf returns the *HTTPError in err's chain, or the one a
// multipart reading error answers (413 or 400), or nil; err itself
// being one costs no allocation.
func httpErrorOf(err error) *HTTPError {
	if he, ok := err.(*HTTPError); ok {
		return he
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he
	}
	return multipartHTTPError(err)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
