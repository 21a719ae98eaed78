package park

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
