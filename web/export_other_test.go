//go:build !linux

package web

// DisableOpenat2 does nothing: static routes use os.Root here anyway.
func DisableOpenat2(interface{ Cleanup(func()) }) {}
