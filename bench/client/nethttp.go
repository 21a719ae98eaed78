package main

import (
	"io"
	"net/http"
	"time"
)

// netHTTPClient is net/http's client with a pool as large as the
// concurrency, so that no connection is ever closed for lack of room.
type netHTTPClient struct {
	c   *http.Client
	url string
}

func newNetHTTPTransport(conc int) *http.Transport {
	return &http.Transport{
		MaxIdleConns:        conc,
		MaxIdleConnsPerHost: conc,
		MaxConnsPerHost:     conc,
		IdleConnTimeout:     90 * time.Second,
	}
}

func newNetHTTP(url string, conc int) (getter, error) {
	return &netHTTPClient{c: &http.Client{Transport: newNetHTTPTransport(conc)}, url: url}, nil
}

func (c *netHTTPClient) get() (int, int, error) {
	resp, err := c.c.Get(c.url)
	if err != nil {
		return 0, 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, len(body), err
}

func (c *netHTTPClient) close() { c.c.CloseIdleConnections() }
