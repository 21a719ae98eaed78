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
	s, err := aiohttp.NewSession(aiohttp.SessionOptions{
		Connector: aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: conc}),
	})
	if err != nil {
		return nil, err
	}
	return &aiohttpClient{s: s, url: url}, nil
}

func (c *aiohttpClient) get() (int, int, error) {
	resp, err := c.s.Get(context.Background(), c.url)
	if err != nil {
		return 0, 0, err
	}
	body, err := resp.Bytes()
	resp.Close()
	return resp.Status, len(body), err
}

func (c *aiohttpClient) close() { c.s.Close() }

// aiohttpWithClient is ours through Session.With, aiohttp's
// `async with session.get(url) as resp:`, which recycles each response
// once the callback returns.
type aiohttpWithClient struct{ *aiohttpClient }

func newAiohttpWith(url string, conc int) (getter, error) {
	g, err := newAiohttp(url, conc)
	if err != nil {
		return nil, err
	}
	return aiohttpWithClient{g.(*aiohttpClient)}, nil
}

func (c aiohttpWithClient) get() (int, int, error) {
	var status, n int
	err := c.s.With(context.Background(), "GET", c.url, func(resp *aiohttp.Response) error {
		body, err := resp.Bytes()
		status, n = resp.Status, len(body)
		return err
	})
	return status, n, err
}
