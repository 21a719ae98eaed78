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
