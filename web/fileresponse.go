package web

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/compress"
	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// FileResponse sends a file from disk (aiohttp's web.FileResponse). When
// the handler returns it, it opens the file and answers the request as
// HTTP caching and range requests say:
//
//   - Content-Type from the file name's extension (charset utf-8 for text
//     types), unless the handler set one; Last-Modified, an ETag made of
//     the modification time and the size as aiohttp makes it, and
//     Accept-Ranges: bytes;
//   - If-Match and If-Unmodified-Since that fail → 412; If-None-Match and
//     If-Modified-Since that match → 304;
//   - a Range of one range → 206 with Content-Range; of several →
//     206 multipart/byteranges; a malformed Range, or one none of whose
//     ranges overlaps the file → 416 with Content-Range "bytes */size".
//     If-Range that does not match the file sends the whole file. Ranges
//     that together ask for more than the file, or more than [MaxRanges]
//     ranges, send the whole file too, as net/http and nginx do;
//   - a precompressed sibling, path+".br", ".zst" or ".gz", when the
//     request's Accept-Encoding accepts its coding (the highest q-value
//     wins; br, then zstd, then gzip on a tie): sent with
//     Content-Encoding and Vary: Accept-Encoding;
//   - a file that does not exist → 404, one the server may not read or
//     that is not a regular file → 403.
//
// On a plain TCP connection a body from 64 KiB goes from the file to the
// socket with sendfile (a smaller one leaves with the head, in one
// write); over TLS and the net/http bridge it is copied. A read error in
// the middle of the body closes the connection.
//
// A FileResponse answers one request: build one per request, as with
// [StreamResponse]. One from a static route holds its file open from the
// handler until it is sent (a middleware that drops it leaves the file to
// the garbage collector to close).
type FileResponse struct {
	path string
	open func(name string) (*os.File, error)
	// file and info are the file at path when it was opened before the
	// response was returned (by a static route); nil otherwise.
	file       *os.File
	info       fs.FileInfo
	status     int
	reason     string
	header     multidict.CIMultiDict
	forceClose bool
	head       responseHead // what is sent, kept here so that it need not be allocated
	// cached is the file's content when a static route keeps it in
	// memory; file and info are nil then.
	cached *cachedFile
}

// validators are what a FileResponse tells of a file: its size, aiohttp's
// entity tag of it, its modification time to the second, and both as
// header values.
type validators struct {
	size              int64
	etag              ETag
	lastModified      time.Time
	etagField         string
	lastModifiedField string
}

// validatorsOf returns the validators of the file fi describes.
func validatorsOf(fi fs.FileInfo) validators {
	size, mtime := fi.Size(), fi.ModTime()
	v := validators{
		size:         size,
		etag:         ETag{Value: strconv.FormatInt(mtime.UnixNano(), 16) + "-" + strconv.FormatInt(size, 16)},
		lastModified: mtime.Truncate(time.Second),
	}
	v.etagField = v.etag.String()
	v.lastModifiedField = v.lastModified.UTC().Format(http.TimeFormat)
	return v
}

// fileBody is what a FileResponse sends from: an open file, or the
// content a static route keeps in memory.
type fileBody struct {
	f    *os.File
	data []byte
}

// send sends span s of the body to out.
func (b fileBody) send(out outbound, s byteSpan) error {
	if b.data != nil {
		return out.write(b.data[s.start : s.start+s.length])
	}
	return out.sendFile(b.f, s.start, s.length)
}

// NewFileResponse returns a 200 response that sends the file at path.
func NewFileResponse(path string) *FileResponse {
	return &FileResponse{path: path, open: openFile, status: 200}
}

// Path returns the path of the file the response sends.
func (r *FileResponse) Path() string { return r.path }

// Status returns the status code sent with the whole file (200 unless
// set); conditional and range requests get their own.
func (r *FileResponse) Status() int { return r.status }

// SetStatus sets the status sent with the whole file and, optionally, a
// custom reason phrase, and returns r.
func (r *FileResponse) SetStatus(status int, reason ...string) *FileResponse {
	r.status, r.reason = status, ""
	if len(reason) > 0 {
		r.reason = reason[0]
	}
	return r
}

// Header returns the header fields sent with the response. A Content-Type
// set here replaces the one guessed from the file name.
func (r *FileResponse) Header() *multidict.CIMultiDict { return &r.header }

// ForceClose closes the connection after the response is sent, and
// returns r.
func (r *FileResponse) ForceClose() *FileResponse {
	r.forceClose = true
	return r
}

// fileCodings are the codings of the precompressed siblings a
// FileResponse looks for, in the order it prefers them among equal
// q-values, and siblingExt their file name extensions.
var (
	fileCodings = []compress.Coding{compress.Brotli, compress.Zstd, compress.Gzip}
	siblingExt  = map[compress.Coding]string{compress.Brotli: ".br", compress.Zstd: ".zst", compress.Gzip: ".gz"}
)

