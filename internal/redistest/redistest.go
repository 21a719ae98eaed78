// Package redistest starts a real Redis server (Debian's redis-server)
// for tests: on 127.0.0.1, on a port of its own, in a temporary
// directory, stopped when the test ends.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// requirePeersEnv, when set (as .ci/run does), makes a missing
// redis-server fail the test instead of skipping it.
const requirePeersEnv = "AIOHTTP_GO_REQUIRE_PEERS"

// Server is a running redis-server.
type Server struct {
	mu   sync.Mutex // held by Stop, Restart, Pause and Resume
	t    testing.TB
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
}

// Start starts a redis-server for t, or skips t (fails it under
// AIOHTTP_GO_REQUIRE_PEERS) when there is none.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server not found (apt-get install redis-server)"
		if os.Getenv(requirePeersEnv) != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir()}
	s.start()
	t.Cleanup(s.Stop)
	return s
}

// start runs the server, on a new port the first time and on the same
// port after Stop, and waits until it answers.
func (s *Server) start() {
	s.t.Helper()
	for try := 0; ; try++ {
		if s.port == 0 || try > 0 {
			s.port = unusedPort(s.t)
		}
		cmd := exec.Command(s.bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
			"--dir", s.dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always",
			"--daemonize", "no", "--loglevel", "warning")
		if err := cmd.Start(); err != nil {
			s.t.Fatalf("redistest: %v", err)
		}
		if s.waitReady(5 * time.Second) {
			s.cmd = cmd
			return
		}
		cmd.Process.Kill()
		cmd.Wait()
		if try == 3 {
			s.t.Fatalf("redistest: redis-server did not answer on port %d", s.port)
		}
	}
}

// waitReady waits until the server answers PING.
func (s *Server) waitReady(limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(time.Second))
			fmt.Fprint(c, "PING\r\n")
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "+PONG") {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// URL is the server's redis:// URL for database db.
func (s *Server) URL(db int) string { return fmt.Sprintf("redis://%s/%d", s.Addr(), db) }

// Stop kills the server; it may be called more than once.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stop()
}

func (s *Server) stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// Restart stops the server and starts it again on the same port with
// its data (kept in an append-only file).
func (s *Server) Restart() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stop()
	s.start()
}

// unusedPort returns a TCP port free on 127.0.0.1 a moment ago.
func unusedPort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
