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
