package websocket

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"syscall"
)

// input is a Conn's read side below the frame parser: a buffer taken from
// the pools only while bytes are waiting in it or a read is filling it. On
// a plain socket it waits for the socket to become readable without a
// buffer (through syscall.RawConn), so an idle connection holds none; other
// connections (TLS, pipes) and a reader handed to NewConn are read the
// ordinary way, with the buffer held during the read. It belongs to
// whoever holds readSem.
type input struct {
	nc   net.Conn        // the Conn's, or the plain socket it wraps (plainsock)
	src  io.Reader       // read instead of nc when not nil
	raw  syscall.RawConn // nil: read src or nc the ordinary way
	size int             // of the buffer

	buf        pooledBuf // nil while empty
	start, end int       // the unread bytes are (*buf)[start:end]

	// The raw read's target and results, for rawRead, which is bound once
	// so that reads allocate nothing.
	readFD  func(fd uintptr) bool
	direct  []byte // read into this instead of the buffer
	n       int
	err     error
	onBlock func() // called before waiting for the socket
}

// init sets the input up for nc; br is NewConn's.
func (in *input) init(nc net.Conn, br io.Reader, size int, onBlock func()) {
	in.nc, in.size, in.onBlock = nc, size, onBlock
	var early []byte
	switch b := br.(type) {
	case *bufio.Reader:
		early, _ = b.Peek(b.Buffered())
		defer b.Discard(len(early))
		br = nil
	case *bytes.Reader:
		early = make([]byte, b.Len())
		_, _ = b.Read(early)
		br = nil
	}
	if len(early) > 0 {
		in.buf = getBuf(max(len(early), size))
		*in.buf = append((*in.buf)[:0], early...)
		in.end = len(early)
	}
	if br != nil {
		in.src = br
		return
	}
	if in.raw = rawSocket(nc); in.raw != nil {
		in.readFD = in.rawRead
	}
}

// buffered returns the number of unread bytes in the buffer.
func (in *input) buffered() int { return in.end - in.start }

// release gives the buffer back when it holds nothing.
func (in *input) release() {
	if in.buf != nil && in.start == in.end {
		putBuf(in.buf)
		in.buf, in.start, in.end = nil, 0, 0
	}
}

// peek returns the next n bytes (n at most the buffer size) without
// consuming them, reading as needed. After an error it returns what there
// was.
func (in *input) peek(n int) ([]byte, error) {
	for in.buffered() < n {
		if in.buf == nil {
			in.buf = getBuf(in.size)
		}
		if b := (*in.buf)[:cap(*in.buf)]; in.start+n > len(b) {
			in.end = copy(b, b[in.start:in.end])
			in.start = 0
		}
		k, err := in.fill()
		in.end += k
		if err != nil && in.buffered() < n {
			in.release() // a wait that failed before any read kept it
			if in.buf == nil {
				return nil, err
			}
			return (*in.buf)[in.start:in.end], err
		}
	}
	return (*in.buf)[in.start : in.start+n], nil
}

// discard consumes n bytes peek returned.
func (in *input) discard(n int) {
	in.start += n
	if in.start == in.end {
		in.start, in.end = 0, 0
	}
}

// read reads into p: buffered bytes first, then straight from the
// connection when p is at least as large as the buffer.
func (in *input) read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if in.buffered() == 0 {
		if len(p) >= in.size {
			in.release()
			in.direct = p
			n, err := in.fill()
			in.direct = nil
			return n, err
		}
		if _, err := in.peek(1); err != nil {
			return 0, err
		}
	}
	n := copy(p, (*in.buf)[in.start:in.end])
	in.discard(n)
	return n, nil
}

// fill reads once into the direct slice or the free part of the buffer.
// On a plain socket it waits without the buffer: rawRead gives an empty
// one back before waiting and takes one again when there is data.
func (in *input) fill() (int, error) {
	if in.raw == nil {
		p := in.direct
		if p == nil {
			p = (*in.buf)[in.end:cap(*in.buf)]
		}
		if in.src != nil {
			return in.src.Read(p)
		}
		return in.nc.Read(p)
	}
	in.n, in.err = 0, nil
	if err := in.raw.Read(in.readFD); err != nil {
		return 0, err
	}
	if in.err == nil && in.n == 0 {
		return 0, io.EOF
	}
	return in.n, in.err
}

// rawRead is the raw read: it reads into the direct slice or the buffer
// (taking one when it was given back) and, when the socket has nothing,
// gives an empty buffer back and asks to wait.
func (in *input) rawRead(fd uintptr) bool {
	p := in.direct
	if p == nil {
		if in.buf == nil {
			in.buf = getBuf(in.size)
		}
		p = (*in.buf)[in.end:cap(*in.buf)]
	}
	n, err, wouldBlock := readFD(fd, p)
	if wouldBlock {
		if in.direct == nil {
			in.release()
		}
		if in.onBlock != nil {
			in.onBlock()
		}
		return false
	}
	if err != nil {
		err = &net.OpError{Op: "read", Net: in.nc.LocalAddr().Network(), Source: in.nc.LocalAddr(),
			Addr: in.nc.RemoteAddr(), Err: os.NewSyscallError("read", err)}
	}
	in.n, in.err = n, err
	return true
}

// close gives the buffer back, whatever it holds.
func (in *input) close() {
	if in.buf != nil {
		putBuf(in.buf)
		in.buf, in.start, in.end = nil, 0, 0
	}
}
