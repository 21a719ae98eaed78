package aiohttp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"github.com/aiohttp-go/aiohttp/multidict"
)

// testHTTPProxy is a tiny HTTP proxy: it opens CONNECT tunnels and
// answers absolute-form requests itself with "proxied <URL>", after
// checking Proxy-Authorization when auth is set. It records the requests
// it gets.
type testHTTPProxy struct {
	*connTestServer
	auth string

	mu   sync.Mutex
	seen []*http.Request
}

// newTestHTTPProxy starts a testHTTPProxy, behind TLS with cert when cert
// is not nil.
func newTestHTTPProxy(t *testing.T, auth string, cert *tls.Certificate) *testHTTPProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &testHTTPProxy{auth: auth}
	addr := ln.Addr()
	if cert != nil {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}})
	}
	p.connTestServer = startConnTestServer(t, ln, p.serve)
	p.host, p.port = "127.0.0.1", strconv.Itoa(addr.(*net.TCPAddr).Port)
	return p
}

// url returns the proxy's URL.
func (p *testHTTPProxy) url(scheme string) *url.URL {
	return &url.URL{Scheme: scheme, Host: net.JoinHostPort(p.host, p.port)}
}

// requests returns the requests the proxy got.
func (p *testHTTPProxy) requests() []*http.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*http.Request(nil), p.seen...)
}

func (p *testHTTPProxy) serve(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		p.mu.Lock()
		p.seen = append(p.seen, req)
		p.mu.Unlock()
		if p.auth != "" && req.Header.Get("Proxy-Authorization") != p.auth {
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
			return
		}
		if req.Method == "CONNECT" {
			up, err := net.Dial("tcp", req.Host)
			if err != nil {
				io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
				return
			}
			defer up.Close()
			io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
			go func() {
				io.Copy(up, br)
				up.Close()
			}()
			io.Copy(c, up)
			return
		}
		io.Copy(io.Discard, req.Body)
		body := "proxied " + req.URL.String()
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
	}
}

func TestHTTPProxyPlainTarget(t *testing.T) {
	const auth = "Basic dXNlcjpwYXNz"
	proxy := newTestHTTPProxy(t, auth, nil)
	r := &fakeResolver{} // fails every lookup, counting them
	c := NewTCPConnector(TCPConnectorOptions{Resolver: r})
	defer c.Close()
	tgt := &dialTarget{scheme: "http", host: "example.test", port: "80", proxy: &proxyTarget{url: proxy.url("http"), auth: auth}}
	cc, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if !cc.proxied || cc.proxyAuth != auth {
		t.Fatalf("proxied %v, proxy auth %q", cc.proxied, cc.proxyAuth)
	}
	// The session sends the absolute form and Proxy-Authorization.
	io.WriteString(cc.nc, "GET http://example.test/path?q=1 HTTP/1.1\r\nHost: example.test\r\nProxy-Authorization: "+cc.proxyAuth+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(cc.r), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "proxied http://example.test/path?q=1" {
		t.Errorf("body %q", body)
	}
	c.release(cc, true)
	if r.calls.Load() != 0 {
		t.Error("the target's name was resolved locally")
	}

	// Another origin through the same proxy is another pool key.
	other := &dialTarget{scheme: "http", host: "other.test", port: "80", proxy: tgt.proxy}
	cc2, err := c.acquire(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	if cc2.reused {
		t.Error("a connection was reused across origins")
	}
	c.release(cc2, true)
	cc3, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if !cc3.reused || !cc3.proxied {
		t.Errorf("proxied connection reuse: reused %v, proxied %v", cc3.reused, cc3.proxied)
	}
	c.release(cc3, true)
}

func TestHTTPProxyConnectTunnel(t *testing.T) {
	const auth = "Basic dXNlcjpwYXNz"
	pki := newConnTestPKI(t, "127.0.0.1")
	target := newTLSTestServer(t, pki.cert)
	proxy := newTestHTTPProxy(t, auth, nil)
	c := NewTCPConnector(TCPConnectorOptions{TLS: TLSOptions{Config: &tls.Config{RootCAs: pki.pool}}})
	defer c.Close()
	hdr := multidict.NewCI(multidict.Item{Key: "X-Proxy-Test", Value: "1"})
	tgt := target.target("https")
	tgt.proxy = &proxyTarget{url: proxy.url("http"), auth: auth, header: hdr}
	cc, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if cc.proxied {
		t.Error("a tunnelled connection is marked proxied")
	}
	if got := roundTripHTTP1(t, cc, "127.0.0.1", "/"); got != "200 OK tls http/1.1" {
		t.Errorf("response %q", got)
	}
	c.release(cc, true)
	reqs := proxy.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests at the proxy", len(reqs))
	}
	want := net.JoinHostPort(target.host, target.port)
	if r := reqs[0]; r.Method != "CONNECT" || r.Host != want || r.Header.Get("Proxy-Authorization") != auth || r.Header.Get("X-Proxy-Test") != "1" {
		t.Errorf("proxy got %s %s %v", r.Method, r.Host, r.Header)
	}
}

func TestHTTPProxyConnectRefused(t *testing.T) {
	proxy := newTestHTTPProxy(t, "Basic right", nil)
	c := NewTCPConnector(TCPConnectorOptions{})
	defer c.Close()
	tgt := &dialTarget{scheme: "https", host: "example.test", port: "443", proxy: &proxyTarget{url: proxy.url("http"), auth: "Basic wrong"}}
	_, err := c.acquire(context.Background(), tgt)
	var re *ClientResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want a *ClientResponseError", err, err)
	}
	if re.Status != 407 || re.Message != "Proxy Authentication Required" || re.Header.Get("Proxy-Authenticate") == "" {
		t.Errorf("response error %+v", re)
	}
	if !errors.Is(err, ErrClientHTTPProxy) || !errors.Is(err, ErrClientResponse) || re.Request.Method != "CONNECT" {
		t.Errorf("error %v", err)
	}
	if c.Stats() != (ConnectorStats{}) {
		t.Errorf("stats %+v", c.Stats())
	}
}

