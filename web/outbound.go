package web

import (
	"io"
	"net"
	"os"
	"slices"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/http1"
)

// outbound is where a request's response goes: the engine's connection or a
// net/http ResponseWriter.
type outbound interface {
	// writeResponse sends a whole in-memory response.
	writeResponse(req *Request, r *BodyResponse) error
	// writeHead sends the head of a streamed response; length is the body
	// length, or -1 when unknown (chunked on HTTP/1.1).
	writeHead(req *Request, h *responseHead) error
	// write sends body bytes of a streamed response.
	write(p []byte) error
	// sendFile sends n bytes of f from offset off as body bytes of a
	// streamed response whose head gave its Content-Length; a file that
	// ends before them is an error.
	sendFile(f *os.File, off, n int64) error
	// flush pushes what was written to the client.
	flush() error
	// end finishes a streamed body.
	end() error
	// writeContinue sends "100 Continue".
	writeContinue()
	// hijacked reports whether a handler took the connection over.
	hijacked() bool
	// hijack hands the connection to the handler: the net.Conn and a
	// reader that first returns the bytes already received after the
	// request's head.
	hijack() (net.Conn, io.Reader, error)
	// clientLeft reports whether the client closed or reset its
	// connection (or its HTTP/2 stream) before the request ended.
	clientLeft() bool
}

// writeResponse appends a whole response to the connection's output. A HEAD
// request gets the head only, with the Content-Length of the body it would
// have had.
func (c *serverConn) writeResponse(req *Request, r *BodyResponse) error {
	h := r.head()
	c.w = appendHead(c.w, req, &h)
	if req.method == "HEAD" || !bodyAllowed(r.status) {
		return c.logAccess(req, &h, 0)
	}
	if r.isText {
		c.w = append(c.w, r.text...)
	} else {
		c.w = append(c.w, r.body...)
	}
	return c.logAccess(req, &h, h.length)
}

// streamState tracks a streamed response on the engine.
type streamState struct {
	chunked bool
	noBody  bool
	written int64
	head    responseHead
}

func (c *serverConn) writeHead(req *Request, h *responseHead) error {
	c.stream = streamState{head: *h, noBody: req.method == "HEAD" || !bodyAllowed(h.status)}
	c.w = appendHead(c.w, req, h)
	c.stream.chunked = h.framing(req) == byChunks && !c.stream.noBody
	return nil
}

func (c *serverConn) write(p []byte) error {
	if c.stream.noBody || len(p) == 0 {
		return nil
	}
	c.stream.written += int64(len(p))
	if c.stream.chunked {
		c.w = http1.AppendChunk(c.w, p)
	} else {
		c.w = append(c.w, p...)
	}
	if len(c.w) >= flushThreshold {
		return c.flush()
	}
	return nil
}

// sendfileMin is the size from which a file's bytes go to a TCP socket
// with sendfile; smaller ones are read into the output buffer, so that
// the head and the body leave in one write.
const sendfileMin = 64 << 10

func (c *serverConn) sendFile(f *os.File, off, n int64) error {
	if c.stream.noBody || n <= 0 {
		return nil
	}
	if tc, ok := c.nc.(*net.TCPConn); ok && n >= sendfileMin {
		if err := c.flush(); err != nil {
			return err
		}
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return err
		}
		// TCPConn.ReadFrom sends an *os.File under an io.LimitedReader
		// with sendfile(2).
		sent, err := tc.ReadFrom(io.LimitReader(f, n))
		c.stream.written += sent
		if err == nil && sent < n {
			err = io.ErrUnexpectedEOF // the file shrank
		}
		return err
	}
	for n > 0 {
		chunk := int(min(n, flushThreshold))
		c.w = slices.Grow(c.w, chunk)
		got, err := f.ReadAt(c.w[len(c.w):len(c.w)+chunk], off)
		c.w = c.w[:len(c.w)+got]
		c.stream.written += int64(got)
		if got < chunk {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // the file shrank
			}
			return err
		}
		off, n = off+int64(got), n-int64(got)
		if len(c.w) >= flushThreshold {
			if err := c.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *serverConn) flush() error {
	if len(c.w) == 0 {
		return nil
	}
	if c.writeErr != nil {
		c.w = c.w[:0]
		return c.writeErr
	}
	c.armWrite(len(c.w))
	_, err := c.nc.Write(c.w)
	c.w = c.w[:0]
	if err != nil {
		return c.writeFailed(err)
	}
	return nil
}

func (c *serverConn) end() error {
	if c.stream.chunked {
		c.w = http1.AppendLastChunk(c.w, nil)
	}
	return c.logAccess(&c.req, &c.stream.head, c.stream.written)
}

func (c *serverConn) writeContinue() {
	c.continued = true
	c.w = append(c.w, "HTTP/1.1 100 Continue\r\n\r\n"...)
	_ = c.flush()
}

func (c *serverConn) hijacked() bool { return c.state.Load() == stateHijacked }

func (c *serverConn) clientLeft() bool {
	c.bgMu.Lock()
	defer c.bgMu.Unlock()
	return c.peerClosed
}

func (c *serverConn) hijack() (net.Conn, io.Reader, error) {
	if c.hijacked() {
		return nil, nil, ErrHijacked
	}
	c.stopBackgroundRead()
	if err := c.flush(); err != nil {
		return nil, nil, err
	}
	c.endBody()
	c.clearWriteDeadline()
	c.state.Store(stateHijacked)
	return c.nc, c.r, nil
}

// logAccess hands a finished request to the server's access logger, if it
// has one.
func (c *serverConn) logAccess(req *Request, h *responseHead, size int64) error {
	if c.srv.access != nil {
		c.callAccessLogger(req, h, size)
	}
	return nil
}

// callAccessLogger calls the access logger. The head is copied into the
// connection, so that h need not outlive the call.
func (c *serverConn) callAccessLogger(req *Request, h *responseHead, size int64) {
	c.logged = *h
	c.srv.access.Log(req, SentResponse{req: req, head: &c.logged, size: size}, time.Since(req.start))
}
