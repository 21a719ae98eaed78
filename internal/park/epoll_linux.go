package park

import (
	"net"
	"os"
	"sync"
	"syscall"
)

// Epoll reports whether parked connections wait in an epoll set, with no
// goroutine each, rather than in goroutines: on unless the environment
// variable AIOHTTP_GO_PARK is "goroutine" when the first connection parks.
func Epoll() bool {
	epollOnce.Do(startEpoll)
	return epfd >= 0
}

// The epoll set holds the sockets of parked connections, one-shot: an
// event takes the socket out of the set. The set's own descriptor waits in
// Go's poller like any socket (an epoll set is readable when it has
// events), so one goroutine, with no thread of its own, wakes the
// connections. Guarded by mu, but for epfd, which never changes once set.
var (
	epollOnce sync.Once
	epfd      = -1
	parked    = map[int32]*Parked{} // by socket
	nextGen   uint32
	// goroutinesOnly makes Park wait in goroutines although epoll is
	// on, for the tests of that mode.
	goroutinesOnly bool
)

func startEpoll() {
	if os.Getenv("AIOHTTP_GO_PARK") == "goroutine" {
		return
	}
	fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return // goroutines, then
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return
	}
	rc, err := os.NewFile(uintptr(fd), "epoll").SyscallConn()
	if err != nil {
		syscall.Close(fd)
		return
	}
	epfd = fd
	go pollEpoll(rc)
}

// epollAdd adds nc's socket to the epoll set, for wake, and reports
// whether it did; mu is held. The socket is added inside Control, which
// holds nc's descriptor open: a concurrent close cannot slip in between
// and leave a number that a new socket may already reuse.
func epollAdd(p *Parked, nc net.Conn, wake func(error)) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok || goroutinesOnly || !Epoll() {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	added := false
	err = rc.Control(func(fd uintptr) {
		nextGen++
		ev := syscall.EpollEvent{
			Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT,
			Fd:     int32(fd),
			Pad:    int32(nextGen),
		}
		if syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev) != nil {
			return // EEXIST, ENOMEM, ENOSPC (max_user_watches): a goroutine waits
		}
		p.state, p.fd, p.gen, p.wake = waiting, int32(fd), nextGen, wake
		parked[p.fd] = p
		added = true
	})
	return err == nil && added
}

// epollRemove takes a waiting p out of the epoll set; mu is held. Its
// socket is still open: its owner unparks before it closes it, and wake
// runs only after this.
func epollRemove(p *Parked) {
	if parked[p.fd] != p {
		// Its socket was closed without Unpark, left the set, and its
		// number now belongs to a newer socket, which stays.
		return
	}
	delete(parked, p.fd)
	_ = syscall.EpollCtl(epfd, syscall.EPOLL_CTL_DEL, int(p.fd), nil)
}

// pollEpoll wakes the connections whose sockets become readable, forever:
// it takes the set's events without blocking and waits in Go's poller for
// more.
func pollEpoll(rc syscall.RawConn) {
	events := make([]syscall.EpollEvent, 128)
	for {
		_ = rc.Read(func(uintptr) bool {
			for {
				n, err := syscall.EpollWait(epfd, events, 0)
				if err == syscall.EINTR {
					continue
				}
				if n <= 0 {
					return false // wait for the set to become readable
				}
				wakeReady(events[:n])
			}
		})
	}
}

// wakeReady wakes the connections of events, in new goroutines.
func wakeReady(events []syscall.EpollEvent) {
	mu.Lock()
	defer mu.Unlock()
	for _, ev := range events {
		p := parked[ev.Fd]
		// An event of a wait that Unpark ended already, or of an
		// earlier socket with the same number, is stale.
		if p == nil || p.state != waiting || p.gen != uint32(ev.Pad) {
			continue
		}
		epollRemove(p)
		wake := p.wake
		p.state, p.wake = free, nil
		go wake(nil)
	}
}
