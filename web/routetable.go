package web

// RouteTable is a list of route definitions registered together with
// [Router.AddRoutes] (aiohttp's RouteTableDef): declare routes beside
// their handlers, register them in one call.
//
//	var routes web.RouteTable
//	routes.Get("/", index)
//	routes.Post("/users", createUser, web.Name("create-user"))
//	app.Router.AddRoutes(routes)
type RouteTable []RouteDef

// RouteDef is one route definition of a [RouteTable]: a handler for a
// method and path, or, when View is set, a class-based view (see
// [Router.View]) and no Method or Handler.
type RouteDef struct {
	Method  string
	Path    string
	Handler Handler
	View    any
	Options []RouteOption
}

// Get adds a GET route, which also answers HEAD unless AllowHead(false)
// is given.
func (t *RouteTable) Get(path string, h Handler, opts ...RouteOption) {
	t.Handle("GET", path, h, opts...)
}

// Post adds a POST route.
func (t *RouteTable) Post(path string, h Handler, opts ...RouteOption) {
	t.Handle("POST", path, h, opts...)
}

// Put adds a PUT route.
func (t *RouteTable) Put(path string, h Handler, opts ...RouteOption) {
	t.Handle("PUT", path, h, opts...)
}

// Patch adds a PATCH route.
func (t *RouteTable) Patch(path string, h Handler, opts ...RouteOption) {
	t.Handle("PATCH", path, h, opts...)
}

// Delete adds a DELETE route.
func (t *RouteTable) Delete(path string, h Handler, opts ...RouteOption) {
	t.Handle("DELETE", path, h, opts...)
}

// Head adds a HEAD route.
func (t *RouteTable) Head(path string, h Handler, opts ...RouteOption) {
	t.Handle("HEAD", path, h, opts...)
}

// Options adds an OPTIONS route.
func (t *RouteTable) Options(path string, h Handler, opts ...RouteOption) {
	t.Handle("OPTIONS", path, h, opts...)
}

// Any adds a route that answers every method.
func (t *RouteTable) Any(path string, h Handler, opts ...RouteOption) {
	t.Handle("*", path, h, opts...)
}

// Handle adds a route for method, or "*" for every method.
func (t *RouteTable) Handle(method, path string, h Handler, opts ...RouteOption) {
	*t = append(*t, RouteDef{Method: method, Path: path, Handler: h, Options: opts})
}

// View adds a class-based view.
func (t *RouteTable) View(path string, view any, opts ...RouteOption) {
	*t = append(*t, RouteDef{Path: path, View: view, Options: opts})
}
