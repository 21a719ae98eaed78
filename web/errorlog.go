package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// LogStats counts the failed requests an application logged, by kind.
// Read them with [Application.LogStats].
type LogStats struct {
	// ClientGone counts requests that ended because the client went away
	// (a reset, a broken pipe, a body cut short, the request's context
	// cancelled by the client leaving): no fault of the server's, they
	// are logged at debug level.
	ClientGone uint64
	// Errors counts the faults of the server's: handler errors that are
	// no [*HTTPError], panics, responses that failed to send for another
	// reason. They are logged at error level.
	Errors uint64
	// Suppressed counts the log lines the rate limit dropped: past
	// [LogLinesPerSecond] identical lines (same level, message and error)
	// in a second, the others are counted, then summed up in one
	// "web: suppressed similar lines" line.
	Suppressed uint64
}

// LogLinesPerSecond is how many identical lines (same level, message and
// error text) an application logs about failed requests in a second; the
// others are dropped and reported by count, so that no client can fill
// the log.
const LogLinesPerSecond = 10

// LogStats returns the counts of failed requests the application logged
// since it was created.
func (a *Application) LogStats() LogStats {
	return LogStats{
		ClientGone: a.logs.clientGone.Load(),
		Errors:     a.logs.errors.Load(),
		Suppressed: a.logs.suppressed.Load(),
	}
}

// clientGone reports whether err, which ended a request, is the client
// going away rather than a fault of the server's: a write or read that
// found the connection reset or closed by the client, a client too slow
// to read its response ([ErrResponseTooSlow]), or an error that
// follows from the client leaving (the request's context cancelled, the
// body cut short) on a request whose client did leave.
func clientGone(req *Request, err error) bool {
	switch {
	case errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, ErrResponseTooSlow):
		return true
	case errors.As(err, new(clientLeftError)):
		return true
	case errors.Is(err, context.Canceled), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed), errors.Is(err, os.ErrDeadlineExceeded):
		var pe *PanicError
		return !errors.As(err, &pe) && req.out != nil && req.out.clientLeft()
	}
	return false
}

// clientLeftError is an error a request got because its client left.
type clientLeftError struct{ err error }

func (e clientLeftError) Error() string { return e.err.Error() }
func (e clientLeftError) Unwrap() error { return e.err }

// logFailure logs a request that failed with err on a's logger: at debug
// level when the client went away, at error level (with the stack of a
// panic) otherwise; both are counted and rate-limited.
func logFailure(a *Application, req *Request, err error) {
	if clientGone(req, err) {
		a.logs.clientGone.Add(1)
		a.logs.log(a.logger, slog.LevelDebug, "web: client went away", req, err)
		return
	}
	a.logs.errors.Add(1)
	a.logs.log(a.logger, slog.LevelError, "web: request failed", req, err)
}

// logPeriod is how long the rate limit of identical lines counts them.
const logPeriod = time.Second

// maxLogKeys bounds the distinct lines a period tracks; past it, new
// kinds of lines are suppressed until the period ends.
const maxLogKeys = 1024

// requestLog logs and counts an application's failed requests, at most
// [LogLinesPerSecond] identical lines a second.
type requestLog struct {
	clientGone, errors, suppressed atomic.Uint64

	mu  sync.Mutex
	cur *logWindow // nil before the first line
}

// logWindow counts the lines of one period.
type logWindow struct {
	start   time.Time
	lines   map[logKey]*logLine
	flusher *time.Timer // set once a line was dropped: it logs the summary
}

// logKey is what makes two lines identical.
type logKey struct {
	level slog.Level
	msg   string
	err   string
}

// logLine counts a line in a window.
type logLine struct {
	logged, dropped int
}

func (l *requestLog) log(logger *slog.Logger, level slog.Level, msg string, req *Request, err error) {
	ctx := context.Background()
	if !logger.Enabled(ctx, level) {
		return
	}
	if !l.admit(logger, logKey{level, msg, err.Error()}) {
		return
	}
	args := []any{"method", req.method, "path", strings.Clone(req.path), "error", err}
	var pe *PanicError
	if errors.As(err, &pe) {
		args = append(args, "stack", string(pe.Stack))
	}
	logger.Log(ctx, level, msg, args...)
}

// admit reports whether a line may be logged now; a line it drops is
// counted, and summed up when its window ends.
func (l *requestLog) admit(logger *slog.Logger, k logKey) bool {
	var ended *logWindow
	defer func() { ended.summarize(logger) }()
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	w := l.cur
	if w == nil || now.Sub(w.start) >= logPeriod {
		if w != nil && w.flusher != nil && w.flusher.Stop() {
			ended = w // its summary is due: log it now instead of the timer
		}
		w = &logWindow{start: now, lines: make(map[logKey]*logLine)}
		l.cur = w
	}
	line := w.lines[k]
	if line == nil && len(w.lines) < maxLogKeys {
		line = &logLine{}
		w.lines[k] = line
	}
	if line != nil && line.logged < LogLinesPerSecond {
		line.logged++
		return true
	}
	l.suppressed.Add(1)
	if line != nil {
		line.dropped++
	}
	if w.flusher == nil {
		w.flusher = time.AfterFunc(logPeriod-now.Sub(w.start), func() { l.end(w, logger) })
	}
	return false
}

// end ends window w when its period is over and logs its summary.
func (l *requestLog) end(w *logWindow, logger *slog.Logger) {
	l.mu.Lock()
	if l.cur == w {
		l.cur = nil
	}
	l.mu.Unlock()
	w.summarize(logger)
}

// summarize logs one line for each kind of line w dropped, with the
// count; w no longer changes.
func (w *logWindow) summarize(logger *slog.Logger) {
	if w == nil {
		return
	}
	for k, line := range w.lines {
		if line.dropped > 0 {
			logger.Log(context.Background(), k.level, "web: suppressed similar lines",
				"message", k.msg, "error", k.err, "suppressed", line.dropped)
		}
	}
}
