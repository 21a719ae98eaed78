package websocket

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/aiohttp-go/aiohttp/internal/field"
	"github.com/klauspost/compress/flate"
)

// CompressionParams are the permessage-deflate parameters (RFC 7692) an
// opening handshake agreed on. A window of 0 bits means 15, the largest.
type CompressionParams struct {
	// ServerNoContextTakeover: the server compresses each message on its
	// own, with an empty window.
	ServerNoContextTakeover bool
	// ClientNoContextTakeover: the client compresses each message on its
	// own, with an empty window.
	ClientNoContextTakeover bool
	// ServerMaxWindowBits is the largest LZ77 window (8 to 15 bits) the
	// server compresses with.
	ServerMaxWindowBits int
	// ClientMaxWindowBits is the largest LZ77 window (8 to 15 bits) the
	// client compresses with.
	ClientMaxWindowBits int
}

// CompressionOptions say what an endpoint asks for, or insists on, when it
// negotiates permessage-deflate. The zero value asks for nothing and accepts
// every offer (every window size from 8 to 15 bits, with or without context
// takeover), which is aiohttp's server behaviour.
type CompressionOptions struct {
	// ServerNoContextTakeover: a client asks the server to compress each
	// message on its own; a server does so and says it.
	ServerNoContextTakeover bool
	// ClientNoContextTakeover: a server asks the client to compress each
	// message on its own; a client does so and says it.
	ClientNoContextTakeover bool
	// ServerMaxWindowBits (8-15, 0 for none): a client asks the server for
	// at most this window; a server compresses with at most this window.
	ServerMaxWindowBits int
	// ClientMaxWindowBits (8-15, 0 for none): a client offers to compress
	// with at most this window; a server asks a client that allows it to
	// use at most this window.
	ClientMaxWindowBits int
}

// Extension is one element of a Sec-WebSocket-Extensions header: a name and
// its parameters in order.
type Extension struct {
	Name   string
	Params []ExtensionParam
}

// ExtensionParam is an extension parameter. Value is empty when the
// parameter has none; a quoted value is unquoted.
type ExtensionParam struct {
	Name  string
	Value string
}

// errBadExtensions reports a Sec-WebSocket-Extensions header that does not
// follow the grammar of RFC 6455, section 9.1.
var errBadExtensions = errors.New("websocket: malformed Sec-WebSocket-Extensions")

// ParseExtensions parses the value of Sec-WebSocket-Extensions headers
// (several header lines joined with ", "). Empty list elements are skipped.
func ParseExtensions(header string) ([]Extension, error) {
	var exts []Extension
	s := header
	for {
		s = field.TrimOWS(s)
		if s == "" {
			return exts, nil
		}
		if s[0] == ',' {
			s = s[1:]
			continue
		}
		var ext Extension
		ext.Name, s = field.Token(s)
		if ext.Name == "" {
			return nil, errBadExtensions
		}
		for {
			s = field.TrimOWS(s)
			if s == "" || s[0] == ',' {
				break
			}
			if s[0] != ';' {
				return nil, errBadExtensions
			}
			var p ExtensionParam
			p.Name, s = field.Token(field.TrimOWS(s[1:]))
			if p.Name == "" {
				return nil, errBadExtensions
			}
			s = field.TrimOWS(s)
			if s != "" && s[0] == '=' {
				s = field.TrimOWS(s[1:])
				if s != "" && s[0] == '"' {
					end := strings.IndexByte(s[1:], '"')
					if end < 0 {
						return nil, errBadExtensions
					}
					p.Value, s = s[1:1+end], s[2+end:]
					if v, rest := field.Token(p.Value); v == "" || rest != "" {
						return nil, errBadExtensions
					}
				} else if p.Value, s = field.Token(s); p.Value == "" {
					return nil, errBadExtensions
				}
			}
			ext.Params = append(ext.Params, p)
		}
		exts = append(exts, ext)
	}
}

// deflateName is the extension token of RFC 7692.
const deflateName = "permessage-deflate"

