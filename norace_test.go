//go:build !race

package aiohttp

import "testing"

// skipAllocsUnderRace does nothing without the race detector.
func skipAllocsUnderRace(*testing.T) {}
