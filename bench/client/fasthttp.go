package main

import (
	"fmt"
	"net/url"

	"github.com/valyala/fasthttp"
)

// fastHTTPClient is fasthttp's general client (a pool per host, looked up
// by each request's host), the counterpart of ours.
type fastHTTPClient struct {
	c   *fasthttp.Client
	url string
}

func newFastHTTP(url string, conc int) (getter, error) {
	return &fastHTTPClient{c: &fasthttp.Client{MaxConnsPerHost: conc}, url: url}, nil
}

func (c *fastHTTPClient) get() (int, int, error) {
	return fastDo(c.c.Do, c.url)
}

func (c *fastHTTPClient) close() { c.c.CloseIdleConnections() }

// fastHostClient is fasthttp's HostClient, bound to the one host: its
// fastest path.
type fastHostClient struct {
	c   *fasthttp.HostClient
	url string
}

func newFastHTTPHostClient(rawURL string, conc int) (getter, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("fasthttp-hostclient: only http URLs, not %s", u.Scheme)
	}
	return &fastHostClient{c: &fasthttp.HostClient{Addr: u.Host, MaxConns: conc}, url: rawURL}, nil
}

func (c *fastHostClient) get() (int, int, error) {
	return fastDo(c.c.Do, c.url)
}

func (c *fastHostClient) close() { c.c.CloseIdleConnections() }

// fastDo makes one GET with pooled request and response objects, as
// fasthttp's documentation advises.
func fastDo(do func(*fasthttp.Request, *fasthttp.Response) error, url string) (int, int, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(url)
	if err := do(req, resp); err != nil {
		return 0, 0, err
	}
	return resp.StatusCode(), len(resp.Body()), nil
}
