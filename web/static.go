package web

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// StaticOptions configures a static route (the keyword arguments of
// aiohttp's add_static). The zero value serves files only, no listings,
// and no symbolic link that leads outside the directory.
type StaticOptions struct {
	// Name names the route, for [Router.URLFor] with the "filename"
	// parameter: URLFor("static", "filename", "css/site.css").
	Name string
	// ShowIndex answers a directory with an HTML list of its entries;
	// without it a directory is 403 Forbidden.
	ShowIndex bool
	// FollowSymlinks lets symbolic links lead anywhere. Without it a
	// link is followed only while it stays inside the directory; one that
	// leads outside is 404 Not Found.
	FollowSymlinks bool
	// AppendVersion makes URLFor add "v=" and a hash of the file's
	// content to the query, so that a URL changes with the file and can
	// be cached for ever: the unpadded URL-safe base64 of its SHA-256.
	// A file that cannot be read gets no version.
	AppendVersion bool
}

// Static serves the files under dir at prefix (aiohttp's add_static):
// GET and HEAD of prefix+"/css/site.css" send dir/css/site.css as a
// [FileResponse] does (conditional requests, ranges, precompressed
// siblings, sendfile). It registers and returns a GET route with the
// pattern prefix+"/{filename:.*}"; prefix "/" serves dir at the root.
//
// Requests cannot leave dir: a path that climbs out of it with "..", in
// any encoding ("%2e%2e", "..%2f") is 404 Not Found, as are NUL bytes and
// invalid escapes; an absolute path ("/static//etc/passwd", "%2fetc") or
// a backslash is 403 Forbidden; and unless FollowSymlinks is set, a
// symbolic link is followed only while it stays inside dir (os.Root
// checks every step, so no link swapped in meanwhile gets out either).
// Static panics, as registration errors do, when dir is not a directory.
func (rt *Router) Static(prefix, dir string, opts StaticOptions) *Route {
	if prefix == "" || prefix[0] != '/' {
		panic(fmt.Sprintf(`web: static prefix %q must start with "/"`, prefix))
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		var fi fs.FileInfo
		if fi, err = os.Stat(abs); err == nil && !fi.IsDir() {
			err = errors.New("not a directory")
		}
	}
	if err != nil {
		panic(fmt.Sprintf("web: static directory %q: %v", dir, err))
	}
	s := &staticDir{dir: abs, opts: opts, cache: newFileCache()}
	if !opts.FollowSymlinks {
		s.root, err = os.OpenRoot(abs)
	}
	if err == nil {
		s.dirFile, err = os.Open(abs)
	}
	if err != nil {
		panic(fmt.Sprintf("web: static directory %q: %v", dir, err))
	}
	s.dirFD = int(s.dirFile.Fd())
	r := rt.add("GET", strings.TrimRight(prefix, "/")+staticParam, s.handle, routeOptions{name: opts.Name, allowHead: true})
	r.static = s
	s.route = r
	return r
}

// staticParam ends the pattern of a static route.
const staticParam = "/{filename:.*}"

// staticDir is the directory a static route serves.
type staticDir struct {
	dir  string   // absolute
	root *os.Root // nil when symbolic links may lead anywhere
	// dirFile is the directory opened, kept for dirFD, its descriptor,
	// below which files are opened (with root) and checked in the cache.
	dirFile *os.File
	dirFD   int
	cache   *fileCache // small files' contents; nil where unsupported
	opts    StaticOptions
	route   *Route

	versions sync.Map // file name → fileVersion, for AppendVersion
}

// fileVersion is the content hash of a file as it was at a modification
// time and size.
type fileVersion struct {
	modified time.Time
	size     int64
	hash     string
}

// open opens name, a clean relative slash path ("." for the directory
// itself), within the directory.
func (s *staticDir) open(name string) (*os.File, error) {
	if s.root != nil {
		return openBeneath(s.root, s.dirFD, filepath.FromSlash(name))
	}
	return openFile(filepath.Join(s.dir, filepath.FromSlash(name)))
}

