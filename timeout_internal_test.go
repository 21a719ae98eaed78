package aiohttp

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// A total timeout of at least CeilThreshold (5 s by default) ends on a
// whole second, as aiohttp's ceil_timeout; shorter ones end exactly.
func TestTimeoutCeilThreshold(t *testing.T) {
	for _, tt := range []struct {
		to   ClientTimeout
		ceil bool
	}{
		{ClientTimeout{}, true}, // the default total, 5 minutes
		{ClientTimeout{Total: 5 * time.Second}, true},
		{ClientTimeout{Total: 4 * time.Second}, false},
		{ClientTimeout{Total: 2 * time.Second, CeilThreshold: time.Second}, true},
		{ClientTimeout{Total: time.Minute, CeilThreshold: -1}, false},
		{ClientTimeout{Total: -1}, false},
	} {
		if got := tt.to.resolve().ceil; got != tt.ceil {
			t.Errorf("%+v: ceil = %v, want %v", tt.to, got, tt.ceil)
		}
	}
	at := time.Date(2026, 11, 23, 12, 0, 0, 300e6, time.UTC)
	if got, want := ceilSecond(at), time.Date(2026, 11, 23, 12, 0, 1, 0, time.UTC); !got.Equal(want) {
		t.Errorf("ceilSecond(%v) = %v, want %v", at, got, want)
	}
	whole := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if got := ceilSecond(whole); !got.Equal(whole) {
		t.Errorf("ceilSecond(%v) = %v", whole, got)
	}
}

// lateContext has passed its deadline but has not noticed yet, as a
// context is between its deadline and its timer firing.
type lateContext struct{ context.Context }

func (lateContext) Deadline() (time.Time, bool) { return time.Now().Add(-time.Millisecond), true }

func TestContextEndedAtDeadline(t *testing.T) {
	late := lateContext{context.Background()}
	if err := contextEnded(late); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past deadline: %v", err)
	}
	// A dial that timed out at that deadline is the context's doing.
	err := connectError(late, ErrClientConnector, "http://x/", &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("dial timeout at the context's deadline: %v", err)
	}
	if err := contextEnded(context.Background()); err != nil {
		t.Errorf("no deadline: %v", err)
	}
}
