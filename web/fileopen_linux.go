//go:build linux

package web

import (
	"io/fs"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// openFile opens name for reading, as os.Open does but without offering
// the descriptor to the network poller: a regular file never blocks, and
// os.Open spends five system calls learning that epoll refuses it, as
// many as the rest of a small file's request.
func openFile(name string) (*os.File, error) {
	for {
		fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return wrapFD(name, fd, err)
		}
	}
}

// openBeneath opens name below the directory dirfd (of root) with
// openat2's RESOLVE_BENEATH, which refuses, as os.Root does, ".." and
// symbolic links that lead out of the directory and absolute links, in
// one system call. Where openat2 is missing (kernels before 5.6) or
// refused (container seccomp profiles older than it answer EPERM), it
// uses root.Open from then on.
func openBeneath(root *os.Root, dirfd int, name string) (*os.File, error) {
	if noOpenat2.Load() {
		return root.Open(name)
	}
	how := unix.OpenHow{Flags: unix.O_RDONLY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS}
	for {
		fd, err := unix.Openat2(dirfd, name, &how)
		switch err {
		case unix.EINTR, unix.EAGAIN: // EAGAIN: a rename raced the lookup
			continue
		case unix.ENOSYS, unix.EPERM:
			noOpenat2.Store(true)
			return root.Open(name)
		}
		return wrapFD(name, fd, err)
	}
}

// noOpenat2 is set once openat2 failed as unsupported.
var noOpenat2 atomic.Bool

// wrapFD makes an *os.File of a descriptor just opened, or an
// *fs.PathError of the error.
func wrapFD(name string, fd int, err error) (*os.File, error) {
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}
