package aiohttp

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync"
	"testing"
)

// testSOCKS5 is a tiny SOCKS5 server (RFC 1928, with RFC 1929 when user
// is set). It records the destination of each CONNECT, maps the names in
// hosts to addresses, and refuses (reply 5) destinations named "refuse".
type testSOCKS5 struct {
	*connTestServer
	user, pass string
	hosts      map[string]string

	mu    sync.Mutex
	dests []string // "atyp host:port" of each CONNECT
}

func newTestSOCKS5(t *testing.T, user, pass string, hosts map[string]string) *testSOCKS5 {
	s := &testSOCKS5{user: user, pass: pass, hosts: hosts}
	s.connTestServer = newConnTestServer(t, s.serve)
	return s
}

func (s *testSOCKS5) url(scheme string, user *url.Userinfo) *url.URL {
	return &url.URL{Scheme: scheme, User: user, Host: net.JoinHostPort(s.host, s.port)}
}

func (s *testSOCKS5) destinations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.dests...)
}

func (s *testSOCKS5) serve(c net.Conn) {
	var b [2]byte
	if _, err := io.ReadFull(c, b[:]); err != nil || b[0] != 5 {
		return
	}
	methods := make([]byte, b[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return
	}
	want := byte(0)
	if s.user != "" {
		want = 2
	}
	if !bytes.Contains(methods, []byte{want}) {
		c.Write([]byte{5, 0xff})
		return
	}
	c.Write([]byte{5, want})
	if want == 2 {
		var hdr [2]byte
		io.ReadFull(c, hdr[:])
		user := make([]byte, hdr[1])
		io.ReadFull(c, user)
		var plen [1]byte
		io.ReadFull(c, plen[:])
		pass := make([]byte, plen[0])
		io.ReadFull(c, pass)
		if hdr[0] != 1 || string(user) != s.user || string(pass) != s.pass {
			c.Write([]byte{1, 1})
			return
		}
		c.Write([]byte{1, 0})
	}
	var req [4]byte
	if _, err := io.ReadFull(c, req[:]); err != nil || req[1] != 1 {
		return
	}
	var host string
	switch req[3] {
	case 1, 4:
		ip := make(net.IP, 4)
		if req[3] == 4 {
			ip = make(net.IP, 16)
		}
		io.ReadFull(c, ip)
		host = ip.String()
	case 3:
		var n [1]byte
		io.ReadFull(c, n[:])
		name := make([]byte, n[0])
		io.ReadFull(c, name)
		host = string(name)
	}
	var port [2]byte
	io.ReadFull(c, port[:])
	dest := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port[:]))))
	s.mu.Lock()
	s.dests = append(s.dests, strconv.Itoa(int(req[3]))+" "+dest)
	s.mu.Unlock()
	if host == "refuse" {
		c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	if a, ok := s.hosts[host]; ok {
		dest = net.JoinHostPort(a, strconv.Itoa(int(binary.BigEndian.Uint16(port[:]))))
	}
	up, err := net.Dial("tcp", dest)
	if err != nil {
		c.Write([]byte{5, 4, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	defer up.Close()
	// Reply with a domain-name bound address, to exercise that form.
	c.Write(append([]byte{5, 0, 0, 3, 4}, "bind\x04\x38"...))
	go func() {
		io.Copy(up, c)
		up.Close()
	}()
	io.Copy(c, up)
}

func TestSOCKS5RemoteDNS(t *testing.T) {
	echo := newConnTestServer(t, func(c net.Conn) { io.Copy(c, c) })
	socks := newTestSOCKS5(t, "", "", map[string]string{"target.test": echo.host})
	r := &fakeResolver{} // fails every lookup, counting them
	c := NewTCPConnector(TCPConnectorOptions{Resolver: r})
	defer c.Close()
	tgt := &dialTarget{scheme: "http", host: "target.test", port: echo.port, proxy: &proxyTarget{url: socks.url("socks5h", nil)}}
	cc, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if cc.proxied {
		t.Error("a SOCKS connection is marked proxied")
	}
	io.WriteString(cc.nc, "ping")
	var b [4]byte
	if _, err := io.ReadFull(cc.nc, b[:]); err != nil || string(b[:]) != "ping" {
		t.Fatalf("echo %q %v", b, err)
	}
	c.release(cc, true)
	if r.calls.Load() != 0 {
		t.Error("socks5h resolved the target locally")
	}
	if got := socks.destinations(); len(got) != 1 || got[0] != "3 target.test:"+echo.port {
		t.Errorf("destinations %v", got)
	}
}

func TestSOCKS5LocalDNSWithAuth(t *testing.T) {
	pki := newConnTestPKI(t, "target.test")
	target := newTLSTestServer(t, pki.cert)
	socks := newTestSOCKS5(t, "user", "secret", nil)
	r := &fakeResolver{addrs: map[string][]net.IPAddr{"target.test": ipAddrs(target.host)}}
	c := NewTCPConnector(TCPConnectorOptions{Resolver: r, TLS: TLSOptions{Config: &tls.Config{RootCAs: pki.pool}}})
	defer c.Close()

	// Credentials from the URL; TLS to the target through the tunnel.
	tgt := &dialTarget{scheme: "https", host: "target.test", port: target.port,
		proxy: &proxyTarget{url: socks.url("socks5", url.UserPassword("user", "secret"))}}
	cc, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if got := roundTripHTTP1(t, cc, "target.test", "/"); got != "200 OK tls http/1.1" {
		t.Errorf("response %q", got)
	}
	c.release(cc, true)
	if got := socks.destinations(); len(got) != 1 || got[0] != "1 "+net.JoinHostPort(target.host, target.port) {
		t.Errorf("destinations %v (socks5 sends the resolved address)", got)
	}

	// Credentials from a Basic Proxy-Authorization value.
	tgt2 := &dialTarget{scheme: "https", host: "target.test", port: target.port,
		proxy: &proxyTarget{url: socks.url("socks5", nil), auth: "Basic dXNlcjpzZWNyZXQ="}}
	cc, err = c.acquire(context.Background(), tgt2)
	if err != nil {
		t.Fatal(err)
	}
	c.release(cc, false)

	// Wrong or missing credentials.
	for _, u := range []*url.Userinfo{url.UserPassword("user", "wrong"), nil} {
		bad := &dialTarget{scheme: "https", host: "target.test", port: target.port, proxy: &proxyTarget{url: socks.url("socks5", u)}}
		_, err = c.acquire(context.Background(), bad)
		wantKind(t, err, ErrClientProxyConnection)
	}
}

func TestSOCKS5Refused(t *testing.T) {
	socks := newTestSOCKS5(t, "", "", nil)
	c := NewTCPConnector(TCPConnectorOptions{})
	defer c.Close()
	_, err := c.acquire(context.Background(), &dialTarget{scheme: "http", host: "refuse", port: "80", proxy: &proxyTarget{url: socks.url("socks5h", nil)}})
	wantKind(t, err, ErrClientProxyConnection)
	var re socksReplyError
	if !errors.As(err, &re) || re != 5 || re.Error() != "socks5: connection refused" {
		t.Errorf("error %v", err)
	}
	// IPv6 destinations are sent as such.
	_, err = c.acquire(context.Background(), &dialTarget{scheme: "http", host: "::1", port: closedPort(t), proxy: &proxyTarget{url: socks.url("socks5h", nil)}})
	wantKind(t, err, ErrClientProxyConnection)
	if got := socks.destinations(); len(got) != 2 || got[1][:2] != "4 " {
		t.Errorf("destinations %v", got)
	}
}

func TestSOCKS5HandshakeErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		server string // what the server answers
		host   string
		auth   bool
		want   string
	}{
		{"version", "\x04\x00", "a", false, "socks5: server speaks version 4"},
		{"no method", "\x05\xff", "a", false, "socks5: server accepts none of the offered authentication methods"},
		{"unoffered method", "\x05\x02", "a", false, "socks5: server chose authentication method 2, which was not offered"},
		{"long name", "\x05\x00", string(make([]byte, 256)), false, "socks5: host name must be 1 to 255 bytes long"},
		{"login refused", "\x05\x02\x01\x01", "a", true, "socks5: username/password authentication failed"},
		{"reply version", "\x05\x00\x04\x00\x00\x01", "a", false, "socks5: reply of version 4"},
		{"reply code", "\x05\x00\x05\x09\x00\x01", "a", false, "socks5: unknown reply code 9"},
		{"address type", "\x05\x00\x05\x00\x00\x07", "a", false, "socks5: reply with address type 7"},
		{"truncated", "\x05\x00\x05\x00\x00\x01\x7f", "a", false, io.ErrUnexpectedEOF.Error()},
	} {
		rw := struct {
			io.Reader
			io.Writer
		}{bytes.NewReader([]byte(tc.server)), io.Discard}
		err := socks5Handshake(rw, tc.host, 80, "u", "p", tc.auth)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	empty := struct {
		io.Reader
		io.Writer
	}{bytes.NewReader(nil), io.Discard}
	if socks5Login(empty, "", "p") == nil {
		t.Error("an empty username was accepted")
	}
}

func TestSOCKS5Request(t *testing.T) {
	var sent bytes.Buffer
	rw := struct {
		io.Reader
		io.Writer
	}{bytes.NewReader([]byte("\x05\x02\x01\x00\x05\x00\x00\x04" + string(make([]byte, 18)))), &sent}
	if err := socks5Handshake(rw, "2001:db8::1", 443, "user", "pw", true); err != nil {
		t.Fatal(err)
	}
	want := "\x05\x02\x00\x02" + "\x01\x04user\x02pw" + "\x05\x01\x00\x04" + string(net.ParseIP("2001:db8::1")) + "\x01\xbb"
	if sent.String() != want {
		t.Errorf("sent %q, want %q", sent.String(), want)
	}
}

// socksReplyLen returns the length of the successful SOCKS5 reply at the
// start of b, or -1 when b does not start with one.
func socksReplyLen(b []byte) int {
	if len(b) < 4 || b[0] != 5 || b[1] != 0 {
		return -1
	}
	n := 4
	switch b[3] {
	case 1:
		n += 4
	case 4:
		n += 16
	case 3:
		if len(b) < 5 {
			return -1
		}
		n += 1 + int(b[4])
	default:
		return -1
	}
	if n += 2; len(b) < n {
		return -1
	}
	return n
}

func FuzzSOCKS5Reply(f *testing.F) {
	for _, s := range []string{
		"\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38",
		"\x05\x00\x00\x04" + string(make([]byte, 18)),
		"\x05\x00\x00\x03\x04bind\x00\x50tunnel bytes",
		"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00",
		"\x05\x00\x00\x03\xff",
		"\x04\x00",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		err := readSOCKS5Reply(r)
		consumed := len(b) - r.Len()
		want := socksReplyLen(b)
		switch {
		case err == nil && consumed != want:
			t.Fatalf("accepted %q consuming %d bytes, the reply is %d", b, consumed, want)
		case err != nil && want >= 0:
			t.Fatalf("rejected the valid reply %q: %v", b, err)
		case consumed > len(b):
			t.Fatal("read past the input")
		}
		var re socksReplyError
		if errors.As(err, &re) && (len(b) < 2 || byte(re) != b[1] || re == 0) {
			t.Fatalf("reply error %d for %q", re, b)
		}
	})
}
