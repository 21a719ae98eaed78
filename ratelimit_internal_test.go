package aiohttp

import (
	"net/url"
	"strconv"
	"testing"
	"time"
)

// Per-origin allowances are forgotten once full again, so that a crawler
// visiting many hosts does not keep one for each.
func TestRateLimitForgetsIdleOrigins(t *testing.T) {
	l := &rateLimits{rate: 1, burst: 1}
	req := func(host string) *ClientRequest { return &ClientRequest{URL: &url.URL{Scheme: "http", Host: host}} }
	busy := l.limiter(req("busy.test"))
	busy.ReserveN(time.Now(), 1) // its allowance is spent for a second
	for i := range maxIdleOrigins - 1 {
		l.limiter(req("h" + strconv.Itoa(i) + ".test"))
	}
	if len(l.origins) != maxIdleOrigins {
		t.Fatalf("%d origins, want %d", len(l.origins), maxIdleOrigins)
	}
	l.limiter(req("new.test"))
	if len(l.origins) != 2 || l.origins["http://busy.test"] != busy {
		t.Errorf("%d origins kept, want the busy one and the new one", len(l.origins))
	}
}
