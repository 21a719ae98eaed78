//go:build !linux

package web

import "io/fs"

// fileIDSupported says whether statID and fileIDOf work here: static
// routes keep no file contents on this platform.
const fileIDSupported = false

func statID(int, string) (fileID, bool) { return fileID{}, false }

func fileIDOf(fs.FileInfo) (fileID, bool) { return fileID{}, false }
