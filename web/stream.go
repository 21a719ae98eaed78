package web

import (
	"errors"

	"github.com/aiohttp-go/aiohttp/internal/compress"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// ErrNotPrepared reports a write to a StreamResponse before Prepare.
var ErrNotPrepared = errors.New("web: response not prepared")

// ErrAlreadyPrepared reports a change to a response whose head was sent.
var ErrAlreadyPrepared = errors.New("web: response already prepared")

// StreamResponse is a response a handler writes while it runs (aiohttp's
// web.StreamResponse): set its status and headers, call Prepare to send the
// head, then Write body bytes (chunked when no Content-Length was set),
// Flush to push them to the client, and return it from the handler, which
// ends the body. A compressed stream ([CompressionMiddleware],
// EnableCompression) is written through the encoder, which Flush flushes,
// and sent chunked.
//
//	resp := web.NewStreamResponse()
//	resp.Header().Set("Content-Type", "text/plain")
//	if err := resp.Prepare(req); err != nil { return nil, err }
//	for _, line := range lines { resp.Write([]byte(line)); resp.Flush() }
//	return resp, nil
type StreamResponse struct {
	status     int
	reason     string
	header     multidict.CIMultiDict
	cookies    []Cookie
	length     int64
	forceClose bool
	req        *Request
	eof        bool

	compression compressMode
	enc         *compress.Writer // the encoder of a compressed body, until the end
}

// NewStreamResponse returns a 200 response to be streamed.
func NewStreamResponse() *StreamResponse {
	return &StreamResponse{status: 200, length: -1}
}

// Status returns the status code.
func (s *StreamResponse) Status() int { return s.status }

// SetStatus sets the status and, optionally, a custom reason phrase. It
// fails once the response is prepared.
func (s *StreamResponse) SetStatus(status int, reason ...string) error {
	if s.req != nil {
		return ErrAlreadyPrepared
	}
	s.status, s.reason = status, ""
	if len(reason) > 0 {
		s.reason = reason[0]
	}
	return nil
}

// Header returns the header fields; changes after Prepare are not sent.
func (s *StreamResponse) Header() *multidict.CIMultiDict { return &s.header }

// SetContentLength announces the body length, so that it is not chunked.
func (s *StreamResponse) SetContentLength(n int64) { s.length = n }

// SetCookie adds a Set-Cookie field; it must come before Prepare.
func (s *StreamResponse) SetCookie(c Cookie) { s.cookies = append(s.cookies, c) }

// DelCookie tells the client to delete a cookie; it must come before
// Prepare.
func (s *StreamResponse) DelCookie(name, domain, path string) {
	s.SetCookie(deleteCookie(name, domain, path))
}

// ForceClose closes the connection after the response.
func (s *StreamResponse) ForceClose() { s.forceClose = true }

// Prepared reports whether the head was sent.
func (s *StreamResponse) Prepared() bool { return s.req != nil }

// Prepare runs the OnResponsePrepare handlers and sends the head. Calling it
// again does nothing.
func (s *StreamResponse) Prepare(req *Request) error {
	if s.req != nil {
		return nil
	}
	if err := req.runPrepareHooks(s); err != nil {
		return err
	}
	s.req = req
	if s.forceClose {
		req.keepAlive = false
	}
	h := responseHead{
		status:  s.status,
		reason:  s.reason,
		header:  &s.header,
		cookies: s.cookies,
		length:  s.length,
	}
	if req.compressing(s.compression) {
		c, compressed, vary := req.chooseCoding(s.compression, &h)
		h.vary = vary
		if compressed {
			h.coding, h.length = c.String(), -1
			s.enc = compress.NewWriter(c, outWriter{req.out})
		}
	}
	return req.out.writeHead(req, &h)
}

// Write sends body bytes.
func (s *StreamResponse) Write(p []byte) (int, error) {
	if s.req == nil {
		return 0, ErrNotPrepared
	}
	if s.enc != nil {
		return s.enc.Write(p)
	}
	if err := s.req.out.write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// WriteString sends body text.
func (s *StreamResponse) WriteString(text string) (int, error) {
	return s.Write([]byte(text))
}

// Flush pushes what was written so far to the client (aiohttp's drain).
func (s *StreamResponse) Flush() error {
	if s.req == nil {
		return ErrNotPrepared
	}
	if s.enc != nil {
		if err := s.enc.Flush(); err != nil {
			return err
		}
	}
	return s.req.out.flush()
}

// WriteEOF ends the body; returning the response from the handler does it
// too.
func (s *StreamResponse) WriteEOF() error {
	if s.req == nil {
		return ErrNotPrepared
	}
	if s.eof {
		return nil
	}
	s.eof = true
	if s.enc != nil {
		err := s.enc.Close()
		s.enc.Release()
		s.enc = nil
		if err != nil {
			return err
		}
	}
	return s.req.out.end()
}

func (s *StreamResponse) finish(req *Request) error {
	if s.req == nil {
		s.SetContentLength(0)
		if err := s.Prepare(req); err != nil {
			return err
		}
	}
	return s.WriteEOF()
}
