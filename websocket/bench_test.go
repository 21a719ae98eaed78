package websocket

import (
	"context"
	"io"
	"math"
	"strconv"
	"testing"
)

// loopReader serves the same bytes over and over.
type loopReader struct {
	data []byte
	off  int
}

func (r *loopReader) Read(p []byte) (int, error) {
	n := copy(p, r.data[r.off:])
	r.off = (r.off + n) % len(r.data)
	return n, nil
}

var benchSizes = []int{16, 1024, 64 << 10}

// BenchmarkReadMessage reads masked binary messages as a server, from
// memory: the cost of framing, unmasking and buffering.
func BenchmarkReadMessage(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			p := &peer{mask: true}
			f := p.frame(true, 0, 2, payload(n, false))
			c := NewConn(&memConn{r: &loopReader{data: f}}, nil, Server, Handshake{}, Options{})
			ctx := context.Background()
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := c.ReadMessage(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriteMessage writes binary messages to a discarding connection,
// as a server (unmasked) and as a client (masked).
func BenchmarkWriteMessage(b *testing.B) {
	for _, role := range []Role{Server, Client} {
		for _, n := range benchSizes {
			b.Run(role.String()+"/"+sizeName(n), func(b *testing.B) {
				c := NewConn(&memConn{r: eofReader{}}, nil, role, Handshake{}, Options{})
				data := payload(n, false)
				ctx := context.Background()
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if err := c.WriteMessage(ctx, MessageBinary, data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// BenchmarkDeflate round-trips compressible text through permessage-deflate
// with context takeover.
func BenchmarkDeflate(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			data := payload(n, true)
			d := &deflater{params: flateParams{}}
			in := &inflater{}
			var comp, out []byte
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				comp = append(d.compress(comp[:0], data), deflateTail...)
				var err error
				if out, err = in.inflate(out[:0], comp, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMask compares masking as callers get it ("simd": the AVX2
// kernel on amd64 from maskAVX2Min bytes, the word loop below that and
// on other builds) with the Go word loop alone and a byte loop, at the
// usual sizes and around the kernel's crossover (64 and 128 bytes).
func BenchmarkMask(b *testing.B) {
	key := [4]byte{1, 2, 3, 4}
	for _, n := range []int{16, 64, 128, 1024, 64 << 10} {
		buf := make([]byte, n)
		b.Run("simd/"+sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				mask(key, 1, buf)
			}
		})
		b.Run("word/"+sizeName(n), func(b *testing.B) {
			defer func(min int) { maskVectorMin = min }(maskVectorMin)
			maskVectorMin = math.MaxInt
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				mask(key, 1, buf)
			}
		})
		b.Run("byte/"+sizeName(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				maskBytes(key, 1, buf)
			}
		})
	}
}

// Benchmark9_1_LargeMessages: Autobahn 9.1/9.2 as benchmarks, text messages
// of 64 KiB to 16 MiB between two Conns over loopback TCP.
func Benchmark9_1_LargeMessages(b *testing.B) {
	for _, n := range []int{64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20} {
		b.Run(sizeName(n), func(b *testing.B) {
			srv, cli := connPair(b, Handshake{}, Options{MaxMessageSize: -1}, Handshake{}, Options{})
			benchStream(b, cli, srv, MessageText, payload(n, true), 1)
		})
	}
}

// Benchmark9_7_ManySmallFrames: Autobahn 9.7/9.8 as benchmarks, many small
// messages between two Conns over loopback TCP.
func Benchmark9_7_ManySmallFrames(b *testing.B) {
	for _, n := range []int{0, 16, 64, 256} {
		b.Run(sizeName(n), func(b *testing.B) {
			srv, cli := connPair(b, Handshake{}, Options{}, Handshake{}, Options{})
			benchStream(b, cli, srv, MessageBinary, payload(n, false), 1000)
		})
	}
}

func benchStream(b *testing.B, from, to *Conn, typ MessageType, data []byte, perOp int) {
	ctx := context.Background()
	done := make(chan struct{})
	stop := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if from.WriteMessage(ctx, typ, data) != nil {
				return
			}
		}
	}()
	b.SetBytes(int64(len(data) * perOp))
	b.ReportAllocs()
	for b.Loop() {
		for range perOp {
			if _, _, err := to.ReadMessage(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	close(stop)
	to.CloseNow()
	from.CloseNow()
	<-done
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

// TestZeroAllocs: in the steady state, reading and writing small messages
// allocates nothing, also with a cancellable context reused across calls.
func TestZeroAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &peer{mask: true}
	r := NewConn(&memConn{r: &loopReader{data: p.frame(true, 0, 1, []byte("hello, world"))}}, nil, Server, Handshake{}, Options{})
	w := NewConn(&memConn{r: eofReader{}}, nil, Client, Handshake{}, Options{})
	data := []byte("hello, world")
	if n := testing.AllocsPerRun(100, func() {
		if _, _, err := r.ReadMessage(ctx); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteMessage(ctx, MessageText, data); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("%v allocs per read+write", n)
	}
}

// BenchmarkSocketReceive is BenchmarkReadMessage through [Socket.Receive],
// which hands the caller a message it owns.
func BenchmarkSocketReceive(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			p := &peer{mask: true}
			f := p.frame(true, 0, 2, payload(n, false))
			s := NewSocket(NewConn(&memConn{r: &loopReader{data: f}}, nil, Server, Handshake{}, Options{}), Options{})
			ctx := context.Background()
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if m := s.Receive(ctx); m.Type != MessageBinary {
					b.Fatal(m)
				}
			}
		})
	}
}

// BenchmarkSocketSend is BenchmarkWriteMessage through [Socket.SendBytes].
func BenchmarkSocketSend(b *testing.B) {
	for _, role := range []Role{Server, Client} {
		for _, n := range benchSizes {
			b.Run(role.String()+"/"+sizeName(n), func(b *testing.B) {
				s := NewSocket(NewConn(&memConn{r: eofReader{}}, nil, role, Handshake{}, Options{}), Options{})
				data := payload(n, false)
				ctx := context.Background()
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if err := s.SendBytes(ctx, data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkOneWay streams binary messages from a client to a server over
// loopback TCP, as bench/run-ws's one-way cells do: the server reads
// through [Conn.ReadMessage] or [Socket.Receive].
func BenchmarkOneWay(b *testing.B) {
	for _, api := range []string{"Conn", "Socket"} {
		for _, n := range benchSizes {
			b.Run(api+"/"+sizeName(n), func(b *testing.B) {
				srv, cli := connPair(b, Handshake{}, Options{MaxMessageSize: -1}, Handshake{}, Options{})
				data := payload(n, false)
				ctx := context.Background()
				done := make(chan struct{})
				go func() {
					defer close(done)
					for cli.WriteMessage(ctx, MessageBinary, data) == nil {
					}
				}()
				s := NewSocket(srv, Options{})
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if api == "Conn" {
						if _, _, err := srv.ReadMessage(ctx); err != nil {
							b.Fatal(err)
						}
					} else if m := s.Receive(ctx); m.Type != MessageBinary {
						b.Fatal(m)
					}
				}
				srv.CloseNow()
				cli.CloseNow()
				<-done
			})
		}
	}
}

// BenchmarkEcho round-trips binary messages between a client Conn and a
// server over loopback TCP, the server serving through Conn.ReadMessage,
// a Socket.Receive loop or Socket.OnMessage, as bench/run-ws's echo cells
// do.
func BenchmarkEcho(b *testing.B) {
	for _, api := range []string{"Conn", "Receive", "OnMessage"} {
		for _, n := range benchSizes {
			b.Run(api+"/"+sizeName(n), func(b *testing.B) {
				srv, cli := connPair(b, Handshake{}, Options{MaxMessageSize: -1}, Handshake{}, Options{MaxMessageSize: -1})
				ctx := context.Background()
				s := NewSocket(srv, Options{})
				switch api {
				case "Conn":
					go func() {
						for {
							typ, p, err := srv.ReadMessage(ctx)
							if err != nil || srv.WriteMessage(ctx, typ, p) != nil {
								return
							}
						}
					}()
				case "Receive":
					go func() {
						for {
							m := s.Receive(ctx)
							if m.Type != MessageBinary || s.SendBytes(ctx, m.Data) != nil {
								return
							}
						}
					}()
				case "OnMessage":
					_ = s.OnMessage(func(m Message) {
						if m.Type == MessageBinary {
							_ = s.SendBytes(ctx, m.Data)
						}
					})
				}
				data := payload(n, false)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if err := cli.WriteMessage(ctx, MessageBinary, data); err != nil {
						b.Fatal(err)
					}
					if _, _, err := cli.ReadMessage(ctx); err != nil {
						b.Fatal(err)
					}
				}
				cli.CloseNow()
				srv.CloseNow()
			})
		}
	}
}
