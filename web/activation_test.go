//go:build unix

package web

import (
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestListenersFromEnvVariables covers the variables of socket activation
// without descriptors: absent, meant for another process, malformed, none
// passed.
func TestListenersFromEnvVariables(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	for _, tc := range []struct {
		name          string
		fds, pid      string // "" leaves the variable unset
		wantErr, kept bool
	}{
		{name: "unset"},
		{name: "another process", fds: "1", pid: strconv.Itoa(os.Getpid() + 1), kept: true},
		{name: "bad pid", fds: "1", pid: "self", wantErr: true},
		{name: "bad count", fds: "x", pid: self, wantErr: true},
		{name: "negative count", fds: "-1", wantErr: true},
		{name: "none passed", fds: "0", pid: self},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setenv(t, "LISTEN_FDS", tc.fds)
			setenv(t, "LISTEN_PID", tc.pid)
			listeners, err := ListenersFromEnv()
			if tc.wantErr != errors.Is(err, ErrSocketActivation) {
				t.Fatalf("err = %v, want ErrSocketActivation: %v", err, tc.wantErr)
			}
			if len(listeners) != 0 {
				t.Errorf("got %d listeners, want none", len(listeners))
			}
			_, kept := os.LookupEnv("LISTEN_FDS")
			if tc.fds != "" && kept != tc.kept {
				t.Errorf("LISTEN_FDS kept: %v, want %v", kept, tc.kept)
			}
		})
	}
}

// setenv sets the variable name for the test, or unsets it when value
// is empty.
func setenv(t *testing.T, name, value string) {
	t.Setenv(name, value) // restores it after the test
	if value == "" {
		os.Unsetenv(name)
	}
}

// TestInheritedListener: a passed listening socket serves; another
// descriptor is an ErrSocketActivation naming it.
func TestInheritedListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lf, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	fd := dupFD(t, lf)
	inherited, err := inheritedListener(fd, "http")
	if err != nil {
		t.Fatal(err)
	}
	defer inherited.Close()
	if inherited.Addr().String() != ln.Addr().String() {
		t.Errorf("inherited listener on %s, want %s", inherited.Addr(), ln.Addr())
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); !errors.Is(err, syscall.EBADF) {
		t.Errorf("the inherited descriptor is still open: fstat = %v", err)
	}

	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	_, err = inheritedListener(dupFD(t, null), "null")
	if !errors.Is(err, ErrSocketActivation) || !strings.Contains(err.Error(), "(null)") {
		t.Errorf("a file passed as a socket: err = %v, want ErrSocketActivation naming it", err)
	}
}

// dupFD returns a new descriptor of what f holds, as a supervisor passes
// one.
func dupFD(t *testing.T, f *os.File) int {
	t.Helper()
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	return fd
}