func TestHTTPProxyFailures(t *testing.T) {
	c := NewTCPConnector(TCPConnectorOptions{})
	defer c.Close()
	closed := &url.URL{Scheme: "http", Host: "127.0.0.1:" + closedPort(t)}
	for _, scheme := range []string{"http", "https"} {
		_, err := c.acquire(context.Background(), &dialTarget{scheme: scheme, host: "example.test", port: "80", proxy: &proxyTarget{url: closed}})
		e := wantKind(t, err, ErrClientProxyConnection)
		if !errors.Is(err, syscall.ECONNREFUSED) || e.URL != "http://"+closed.Host {
			t.Errorf("unreachable proxy: %v", err)
		}
	}
	// A proxy that hangs up instead of answering CONNECT.
	rude := newConnTestServer(t, func(c net.Conn) {
		bufio.NewReader(c).ReadString('\n')
	})
	_, err := c.acquire(context.Background(), &dialTarget{scheme: "https", host: "example.test", port: "443",
		proxy: &proxyTarget{url: &url.URL{Scheme: "http", Host: net.JoinHostPort(rude.host, rude.port)}}})
	wantKind(t, err, ErrClientProxyConnection)

	_, err = c.acquire(context.Background(), &dialTarget{scheme: "https", host: "example.test", port: "443",
		proxy: &proxyTarget{url: &url.URL{Scheme: "ftp", Host: "127.0.0.1:21"}}})
	wantKind(t, err, ErrClientProxyConnection)
}

