package aiohttp

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
)

// SOCKS version 5 (RFC 1928) and its username/password authentication
// (RFC 1929).
const (
	socksVersion      = 5
	socksAuthNone     = 0x00
	socksAuthPassword = 0x02
	socksAuthNoAccept = 0xff // no acceptable method
	socksCmdConnect   = 0x01
	socksAddrIPv4     = 0x01
	socksAddrDomain   = 0x03
	socksAddrIPv6     = 0x04
	socksPassVersion  = 0x01
)

// connectSOCKS5 opens a connection for t through the SOCKS5 proxy at
// host:port. A socks5:// proxy gets the target's address, resolved here
// (DNS cache, family); a socks5h:// proxy gets its name and resolves it
// itself. Credentials come from the proxy URL's userinfo, else from a
// Basic Proxy-Authorization value in t.proxy.auth.
func (c *TCPConnector) connectSOCKS5(ctx context.Context, t *dialTarget, host, port, purl, origin string) (*clientConn, error) {
	dst := t.host
	if t.proxy.url.Scheme == "socks5" {
		addrs, err := c.resolve(ctx, t.host, t.trace, origin)
		if err != nil {
			return nil, err
		}
		dst = addrs[0].IP.String()
	}
	dport, err := strconv.ParseUint(t.port, 10, 16)
	if err != nil {
		return nil, &Error{Kind: ErrClientConnector, URL: origin, Err: errors.New("invalid port " + t.port)}
	}
	user, pass, auth := socksCredentials(t.proxy)

	nc, err := c.dialHost(ctx, t, host, port, ErrClientProxyConnection, purl)
	if err != nil {
		return nil, err
	}
	done := watchConn(ctx, nc)
	err = socks5Handshake(nc, dst, uint16(dport), user, pass, auth)
	if derr := done(); err == nil {
		err = derr
	}
	if err != nil {
		nc.Close()
		return nil, connectError(ctx, ErrClientProxyConnection, purl, err)
	}
	if t.scheme == "https" {
		return secure(ctx, nc, t, c.tlsOptions(t), c.sessions, origin)
	}
	return &clientConn{nc: nc}, nil
}

// socksCredentials returns the username and password for a SOCKS5 proxy,
// and whether there are any.
func socksCredentials(p *proxyTarget) (user, pass string, ok bool) {
	if u := p.url.User; u != nil {
		pass, _ = u.Password()
		return u.Username(), pass, true
	}
	scheme, cred, found := strings.Cut(p.auth, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(raw), ":")
	return user, pass, ok
}

// socks5Handshake asks the SOCKS5 server on rw to connect to host (an IP
// literal or a name) and port, offering username/password authentication
// when auth is set, and no authentication otherwise.
func socks5Handshake(rw io.ReadWriter, host string, port uint16, user, pass string, auth bool) error {
	greeting := []byte{socksVersion, 1, socksAuthNone}
	if auth {
		greeting = []byte{socksVersion, 2, socksAuthNone, socksAuthPassword}
	}
	if _, err := rw.Write(greeting); err != nil {
		return err
	}
	var choice [2]byte
	if _, err := io.ReadFull(rw, choice[:]); err != nil {
		return err
	}
	if choice[0] != socksVersion {
		return errors.New("socks5: server speaks version " + strconv.Itoa(int(choice[0])))
	}
	switch {
	case choice[1] == socksAuthNone:
	case choice[1] == socksAuthPassword && auth:
		if err := socks5Login(rw, user, pass); err != nil {
			return err
		}
	case choice[1] == socksAuthNoAccept:
		return errors.New("socks5: server accepts none of the offered authentication methods")
	default:
		return errors.New("socks5: server chose authentication method " + strconv.Itoa(int(choice[1])) + ", which was not offered")
	}

	req := make([]byte, 0, 6+1+len(host)+16)
	req = append(req, socksVersion, socksCmdConnect, 0)
	if ip := net.ParseIP(host); ip == nil {
		if len(host) == 0 || len(host) > 255 {
			return errors.New("socks5: host name must be 1 to 255 bytes long")
		}
		req = append(req, socksAddrDomain, byte(len(host)))
		req = append(req, host...)
	} else if ip4 := ip.To4(); ip4 != nil {
		req = append(req, socksAddrIPv4)
		req = append(req, ip4...)
	} else {
		req = append(req, socksAddrIPv6)
		req = append(req, ip...)
	}
	req = append(req, byte(port>>8), byte(port))
	if _, err := rw.Write(req); err != nil {
		return err
	}
	return readSOCKS5Reply(rw)
}

// socks5Login authenticates with a username and password (RFC 1929).
func socks5Login(rw io.ReadWriter, user, pass string) error {
	if len(user) == 0 || len(user) > 255 || len(pass) > 255 {
		return errors.New("socks5: username must be 1 to 255 bytes long, password at most 255")
	}
	b := make([]byte, 0, 3+len(user)+len(pass))
	b = append(b, socksPassVersion, byte(len(user)))
	b = append(b, user...)
	b = append(b, byte(len(pass)))
	b = append(b, pass...)
	if _, err := rw.Write(b); err != nil {
		return err
	}
	var resp [2]byte
	if _, err := io.ReadFull(rw, resp[:]); err != nil {
		return err
	}
	if resp[0] != socksPassVersion || resp[1] != 0 {
		return errors.New("socks5: username/password authentication failed")
	}
	return nil
}

// socksReplyError is a SOCKS5 server's refusal to connect.
type socksReplyError byte

// The reply codes of RFC 1928, section 6.
var socksReplies = [...]string{
	1: "general SOCKS server failure",
	2: "connection not allowed by ruleset",
	3: "network unreachable",
	4: "host unreachable",
	5: "connection refused",
	6: "TTL expired",
	7: "command not supported",
	8: "address type not supported",
}

func (e socksReplyError) Error() string {
	if int(e) < len(socksReplies) {
		return "socks5: " + socksReplies[e]
	}
	return "socks5: unknown reply code " + strconv.Itoa(int(e))
}

// readSOCKS5Reply reads the server's reply to a request (RFC 1928,
// section 6), reading nothing beyond it: what follows belongs to the
// tunnel. It fails with a socksReplyError when the server refused.
func readSOCKS5Reply(r io.Reader) error {
	var b [4 + 1]byte // VER REP RSV ATYP, and the length of a domain name
	if _, err := io.ReadFull(r, b[:4]); err != nil {
		return noEOF(err)
	}
	if b[0] != socksVersion {
		return errors.New("socks5: reply of version " + strconv.Itoa(int(b[0])))
	}
	if b[1] != 0 {
		return socksReplyError(b[1])
	}
	var n int
	switch b[3] {
	case socksAddrIPv4:
		n = net.IPv4len
	case socksAddrIPv6:
		n = net.IPv6len
	case socksAddrDomain:
		if _, err := io.ReadFull(r, b[4:]); err != nil {
			return noEOF(err)
		}
		n = int(b[4])
	default:
		return errors.New("socks5: reply with address type " + strconv.Itoa(int(b[3])))
	}
	var rest [255 + 2]byte // BND.ADDR, BND.PORT
	_, err := io.ReadFull(r, rest[:n+2])
	return noEOF(err)
}

// noEOF turns the end of a stream in the middle of a message into
// io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
