package aiohttp

import (
	"context"
	"net"
	"time"
)

// netDialFunc opens a network connection, as net.Dialer.DialContext does.
type netDialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// dialResult is the outcome of one connection attempt.
type dialResult struct {
	conn net.Conn
	err  error
}

// dialHappyEyeballs connects to one of addrs on port, racing the
// addresses as RFC 8305 (Happy Eyeballs v2) describes: the addresses
// alternate between the families, starting with the family of the first
// one; each attempt starts delay after the previous one or as soon as the
// previous one fails (a negative delay: only then, one address after the
// other); the first connection wins and the others are cancelled, or
// closed if they connect anyway. attemptTimeout, when positive, bounds
// each attempt. When every attempt fails it returns the first error.
func dialHappyEyeballs(ctx context.Context, dial netDialFunc, addrs []net.IPAddr, port string, delay, attemptTimeout time.Duration) (net.Conn, error) {
	if len(addrs) == 1 {
		return dialAttempt(ctx, dial, addrs[0], port, attemptTimeout)
	}
	addrs = interleaveFamilies(addrs)
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan dialResult, len(addrs))
	next, pending := 0, 0
	var timer *time.Timer
	var timerC <-chan time.Time
	start := func() {
		addr := addrs[next]
		go func() {
			c, err := dialAttempt(dctx, dial, addr, port, attemptTimeout)
			results <- dialResult{c, err}
		}()
		next++
		pending++
		timerC = nil
		if delay >= 0 && next < len(addrs) {
			if timer == nil {
				timer = time.NewTimer(delay)
			} else {
				timer.Reset(delay)
			}
			timerC = timer.C
		}
	}
	// abandon closes the connections of the attempts still running.
	abandon := func() {
		if timer != nil {
			timer.Stop()
		}
		cancel()
		if pending > 0 {
			go func(n int) {
				for range n {
					if r := <-results; r.conn != nil {
						r.conn.Close()
					}
				}
			}(pending)
		}
	}

	start()
	var firstErr error
	for {
		select {
		case r := <-results:
			pending--
			if r.err == nil {
				abandon()
				return r.conn, nil
			}
			if firstErr == nil {
				firstErr = r.err
			}
			if next < len(addrs) {
				start()
			} else if pending == 0 {
				abandon()
				return nil, firstErr
			}
		case <-timerC:
			start()
		case <-ctx.Done():
			abandon()
			return nil, ctx.Err()
		}
	}
}

// dialAttempt connects to one address, within timeout when positive.
func dialAttempt(ctx context.Context, dial netDialFunc, addr net.IPAddr, port string, timeout time.Duration) (net.Conn, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	return dial(ctx, "tcp", net.JoinHostPort(addr.String(), port))
}

// interleaveFamilies orders addrs alternating between IPv6 and IPv4,
// starting with the family of the first address and otherwise keeping
// the resolver's order.
func interleaveFamilies(addrs []net.IPAddr) []net.IPAddr {
	first := addrs[0].IP.To4() != nil
	var same, other []net.IPAddr
	for _, a := range addrs {
		if (a.IP.To4() != nil) == first {
			same = append(same, a)
		} else {
			other = append(other, a)
		}
	}
	out := make([]net.IPAddr, 0, len(addrs))
	for i := 0; i < len(same) || i < len(other); i++ {
		if i < len(same) {
			out = append(out, same[i])
		}
		if i < len(other) {
			out = append(out, other[i])
		}
	}
	return out
}
