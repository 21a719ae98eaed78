package web

// OpenWebSockets returns how many WebSockets s keeps for its shutdown.
func OpenWebSockets(s *Server) int {
	s.sockets.mu.Lock()
	defer s.sockets.mu.Unlock()
	return len(s.sockets.m)
}