func TestHTTPSProxyTLSInTLS(t *testing.T) {
	pki := newConnTestPKI(t, "127.0.0.1")
	target := newTLSTestServer(t, pki.cert)
	proxy := newTestHTTPProxy(t, "", &pki.cert)
	c := NewTCPConnector(TCPConnectorOptions{TLS: TLSOptions{Config: &tls.Config{RootCAs: pki.pool}}})
	defer c.Close()

	tgt := target.target("https")
	tgt.proxy = &proxyTarget{url: proxy.url("https")}
	cc, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	inner := cc.nc.(*tls.Conn)
	if _, ok := inner.NetConn().(*tls.Conn); !ok {
		t.Errorf("the tunnel runs over %T, not TLS", inner.NetConn())
	}
	if got := roundTripHTTP1(t, cc, "127.0.0.1", "/"); got != "200 OK tls http/1.1" {
		t.Errorf("response %q", got)
	}
	c.release(cc, true)

	// A plain-HTTP target goes to the proxy itself, over TLS.
	plain := &dialTarget{scheme: "http", host: "example.test", port: "80", proxy: tgt.proxy}
	pc, err := c.acquire(context.Background(), plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pc.nc.(*tls.Conn); !ok || !pc.proxied {
		t.Errorf("connection to an https proxy: %T, proxied %v", pc.nc, pc.proxied)
	}
	if got := roundTripHTTP1(t, pc, "example.test", "http://example.test/x"); got != "200 OK proxied http://example.test/x" {
		t.Errorf("response %q", got)
	}
	c.release(pc, true)

	// The proxy's certificate is verified.
	strict := NewTCPConnector(TCPConnectorOptions{})
	defer strict.Close()
	_, err = strict.acquire(context.Background(), plain)
	wantKind(t, err, ErrClientConnectorCertificate)
}

// The DialContext hook opens the connection to the proxy, and to a Unix
// socket: nothing is resolved locally.
func TestDialContextProxyAndUnix(t *testing.T) {
	proxy := newTestHTTPProxy(t, "", nil)
	r := &fakeResolver{}
	var dialed []string
	var d net.Dialer
	record := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed = append(dialed, network+" "+addr)
		if network == "unix" {
			return nil, errors.New("no socket here")
		}
		return d.DialContext(ctx, network, addr)
	}
	c := NewTCPConnector(TCPConnectorOptions{Resolver: r, DialContext: record})
	defer c.Close()
	tgt := &dialTarget{scheme: "http", host: "example.test", port: "80", proxy: &proxyTarget{url: proxy.url("http")}}
	cc, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	c.release(cc, false)
	if want := "tcp " + net.JoinHostPort(proxy.host, proxy.port); len(dialed) != 1 || dialed[0] != want || r.calls.Load() != 0 {
		t.Errorf("dialed %q (%d lookups), want %q", dialed, r.calls.Load(), want)
	}

	u := NewUnixConnector("/run/app.sock", TCPConnectorOptions{DialContext: record})
	defer u.Close()
	_, err = u.acquire(context.Background(), &dialTarget{scheme: "http", host: "localhost", port: "80"})
	wantKind(t, err, ErrUnixClientConnector)
	if dialed[len(dialed)-1] != "unix /run/app.sock" {
		t.Errorf("UnixConnector dialed %q", dialed[len(dialed)-1])
	}
}

// TLS sessions resume through a CONNECT tunnel, with the target and with
// an https proxy alike.
func TestProxyTLSSessionResumption(t *testing.T) {
	pki := newConnTestPKI(t, "127.0.0.1")
	target := newTLSTestServer(t, pki.cert)
	proxy := newTestHTTPProxy(t, "", &pki.cert)
	c := NewTCPConnector(TCPConnectorOptions{TLS: TLSOptions{Config: &tls.Config{RootCAs: pki.pool}}})
	defer c.Close()
	tgt := target.target("https")
	tgt.proxy = &proxyTarget{url: proxy.url("https")}
	for i, want := range []bool{false, true} {
		cc, err := c.acquire(context.Background(), tgt)
		if err != nil {
			t.Fatal(err)
		}
		if got := roundTripHTTP1(t, cc, "127.0.0.1", "/"); got != "200 OK tls http/1.1" {
			t.Errorf("response %q", got)
		}
		inner := cc.nc.(*tls.Conn)
		outer := inner.NetConn().(*tls.Conn)
		if cc.tls.DidResume != want || outer.ConnectionState().DidResume != want {
			t.Errorf("connection %d: target resumed %v, proxy resumed %v; want %v", i+1, cc.tls.DidResume, outer.ConnectionState().DidResume, want)
		}
		c.release(cc, false)
	}
}
