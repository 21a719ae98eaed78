package websocket

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
)

// Test12_13_Deflate: permessage-deflate round trips between two Conns for
// each parameter combination a client can offer (13.1-13.7: context takeover
// on or off on each side, window bits 8-15 on each side) and messages of
// various sizes and compressibility (12.1-12.5), in both directions, several
// messages in a row so that context takeover matters.
func Test12_13_Deflate(t *testing.T) {
	var offers []CompressionOptions
	for _, sNo := range []bool{false, true} {
		for _, cNo := range []bool{false, true} {
			offers = append(offers, CompressionOptions{ServerNoContextTakeover: sNo, ClientNoContextTakeover: cNo})
		}
	}
	for bits := 8; bits <= 15; bits++ {
		offers = append(offers,
			CompressionOptions{ServerMaxWindowBits: bits},
			CompressionOptions{ClientMaxWindowBits: bits},
			CompressionOptions{ServerMaxWindowBits: bits, ClientMaxWindowBits: bits, ServerNoContextTakeover: true, ClientNoContextTakeover: true})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	text := bytes.Repeat([]byte("Hello, permessage-deflate! "), 6000)
	random := make([]byte, 150000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	sizes := []int{0, 16, 64, 256, 1024, 4096, 8192, 32768, 65536, 131072}
	for i, opts := range offers {
		t.Run(strconv.Itoa(i)+":"+ClientOffer(opts), func(t *testing.T) {
			resp, sp, ok := NegotiateServer(ClientOffer(opts), CompressionOptions{})
			if !ok {
				t.Fatalf("server declined %q", ClientOffer(opts))
			}
			cp, err := AcceptClient(resp, opts)
			if err != nil {
				t.Fatalf("client rejected %q: %v", resp, err)
			}
			if *cp != *sp {
				t.Fatalf("params differ: server %+v client %+v", *sp, *cp)
			}
			srv, cli := connPair(t, Handshake{Compression: sp}, Options{}, Handshake{Compression: cp}, Options{CompressionLevel: 5})
			if !srv.Compressed() || !cli.Compressed() {
				t.Fatal("not compressed")
			}
			for _, src := range [][]byte{text, random} {
				for _, n := range sizes {
					data := src[:n]
					typ := MessageBinary
					if &src[0] == &text[0] {
						typ = MessageText
					}
					roundTrip(t, cli, srv, typ, data)
					roundTrip(t, srv, cli, typ, data)
				}
			}
			// Streamed compressed messages, in small frames.
			w, _ := cli.Writer(context.Background(), MessageText)
			go func() {
				for i := 0; i < len(text); i += 777 {
					w.Write(text[i:min(i+777, len(text))])
				}
				w.Close()
			}()
			readMsg(t, srv, MessageText, text)
		})
	}
}

func roundTrip(t *testing.T, from, to *Conn, typ MessageType, data []byte) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- from.WriteMessage(context.Background(), typ, data) }()
	readMsg(t, to, typ, data)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// Test12_RSV1OnWire: a compressed message carries RSV1 on its first frame
// only, and its payload lacks the 00 00 ff ff tail.
func Test12_RSV1OnWire(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{Compression: &CompressionParams{}}, Options{WriteBufferSize: 64})
	data := bytes.Repeat([]byte("abc"), 10)
	go c.WriteMessage(context.Background(), MessageText, data)
	f := p.mustRead()
	if f.rsv != 4 || !f.fin || bytes.HasSuffix(f.payload, []byte{0, 0, 0xff, 0xff}) {
		t.Fatalf("rsv %d fin %v payload %x", f.rsv, f.fin, f.payload)
	}
	go func() {
		w, _ := c.Writer(context.Background(), MessageBinary)
		w.Write(payload(5000, false))
		w.Close()
	}()
	for i := 0; ; i++ {
		f := p.mustRead()
		if (i == 0) != (f.rsv == 4) {
			t.Fatalf("frame %d rsv %d", i, f.rsv)
		}
		if f.fin {
			break
		}
	}
}

