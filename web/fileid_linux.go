//go:build linux

package web

import (
	"io/fs"
	"syscall"

	"golang.org/x/sys/unix"
)

// fileIDSupported says whether statID and fileIDOf work here.
const fileIDSupported = true

// statID returns the identity of the regular file at name below the
// directory dirfd, following symbolic links.
func statID(dirfd int, name string) (fileID, bool) {
	var st unix.Stat_t
	for {
		err := unix.Fstatat(dirfd, name, &st, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			return fileID{}, false
		}
		return fileID{
			dev: st.Dev, ino: st.Ino, size: st.Size,
			mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(),
		}, true
	}
}

// fileIDOf returns the identity of the regular file fi describes.
func fileIDOf(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !fi.Mode().IsRegular() {
		return fileID{}, false
	}
	return fileID{
		dev: st.Dev, ino: st.Ino, size: st.Size,
		mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(),
	}, true
}
