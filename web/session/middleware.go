package session

import (
	"context"
	"errors"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// state is a request's session bookkeeping.
type state struct {
	storage Storage
	opts    *Options
	req     *web.Request
	cookie  string   // the session cookie the request came with
	session *Session // loaded on first use
}

var stateKey = web.NewRequestKey[*state]("session")

// Middleware returns the middleware that gives handlers their sessions
// from storage and saves the sessions they changed: a response gets the
// session cookie only when the session changed (or was invalidated: then
// the cookie is deleted).
func Middleware(storage Storage, opts Options) web.Middleware {
	if opts.CookieName == "" {
		opts.CookieName = "AIOHTTP_SESSION"
	}
	if opts.Path == "" {
		opts.Path = "/"
	}
	if opts.SameSite == "" {
		opts.SameSite = web.SameSiteLax
	}
	return func(req *web.Request, next web.Handler) (web.Response, error) {
		st := &state{storage: storage, opts: &opts, req: req, cookie: req.Cookie(opts.CookieName)}
		stateKey.Set(req, st)
		resp, err := next(req)
		cookie, serr := st.save()
		if serr != nil {
			return resp, errors.Join(err, serr)
		}
		if cookie == "" {
			return resp, err
		}
		var he *web.HTTPError
		switch {
		case resp != nil:
			if p, ok := resp.(interface{ Prepared() bool }); ok && p.Prepared() {
				return resp, errors.Join(err, ErrPrepared)
			}
			resp.Header().Add("Set-Cookie", cookie)
		case errors.As(err, &he):
			he.WithHeader("Set-Cookie", cookie)
		}
		return resp, err
	}
}

// Get returns the request's session: the one its cookie names, or a new
// empty one (IsNew) when it has none or the storage does not know it.
func Get(req *web.Request) (*Session, error) {
	st, ok := stateKey.Lookup(req)
	if !ok {
		return nil, ErrNoMiddleware
	}
	if st.session != nil {
		return st.session, nil
	}
	s := &Session{values: map[string]any{}, maxAge: st.opts.MaxAge}
	if st.cookie != "" {
		r, ok, err := st.storage.Load(req.Context(), st.cookie)
		if err != nil {
			return nil, err
		}
		if ok {
			s.identity, s.created, s.values = r.Identity, r.Created, r.Values
			if s.values == nil {
				s.values = map[string]any{}
			}
			if r.MaxAge != 0 {
				s.maxAge = r.MaxAge
			}
		}
	}
	if s.created.IsZero() {
		s.created, s.isNew = time.Now(), true
	}
	st.session = s
	return s, nil
}

// New replaces the request's session with a new, empty one under a new
// identity, and forgets the old one: call it when a user logs in, so that
// an identity planted before (session fixation) is worth nothing after.
func New(req *web.Request) (*Session, error) {
	st, ok := stateKey.Lookup(req)
	if !ok {
		return nil, ErrNoMiddleware
	}
	st.session = &Session{values: map[string]any{}, created: time.Now(), isNew: true,
		changed: true, renew: true, previous: st.cookie, maxAge: st.opts.MaxAge}
	return st.session, nil
}

// save stores a changed session and returns the Set-Cookie value to send,
// "" when nothing changed.
func (st *state) save() (string, error) {
	s := st.session
	if s == nil {
		return "", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.changed {
		return "", nil
	}
	ctx := context.WithoutCancel(st.req.Context())
	c := web.Cookie{Name: st.opts.CookieName, Domain: st.opts.Domain, Path: st.opts.Path,
		Secure: st.opts.Secure, HTTPOnly: !st.opts.ScriptAccess, SameSite: st.opts.SameSite}
	forget := st.cookie
	if !s.renew && !s.invalid {
		forget = ""
	}
	if forget != "" {
		if err := st.storage.Delete(ctx, forget); err != nil {
			return "", err
		}
	}
	if s.invalid {
		c.MaxAge = -1
		return c.String(), nil
	}
	r := Record{Created: s.created, Values: s.values, MaxAge: s.maxAge}
	if !s.renew {
		r.Identity = s.identity
	}
	value, err := st.storage.Save(ctx, &r)
	if err != nil {
		return "", err
	}
	s.identity, s.changed, s.renew = r.Identity, false, false
	c.Value = value
	if s.maxAge > 0 {
		c.MaxAge = int(s.maxAge / time.Second)
	}
	return c.String(), nil
}
