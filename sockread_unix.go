//go:build unix

package aiohttp

import (
	"io"
	"net"
	"os"
	"syscall"
)

// sockReader reads a plain socket, and can send a request on the way into
// the read of its answer.
//
// net.Conn's Read first tries a read and waits for the socket to become
// readable only when there is nothing, as there nearly always is right
// after a request went out: one system call for nothing on every
// request. Go's poller forgets readiness when a read begins, so waiting
// first is only safe when the data cannot have arrived before the read
// began: when the read sends the request itself. After send, the next
// Read writes the request to the socket from within the read, then waits
// for the socket to become readable, then reads.
type sockReader struct {
	nc     net.Conn
	rc     syscall.RawConn
	readFD func(fd uintptr) bool // r.raw, bound once so that reads allocate nothing

	out        []byte // to write at the next Read, before waiting for the answer
	wrote      bool   // during a raw read: out is written, the wait is over
	writeError bool   // the last Read failed writing out
	p          []byte // the raw read's buffer and results
	n          int
	err        error
}

// newSockReader returns a sockReader for nc, nil when nc is not a plain
// socket (a TLS connection reads records, not the socket).
func newSockReader(nc net.Conn) *sockReader {
	rc := rawConn(nc)
	if rc == nil {
		return nil
	}
	r := &sockReader{nc: nc, rc: rc}
	r.readFD = r.raw
	return r
}

// send makes the next Read write b before it waits for the answer; b must
// stay untouched until then.
func (r *sockReader) send(b []byte) { r.out = b }

// Read reads from the socket, first writing what send gave it.
func (r *sockReader) Read(p []byte) (int, error) {
	if r.out == nil || len(p) == 0 {
		return r.nc.Read(p)
	}
	r.wrote, r.writeError = false, false
	r.p, r.n, r.err = p, 0, nil
	err := r.rc.Read(r.readFD)
	rest := r.out
	r.out, r.p = nil, nil
	switch {
	case err != nil:
		return 0, err
	case r.err != nil:
		return 0, r.err
	case !r.wrote:
		// The socket's send buffer filled up: finish the request the
		// ordinary way, which waits for room, then read it so too.
		if _, err := r.nc.Write(rest); err != nil {
			r.writeError = true
			return 0, err
		}
		return r.nc.Read(p)
	}
	return r.n, nil
}

// raw writes out, asks to wait once it is written, then reads.
func (r *sockReader) raw(fd uintptr) bool {
	for !r.wrote {
		n, err := syscall.Write(int(fd), r.out)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK:
			return true // Read finishes the write
		case err != nil:
			r.writeError = true
			r.err = r.opError("write", err)
			return true
		}
		r.out = r.out[n:]
		if len(r.out) == 0 {
			r.wrote = true
			return false // wait for the answer
		}
	}
	for {
		n, err := syscall.Read(int(fd), r.p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK:
			return false
		case err != nil:
			r.err = r.opError("read", err)
		case n == 0:
			r.err = io.EOF
		default:
			r.n = n
		}
		return true
	}
}

// opError returns err as net.Conn's methods would.
func (r *sockReader) opError(op string, err error) error {
	la := r.nc.LocalAddr()
	return &net.OpError{Op: op, Net: la.Network(), Source: la, Addr: r.nc.RemoteAddr(), Err: os.NewSyscallError(op, err)}
}

// failedWriting reports whether the last Read failed writing the request.
func (r *sockReader) failedWriting() bool { return r != nil && r.writeError }

// rawConn returns the socket of nc, nil when nc has none of its own.
func rawConn(nc net.Conn) syscall.RawConn {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
