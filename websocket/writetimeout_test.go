package websocket

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"
)

func TestWriteTimeoutCutsAPeerThatDoesNotRead(t *testing.T) {
	const timeout = 300 * time.Millisecond
	c, p := newServerUnderTest(t, Handshake{}, Options{WriteTimeout: timeout})
	msg := make([]byte, 1<<20)
	done := make(chan error, 1)
	var stalled time.Time
	go func() {
		for {
			stalled = time.Now() // the last write that may have blocked
			if err := c.WriteMessage(context.Background(), MessageBinary, msg); err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrWriteTimeout) {
			t.Fatalf("write error %v, want ErrWriteTimeout", err)
		}
		// The blocked write gets one and a half timeouts, per 64 KiB piece
		// it managed to send before the buffers filled.
		if took := time.Since(stalled); took > 10*timeout {
			t.Errorf("write cut after %v", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the write still blocks")
	}
	if err := c.WriteMessage(context.Background(), MessageText, []byte("more")); !errors.Is(err, ErrClosed) {
		t.Errorf("write after the cut: %v, want ErrClosed", err)
	}
	_ = p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, p.nc); err != nil && !isReset(err) {
		t.Errorf("connection not dropped: %v", err)
	}
}

func TestWriteTimeoutSparesASlowReader(t *testing.T) {
	const timeout = time.Second
	c, p := newServerUnderTest(t, Handshake{}, Options{WriteTimeout: timeout})
	const size = 8 << 20 // more than the socket buffers hold
	go func() {
		buf := make([]byte, 32<<10) // at most 6.4 MB/s
		for {
			time.Sleep(5 * time.Millisecond)
			if _, err := p.nc.Read(buf); err != nil {
				return
			}
		}
	}()
	if err := c.WriteMessage(context.Background(), MessageBinary, make([]byte, size)); err != nil {
		t.Fatalf("write to a slow reader: %v", err)
	}
}

// writeLog records the size of every Write.
type writeLog struct {
	memConn
	sizes []int
}

func (c *writeLog) Write(p []byte) (int, error) {
	c.sizes = append(c.sizes, len(p))
	return len(p), nil
}

// TestWriteTimeoutKeeps64KiBFramesWhole: the write timeout's pieces hold
// a 64 KiB frame and its header, so such a message costs one write (a
// client's frame, assembled) or one vectored write (a server's header
// and payload, which net.Buffers hands a plain net.Conn as two Writes),
// not one more for its last bytes.
func TestWriteTimeoutKeeps64KiBFramesWhole(t *testing.T) {
	for _, tc := range []struct {
		role Role
		want []int
	}{
		{Client, []int{14 + 64<<10}},
		{Server, []int{10, 64 << 10}},
	} {
		nc := &writeLog{memConn: memConn{r: eofReader{}}}
		c := NewConn(nc, nil, tc.role, Handshake{}, Options{WriteTimeout: time.Minute})
		if err := c.WriteMessage(context.Background(), MessageBinary, make([]byte, 64<<10)); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(nc.sizes, tc.want) {
			t.Errorf("%v: writes of %v bytes, want %v", tc.role, nc.sizes, tc.want)
		}
	}
}
