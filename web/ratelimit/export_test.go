package ratelimit

import "time"

// SetClock makes s read the time from now (time since an origin).
func SetClock(s *MemoryStore, now func() time.Duration) { s.now = now }

// Take exposes the GCRA step.
var Take = take
