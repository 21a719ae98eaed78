package aiohttp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// connTestServer is a TCP server on 127.0.0.1 that counts the connections
// it accepts and keeps them open until the client closes them (or the
// test closes them through conns).
type connTestServer struct {
	ln       net.Listener
	host     string
	port     string
	accepted atomic.Int64
	conns    chan net.Conn // every accepted connection
	wg       sync.WaitGroup
	marks    sync.Map // remote address of a mark connection → chan struct{} closed on its accept
}

// newConnTestServer starts a connTestServer; serve, when not nil, handles
// each connection (the default reads until EOF).
func newConnTestServer(t testing.TB, serve func(net.Conn)) *connTestServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startConnTestServer(t, ln, serve)
}

// startConnTestServer serves ln as newConnTestServer does.
func startConnTestServer(t testing.TB, ln net.Listener, serve func(net.Conn)) *connTestServer {
	s := &connTestServer{ln: ln, conns: make(chan net.Conn, 1000)}
	if addr, ok := ln.Addr().(*net.TCPAddr); ok {
		s.host, s.port = addr.IP.String(), strconv.Itoa(addr.Port)
	}
	if serve == nil {
		serve = func(c net.Conn) { io.Copy(io.Discard, c) }
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if seen, ok := s.marks.LoadAndDelete(c.RemoteAddr().String()); ok {
				c.Close()
				close(seen.(chan struct{}))
				continue
			}
			s.accepted.Add(1)
			s.conns <- c
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-s.conns:
				c.Close()
				continue
			default:
			}
			break
		}
		s.wg.Wait()
	})
	return s
}

// acceptedBefore returns how many connections made before the call the server
// accepted, exactly: it makes a mark connection of its own and waits for
// the server to accept it. The kernel hands completed connections to
// accept in the order they were made, so every connection made before
// the mark has been accepted and counted by then.
func (s *connTestServer) acceptedBefore(t testing.TB) int64 {
	t.Helper()
	// The mark's own address is chosen before it dials, so that the
	// server knows it when it accepts it.
	var local net.Addr
	if s.ln.Addr().Network() == "unix" {
		local = &net.UnixAddr{Name: filepath.Join(t.TempDir(), "mark"), Net: "unix"}
	} else {
		free, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		local = free.Addr()
		free.Close()
	}
	seen := make(chan struct{})
	s.marks.Store(local.String(), seen)
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: local}
	c, err := d.Dial(s.ln.Addr().Network(), s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case <-seen:
	case <-time.After(5 * time.Second):
		t.Fatal("the mark connection was not accepted")
	}
	return s.accepted.Load()
}

// target returns a dial target for the server.
func (s *connTestServer) target(scheme string) *dialTarget {
	return &dialTarget{scheme: scheme, host: s.host, port: s.port}
}

// connTestPKI is a test CA and a leaf certificate it signed.
type connTestPKI struct {
	pool *x509.CertPool
	cert tls.Certificate
}

// newConnTestPKI makes a CA and a server certificate for names (DNS names
// or IP addresses) signed by it.
func newConnTestPKI(t testing.TB, names ...string) *connTestPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "aiohttp test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &connTestPKI{pool: pool, cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}}
}

// connTestTrace counts a request's connection trace signals.
type connTestTrace struct {
	queuedStart, queuedEnd, createStart, createEnd, reuse atomic.Int64
	dnsStart, dnsEnd, dnsHit, dnsMiss                     atomic.Int64
}

// tracer returns a tracer reporting to tr.
func (tr *connTestTrace) tracer() *tracer {
	return newTracer(context.Background(), []*TraceConfig{{
		OnConnectionQueuedStart: func(context.Context) { tr.queuedStart.Add(1) },
		OnConnectionQueuedEnd:   func(context.Context) { tr.queuedEnd.Add(1) },
		OnConnectionCreateStart: func(context.Context) { tr.createStart.Add(1) },
		OnConnectionCreateEnd:   func(context.Context) { tr.createEnd.Add(1) },
		OnConnectionReuseconn:   func(context.Context) { tr.reuse.Add(1) },
		OnDNSResolveHostStart:   func(context.Context, string) { tr.dnsStart.Add(1) },
		OnDNSResolveHostEnd:     func(context.Context, string) { tr.dnsEnd.Add(1) },
		OnDNSCacheHit:           func(context.Context, string) { tr.dnsHit.Add(1) },
		OnDNSCacheMiss:          func(context.Context, string) { tr.dnsMiss.Add(1) },
	}})
}

// wantKind fails unless err is an *Error of kind.
func wantKind(t testing.TB, err error, kind error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("error %v has kind %v, want %v", err, e.Kind, kind)
	}
	return e
}

// closedPort returns a local TCP port nothing listens on.
func closedPort(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	return port
}

