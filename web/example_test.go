package web_test

import (
	"fmt"
	"net/url"

	"github.com/aiohttp-go/aiohttp/web"
)

func ExampleRouter() {
	app := web.NewApplication()
	app.Router.Get("/users/{id}", func(req *web.Request) (web.Response, error) {
		return web.Text("user " + req.MatchInfo().Get("id")), nil
	}, web.Name("user"))
	app.Router.Get("/static/{path:.+}", func(req *web.Request) (web.Response, error) {
		return web.Text(req.MatchInfo().Get("path")), nil
	}, web.Name("static"))

	u, _ := app.Router.URLFor("user", "id", "42")
	fmt.Println(u)
	u, _ = app.Router.URLFor("static", "path", "css/site v2.css")
	fmt.Println(u)
	_, err := app.Router.URLFor("user", "id", "a/b")
	fmt.Println(err)
	// Output:
	// /users/42
	// /static/css/site%20v2.css
	// web: value "a/b" of parameter "id" does not match [^{}/]+
}

func ExampleRouter_URLForQuery() {
	app := web.NewApplication()
	app.Router.Get("/users/{id}/posts", func(req *web.Request) (web.Response, error) {
		return web.Text("page " + req.Query().Get("page")), nil
	}, web.Name("user-posts"))

	u, _ := app.Router.URLForQuery("user-posts", url.Values{"page": {"2"}, "sort": {"new first"}}, "id", "42")
	fmt.Println(u)
	// Output:
	// /users/42/posts?page=2&sort=new+first
}

func ExampleRouteTable() {
	var routes web.RouteTable
	routes.Get("/", func(*web.Request) (web.Response, error) { return web.Text("index"), nil })
	routes.Post("/items", func(*web.Request) (web.Response, error) { return web.NewResponse(201), nil })

	app := web.NewApplication()
	app.Router.AddRoutes(routes)
	for _, r := range app.Router.Routes() {
		fmt.Println(r.Method(), r.Pattern())
	}
	// Output:
	// GET /
	// POST /items
}

// itemView is a class-based view: it answers GET (and HEAD) and DELETE;
// other methods get 405 with "Allow: DELETE, GET, HEAD".
type itemView struct{}

func (itemView) Get(req *web.Request) (web.Response, error) {
	return web.Text("item " + req.MatchInfo().Get("id")), nil
}

func (itemView) Delete(*web.Request) (web.Response, error) {
	return web.NewResponse(204), nil
}

func ExampleRouter_View() {
	app := web.NewApplication()
	for _, r := range app.Router.View("/items/{id}", itemView{}) {
		fmt.Println(r.Method(), r.Pattern())
	}
	// Output:
	// GET /items/{id}
	// DELETE /items/{id}
}

func ExampleRouter_subApplication() {
	admin := web.NewApplication()
	admin.Router.Get("/users/{id}", func(*web.Request) (web.Response, error) {
		return web.Text("admin user"), nil
	}, web.Name("admin-user"))

	app := web.NewApplication()
	app.AddSubapp("/admin", admin)
	u, _ := admin.Router.URLFor("admin-user", "id", "7")
	fmt.Println(u)
	// Output: /admin/users/7
}
