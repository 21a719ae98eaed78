package websocket

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	mrand "math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/park"
	"github.com/aiohttp-go/aiohttp/internal/plainsock"
)

// Role says which end of the connection a [Conn] is. It decides the masking
// rules: a client masks every frame it sends and a server never does.
type Role int

const (
	// Server is the end that accepted the opening handshake.
	Server Role = iota
	// Client is the end that started the opening handshake.
	Client
)

// String returns "server" or "client".
func (r Role) String() string {
	if r == Client {
		return "client"
	}
	return "server"
}

// Handshake is what an opening handshake agreed on, for [NewConn]: the
// subprotocol [SelectProtocol] chose and the permessage-deflate parameters
// of [NegotiateServer] or [AcceptClient]. The zero value is a handshake
// without either.
type Handshake struct {
	// Protocol is the selected subprotocol, "" for none.
	Protocol string
	// Compression holds the negotiated permessage-deflate parameters; nil
	// means no compression.
	Compression *CompressionParams
}

// ErrClosed is returned by operations on a connection that has been closed
// or has failed, and by writes after a close frame has been sent.
var ErrClosed = errors.New("websocket: connection closed")

// Conn is a WebSocket connection, for either role, over an established
// net.Conn (after the opening handshake).
//
// Any number of goroutines may write at the same time: messages never
// interleave, and control frames (pings, pongs, close) may go out between the
// fragments of a message being streamed, as RFC 6455 allows. At most one
// goroutine may read at a time. Close and CloseNow may be called from any
// goroutine, more than once.
type Conn struct {
	nc       net.Conn
	role     Role
	protocol string

	maxMessage   int64
	closeTimeout time.Duration
	writeTimeout time.Duration // <= 0 for none

	// Reading; owned by whoever holds readSem.
	readSem chan struct{}
	in      input
	r       readState
	// lingerAt is the read deadline readLingering set in unix
	// nanoseconds, 0 for none.
	lingerAt int64
	rflate   *inflater

	// Writing. msgSem is held for a whole message, frameMu for one frame.
	msgSem  chan struct{}
	frameMu sync.Mutex
	rng     *mrand.ChaCha8      // masking keys (client), guarded by frameMu
	whdr    [maxHeaderSize]byte // header scratch, guarded by frameMu
	vec     *writeVec           // vectored write scratch, guarded by frameMu
	wframe  int                 // WriteBufferSize: the frame size of a Writer
	wflate  *deflater
	wbuf    []byte // compressed output, guarded by msgSem

	// Streams (see stream.go): wb, made at the first, holds the frames
	// written behind; lastData is when the last data frame was written
	// (since monoBase), 0 for none; both guarded by frameMu. received is
	// set when a message arrives.
	wb       *behind
	lastData time.Duration
	received atomic.Bool

	// Close handshake.
	closeSent bool          // guarded by frameMu
	closeRecv chan struct{} // closed when the peer's close frame arrives
	closeOnce sync.Once
	closed    chan struct{} // closed when the net.Conn is closed
	// parked waits for input while a socket served by OnMessage is idle;
	// closeNet closes the net.Conn through it (package park).
	parked park.Parked

	dl deadlines
}

// NewConn returns a WebSocket connection over nc after an opening handshake
// that agreed on hs. br, when not nil, holds what was read past the
// handshake, which may be the first frames: a *bufio.Reader over nc (the
// reader the handshake was read with) gives the bytes it has buffered, a
// *bytes.Reader its unread bytes, and nc is read directly after them; any
// other reader is read instead of nc. Over a plain TCP or Unix socket the
// connection holds no buffer while it waits for the peer.
// NewConn uses the connection-level fields of opts: MaxMessageSize,
// CloseTimeout, CompressionLevel and the buffer sizes.
func NewConn(nc net.Conn, br io.Reader, role Role, hs Handshake, opts Options) *Conn {
	c := &Conn{
		nc:           nc,
		role:         role,
		protocol:     hs.Protocol,
		maxMessage:   opts.MaxMessageSize,
		closeTimeout: opts.CloseTimeout,
		writeTimeout: opts.WriteTimeout,
		readSem:      make(chan struct{}, 1),
		msgSem:       make(chan struct{}, 1),
		closeRecv:    make(chan struct{}),
		closed:       make(chan struct{}),
		wframe:       opts.WriteBufferSize,
	}
	if c.maxMessage == 0 {
		c.maxMessage = DefaultMaxMessageSize
	}
	if c.closeTimeout <= 0 {
		c.closeTimeout = DefaultCloseTimeout
	}
	if c.writeTimeout == 0 {
		c.writeTimeout = DefaultWriteTimeout
	}
	rsize := opts.ReadBufferSize
	if rsize <= 0 {
		rsize = defaultBufferSize
	}
	if c.wframe <= 0 {
		c.wframe = defaultBufferSize
	}
	c.in.init(plainsock.Unwrap(nc), br, rsize, c.r.idle)
	if role == Client {
		var seed [32]byte
		_, _ = rand.Read(seed[:])
		c.rng = mrand.NewChaCha8(seed)
	}
	if p := hs.Compression; p != nil {
		server := flateParams{noContext: p.ServerNoContextTakeover, windowBits: p.ServerMaxWindowBits}
		client := flateParams{noContext: p.ClientNoContextTakeover, windowBits: p.ClientMaxWindowBits}
		w, r := server, client
		if role == Client {
			w, r = client, server
		}
		w.level = opts.CompressionLevel
		c.wflate = &deflater{params: w}
		c.rflate = &inflater{noContext: r.noContext}
	}
	return c
}

