package aiotest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them: a
// server or client a cleanup did not close, a mocked request not ended.
func TestMain(m *testing.M) {
	// The goroutine of park's epoll set lives as long as the process.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/aiohttp-go/aiohttp/internal/park.pollEpoll"))
}
