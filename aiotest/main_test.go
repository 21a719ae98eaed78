package aiotest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: a
// server or client a cleanup did not close, a mocked request not ended.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
