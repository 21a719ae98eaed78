package park

import "syscall"

// InGoroutines makes Park wait in goroutines until the returned function
// is called.
func InGoroutines() (restore func()) {
	mu.Lock()
	defer mu.Unlock()
	goroutinesOnly = true
	return func() {
		mu.Lock()
		defer mu.Unlock()
		goroutinesOnly = false
	}
}

// InEpollSet returns how many connections wait in the epoll set.
func InEpollSet() int {
	mu.Lock()
	defer mu.Unlock()
	return len(parked)
}

// DeliverEvents hands wakeReady an event for p's wait for each of gens
// and fds, the offsets from p's generation and socket number (0, 0: the
// current wait's event); it reports false when p does not wait in the set.
func DeliverEvents(p *Parked, gens, fds []int32) bool {
	mu.Lock()
	fd, gen, waits := p.fd, p.gen, p.state == waiting
	mu.Unlock()
	if !waits {
		return false
	}
	events := make([]syscall.EpollEvent, len(gens))
	for i := range events {
		events[i] = syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: fd + fds[i], Pad: int32(gen) + gens[i]}
	}
	wakeReady(events)
	return true
}
