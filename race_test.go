//go:build race

package aiohttp

import "testing"

// skipAllocsUnderRace skips allocation counts, which the race detector
// (and its sync.Pool, which drops items on purpose) makes meaningless.
func skipAllocsUnderRace(t *testing.T) {
	t.Skip("allocation counts are not meaningful under the race detector")
}
