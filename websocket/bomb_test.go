package websocket

import (
	"bytes"
	"compress/flate"
	"io"
	"runtime"
	"testing"
	"time"
)

// deflateBomb returns a permessage-deflate message payload of 1.3 MiB
// that inflates to 1 GiB of zeros: the blocks compressing 1 MiB of zeros
// from a fresh compressor refer only to themselves and end byte-aligned (a
// sync flush), so they can be repeated.
func deflateBomb(t testing.TB) []byte {
	var b bytes.Buffer
	fw, err := flate.NewWriter(&b, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(make([]byte, 1<<20))
	fw.Flush()
	// Two repeats inflate to 2 MiB of zeros.
	two, err := io.ReadAll(flate.NewReader(bytes.NewReader(bytes.Repeat(b.Bytes(), 2))))
	if !bytes.Equal(two, make([]byte, 2<<20)) {
		t.Fatalf("the bomb's blocks do not repeat: %d bytes, %v", len(two), err)
	}
	bomb := bytes.Repeat(b.Bytes(), 1024)
	return bomb[:len(bomb)-4] // without the last 00 00 ff ff, as a sender strips it
}

// A compressed message that would inflate to a gigabyte fails with 1009
// once past the message limit (4 MiB by default), on either side, without
// being inflated further.
func TestDeflateBomb(t *testing.T) {
	bomb := deflateBomb(t)
	for _, role := range []Role{Server, Client} {
		t.Run(role.String(), func(t *testing.T) {
			hs := Handshake{Compression: &CompressionParams{}}
			c, p := newServerUnderTest(t, hs, Options{})
			if role == Client {
				c, p = newClientUnderTest(t, hs, Options{})
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			sent := p.sendAsync(true, 4, 2, bomb)
			expectFail(t, c, p, CloseMessageTooBig)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			<-sent
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d KiB inflating to 1 GiB: 1009 after %v, %d KiB allocated", len(bomb)>>10, took.Round(time.Millisecond), alloc>>10)
			// The frame (the peer's masked copy, the Conn's) and the
			// output up to the limit, grown by doubling.
			if alloc > 64<<20 {
				t.Errorf("allocated %d KiB", alloc>>10)
			}
			if took > 2*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}
