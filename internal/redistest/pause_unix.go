//go:build unix

package redistest

import (
	"os"
	"syscall"
)

// Pause stops the server's process (SIGSTOP): connections stay open and
// nothing answers, as when a network path drops; Resume continues it.
func (s *Server) Pause() { s.signal(syscall.SIGSTOP) }

// Resume continues a paused server.
func (s *Server) Resume() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig os.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.cmd.Process.Signal(sig)
	}
}
