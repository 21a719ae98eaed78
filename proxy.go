package aiohttp

import (
	"context"
	"errors"
	"net"
	"net/url"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/aiohttp-go/aiohttp/internal/http1"
	"github.com/aiohttp-go/aiohttp/multidict"
)

// connectProxy opens a connection for t through t.proxy, after the
// proxy URL's scheme: http and https (TLS to the proxy first) proxies,
// socks5 and socks5h.
func (c *TCPConnector) connectProxy(ctx context.Context, t *dialTarget, origin string) (*clientConn, error) {
	pu := t.proxy.url
	host, port := proxyHostPort(pu)
	purl := pu.Scheme + "://" + net.JoinHostPort(host, port) // without credentials
	switch pu.Scheme {
	case "http", "https":
		return c.connectHTTPProxy(ctx, t, host, port, purl, origin)
	case "socks5", "socks5h":
		return c.connectSOCKS5(ctx, t, host, port, purl, origin)
	}
	return nil, &Error{Kind: ErrClientProxyConnection, URL: purl, Err: errors.New("unsupported proxy scheme " + pu.Scheme)}
}

// proxyHostPort returns the host and port of a proxy URL, the port
// defaulting to the scheme's.
func proxyHostPort(pu *url.URL) (host, port string) {
	host, port = pu.Hostname(), pu.Port()
	if port == "" {
		switch pu.Scheme {
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		default:
			port = "80"
		}
	}
	return host, port
}

// connectHTTPProxy connects to the HTTP proxy at host:port (with TLS for
// an https proxy). A plain-HTTP request then goes to the proxy itself; an
// HTTPS one through a CONNECT tunnel, with TLS to the target inside.
func (c *TCPConnector) connectHTTPProxy(ctx context.Context, t *dialTarget, host, port, purl, origin string) (*clientConn, error) {
	nc, err := c.dialHost(ctx, t, host, port, ErrClientProxyConnection, purl)
	if err != nil {
		return nil, err
	}
	if t.proxy.url.Scheme == "https" {
		// The target's CA settings and verification choice apply to the
		// proxy too; its pin and server name do not.
		o := c.tlsOptions(t)
		po := &TLSOptions{Config: o.Config, InsecureSkipVerify: o.InsecureSkipVerify}
		if nc, err = tlsHandshake(ctx, nc, host, port, po, c.sessions, true, purl); err != nil {
			return nil, err
		}
	}
	if t.scheme != "https" {
		return &clientConn{nc: nc, proxied: true, proxyAuth: t.proxy.auth}, nil
	}
	if err := httpConnect(ctx, nc, t, purl, origin); err != nil {
		nc.Close()
		return nil, err
	}
	return secure(ctx, nc, t, c.tlsOptions(t), c.sessions, origin)
}

// errProxyExtraData reports bytes from a proxy after its CONNECT response
// and before the target could have said anything.
var errProxyExtraData = errors.New("proxy sent data after its CONNECT response")

// httpConnect asks the HTTP proxy on nc for a tunnel to t's host and port
// (CONNECT host:port HTTP/1.1, with t.proxy's Proxy-Authorization and
// headers) and reads its answer. A non-2xx answer is a
// *ClientResponseError of kind ErrClientHTTPProxy; failures to talk to
// the proxy are ErrClientProxyConnection errors naming purl.
func httpConnect(ctx context.Context, nc net.Conn, t *dialTarget, purl, origin string) error {
	authority := net.JoinHostPort(t.host, t.port)
	b := http1.AppendRequestLine(make([]byte, 0, 256), "CONNECT", authority, 1)
	b = http1.AppendField(b, "Host", authority)
	if t.proxy.auth != "" {
		b = http1.AppendField(b, "Proxy-Authorization", t.proxy.auth)
	}
	if h := t.proxy.header; h != nil {
		for k, v := range h.All() {
			if !field.IsToken(k) || !http1.ValidFieldValue(v) {
				return &Error{Kind: ErrClientProxyConnection, URL: purl, Err: errors.New("invalid proxy header field " + k)}
			}
			b = http1.AppendField(b, k, v)
		}
	}
	b = append(b, "\r\n"...)

	done := watchConn(ctx, nc)
	var head http1.ResponseHead
	r := http1.NewReader(nc)
	defer r.Release()
	_, err := nc.Write(b)
	if err == nil {
		err = r.ReadResponseHead(&head, http1.Limits{})
	}
	if derr := done(); err == nil {
		err = derr
	}
	if err != nil {
		return connectError(ctx, ErrClientProxyConnection, purl, err)
	}
	if head.Status/100 != 2 {
		hdr := multidict.NewCI()
		for _, f := range head.Fields {
			hdr.Add(string(f.Name), string(f.Value))
		}
		return &ClientResponseError{
			Kind:    ErrClientHTTPProxy,
			Request: RequestInfo{Method: "CONNECT", URL: &url.URL{Scheme: t.scheme, Host: authority}},
			Status:  head.Status,
			Message: string(head.Reason),
			Header:  hdr,
		}
	}
	if r.Buffered() > 0 {
		return &Error{Kind: ErrClientProxyConnection, URL: purl, Err: errProxyExtraData}
	}
	return nil
}

// aLongTimeAgo is a deadline in the past, to interrupt blocked I/O.
var aLongTimeAgo = time.Unix(1, 0)

// watchConn bounds the I/O on nc by ctx until the returned function is
// called: ctx's deadline becomes nc's, and ctx's end interrupts blocked
// reads and writes. The returned function clears the deadline again, or,
// when ctx ended first and nc is left unusable, returns ctx's error.
func watchConn(ctx context.Context, nc net.Conn) func() error {
	if d, ok := ctx.Deadline(); ok {
		nc.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(aLongTimeAgo) })
	return func() error {
		if !stop() {
			return ctx.Err()
		}
		nc.SetDeadline(time.Time{})
		return nil
	}
}
