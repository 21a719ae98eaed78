package websocket

import (
	"errors"
	"testing"
)

func TestOptionsValidate(t *testing.T) {
	valid := []Options{
		{},
		{Compress: CompressOn, Compression: CompressionOptions{ServerMaxWindowBits: 8, ClientMaxWindowBits: 15}, CompressionLevel: 9},
		{Compress: CompressOff},
	}
	for _, o := range valid {
		if err := o.Validate(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	for _, tc := range []struct {
		opts  Options
		field string
	}{
		{Options{Compress: 3}, "Compress"},
		{Options{Compress: -1}, "Compress"},
		{Options{Compression: CompressionOptions{ServerMaxWindowBits: 7}}, "Compression.ServerMaxWindowBits"},
		{Options{Compression: CompressionOptions{ServerMaxWindowBits: 16}}, "Compression.ServerMaxWindowBits"},
		{Options{Compression: CompressionOptions{ClientMaxWindowBits: 1}}, "Compression.ClientMaxWindowBits"},
		{Options{CompressionLevel: 10}, "CompressionLevel"},
	} {
		err := tc.opts.Validate()
		var oe *OptionsError
		if !errors.As(err, &oe) || oe.Field != tc.field {
			t.Errorf("%+v: %v, want an OptionsError for %s", tc.opts, err, tc.field)
		}
	}
	err := (&Options{Compression: CompressionOptions{ServerMaxWindowBits: 7}}).Validate()
	if want := "websocket: Options.Compression.ServerMaxWindowBits is 7, allowed: 0 or 8 to 15"; err.Error() != want {
		t.Errorf("%q, want %q", err, want)
	}
}

// TestHandshakeProtocol: the subprotocol of the Handshake is what the Conn
// and the Socket over it report.
func TestHandshakeProtocol(t *testing.T) {
	a, _ := tcpPair(t)
	c := NewConn(a, nil, Server, Handshake{Protocol: "chat"}, Options{})
	t.Cleanup(func() { c.CloseNow() })
	if c.Protocol() != "chat" || NewSocket(c, Options{}).Protocol() != "chat" {
		t.Fatalf("protocol %q", c.Protocol())
	}
}