// cleanName turns a file name, as the route's "filename" parameter gives
// it (fully percent-decoded), into a clean relative slash path inside the
// directory, or the HTTP error refusing it.
func cleanName(name string) (string, error) {
	switch {
	case strings.IndexByte(name, 0) >= 0:
		return "", HTTPNotFound()
	case strings.HasPrefix(name, "/") || strings.IndexByte(name, '\\') >= 0 || filepath.VolumeName(name) != "":
		return "", HTTPForbidden() // an absolute or a Windows path, as aiohttp refuses
	}
	name = path.Clean(name)
	if name == ".." || strings.HasPrefix(name, "../") {
		return "", HTTPNotFound()
	}
	return name, nil
}

func (s *staticDir) handle(req *Request) (Response, error) {
	name, err := cleanName(req.MatchInfo().Get("filename"))
	if err != nil {
		return nil, err
	}
	// The cache holds files as they are: for requests that take no
	// precompressed sibling.
	cache := s.cache
	if cache != nil && acceptsSibling(req) {
		cache = nil
	}
	if cache != nil {
		if cf := cache.get(s.dirFD, name); cf != nil {
			return &FileResponse{path: name, cached: cf, status: 200}, nil
		}
	}
	f, err := s.open(name)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, HTTPForbidden()
		}
		return nil, HTTPNotFound() // missing, a link loop, or a link out of the directory
	}
	fi, err := f.Stat()
	switch {
	case err == nil && fi.Mode().IsRegular():
		if cache != nil {
			if cf := cache.load(name, f, fi); cf != nil {
				f.Close()
				return &FileResponse{path: name, cached: cf, status: 200}, nil
			}
		}
		// The response sends the file it is handed, open, so that a
		// request costs one path walk.
		return &FileResponse{path: name, open: s.open, file: f, info: fi, status: 200}, nil
	case err == nil && fi.IsDir() && s.opts.ShowIndex:
		defer f.Close()
		return s.index(f, name)
	}
	f.Close()
	return nil, HTTPForbidden() // a directory without index, or a special file
}

// index lists the directory d, at name, as aiohttp's show_index does: an HTML
// page with a link to each entry, in name order, directories marked
// with a trailing slash.
func (s *staticDir) index(d *os.File, name string) (Response, error) {
	entries, err := d.ReadDir(-1)
	if err != nil {
		return nil, HTTPForbidden()
	}
	rel := ""
	if name != "." {
		rel = name
	}
	title := "Index of /" + html.EscapeString(rel)
	var b strings.Builder
	b.WriteString("<html>\n<head>\n<title>" + title + "</title>\n</head>\n<body>\n<h1>" + title + "</h1>\n<ul>\n")
	base := strings.TrimSuffix(s.route.full, staticParam)
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for i, e := range entries {
		if i > 0 {
			b.WriteByte('\n')
		}
		label := e.Name()
		if e.IsDir() {
			label += "/"
		}
		href := escapeLiteral(path.Join(base+"/", rel, e.Name()))
		b.WriteString(`<li><a href="` + html.EscapeString(href) + `">` + html.EscapeString(label) + "</a></li>")
	}
	b.WriteString("\n</ul>\n</body>\n</html>")
	return Text(b.String(), WithContentType("text/html")), nil
}

// version returns the content hash of the file filename names, cached
// while its modification time and size stay the same, or "" when it
// cannot be read.
func (s *staticDir) version(filename string) string {
	name, err := cleanName(filename)
	if err != nil {
		return ""
	}
	f, err := s.open(name)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	if v, ok := s.versions.Load(name); ok {
		if v := v.(fileVersion); v.modified.Equal(fi.ModTime()) && v.size == fi.Size() {
			return v.hash
		}
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	hash := base64.RawURLEncoding.EncodeToString(h.Sum(nil))
	s.versions.Store(name, fileVersion{modified: fi.ModTime(), size: fi.Size(), hash: hash})
	return hash
}