func TestTCPConnectorDefaults(t *testing.T) {
	c := NewTCPConnector(TCPConnectorOptions{})
	defer c.Close()
	if c.Limit() != 100 || c.LimitPerHost() != 0 {
		t.Errorf("limits %d/%d, want 100/0", c.Limit(), c.LimitPerHost())
	}
	if c.keepAlive != 15*time.Second || c.delay != 250*time.Millisecond {
		t.Errorf("keep-alive %v, happy eyeballs delay %v", c.keepAlive, c.delay)
	}
	if c.dns.ttl != 10*time.Second || c.dns.size != 1000 || !c.dns.caching || c.dns.resolver != net.DefaultResolver {
		t.Errorf("dns cache %+v", c.dns)
	}
	u := NewTCPConnector(TCPConnectorOptions{Limit: -1, KeepAliveTimeout: -1})
	if u.Limit() != 0 || u.keepAlive > 0 {
		t.Errorf("negative limit and keep-alive: %d, %v", u.Limit(), u.keepAlive)
	}
	var _ Connector = c
}

func TestTCPConnectorConnectionRefused(t *testing.T) {
	c := NewTCPConnector(TCPConnectorOptions{})
	defer c.Close()
	_, err := c.acquire(context.Background(), &dialTarget{scheme: "http", host: "127.0.0.1", port: closedPort(t)})
	e := wantKind(t, err, ErrClientConnector)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %v does not match ECONNREFUSED", err)
	}
	if e.URL == "" {
		t.Error("error names no URL")
	}
	if s := c.Stats(); s != (ConnectorStats{}) {
		t.Errorf("stats after a failed dial: %+v", s)
	}
}

func TestTCPConnectorDialTimeout(t *testing.T) {
	c := NewTCPConnector(TCPConnectorOptions{})
	defer c.Close()
	c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	}
	start := time.Now()
	_, err := c.acquire(context.Background(), &dialTarget{scheme: "http", host: "127.0.0.1", port: "80", dialTimeout: 50 * time.Millisecond})
	wantKind(t, err, ErrConnectionTimeout)
	if !errors.Is(err, ErrServerTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout %v does not match ErrServerTimeout and DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("dial timeout took %v", d)
	}

	// The context's deadline is a connection timeout too, its
	// cancellation a connection error.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err = c.acquire(ctx, &dialTarget{scheme: "http", host: "127.0.0.1", port: "80"})
	wantKind(t, err, ErrConnectionTimeout)
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = c.acquire(ctx, &dialTarget{scheme: "http", host: "127.0.0.1", port: "80"})
	wantKind(t, err, ErrClientConnection)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrClientConnector) {
		t.Errorf("cancellation gave %v", err)
	}
}

func TestTCPConnectorLocalAddr(t *testing.T) {
	srv := newConnTestServer(t, nil)
	local := net.ParseIP("127.0.0.2")
	if ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: local}); err != nil {
		t.Skip("cannot bind 127.0.0.2:", err)
	} else {
		ln.Close()
	}
	c := NewTCPConnector(TCPConnectorOptions{LocalAddr: &net.TCPAddr{IP: local}})
	defer c.Close()
	if c.family != 4 {
		t.Errorf("an IPv4 local address gives family %d", c.family)
	}
	cc, err := c.acquire(context.Background(), srv.target("http"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.release(cc, false)
	sc := <-srv.conns
	if got := sc.RemoteAddr().(*net.TCPAddr).IP; !got.Equal(local) {
		t.Errorf("server sees the client at %v, want %v", got, local)
	}
}

func TestTCPConnectorTraceSignals(t *testing.T) {
	srv := newConnTestServer(t, nil)
	c := NewTCPConnector(TCPConnectorOptions{Limit: 1})
	defer c.Close()
	var tr connTestTrace
	tgt := srv.target("http")
	tgt.trace = tr.tracer()

	c1, err := c.acquire(context.Background(), tgt)
	if err != nil {
		t.Fatal(err)
	}
	if c1.reused || c1.queued != 0 {
		t.Errorf("new connection: reused %v, queued %v", c1.reused, c1.queued)
	}
	done := make(chan *clientConn)
	go func() {
		c2, err := c.acquire(context.Background(), tgt)
		if err != nil {
			t.Error(err)
		}
		done <- c2
	}()
	waitStats(t, c.pool, func(s ConnectorStats) bool { return s.Waiting == 1 })
	time.Sleep(20 * time.Millisecond)
	c.release(c1, true)
	c2 := <-done
	if !c2.reused || c2 != c1 || c2.queued < 20*time.Millisecond {
		t.Errorf("queued acquisition: same %v, reused %v, queued %v", c2 == c1, c2.reused, c2.queued)
	}
	c.release(c2, true)
	if got := [...]int64{tr.createStart.Load(), tr.createEnd.Load(), tr.reuse.Load(), tr.queuedStart.Load(), tr.queuedEnd.Load()}; got != [...]int64{1, 1, 1, 1, 1} {
		t.Errorf("create start/end, reuse, queued start/end = %v, want all 1", got)
	}
	if tr.dnsStart.Load()+tr.dnsHit.Load()+tr.dnsMiss.Load() != 0 {
		t.Error("an IP literal went through DNS")
	}
}

// waitStats waits until cond holds for p's stats.
func waitStats(t testing.TB, p *pool, cond func(ConnectorStats) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond(p.Stats()) {
		if time.Now().After(deadline) {
			t.Fatalf("stats stay %+v", p.Stats())
		}
		time.Sleep(time.Millisecond)
	}
}
