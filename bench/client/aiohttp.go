package main

import (
	"context"

	"github.com/aiohttp-go/aiohttp"
)

// aiohttpClient is ours: one Session whose TCPConnector allows conc
// connections, with the session's default options otherwise.
type aiohttpClient struct {
	s   *aiohttp.Session
	url string
}

func newAiohttp(url string, conc int) (getter, error) {
	s := aiohttp.NewSession(aiohttp.SessionOptions{
		Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: conc}),
	})
	return &aiohttpClient{s: s, url: url}, nil
}

func (c *aiohttpClient) get() (int, int, error) {
	resp, err := c.s.Get(context.Background(), c.url)
	if err != nil {
		return 0, 0, err
	}
	body, err := resp.Read()
	resp.Close()
	return resp.Status, len(body), err
}

func (c *aiohttpClient) close() { c.s.Close() }
