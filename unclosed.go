package aiohttp

import (
	"log/slog"
	"runtime"
)

// unclosed is what the cleanup of a Response that holds a connection
// needs when the garbage collector finds the Response before anyone
// closed it (aiohttp's "Unclosed response"): the connection, to give its
// slot back, and what to report. It must not refer to the Response.
type unclosed struct {
	conn        *clientConn
	method, url string
	logger      *slog.Logger // nil: slog.Default()
}

// watchUnclosed arranges for the connection of resp, whose body is still
// to be read, to be closed and its slot freed, with a warning, should resp
// become garbage before it is closed. The exchange's release stops the
// watch.
func (ex *exchange) watchUnclosed(resp *Response) {
	u := &unclosed{conn: ex.conn, method: ex.req.Method, url: ex.req.URL.String(), logger: ex.st.s.opts.Logger}
	ex.unclosed = runtime.AddCleanup(resp, releaseUnclosed, u)
}

// releaseUnclosed gives back the connection of a Response dropped without
// Close, and says so.
func releaseUnclosed(u *unclosed) {
	u.conn.connector.release(u.conn, false)
	logger := u.logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.Warn("aiohttp: unclosed response: its connection was closed; close every Response (defer resp.Close()) or use Session.With",
		"method", u.method, "url", u.url)
}