// windowBits parses a max_window_bits value: 8 to 15.
func windowBits(v string) (int, bool) {
	if len(v) == 0 || len(v) > 2 {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 8 && n <= 15 && v[0] != '0'
}

// deflateOffer is a permessage-deflate offer or response, decoded.
type deflateOffer struct {
	serverNoCtx, clientNoCtx bool
	serverBits               int  // 0: absent
	clientBits               int  // 0: absent or without a value
	clientBitsPresent        bool // client_max_window_bits appeared
}

// parseDeflate checks the parameters of one permessage-deflate element:
// only the four of RFC 7692, each at most once, with valid values.
func parseDeflate(params []ExtensionParam) (deflateOffer, bool) {
	var o deflateOffer
	seen := 0
	for _, p := range params {
		var bit int
		switch strings.ToLower(p.Name) {
		case "server_no_context_takeover":
			bit, o.serverNoCtx = 1, true
			if p.Value != "" {
				return o, false
			}
		case "client_no_context_takeover":
			bit, o.clientNoCtx = 2, true
			if p.Value != "" {
				return o, false
			}
		case "server_max_window_bits":
			bit = 4
			n, ok := windowBits(p.Value)
			if !ok {
				return o, false
			}
			o.serverBits = n
		case "client_max_window_bits":
			bit, o.clientBitsPresent = 8, true
			if p.Value != "" {
				n, ok := windowBits(p.Value)
				if !ok {
					return o, false
				}
				o.clientBits = n
			}
		default:
			return o, false
		}
		if seen&bit != 0 {
			return o, false
		}
		seen |= bit
	}
	return o, true
}

// NegotiateServer answers a client's Sec-WebSocket-Extensions header. It
// accepts the first valid permessage-deflate offer, on the terms allow adds,
// and returns the response header value and the parameters for
// [Handshake.Compression]. ok is false when nothing was offered or no offer
// is valid; the handshake then goes on without compression.
//
// Every window size RFC 7692 allows (8 to 15 bits) is honoured: a window
// under 15 bits compresses with klauspost/compress's windowed encoder.
func NegotiateServer(offer string, allow CompressionOptions) (response string, params *CompressionParams, ok bool) {
	exts, err := ParseExtensions(offer)
	if err != nil {
		return "", nil, false
	}
	for _, ext := range exts {
		if !strings.EqualFold(ext.Name, deflateName) {
			continue
		}
		o, valid := parseDeflate(ext.Params)
		if !valid {
			continue
		}
		p := &CompressionParams{
			ServerNoContextTakeover: o.serverNoCtx || allow.ServerNoContextTakeover,
			ClientNoContextTakeover: o.clientNoCtx || allow.ClientNoContextTakeover,
		}
		var b strings.Builder
		b.WriteString(deflateName)
		if p.ServerNoContextTakeover {
			b.WriteString("; server_no_context_takeover")
		}
		if p.ClientNoContextTakeover {
			b.WriteString("; client_no_context_takeover")
		}
		p.ServerMaxWindowBits = smallerBits(o.serverBits, allow.ServerMaxWindowBits)
		if o.serverBits != 0 {
			b.WriteString("; server_max_window_bits=" + strconv.Itoa(p.ServerMaxWindowBits))
		}
		if o.clientBitsPresent {
			if bits := smallerBits(o.clientBits, allow.ClientMaxWindowBits); bits != 0 {
				p.ClientMaxWindowBits = bits
				b.WriteString("; client_max_window_bits=" + strconv.Itoa(bits))
			}
		}
		return b.String(), p, true
	}
	return "", nil, false
}

// smallerBits returns the smaller of two window sizes, 0 meaning unset.
func smallerBits(a, b int) int {
	if a == 0 || b != 0 && b < a {
		return b
	}
	return a
}

// ClientOffer returns the Sec-WebSocket-Extensions header value a client
// sends to offer permessage-deflate on the terms of opts. It always allows
// the server to limit the client's window (client_max_window_bits), since
// every window size is supported.
func ClientOffer(opts CompressionOptions) string {
	s := deflateName
	if opts.ServerNoContextTakeover {
		s += "; server_no_context_takeover"
	}
	if opts.ClientNoContextTakeover {
		s += "; client_no_context_takeover"
	}
	if opts.ServerMaxWindowBits != 0 {
		s += "; server_max_window_bits=" + strconv.Itoa(opts.ServerMaxWindowBits)
	}
	s += "; client_max_window_bits"
	if opts.ClientMaxWindowBits != 0 {
		s += "=" + strconv.Itoa(opts.ClientMaxWindowBits)
	}
	return s
}

// errBadDeflateResponse reports a server response the client's offer does
// not allow; RFC 7692 says the client must then fail the connection.
var errBadDeflateResponse = errors.New("websocket: invalid permessage-deflate response")

// AcceptClient checks the server's Sec-WebSocket-Extensions response to an
// offer made with [ClientOffer](opts) and returns the parameters for
// [Handshake.Compression], or nil when the server declined compression.
// An error means the handshake must fail.
func AcceptClient(response string, opts CompressionOptions) (*CompressionParams, error) {
	exts, err := ParseExtensions(response)
	if err != nil {
		return nil, err
	}
	if len(exts) == 0 {
		return nil, nil
	}
	if len(exts) != 1 || !strings.EqualFold(exts[0].Name, deflateName) {
		return nil, errBadDeflateResponse
	}
	o, ok := parseDeflate(exts[0].Params)
	switch {
	case !ok,
		o.clientBitsPresent && o.clientBits == 0,
		opts.ServerNoContextTakeover && !o.serverNoCtx,
		opts.ServerMaxWindowBits != 0 && (o.serverBits == 0 || o.serverBits > opts.ServerMaxWindowBits),
		opts.ClientMaxWindowBits != 0 && o.clientBits > opts.ClientMaxWindowBits:
		return nil, errBadDeflateResponse
	}
	return &CompressionParams{
		ServerNoContextTakeover: o.serverNoCtx,
		ClientNoContextTakeover: o.clientNoCtx || opts.ClientNoContextTakeover,
		ServerMaxWindowBits:     o.serverBits,
		ClientMaxWindowBits:     smallerBits(o.clientBits, opts.ClientMaxWindowBits),
	}, nil
}

// flateParams is how one direction compresses.
type flateParams struct {
	noContext  bool
	windowBits int // 0 or 15: the full window
	level      int
}

// flateWriter is a compressor that a message writer holds.
type flateWriter = *flate.Writer

// writerPools hold compressors for no-context-takeover connections: index
// 1-9 by level for a full window, 10-16 by window bits 8-14.
var writerPools [17]sync.Pool

// deflater compresses the messages a Conn sends.
type deflater struct {
	params flateParams
	sink   sliceWriter
	fw     *flate.Writer // kept across messages for context takeover
}

// sliceWriter appends what is written to b.
type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

func (d *deflater) pool() *sync.Pool {
	if b := d.params.windowBits; b != 0 && b < 15 {
		return &writerPools[10+b-8]
	}
	return &writerPools[d.level()]
}

func (d *deflater) level() int {
	if l := d.params.level; l >= 1 && l <= 9 {
		return l
	}
	return flate.BestSpeed
}

func (d *deflater) newWriter() *flate.Writer {
	var fw *flate.Writer
	if b := d.params.windowBits; b != 0 && b < 15 {
		fw, _ = flate.NewWriterWindow(&d.sink, 1<<b)
	} else {
		fw, _ = flate.NewWriter(&d.sink, d.level())
	}
	return fw
}

// begin returns the compressor for a new message.
func (d *deflater) begin() *flate.Writer {
	if !d.params.noContext {
		if d.fw == nil {
			d.fw = d.newWriter()
		}
		return d.fw
	}
	if fw, _ := d.pool().Get().(*flate.Writer); fw != nil {
		fw.Reset(&d.sink)
		return fw
	}
	return d.newWriter()
}

// write compresses p with fw, appending the output to dst.
func (d *deflater) write(fw *flate.Writer, dst, p []byte) []byte {
	d.sink.b = dst
	_, _ = fw.Write(p)
	dst, d.sink.b = d.sink.b, nil
	return dst
}

// finish ends a message: it flushes fw, appends the output to dst without
// the trailing 00 00 ff ff (RFC 7692, section 7.2.1) and releases fw.
func (d *deflater) finish(fw *flate.Writer, dst []byte) []byte {
	d.sink.b = dst
	_ = fw.Flush()
	dst, d.sink.b = d.sink.b, nil
	if d.params.noContext {
		d.pool().Put(fw)
	}
	return dst[:len(dst)-4]
}

// compress compresses one whole message, appending it to dst.
func (d *deflater) compress(dst, p []byte) []byte {
	fw := d.begin()
	return d.finish(fw, d.write(fw, dst, p))
}

// deflateTail ends a received message: the 00 00 ff ff the sender stripped,
// then an empty final stored block, so that the decompressor reports io.EOF
// at the end of the message.
var deflateTail = []byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}

