package web

import "fmt"

// GetView is a class-based view (see [Router.View]) that answers GET, and
// HEAD unless it is also a [HeadView].
type GetView interface {
	Get(req *Request) (Response, error)
}

// HeadView is a class-based view that answers HEAD.
type HeadView interface {
	Head(req *Request) (Response, error)
}

// PostView is a class-based view that answers POST.
type PostView interface {
	Post(req *Request) (Response, error)
}

// PutView is a class-based view that answers PUT.
type PutView interface {
	Put(req *Request) (Response, error)
}

// PatchView is a class-based view that answers PATCH.
type PatchView interface {
	Patch(req *Request) (Response, error)
}

// DeleteView is a class-based view that answers DELETE.
type DeleteView interface {
	Delete(req *Request) (Response, error)
}

// OptionsView is a class-based view that answers OPTIONS.
type OptionsView interface {
	Options(req *Request) (Response, error)
}

// View registers a class-based view (aiohttp's add_view): one route per
// method view implements among [GetView], [HeadView], [PostView],
// [PutView], [PatchView], [DeleteView] and [OptionsView], in that order.
// The GET route answers HEAD too, unless the view has its own Head method
// or AllowHead(false) is given. Other methods get 405 Method Not Allowed
// with an Allow header listing the view's methods. A [Name] option names
// the first route; the others are unnamed. View panics if view implements
// none of the interfaces.
func (rt *Router) View(path string, view any, opts ...RouteOption) []*Route {
	type verb struct {
		method string
		h      Handler
	}
	var verbs []verb
	_, hasHead := view.(HeadView)
	if v, ok := view.(GetView); ok {
		verbs = append(verbs, verb{"GET", v.Get})
	}
	if v, ok := view.(HeadView); ok {
		verbs = append(verbs, verb{"HEAD", v.Head})
	}
	if v, ok := view.(PostView); ok {
		verbs = append(verbs, verb{"POST", v.Post})
	}
	if v, ok := view.(PutView); ok {
		verbs = append(verbs, verb{"PUT", v.Put})
	}
	if v, ok := view.(PatchView); ok {
		verbs = append(verbs, verb{"PATCH", v.Patch})
	}
	if v, ok := view.(DeleteView); ok {
		verbs = append(verbs, verb{"DELETE", v.Delete})
	}
	if v, ok := view.(OptionsView); ok {
		verbs = append(verbs, verb{"OPTIONS", v.Options})
	}
	if len(verbs) == 0 {
		panic(fmt.Sprintf("web: view %T implements none of GetView, HeadView, PostView, PutView, PatchView, DeleteView, OptionsView", view))
	}
	o := collectOptions(opts)
	if hasHead {
		o.allowHead = false
	}
	routes := make([]*Route, 0, len(verbs))
	for i, v := range verbs {
		if i > 0 {
			o.name = ""
		}
		routes = append(routes, rt.add(v.method, path, v.h, o))
	}
	return routes
}
