package websocket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// memConn is a net.Conn that reads from r and discards writes.
type memConn struct{ r io.Reader }

func (c *memConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *memConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzReadFrame feeds arbitrary bytes to a reading Conn of either role,
// with and without compression, reading as ReadMessage or as
// Socket.Receive does. It must not panic or hang, must hold no
// more than a bounded amount of memory, and must end with a ProtocolError,
// a CloseError or an I/O error (EOF).
func FuzzReadFrame(f *testing.F) {
	cli := &peer{mask: true}
	srv := &peer{}
	f.Add(byte(0), cli.frame(true, 0, 1, []byte("hello")))
	f.Add(byte(1), srv.frame(false, 0, 2, []byte("frag"))) // unmasked to a client
	f.Add(byte(0), append(cli.frame(false, 0, 1, []byte("κό")), cli.frame(true, 0, 0, []byte("σμε"))...))
	f.Add(byte(0), cli.frame(true, 0, 8, closePayload(CloseOK, "bye")))
	f.Add(byte(0), cli.frame(true, 0, 9, []byte("ping")))
	f.Add(byte(2), cli.frame(true, 4, 1, (&deflater{params: flateParams{noContext: true}}).compress(nil, []byte("compressed hello"))))
	f.Add(byte(0), []byte{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Add(byte(8), append(cli.frame(true, 0, 2, []byte("own")), cli.frame(true, 0, 9, []byte("ping"))...))
	f.Fuzz(func(t *testing.T, mode byte, data []byte) {
		role := Server
		if mode&1 != 0 {
			role = Client
		}
		opts := Options{MaxMessageSize: 1 << 20}
		var hs Handshake
		if mode&2 != 0 {
			hs.Compression = &CompressionParams{ClientNoContextTakeover: mode&4 != 0, ServerNoContextTakeover: mode&4 != 0}
		}
		c := NewConn(&memConn{r: bytes.NewReader(data)}, nil, role, hs, opts)
		for range len(data) + 1 {
			// With mode&8, as Socket.Receive reads: into buffers of
			// their own, of their exact size, up to ownLimit.
			_, p, owned, err := c.readMessage(context.Background(), mode&8 != 0)
			if int64(len(p)) > opts.MaxMessageSize {
				t.Fatalf("message of %d bytes over the limit", len(p))
			}
			if owned && (mode&8 == 0 || cap(p) != len(p) || len(p) > ownLimit) {
				t.Fatalf("owned message of %d bytes (cap %d), mode %d", len(p), cap(p), mode)
			}
			if err == nil {
				continue
			}
			var pe *ProtocolError
			var ce *CloseError
			if !errors.As(err, &pe) && !errors.As(err, &ce) && err != io.EOF && err != io.ErrUnexpectedEOF {
				t.Fatalf("unexpected error %T %v", err, err)
			}
			if cap(c.r.buf) > 4*len(data)+1024 || cap(c.r.out) > 2<<20+2048 {
				t.Fatalf("buffers grew to %d and %d for %d bytes of input", cap(c.r.buf), cap(c.r.out), len(data))
			}
			return
		}
		t.Fatal("reader made no progress")
	})
}

// FuzzDeflate checks that compressing and decompressing round-trips, with
// and without context takeover, and that arbitrary compressed input
// decompresses within the size limit or fails with a ProtocolError.
func FuzzDeflate(f *testing.F) {
	f.Add([]byte("hello hello hello"), []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, uint8(15))
	f.Add(bytes.Repeat([]byte{0}, 70000), []byte{0xff}, uint8(9))
	f.Fuzz(func(t *testing.T, data, junk []byte, bits uint8) {
		wb := 8 + int(bits%8)
		for _, noCtx := range []bool{false, true} {
			d := &deflater{params: flateParams{noContext: noCtx, windowBits: wb}}
			in := &inflater{noContext: noCtx}
			for range 2 {
				comp := d.compress(nil, data)
				out, err := in.inflate(nil, append(comp, deflateTail...), 0)
				if err != nil || !bytes.Equal(out, data) {
					t.Fatalf("round trip (noCtx %v, %d bits): %v", noCtx, wb, err)
				}
			}
		}
		const limit = 1 << 16
		in := &inflater{noContext: true}
		out, err := in.inflate(nil, append(bytes.Clone(junk), deflateTail...), limit)
		if len(out) > limit+1 || cap(out) > 2*limit+2048 {
			t.Fatalf("inflated %d bytes (cap %d) past the limit", len(out), cap(out))
		}
		var pe *ProtocolError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("error %T %v", err, err)
		}
	})
}
