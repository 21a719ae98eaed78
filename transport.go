package aiohttp

import (
	"net/http"
	"strconv"
)

// HTTPClient returns an *http.Client whose Transport sends requests
// through the session, so that code written for net/http (SDKs, OAuth
// clients) shares its pool, limits, DNS cache, proxies, timeouts, cookie
// jar, middlewares and tracing. The http.Client follows redirects itself
// (with its own CheckRedirect) and the session's RaiseForStatus does not
// apply. Bodies are decoded as the session decodes them, unless the
// request sets Accept-Encoding itself; a decoded response has
// Uncompressed set and no Content-Encoding or Content-Length.
func (s *Session) HTTPClient() *http.Client {
	return &http.Client{Transport: &transport{s: s}}
}

// transport is the http.RoundTripper of Session.HTTPClient.
type transport struct{ s *Session }

// RoundTrip sends r through the session and returns the response once its
// head arrived; its Body reads the session's Response.
func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	opts := []RequestOption{AllowRedirects(false), RaiseForStatus(false)}
	for _, k := range appendHeaderKeys(nil, r.Header) {
		if k == "Content-Length" || k == "Transfer-Encoding" {
			continue // as net/http, the body's framing is not the caller's to set
		}
		for _, v := range r.Header[k] {
			opts = append(opts, Header(k, v))
		}
	}
	if r.Host != "" && r.Host != r.URL.Host {
		opts = append(opts, Header("Host", r.Host))
	}
	if r.Close {
		opts = append(opts, Header("Connection", "close"))
	}
	_, ownEncoding := r.Header["Accept-Encoding"]
	if ownEncoding {
		opts = append(opts, AutoDecompress(false))
	}
	if r.Body != nil && r.Body != http.NoBody {
		length := r.ContentLength
		if length == 0 {
			length = -1 // net/http: 0 with a body means unknown
		}
		opts = append(opts, requestOptionFunc(func(c *requestConfig) {
			c.setBody(&payload{r: r.Body, length: length})
		}))
	}
	resp, err := t.s.Request(r.Context(), r.Method, r.URL.String(), opts...)
	if r.Body != nil {
		r.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	hr := &http.Response{
		Status:        strconv.Itoa(resp.Status) + " " + resp.Reason,
		StatusCode:    resp.Status,
		Proto:         resp.Version.String(),
		ProtoMajor:    resp.Version.Major,
		ProtoMinor:    resp.Version.Minor,
		Header:        make(http.Header, resp.Header.Len()),
		Body:          responseBody{resp},
		ContentLength: resp.ContentLength(),
		Request:       r,
	}
	for _, it := range resp.Header.Items() {
		hr.Header.Add(it.Key, it.Value)
	}
	if !ownEncoding && !t.s.opts.DisableAutoDecompress && hr.Header.Get("Content-Encoding") != "" {
		hr.Header.Del("Content-Encoding")
		hr.Header.Del("Content-Length")
		hr.ContentLength = -1
		hr.Uncompressed = true
	}
	return hr, nil
}

// responseBody is a Response's body as an io.ReadCloser.
type responseBody struct{ r *Response }

func (b responseBody) Read(p []byte) (int, error) { return b.r.Content().Read(p) }

func (b responseBody) Close() error { return b.r.Close() }
