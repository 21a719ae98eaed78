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
// event takes the socket out of the set. One goroutine waits on it, in a
// blocking epoll_wait, and wakes the connections. Guarded by mu, but for
// epfd, which never changes once set.
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
	epfd = fd
	go pollEpoll()
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

// pollEpoll wakes the connections whose sockets become readable, forever.
func pollEpoll() {
	events := make([]syscall.EpollEvent, 128)
	for {
		n, err := syscall.EpollWait(epfd, events, -1)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			panic(os.NewSyscallError("epoll_wait", err)) // only a bad epfd or buffer, which cannot be
		}
		mu.Lock()
		for _, ev := range events[:n] {
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
		mu.Unlock()
	}
}