// windowSize is the largest LZ77 window, 15 bits.
const windowSize = 1 << 15

var readerPool sync.Pool

// inflater decompresses the messages a Conn receives.
type inflater struct {
	noContext bool
	fr        io.ReadCloser // kept across messages for context takeover
	src       bytes.Reader
	hist      []byte // the last window of output, for context takeover
}

var errBadDeflate = &ProtocolError{Code: CloseInvalidText, Reason: "invalid compressed data"}

func errTooBig(limit int64) *ProtocolError {
	return &ProtocolError{Code: CloseMessageTooBig, Reason: "message over " + itoa(limit) + " bytes"}
}

// inflate decompresses in, which ends with deflateTail, appending to dst and
// failing with CloseMessageTooBig past limit bytes (limit <= 0: none).
func (f *inflater) inflate(dst, in []byte, limit int64) ([]byte, error) {
	f.src.Reset(in)
	fr := f.fr
	if fr == nil && f.noContext {
		fr, _ = readerPool.Get().(io.ReadCloser)
	}
	var dict []byte
	if !f.noContext {
		dict = f.hist
	}
	if fr == nil {
		fr = flate.NewReaderDict(&f.src, dict)
	} else {
		_ = fr.(flate.Resetter).Reset(&f.src, dict)
	}
	if f.noContext {
		defer readerPool.Put(fr)
	} else {
		f.fr = fr
	}
	for {
		if len(dst) == cap(dst) {
			n := int64(max(cap(dst), 1024))
			if limit > 0 {
				n = min(n, limit+1-int64(len(dst)))
			}
			dst = append(dst, make([]byte, n)...)[:len(dst)]
		}
		k, err := fr.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+k]
		if limit > 0 && int64(len(dst)) > limit {
			return dst, errTooBig(limit)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return dst, errBadDeflate
		}
	}
	if !f.noContext {
		f.remember(dst)
	}
	return dst, nil
}

// remember keeps the last window of output as the next message's dictionary.
func (f *inflater) remember(out []byte) {
	if len(out) >= windowSize {
		f.hist = append(f.hist[:0], out[len(out)-windowSize:]...)
		return
	}
	f.hist = append(f.hist, out...)
	if len(f.hist) > windowSize {
		f.hist = f.hist[:copy(f.hist, f.hist[len(f.hist)-windowSize:])]
	}
}
