package web

// AppKey is a typed key for application state (aiohttp's web.AppKey): the
// value stored under it always has type T, so reading it needs no type
// assertion.
//
//	var dbKey = web.NewAppKey[*sql.DB]("db")
//	dbKey.Set(app, db)
//	db := dbKey.Get(req.App())
type AppKey[T any] struct {
	name string
}

// NewAppKey returns a new key; name is for error messages only, and two keys
// with the same name are still different keys.
func NewAppKey[T any](name string) *AppKey[T] {
	return &AppKey[T]{name: name}
}

// Name returns the name the key was made with.
func (k *AppKey[T]) Name() string { return k.name }

// Set stores v under k in app's state. State may change at any time,
// also from startup handlers and cleanup contexts of a running application.
func (k *AppKey[T]) Set(app *Application, v T) {
	app.stateMu.Lock()
	defer app.stateMu.Unlock()
	if app.state == nil {
		app.state = make(map[any]any)
	}
	app.state[k] = v
}

// Lookup returns the value stored under k in app or, failing that, in the
// nearest parent application that has one (aiohttp's config_dict).
func (k *AppKey[T]) Lookup(app *Application) (T, bool) {
	for a := app; a != nil; a = a.parent {
		a.stateMu.RLock()
		v, ok := a.state[k]
		a.stateMu.RUnlock()
		if ok {
			return v.(T), true
		}
	}
	var zero T
	return zero, false
}

// Get returns the value Lookup finds, or T's zero value.
func (k *AppKey[T]) Get(app *Application) T {
	v, _ := k.Lookup(app)
	return v
}

// Delete removes the value stored under k in app itself.
func (k *AppKey[T]) Delete(app *Application) {
	app.stateMu.Lock()
	defer app.stateMu.Unlock()
	delete(app.state, k)
}

// RequestKey is a typed key for per-request state (aiohttp's
// request["user"]): a middleware stores a value under it and the handler
// reads it back with its type, no assertion needed.
//
//	var userKey = web.NewRequestKey[*User]("user")
//
//	func auth(req *web.Request, next web.Handler) (web.Response, error) {
//		userKey.Set(req, lookupUser(req))
//		return next(req)
//	}
//
//	func handler(req *web.Request) (web.Response, error) {
//		user := userKey.Get(req)
//		...
//	}
//
// A value lives as long as its request: the server forgets it when the
// request ends. Like the rest of a Request, per-request state is for the
// goroutine running the handler; it is not safe for concurrent use.
// A request that stores nothing costs nothing, and storing a pointer
// allocates nothing once the connection's first request has grown the
// storage.
type RequestKey[T any] struct {
	name string
}

// NewRequestKey returns a new key; name is for error messages only, and two
// keys with the same name are still different keys.
func NewRequestKey[T any](name string) *RequestKey[T] {
	return &RequestKey[T]{name: name}
}

// Name returns the name the key was made with.
func (k *RequestKey[T]) Name() string { return k.name }

// Set stores v under k in req's state, replacing what was stored before.
func (k *RequestKey[T]) Set(req *Request, v T) {
	req.dirty = true
	for i := range req.state {
		if req.state[i].key == k {
			req.state[i].value = v
			return
		}
	}
	req.state = append(req.state, stateEntry{key: k, value: v})
}

// Lookup returns the value stored under k in req's state, and whether there
// is one.
func (k *RequestKey[T]) Lookup(req *Request) (T, bool) {
	for _, e := range req.state {
		if e.key == k {
			return e.value.(T), true
		}
	}
	var zero T
	return zero, false
}

// Get returns the value Lookup finds, or T's zero value.
func (k *RequestKey[T]) Get(req *Request) T {
	v, _ := k.Lookup(req)
	return v
}

// Delete removes the value stored under k from req's state.
func (k *RequestKey[T]) Delete(req *Request) {
	for i, e := range req.state {
		if e.key == k {
			last := len(req.state) - 1
			req.state[i] = req.state[last]
			req.state[last] = stateEntry{}
			req.state = req.state[:last]
			return
		}
	}
}

// stateEntry is one value of a request's state and the *RequestKey it is
// stored under.
type stateEntry struct {
	key, value any
}