func (r *FileResponse) finish(req *Request) error {
	if r.forceClose {
		req.keepAlive = false
	}
	var body fileBody
	var v validators
	coding := ""
	if r.cached != nil {
		body, v = fileBody{data: r.cached.data}, r.cached.validators
	} else {
		f, fi, c, err := r.openFile(req)
		if err != nil {
			return fileError(err).response().finish(req)
		}
		defer f.Close()
		body, v, coding = fileBody{f: f}, validatorsOf(fi), c
	}
	size, etag, lastModified := v.size, v.etag, v.lastModified
	h := &r.header
	if h.Len() == 0 { // room for the fields added below, in one allocation
		*h = *multidict.NewCI(make([]multidict.Item, 0, 6)...)
	}
	if coding != "" {
		h.Set("Content-Encoding", coding)
		if vary := h.Get("Vary"); vary == "" {
			h.Set("Vary", "Accept-Encoding")
		} else if !field.HasToken(vary, "Accept-Encoding") && !field.HasToken(vary, "*") {
			h.Set("Vary", vary+", Accept-Encoding")
		}
	}
	h.Set("ETag", v.etagField)
	h.Set("Last-Modified", v.lastModifiedField)

	switch checkPreconditions(req, etag, lastModified) {
	case preconditionFailed:
		return r.sendEmpty(req, 412)
	case notModified:
		return r.sendEmpty(req, 304)
	}

	h.Set("Accept-Ranges", "bytes")
	spans, ok := r.ranges(req, etag, lastModified, size)
	if !ok {
		h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
		return r.sendEmpty(req, 416)
	}
	if _, ok := h.Lookup("Content-Type"); !ok {
		h.Set("Content-Type", contentTypeByName(r.path))
	}
	if spans == nil {
		return r.sendBody(req, r.status, body, []byteSpan{{0, size}}, size)
	}
	return r.sendBody(req, 206, body, spans, size)
}

// openFile opens the file to send: the best precompressed sibling the
// request accepts, or the file itself.
func (r *FileResponse) openFile(req *Request) (*os.File, fs.FileInfo, string, error) {
	if ae := req.headerView("Accept-Encoding"); ae != "" {
		var accepted compress.Accepted
		accepted.Parse(ae)
		offered := fileCodings
		for { // the acceptable siblings, from the best down
			c, ok := accepted.Choose(offered)
			if !ok {
				break
			}
			if f, fi, err := r.openRegular(r.path + siblingExt[c]); err == nil {
				if r.file != nil {
					r.file.Close()
				}
				return f, fi, c.String(), nil
			}
			offered = slices.DeleteFunc(slices.Clone(offered), func(o compress.Coding) bool { return o == c })
		}
	}
	if r.file != nil {
		return r.file, r.info, "", nil
	}
	f, fi, err := r.openRegular(r.path)
	return f, fi, "", err
}

// acceptsSibling reports whether req's Accept-Encoding accepts the coding
// of any precompressed sibling.
func acceptsSibling(req *Request) bool {
	if ae := req.headerView("Accept-Encoding"); ae != "" {
		var accepted compress.Accepted
		accepted.Parse(ae)
		_, ok := accepted.Choose(fileCodings)
		return ok
	}
	return false
}

// errNotRegular reports a path that is a directory or a special file.
var errNotRegular = errors.New("web: not a regular file")

// openRegular opens name and checks that it is a regular file.
func (r *FileResponse) openRegular(name string) (*os.File, fs.FileInfo, error) {
	f, err := r.open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errNotRegular
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// fileError returns the HTTP error for a file that cannot be sent: 404
// when it does not exist, 403 when it may not be read or is not a regular
// file, as aiohttp answers.
func fileError(err error) *HTTPError {
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, errNotRegular) {
		return HTTPForbidden()
	}
	return HTTPNotFound()
}

// contentTypeByName returns the media type for a file name's extension:
// the system's or Go's table, utf-8 for text types that name no charset,
// application/octet-stream for an unknown extension.
func contentTypeByName(name string) string {
	ct := mime.TypeByExtension(filepath.Ext(name))
	switch {
	case ct == "":
		return "application/octet-stream"
	case strings.HasPrefix(ct, "text/") && !strings.Contains(ct, "charset="):
		return ct + "; charset=utf-8"
	}
	return ct
}

// precondition is the outcome of a request's conditional header fields.
type precondition int

const (
	proceed precondition = iota
	preconditionFailed
	notModified
)

// checkPreconditions evaluates If-Match, If-Unmodified-Since,
// If-None-Match and If-Modified-Since in RFC 9110's order (section 13.2.2)
// against a representation's entity tag and modification time, as
// aiohttp's FileResponse does.
func checkPreconditions(req *Request, etag ETag, modified time.Time) precondition {
	if ifMatch := req.headerView("If-Match"); ifMatch != "" {
		if !etagMatches(parseETags(ifMatch), etag, false) {
			return preconditionFailed
		}
	} else if t, ok := req.IfUnmodifiedSince(); ok && modified.After(t) {
		return preconditionFailed
	}
	if ifNoneMatch := req.headerView("If-None-Match"); ifNoneMatch != "" {
		if etagMatches(parseETags(ifNoneMatch), etag, true) {
			if req.method != "GET" && req.method != "HEAD" {
				return preconditionFailed // RFC 9110 section 13.1.2
			}
			return notModified
		}
	} else if t, ok := req.IfModifiedSince(); ok && !modified.After(t) && (req.method == "GET" || req.method == "HEAD") {
		return notModified
	}
	return proceed
}

