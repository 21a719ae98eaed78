package aiohttp

import (
	"context"
	"net"
	"testing"
	"testing/synctest"
)

// TestPoolCloseWaitsForFirst: a Close called while another is closing the
// idle connections returns only once they are closed.
func TestPoolCloseWaitsForFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		closing, release := make(chan struct{}), make(chan struct{})
		c := NewTCPConnector(TCPConnectorOptions{})
		c.dial = func(context.Context, string, string) (net.Conn, error) {
			a, b := net.Pipe()
			t.Cleanup(func() { b.Close() })
			return &slowCloseConn{Conn: a, closing: closing, release: release}, nil
		}
		cc, err := c.acquire(context.Background(), &dialTarget{scheme: "http", host: "127.0.0.1", port: "80"})
		if err != nil {
			t.Fatal(err)
		}
		c.release(cc, true)
		if st := c.Stats(); st.Idle != 1 {
			t.Fatalf("stats %+v, want one idle connection", st)
		}
		first, second := make(chan error, 1), make(chan error, 1)
		go func() { first <- c.Close() }()
		<-closing
		go func() { second <- c.Close() }()
		synctest.Wait()
		select {
		case <-second:
			t.Fatal("the second Close returned while the first was closing the idle connection")
		default:
		}
		close(release)
		if err1, err2 := <-first, <-second; err1 != nil || err2 != nil {
			t.Fatalf("Close returned %v and %v, want nil", err1, err2)
		}
	})
}

// slowCloseConn is a connection whose Close tells that it started by
// closing closing, then waits for release.
type slowCloseConn struct {
	net.Conn
	closing, release chan struct{}
}

func (c *slowCloseConn) Close() error {
	close(c.closing)
	<-c.release
	return c.Conn.Close()
}
