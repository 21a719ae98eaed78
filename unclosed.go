package aiohttp

import (
	"log/slog"
	"runtime"
)

// unclosedWatch is what a connection keeps of the Response reading from
// it, for when the garbage collector finds that Response before anyone
// closed it (aiohttp's "Unclosed response"): the cleanup to stop once the
// Response gives the connection back, and what to report. None of it
// refers to the Response, which would keep it alive.
type unclosedWatch struct {
	cleanup      runtime.Cleanup
	method, path string
	logger       *slog.Logger // nil: slog.Default()
}

// watchUnclosed arranges for the connection of resp, whose body is still
// to be read, to be closed and its slot freed, with a warning, should resp
// become garbage before it is closed. The exchange's release stops the
// watch.
func (ex *exchange) watchUnclosed(resp *Response) {
	c := ex.conn
	c.unclosed = unclosedWatch{method: ex.req.Method, path: ex.req.URL.Path, logger: ex.st.s.opts.Logger}
	c.unclosed.cleanup = runtime.AddCleanup(resp, releaseUnclosed, c)
}

// releaseUnclosed gives back the connection of a Response dropped without
// Close, and says so.
func releaseUnclosed(c *clientConn) {
	c.connector.release(c, false)
	u := &c.unclosed
	logger := u.logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.Warn("aiohttp: unclosed response: its connection was closed; close every Response (defer resp.Close()) or use Session.With",
		"method", u.method, "url", c.key.hostKey.String()+u.path)
}