// etagMatches reports whether etag is in tags, or tags is "*": by strong
// comparison (neither weak) unless weak is set.
func etagMatches(tags []ETag, etag ETag, weak bool) bool {
	for _, t := range tags {
		if t.Value == "*" || t.Value == etag.Value && (weak || !t.Weak && !etag.Weak) {
			return true
		}
	}
	return false
}

// ranges returns the byte spans to send, nil to send the whole file, and
// false when the Range header cannot be satisfied (416).
func (r *FileResponse) ranges(req *Request, etag ETag, modified time.Time, size int64) ([]byteSpan, bool) {
	if req.method != "GET" && req.method != "HEAD" {
		return nil, true
	}
	ranges, err := req.HTTPRanges()
	switch {
	case ranges == nil && err == nil, errors.Is(err, ErrTooManyRanges), !ifRangeHolds(req, etag, modified):
		return nil, true
	case err != nil:
		return nil, false
	}
	return resolveRanges(ranges, size)
}

// ifRangeHolds reports whether the request's If-Range, if any, lets its
// Range apply: a strong entity tag equal to etag, or a date no earlier
// than the modification time.
func ifRangeHolds(req *Request, etag ETag, modified time.Time) bool {
	v := req.headerView("If-Range")
	switch {
	case v == "":
		return true
	case strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "W/"):
		tags := parseETags(v)
		return len(tags) == 1 && !tags[0].Weak && etagMatches(tags, etag, false)
	}
	t, ok := req.IfRange()
	return ok && !modified.After(t)
}

// sendEmpty sends a response with an empty body: 304, 412 or 416.
func (r *FileResponse) sendEmpty(req *Request, status int) error {
	if err := req.runPrepareHooks(r); err != nil {
		return err
	}
	r.head = responseHead{status: status, header: &r.header, length: 0}
	if err := req.out.writeHead(req, &r.head); err != nil {
		return err
	}
	return req.out.end()
}

// sendBody sends spans of f: one as the body (the whole file, or a 206
// with Content-Range), several as a multipart/byteranges body.
func (r *FileResponse) sendBody(req *Request, status int, body fileBody, spans []byteSpan, size int64) error {
	h := &r.header
	length := spans[0].length
	var parts []string // the head of each part, then the closing boundary
	switch {
	case len(spans) > 1:
		boundary := newBoundary()
		ct, _ := h.Lookup("Content-Type")
		length = 0
		for i, s := range spans {
			p := "\r\n--" + boundary + "\r\nContent-Type: " + ct + "\r\nContent-Range: " + contentRange(s, size) + "\r\n\r\n"
			if i == 0 {
				p = p[2:]
			}
			parts = append(parts, p)
			length += int64(len(p)) + s.length
		}
		parts = append(parts, "\r\n--"+boundary+"--\r\n")
		length += int64(len(parts[len(parts)-1]))
		h.Set("Content-Type", "multipart/byteranges; boundary="+boundary)
	case status == 206:
		h.Set("Content-Range", contentRange(spans[0], size))
	}
	reason := ""
	if status == r.status {
		reason = r.reason
	}
	if err := req.runPrepareHooks(r); err != nil {
		return err
	}
	r.head = responseHead{status: status, reason: reason, header: h, length: length}
	if err := req.out.writeHead(req, &r.head); err != nil {
		return err
	}
	if req.method == "HEAD" || !bodyAllowed(status) {
		return req.out.end()
	}
	for i, s := range spans {
		if parts != nil {
			if err := req.out.write([]byte(parts[i])); err != nil {
				return err
			}
		}
		if err := body.send(req.out, s); err != nil {
			return err
		}
	}
	if parts != nil {
		if err := req.out.write([]byte(parts[len(parts)-1])); err != nil {
			return err
		}
	}
	return req.out.end()
}

// contentRange returns the Content-Range value of span s of a
// representation of size bytes.
func contentRange(s byteSpan, size int64) string {
	return "bytes " + strconv.FormatInt(s.start, 10) + "-" + strconv.FormatInt(s.start+s.length-1, 10) + "/" + strconv.FormatInt(size, 10)
}

// newBoundary returns a random multipart boundary: 32 hex digits, like
// aiohttp's.
func newBoundary() string {
	b := strconv.AppendUint(make([]byte, 0, 32), rand.Uint64()|1<<63, 16)
	return string(strconv.AppendUint(b, rand.Uint64()|1<<63, 16))
}
