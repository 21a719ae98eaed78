//go:build !unix

package redistest

// Pause cannot stop a process on this system: it skips the test.
func (s *Server) Pause() { s.t.Skip("redistest: Pause needs SIGSTOP (unix only)") }

// Resume does nothing where Pause skips.
func (s *Server) Resume() {}
