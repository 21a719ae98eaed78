package compress

import (
	"bytes"
	"os"
	"testing"
)

// TestBrokenDecoderNotReused: a body that fails to decode does not spoil
// the next one through the pool.
func TestBrokenDecoderNotReused(t *testing.T) {
	users, err := os.ReadFile("../../web/testdata/users.json")
	if err != nil {
		t.Fatal(err)
	}
	plain := bytes.Repeat(users, 10)
	for _, c := range allCodings {
		good := encode(t, c, plain)
		for _, bad := range [][]byte{good[:len(good)/2], good[:100], append(bytes.Clone(good[:len(good)/2]), "garbage, not a stream"...)} {
			for range 3 {
				if _, err := decode(bad, c.String(), 1<<30); err == nil {
					t.Fatalf("%s: a damaged body decoded", c)
				}
				if got, err := decode(good, c.String(), 1<<30); err != nil || !bytes.Equal(got, plain) {
					t.Fatalf("%s: after a damaged body, a good one gives %d bytes, %v", c, len(got), err)
				}
			}
		}
	}
}

// TestAbandonedDecoderNotReused: a decoder left mid-stream (the bound
// reached, the body abandoned) does not spoil the next body.
func TestAbandonedDecoderNotReused(t *testing.T) {
	users, err := os.ReadFile("../../web/testdata/users.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range allCodings {
		bomb := encode(t, c, make([]byte, 8<<20))
		good := encode(t, c, users)
		for range 3 {
			if _, err := decode(bomb, c.String(), 64<<10); err != ErrTooLarge {
				t.Fatalf("%s: bomb gave %v", c, err)
			}
			if got, err := decode(good, c.String(), 1<<20); err != nil || !bytes.Equal(got, users) {
				t.Fatalf("%s: after an abandoned body, a good one gives %d bytes, %v", c, len(got), err)
			}
		}
	}
}
