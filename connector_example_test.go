package aiohttp_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

// A connector for a crawler: at most 10 connections in use, 3 per host,
// and idle connections kept for 30 seconds. Hand it to sessions through
// their options; one connector may serve several sessions.
func ExampleNewTCPConnector() {
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
		Limit:            10,
		LimitPerHost:     3,
		KeepAliveTimeout: 30 * time.Second,
	})
	defer conn.Close()

	fmt.Println(conn.Limit(), conn.LimitPerHost())
	// Limits change at run time: raising one lets queued requests go on.
	conn.SetLimit(20)
	fmt.Println(conn.Limit())
	fmt.Printf("%+v\n", conn.Stats())
	// Output:
	// 10 3
	// 20
	// {Open:0 Idle:0 InUse:0 Waiting:0}
}

// Every request through a UnixConnector goes to its socket, whatever host
// the URL names: the way to talk to a local daemon.
func ExampleNewUnixConnector() {
	conn := aiohttp.NewUnixConnector("/var/run/docker.sock", aiohttp.TCPConnectorOptions{})
	defer conn.Close()
	fmt.Println(conn.Path(), conn.Limit())
	// Output: /var/run/docker.sock 100
}

// A crawler that reconnects to the same hosts pays a full TLS handshake
// once per host: later connections resume the session, which
// Response.TLS shows. The connector keeps the sessions of up to
// TLSSessionCacheSize servers (256 when zero; negative for none).
func ExampleTCPConnectorOptions_tlsSessionCacheSize() {
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
		KeepAliveTimeout:    5 * time.Second,
		TLSSessionCacheSize: 10000, // one per site crawled
	})
	s, err := aiohttp.NewSession(aiohttp.SessionOptions{Connector: conn})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	resp, err := s.Get(context.Background(), "https://example.com/")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Close()
	if resp.TLS != nil {
		fmt.Println("resumed:", resp.TLS.DidResume)
	}
}
