package web

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// listenFDsStart is the first file descriptor of socket activation: the
// sockets follow standard input, output and error.
const listenFDsStart = 3

// ErrSocketActivation is the error of socket-activation variables that
// cannot be used: a bad LISTEN_FDS or LISTEN_PID, or a passed descriptor
// that is not a listening stream socket.
var ErrSocketActivation = errors.New("web: socket activation")

// ListenersFromEnv returns the listening sockets a supervisor passed by
// systemd's socket activation protocol: LISTEN_FDS descriptors from 3 on,
// for the process LISTEN_PID names (any process when it is unset), named
// by LISTEN_FDNAMES. It returns nil and no error when LISTEN_FDS is unset
// or LISTEN_PID names another process, so that a program can fall back to
// listening itself.
//
// The variables are unset (unless meant for another process), so that
// child processes do not take the sockets too, and the inherited descriptors are closed: the listeners
// hold duplicates marked close-on-exec. A descriptor that is not a
// listening stream socket (a datagram socket, say) is an error wrapping
// [ErrSocketActivation]; so are malformed variables. Call it once: the
// descriptors are gone after the first call.
func ListenersFromEnv() ([]net.Listener, error) {
	fdsVar, ok := os.LookupEnv("LISTEN_FDS")
	if !ok {
		return nil, nil
	}
	pidVar, pidSet := os.LookupEnv("LISTEN_PID")
	namesVar := os.Getenv("LISTEN_FDNAMES")
	pid, pidErr := strconv.Atoi(pidVar)
	if pidSet && pidErr == nil && pid > 0 && pid != os.Getpid() {
		return nil, nil // meant for another process (our parent, say)
	}
	for _, name := range [...]string{"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"} {
		os.Unsetenv(name)
	}
	if pidSet && (pidErr != nil || pid <= 0) {
		return nil, fmt.Errorf("%w: LISTEN_PID=%q is not a process id", ErrSocketActivation, pidVar)
	}
	n, err := strconv.Atoi(fdsVar)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%w: LISTEN_FDS=%q is not a count", ErrSocketActivation, fdsVar)
	}
	var names []string
	if namesVar != "" {
		names = strings.Split(namesVar, ":")
	}
	listeners := make([]net.Listener, 0, n)
	var errs []error
	for i := range n {
		fd := listenFDsStart + i
		name := "LISTEN_FD_" + strconv.Itoa(fd)
		if i < len(names) && names[i] != "" {
			name = names[i]
		}
		ln, err := inheritedListener(fd, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		listeners = append(listeners, ln)
	}
	if len(errs) > 0 {
		for _, ln := range listeners {
			ln.Close()
		}
		return nil, errors.Join(errs...)
	}
	return listeners, nil
}

// inheritedListener returns a listener over a duplicate of the inherited
// descriptor fd, which it closes.
func inheritedListener(fd int, name string) (net.Listener, error) {
	f := os.NewFile(uintptr(fd), name)
	if f == nil {
		return nil, fmt.Errorf("%w: descriptor %d (%s) is not open", ErrSocketActivation, fd, name)
	}
	defer f.Close()
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("%w: descriptor %d (%s) is not a listening stream socket: %w", ErrSocketActivation, fd, name, err)
	}
	return ln, nil
}
