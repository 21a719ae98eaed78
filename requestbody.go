package aiohttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
)

// BodyOption is a request option that gives the request its body: Body,
// Bytes, String, Form, FormList or JSON. [ClientRequest.SetBody] takes
// one too.
type BodyOption interface {
	RequestOption
	setsBody()
}

// bodyOptionFunc makes a function a BodyOption.
type bodyOptionFunc func(*requestConfig)

func (f bodyOptionFunc) applyRequest(c *requestConfig) { f(c) }
func (bodyOptionFunc) setsBody()                       {}

// Body returns a reader of the request body from its start (aiohttp's
// req.body), for a middleware to read, to sign the body for instance; nil
// when the request has none. Each call starts again from the beginning,
// and reading takes nothing from the request: next still sends the whole
// body. A body in memory (Bytes, String, Form, JSON) is read where it is;
// a stream that can rewind (an io.Seeker given to Body) is rewound, and
// rewound again before it is sent; a stream that cannot is read into
// memory by the first call, and the request keeps the copy, which it can
// then send again (after a 307 redirect, or a retry). The bytes are those
// before any Compress.
func (r *ClientRequest) Body() (io.Reader, error) {
	p := r.body
	switch {
	case p == nil:
		return nil, nil
	case p.r == nil:
		return bytes.NewReader(p.data), nil
	case p.seeker != nil:
		if _, err := p.seeker.Seek(p.start, io.SeekStart); err != nil {
			return nil, err
		}
		p.sent = true // read: the session rewinds it again to send it
		return p.r, nil
	case p.sent:
		return nil, errStreamSent
	}
	data, err := io.ReadAll(p.r)
	if err != nil {
		return nil, err
	}
	*p = payload{data: data, length: int64(len(data)), contentType: p.contentType}
	return bytes.NewReader(data), nil
}

// errStreamSent reports a body stream that was sent and cannot rewind.
var errStreamSent = errors.New("the request body is a stream that cannot be sent twice")

// SetBody replaces the request body with b, one of the body options
// (Body, Bytes, String, Form, FormList, JSON), for next to send (a
// middleware that signs, wraps or encrypts the body). The header fields
// that describe the body follow: Content-Length, or Transfer-Encoding:
// chunked for a stream of unknown length; Content-Encoding with
// Compress; and Content-Type, b's, unless the caller chose another one
// than the old body's or asked to skip it. The body of the request's
// later redirects is the original one.
func (r *ClientRequest) SetBody(b BodyOption) error {
	var c requestConfig
	b.applyRequest(&c)
	p := c.body
	if c.hasJSON {
		encode := json.Marshal
		if r.st != nil {
			encode = r.st.s.jsonEncode
		}
		data, err := encode(c.json)
		if err != nil {
			return r.error(ErrClient, err)
		}
		p = &payload{data: data, length: int64(len(data)), contentType: "application/json"}
	}
	r.describeBody(r.body, p)
	r.body = p
	return nil
}

// describeBody changes the header fields that describe old, the body, to
// describe p instead.
func (r *ClientRequest) describeBody(old, p *payload) {
	h := r.Header
	ct, hasCT := h.Lookup("Content-Type")
	auto := hasCT && old != nil && ct == old.contentType ||
		!hasCT && (old == nil || old.contentType == "") && !r.skips("Content-Type")
	if auto {
		if p != nil && p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		} else {
			h.Del("Content-Type")
		}
	}
	compress := ""
	if r.st != nil {
		compress = r.st.cfg.compress
	}
	if compress != "" {
		if p != nil {
			h.Set("Content-Encoding", compress)
		} else if h.Get("Content-Encoding") == compress {
			h.Del("Content-Encoding")
		}
	}
	switch {
	case p != nil && (p.length < 0 || compress != "" || h.Has("Transfer-Encoding")):
		h.Del("Content-Length")
		h.Set("Transfer-Encoding", "chunked")
	case p != nil:
		h.Set("Content-Length", strconv.FormatInt(p.length, 10))
	case bodylessMethod(r.Method):
		h.Del("Transfer-Encoding")
		h.Del("Content-Length")
	default:
		h.Del("Transfer-Encoding")
		h.Set("Content-Length", "0")
	}
}

// skips reports whether the automatic header field name is not to be
// sent.
func (r *ClientRequest) skips(name string) bool {
	return r.st != nil && r.st.skip(name)
}
