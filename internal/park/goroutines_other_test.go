//go:build unix && !linux

package park_test

// inGoroutines does nothing: Park waits in goroutines here.
func inGoroutines() (restore func()) { return func() {} }
