package web

import "time"

// OpenWebSockets returns how many WebSockets s keeps for its shutdown.
func OpenWebSockets(s *Server) int {
	s.sockets.mu.Lock()
	defer s.sockets.mu.Unlock()
	return len(s.sockets.m)
}

// SetCacheSettle sets how long ago a file must have changed for a static
// route to keep its content, until the test ends.
func SetCacheSettle(t interface{ Cleanup(func()) }, d time.Duration) {
	old := cacheSettle
	cacheSettle = d
	t.Cleanup(func() { cacheSettle = old })
}

// ParkIdle sweeps s as its sweeper will once its idle keep-alive
// connections have been silent for a while: they park.
func ParkIdle(s *Server) { s.sweep(s.clock.Load() + parkAfter) }

// ExpireIdle sweeps s as its sweeper will once the keep-alive timeout has
// passed: idle and parked connections close.
func ExpireIdle(s *Server) { s.sweep(s.clock.Load() + int64(s.opts.KeepAliveTimeout/time.Second)) }

// ParkedConns returns how many of s's connections are parked.
func ParkedConns(s *Server) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		if c.state.Load() == stateParked {
			n++
		}
	}
	return n
}

// ParkAfterEveryRequest makes connections woken from parking park again
// after their next request however short their silence was, as after a
// silence of parkQuiet, until the test ends.
func ParkAfterEveryRequest(t interface{ Cleanup(func()) }) {
	old := parkQuiet
	parkQuiet = 0
	t.Cleanup(func() { parkQuiet = old })
}
