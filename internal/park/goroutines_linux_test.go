package park_test

import "github.com/aiohttp-go/aiohttp/internal/park"

// inGoroutines makes Park wait in goroutines, as it does on systems
// without epoll, until the returned function is called.
func inGoroutines() (restore func()) { return park.InGoroutines() }
