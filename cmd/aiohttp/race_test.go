//go:build race

package main

// Under the race detector sync.Pool drops items on purpose, so that
// allocation counts mean nothing.
func init() { raceEnabled = true }
