package main

import (
	"github.com/go-resty/resty/v2"
)

// restyClient is go-resty/resty v2 on a net/http transport with the same
// pool as the nethttp client (resty's own default keeps only
// GOMAXPROCS+1 idle connections per host).
type restyClient struct {
	c   *resty.Client
	url string
}

func newResty(url string, conc int) (getter, error) {
	c := resty.New().SetTransport(newNetHTTPTransport(conc))
	return &restyClient{c: c, url: url}, nil
}

func (c *restyClient) get() (int, int, error) {
	resp, err := c.c.R().Get(c.url)
	if err != nil {
		return 0, 0, err
	}
	return resp.StatusCode(), len(resp.Body()), nil
}

func (c *restyClient) close() { c.c.GetClient().CloseIdleConnections() }
