package aiotest

import (
	"bufio"
	"bytes"
	"errors"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"

	"github.com/aiohttp-go/aiohttp/multidict"
)

// ResponseRecorder holds what a response prepared on a mocked request
// wrote: the status and header fields of its head, its body, and how many
// times it was flushed. It is safe to read while the handler writes
// (an EventSourceResponse writes its pings from a goroutine of its own).
// Get it with [Recorder] or [Serve].
type ResponseRecorder struct {
	mu      sync.Mutex
	status  int
	header  *multidict.CIMultiDict
	body    bytes.Buffer
	flushes int
}

// Status returns the status code of the head, or 0 before one was
// written.
func (r *ResponseRecorder) Status() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// Header returns a copy of the header fields of the head, empty before
// one was written. Names come in their canonical form
// ("Content-Type"), sorted, as net/http hands them over.
func (r *ResponseRecorder) Header() *multidict.CIMultiDict {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.header == nil {
		return multidict.NewCI()
	}
	return multidict.NewCI(r.header.Items()...)
}

// Body returns a copy of the body bytes written so far, neither chunked
// nor compressed.
func (r *ResponseRecorder) Body() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.body.Bytes())
}

// Text returns the body written so far as a string.
func (r *ResponseRecorder) Text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.body.String()
}

// Flushes returns how many times the response was flushed (Flush, and
// each event an EventSourceResponse sends).
func (r *ResponseRecorder) Flushes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushes
}

// recorderWriter is the http.ResponseWriter a mocked request writes its
// response to; it fills in its ResponseRecorder.
type recorderWriter struct {
	rec    *ResponseRecorder
	header http.Header // what the response sets before WriteHeader
}

func (w *recorderWriter) Header() http.Header { return w.header }

// WriteHeader records the head; later calls are ignored, as net/http
// ignores them.
func (w *recorderWriter) WriteHeader(status int) {
	w.rec.mu.Lock()
	defer w.rec.mu.Unlock()
	w.writeHeader(status)
}

// writeHeader records the head unless it was; rec.mu is held.
func (w *recorderWriter) writeHeader(status int) {
	if w.rec.status != 0 {
		return
	}
	h := multidict.NewCI()
	for _, name := range slices.Sorted(maps.Keys(w.header)) {
		for _, v := range w.header[name] {
			h.Add(name, v)
		}
	}
	w.rec.status, w.rec.header = status, h
}

func (w *recorderWriter) Write(p []byte) (int, error) {
	w.rec.mu.Lock()
	defer w.rec.mu.Unlock()
	w.writeHeader(http.StatusOK)
	return w.rec.body.Write(p)
}

// Flush counts a flush (http.Flusher).
func (w *recorderWriter) Flush() {
	w.rec.mu.Lock()
	defer w.rec.mu.Unlock()
	w.writeHeader(http.StatusOK)
	w.rec.flushes++
}

// ErrNoConnection reports a Hijack of a mocked request, which has no
// connection to take over: a WebSocketResponse's Prepare fails with it.
// Test WebSocket handlers through a [Server].
var ErrNoConnection = errors.New("aiotest: a mocked request has no connection to hijack; serve WebSockets with NewServer")

// Hijack fails with ErrNoConnection (http.Hijacker).
func (w *recorderWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, ErrNoConnection
}
