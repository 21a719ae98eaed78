package aiohttp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
)

// pipeListener is an in-memory listener: its DialContext connects to it
// over net.Pipe.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return &net.UnixAddr{Name: "pipe", Net: "pipe"} }

// DialContext returns the client end of a new pipe whose other end the
// listener accepts.
func (l *pipeListener) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// A session runs over in-memory connections, plain and TLS (HTTP/2 by
// ALPN), to a host name no resolver knows.
func TestDialContextInMemory(t *testing.T) {
	plain, secure := newPipeListener(), newPipeListener()
	serveOn(t, plain, echoApp)
	cert, _ := testcert.New(t, "app.internal")
	serveOn(t, tls.NewListener(secure, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}), echoApp)
	var dialed []string
	var mu sync.Mutex
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
		TLS: aiohttp.TLSOptions{InsecureSkipVerify: true},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			mu.Lock()
			dialed = append(dialed, network+" "+addr)
			mu.Unlock()
			if strings.HasSuffix(addr, ":443") {
				return secure.DialContext(ctx, network, addr)
			}
			return plain.DialContext(ctx, network, addr)
		},
	})
	s := newSession(t, aiohttp.SessionOptions{Connector: conn})
	for range 2 {
		_, body := get(t, s, "http://app.internal/echo?x=1")
		if body != "GET  |auth=|cookie=|proxy=|ct=|path=/echo?x=1" {
			t.Errorf("plain: %q", body)
		}
	}
	resp, err := s.Post(testCtx(t), "https://app.internal/echo", aiohttp.String("over TLS"))
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); !strings.HasPrefix(body, "POST over TLS |") || resp.Version.Major != 2 {
		t.Errorf("TLS: %v %q", resp.Version, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(dialed, ",") != "tcp app.internal:80,tcp app.internal:443" {
		t.Errorf("dialed %q, want one connection each, kept alive", dialed)
	}
}

// countingDialer counts the connections it opens.
type countingDialer struct {
	net.Dialer
	dials atomic.Int32
}

func (d *countingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.dials.Add(1)
	return d.Dialer.DialContext(ctx, network, addr)
}

func TestDialContextCountsDials(t *testing.T) {
	base := serveApp(t, echoApp)
	for _, forceClose := range []bool{false, true} {
		var d countingDialer
		conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{DialContext: d.DialContext, ForceClose: forceClose})
		s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Connector: conn})
		for range 3 {
			get(t, s, "/echo")
		}
		want := int32(1)
		if forceClose {
			want = 3
		}
		if got := d.dials.Load(); got != want {
			t.Errorf("ForceClose %v: %d dials, want %d", forceClose, got, want)
		}
	}

	// A failed dial is the connector's error, naming the request.
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
		DialContext: func(context.Context, string, string) (net.Conn, error) { return nil, net.ErrClosed },
	})
	s := newSession(t, aiohttp.SessionOptions{Connector: conn})
	_, err := s.Get(testCtx(t), "http://nowhere.internal/")
	wantErrKind(t, err, aiohttp.ErrClientConnector)
	if !strings.Contains(err.Error(), "http://nowhere.internal/") {
		t.Errorf("error %v does not name the request", err)
	}
	if errors.Is(err, aiohttp.ErrClientConnectorDNS) {
		t.Errorf("a failed dial is a DNS error: %v", err)
	}

	// A name the hook could not resolve is a DNS error.
	conn = aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.DNSError{Err: "no such host", Name: "nowhere.internal", IsNotFound: true}
		},
	})
	s = newSession(t, aiohttp.SessionOptions{Connector: conn})
	_, err = s.Get(testCtx(t), "http://nowhere.internal/")
	wantErrKind(t, err, aiohttp.ErrClientConnectorDNS)
}
