//go:build !linux

package web

import "os"

// openFile opens name for reading.
func openFile(name string) (*os.File, error) { return os.Open(name) }

// openBeneath opens name within root.
func openBeneath(root *os.Root, _ int, name string) (*os.File, error) { return root.Open(name) }
