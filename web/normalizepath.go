package web

import "strings"

// TrailingSlash says what [NormalizePathMiddleware] tries with the
// trailing slash of a path no route matches.
type TrailingSlash int

const (
	// AppendSlash tries the path with a slash appended (aiohttp's
	// append_slash=True, the default).
	AppendSlash TrailingSlash = iota
	// RemoveSlash tries the path without its trailing slash (aiohttp's
	// remove_slash=True with append_slash=False).
	RemoveSlash
	// KeepSlash leaves the trailing slash alone (aiohttp's
	// append_slash=False).
	KeepSlash
)

// NormalizePathOptions configure [NormalizePathMiddleware]. The zero value
// is aiohttp's default: merge runs of slashes, append a trailing slash,
// redirect with 308 Permanent Redirect.
type NormalizePathOptions struct {
	// TrailingSlash says whether to try the path with a trailing slash
	// appended (the zero value), removed, or neither: appending and
	// removing exclude each other.
	TrailingSlash TrailingSlash
	// DisableMergeSlashes leaves runs of slashes ("//a///b") as they are
	// (aiohttp's merge_slashes=False).
	DisableMergeSlashes bool
	// Redirect builds the redirect to the normalized path (aiohttp's
	// redirect_class), such as HTTPMovedPermanently; nil means
	// HTTPPermanentRedirect, a 308 that keeps the method and body.
	Redirect func(location string) *HTTPError
}

// NormalizePathMiddleware returns a middleware that redirects a request no
// route matches to a normalized path that one does (aiohttp's
// normalize_path_middleware). It tries, in this order, the path with runs
// of slashes merged into one, the path with a trailing slash appended (or
// removed, as opts say), and the path with both changes, and redirects to
// the first one for which a route answers the request's method, keeping
// the query. A request a route matches, and one no normalized path
// helps, go on to the next handler unchanged: the 404 or 405 stays.
//
// The location never starts with "//", which a browser would take for
// another host (aiohttp's GHSA-v6wp-4m6f-gcjg). Add the middleware to the
// application whose paths it normalizes; in a sub-application of
// AddDomain it normalizes the paths of that sub-application.
func NormalizePathMiddleware(opts NormalizePathOptions) Middleware {
	redirect := opts.Redirect
	if redirect == nil {
		redirect = HTTPPermanentRedirect
	}
	return func(req *Request, next Handler) (Response, error) {
		if req.match.route == nil {
			if path, ok := normalizedPath(req, opts); ok {
				if q := req.QueryString(); q != "" {
					path += "?" + q
				}
				return nil, redirect(path)
			}
		}
		return next(req)
	}
}

// normalizedPath returns the first normalized form of req's escaped path
// that a route of req's application answers for req's method.
func normalizedPath(req *Request, opts NormalizePathOptions) (string, bool) {
	raw := req.RawPath()
	if !strings.HasPrefix(raw, "/") {
		return "", false // "*" or an authority: no path to normalize
	}
	merge := !opts.DisableMergeSlashes
	slash := strings.HasSuffix(raw, "/")
	var candidates []string
	if merge {
		candidates = append(candidates, mergeSlashes(raw))
	}
	switch {
	case opts.TrailingSlash == AppendSlash && !slash:
		candidates = append(candidates, raw+"/")
	case opts.TrailingSlash == RemoveSlash && slash:
		candidates = append(candidates, raw[:len(raw)-1])
	}
	switch {
	case merge && opts.TrailingSlash == AppendSlash:
		candidates = append(candidates, mergeSlashes(raw+"/"))
	case merge && opts.TrailingSlash == RemoveSlash && slash:
		merged := mergeSlashes(raw)
		candidates = append(candidates, merged[:len(merged)-1])
	}
	for _, path := range candidates {
		for strings.HasPrefix(path, "//") {
			path = path[1:]
		}
		if path != "" && path != raw && resolves(req, path) {
			return path, true
		}
	}
	return "", false
}

// resolves reports whether a route of req's application answers req's
// method at the escaped path.
func resolves(req *Request, path string) bool {
	var m MatchInfo
	route, _ := req.app.Router.resolve(req.method, routingPath(path), &m)
	return route != nil
}

// mergeSlashes replaces every run of slashes in path by one slash.
func mergeSlashes(path string) string {
	if !strings.Contains(path, "//") {
		return path
	}
	var b strings.Builder
	b.Grow(len(path))
	for i := 0; i < len(path); i++ {
		if path[i] != '/' || i == 0 || path[i-1] != '/' {
			b.WriteByte(path[i])
		}
	}
	return b.String()
}