// Test12_BadDeflateData: corrupt compressed data fails with 1007, and a
// decompression bomb with 1009.
func Test12_BadDeflateData(t *testing.T) {
	c, p := newServerUnderTest(t, Handshake{Compression: &CompressionParams{}}, Options{})
	p.send(true, 4, 2, []byte{0xff, 0xff, 0xff, 0xff})
	expectFail(t, c, p, CloseInvalidText)

	c, p = newServerUnderTest(t, Handshake{Compression: &CompressionParams{}}, Options{MaxMessageSize: 10000})
	d := &deflater{params: flateParams{noContext: true}}
	p.send(true, 4, 2, d.compress(nil, make([]byte, 10001)))
	expectFail(t, c, p, CloseMessageTooBig)
}

func TestParseExtensions(t *testing.T) {
	exts, err := ParseExtensions(`permessage-deflate; client_max_window_bits, permessage-deflate;server_max_window_bits="10" ; client_no_context_takeover,, x-foo`)
	if err != nil {
		t.Fatal(err)
	}
	if len(exts) != 3 || exts[0].Name != "permessage-deflate" || len(exts[0].Params) != 1 ||
		exts[1].Params[0] != (ExtensionParam{"server_max_window_bits", "10"}) || exts[1].Params[1].Name != "client_no_context_takeover" || exts[2].Name != "x-foo" {
		t.Fatalf("%+v", exts)
	}
	for _, bad := range []string{";", "a;", "a;b=", `a;b="`, `a;b="c d"`, "a b", "a;=1", `a;b=""`} {
		if _, err := ParseExtensions(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestNegotiateServer(t *testing.T) {
	for _, tc := range []struct {
		offer string
		allow CompressionOptions
		resp  string
	}{
		{"permessage-deflate", CompressionOptions{}, "permessage-deflate"},
		{"permessage-deflate; client_max_window_bits", CompressionOptions{}, "permessage-deflate"},
		{"permessage-deflate; client_max_window_bits", CompressionOptions{ClientMaxWindowBits: 10}, "permessage-deflate; client_max_window_bits=10"},
		{"permessage-deflate; client_max_window_bits=9", CompressionOptions{}, "permessage-deflate; client_max_window_bits=9"},
		{"permessage-deflate; server_max_window_bits=12", CompressionOptions{ServerMaxWindowBits: 10}, "permessage-deflate; server_max_window_bits=10"},
		{"permessage-deflate", CompressionOptions{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{"permessage-deflate; server_max_window_bits=16, permessage-deflate; server_no_context_takeover", CompressionOptions{}, "permessage-deflate; server_no_context_takeover"},
		{"permessage-deflate; foo, permessage-deflate", CompressionOptions{}, "permessage-deflate"},
		{"permessage-deflate; server_no_context_takeover; server_no_context_takeover", CompressionOptions{}, ""},
		{"permessage-deflate; server_max_window_bits", CompressionOptions{}, ""},
		{"permessage-deflate; server_max_window_bits=08", CompressionOptions{}, ""},
		{"permessage-deflate; client_no_context_takeover=1", CompressionOptions{}, ""},
		{"x-webkit-deflate-frame", CompressionOptions{}, ""},
		{"", CompressionOptions{}, ""},
	} {
		resp, _, ok := NegotiateServer(tc.offer, tc.allow)
		if resp != tc.resp || ok != (tc.resp != "") {
			t.Errorf("%q: got %q %v, want %q", tc.offer, resp, ok, tc.resp)
		}
	}
}

func TestAcceptClient(t *testing.T) {
	p, err := AcceptClient("", CompressionOptions{})
	if p != nil || err != nil {
		t.Fatal(p, err)
	}
	for _, bad := range []string{
		"x-foo", "permessage-deflate, permessage-deflate", "permessage-deflate; foo",
		"permessage-deflate; client_max_window_bits", "permessage-deflate; server_max_window_bits=7",
	} {
		if _, err := AcceptClient(bad, CompressionOptions{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := AcceptClient("permessage-deflate; server_max_window_bits=12", CompressionOptions{ServerMaxWindowBits: 10}); err == nil {
		t.Error("larger server window accepted")
	}
	if _, err := AcceptClient("permessage-deflate", CompressionOptions{ServerNoContextTakeover: true}); err == nil {
		t.Error("missing server_no_context_takeover accepted")
	}
	if _, err := AcceptClient("permessage-deflate; client_max_window_bits=12", CompressionOptions{ClientMaxWindowBits: 10}); err == nil {
		t.Error("larger client window accepted")
	}
}
