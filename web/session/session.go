package session

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// Session is the state of one user across requests. Its methods are safe
// for concurrent use.
type Session struct {
	mu       sync.Mutex
	values   map[string]any
	identity string // the storage's key for the session, "" for cookie storages
	created  time.Time
	isNew    bool
	changed  bool
	invalid  bool
	maxAge   time.Duration
	renew    bool // New was called: the identity must change
	previous string
}

// Get returns the value stored under key and whether there is one.
func (s *Session) Get(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[key]
	return v, ok
}

// String returns the value under key when it is a string, else "".
func (s *Session) String(key string) string {
	v, _ := s.Get(key)
	str, _ := v.(string)
	return str
}

// Set stores v under key; v must marshal to JSON.
func (s *Session) Set(key string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[key] = v
	s.changed = true
}

// Delete removes key.
func (s *Session) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.values[key]; ok {
		delete(s.values, key)
		s.changed = true
	}
}

// Keys returns the keys of the session, sorted.
func (s *Session) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.values))
}

// Changed marks the session as changed, for a value changed in place
// (a map or slice stored earlier): only changed sessions are saved.
func (s *Session) Changed() {
	s.mu.Lock()
	s.changed = true
	s.mu.Unlock()
}

// IsNew reports whether the session did not come with the request.
func (s *Session) IsNew() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isNew
}

// Identity returns the session's key in a server-side storage (Redis),
// "" in cookie storages and before a new session is first saved.
func (s *Session) Identity() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.identity
}

// Created returns when the session was made.
func (s *Session) Created() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created
}

// SetMaxAge changes the session's lifetime from Options.MaxAge, for this
// response and later ones (0: until the browser closes).
func (s *Session) SetMaxAge(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxAge = d
	s.changed = true
}

// Invalidate empties the session and deletes it: the response removes the
// cookie (and the storage its data).
func (s *Session) Invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.values)
	s.invalid, s.changed = true, true
}

// Record is what a Storage keeps of a session.
type Record struct {
	// Identity is the storage's key ("" for cookie storages).
	Identity string
	Created  time.Time
	Values   map[string]any
	// MaxAge is the lifetime the session was saved with.
	MaxAge time.Duration
}

// Storage keeps sessions for the Middleware, which handles the cookie.
type Storage interface {
	// Load returns the session a cookie value names; ok is false when
	// there is none (unknown, expired, tampered with), never an error for
	// what a client sent.
	Load(ctx context.Context, cookie string) (r Record, ok bool, err error)
	// Save stores r, giving it an identity when it has none, and returns
	// the cookie value that names it.
	Save(ctx context.Context, r *Record) (cookie string, err error)
	// Delete forgets the session a cookie value names.
	Delete(ctx context.Context, cookie string) error
}

// Options are the session cookie's attributes; the zero value is
// aiohttp-session's defaults.
type Options struct {
	// CookieName is the cookie's name ("AIOHTTP_SESSION" when empty).
	CookieName string
	// MaxAge is the session's lifetime: the cookie's Max-Age and the
	// storage's expiry. 0 keeps the cookie until the browser closes (a
	// RedisStorage then keeps the data for DefaultServerMaxAge).
	MaxAge time.Duration
	// Domain and Path scope the cookie (Path "/" when empty).
	Domain, Path string
	// Secure sends the cookie over HTTPS only.
	Secure bool
	// ScriptAccess lets scripts read the cookie (no HttpOnly attribute).
	ScriptAccess bool
	// SameSite is the cookie's SameSite attribute (Lax when empty).
	SameSite web.SameSite
}

// ErrNoMiddleware is returned by Get and New for a request that did not
// go through Middleware.
var ErrNoMiddleware = errors.New("session: no session middleware on this route")

// ErrPrepared is returned by Middleware when a handler changed the
// session after its response was prepared (its head, without the cookie,
// already sent).
var ErrPrepared = errors.New("session: changed after the response was prepared; the change is not saved")