// Role returns the role the connection was created with.
func (c *Conn) Role() Role { return c.role }

// Protocol returns the subprotocol the opening handshake selected, or "".
func (c *Conn) Protocol() string { return c.protocol }

// NetConn returns the underlying connection. Reading from or writing to it
// directly corrupts the WebSocket stream; it is meant for addresses and
// deadlines. Close the WebSocket, not NetConn: a socket served by
// [Socket.OnMessage] may be parked in an epoll set, which a direct close
// leaves without telling it (no MessageClosed would follow).
func (c *Conn) NetConn() net.Conn { return c.nc }

// Compressed reports whether permessage-deflate is in use.
func (c *Conn) Compressed() bool { return c.wflate != nil }

// closeNet closes the net.Conn once and releases per-connection resources.
func (c *Conn) closeNet() error {
	err := ErrClosed
	c.closeOnce.Do(func() {
		err = c.parked.Close(c.nc)
		close(c.closed)
		c.dl.stop()
	})
	return err
}

// isClosed reports whether the net.Conn is closed.
func (c *Conn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// deadlines ties the net.Conn deadlines to the contexts of the calls in
// progress. A context is watched with context.AfterFunc only while it differs
// from the previous call's, so a connection read or written with the same
// context over and over costs nothing per call.
type deadlines struct {
	mu sync.Mutex
	r  watch
	w  watch
	// wAt is the write deadline extendWrite set, in nanoseconds since
	// monoBase, 0 for none; written with mu held, read without it.
	wAt atomic.Int64
}

type watch struct {
	done  <-chan struct{}
	gen   uint64
	stop  func() bool
	fired bool // the context ended and set a deadline in the past
}

var longAgo = time.Unix(1, 0)

// arm makes the read (write == false) or write deadline of nc follow ctx.
func (d *deadlines) arm(nc net.Conn, ctx context.Context, write bool) {
	done := ctx.Done()
	d.mu.Lock()
	w := &d.r
	if write {
		w = &d.w
	}
	if w.done == done {
		d.mu.Unlock()
		return
	}
	fired := false
	if w.stop != nil {
		fired = !w.stop()
	}
	w.gen++
	w.done, w.stop, w.fired = done, nil, false
	if fired {
		setDeadline(nc, write, time.Time{})
		if write {
			d.wAt.Store(0)
		}
	}
	if done != nil {
		gen := w.gen
		w.stop = context.AfterFunc(ctx, func() {
			d.mu.Lock()
			if w.gen == gen {
				w.fired = true
				setDeadline(nc, write, longAgo)
			}
			d.mu.Unlock()
		})
	}
	d.mu.Unlock()
}

func setDeadline(nc net.Conn, write bool, t time.Time) {
	if write {
		_ = nc.SetWriteDeadline(t)
	} else {
		_ = nc.SetReadDeadline(t)
	}
}

// monoBase anchors extendWrite's clock: time.Since(monoBase) reads only
// the monotonic clock, where time.Now reads the wall clock too, once per
// message sent.
var monoBase = time.Now()

// extendWrite makes sure the write deadline of nc leaves at least timeout,
// moving it to one and a half timeouts ahead when less is left: a stream
// of writes re-arms it only once per half timeout. A deadline set because
// the write's context ended stays.
func (d *deadlines) extendWrite(nc net.Conn, timeout time.Duration) {
	now := int64(time.Since(monoBase))
	if d.wAt.Load()-now >= int64(timeout) {
		return
	}
	d.mu.Lock()
	if !d.w.fired && d.wAt.Load()-now < int64(timeout) {
		at := now + int64(timeout+timeout/2)
		d.wAt.Store(at)
		_ = nc.SetWriteDeadline(monoBase.Add(time.Duration(at)))
	}
	d.mu.Unlock()
}

// stop ends both watches.
func (d *deadlines) stop() {
	d.mu.Lock()
	for _, w := range []*watch{&d.r, &d.w} {
		if w.stop != nil {
			w.stop()
		}
		w.gen++
		w.done, w.stop = nil, nil
	}
	d.mu.Unlock()
}

// ctxErr returns the error of a call whose I/O failed with err: the
// context's error when the context ended (its deadline broke the I/O),
// err otherwise.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return cerr
		}
	}
	return err
}

// itoa formats n without fmt.
func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
