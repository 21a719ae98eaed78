//go:build !linux

package park

import "net"

// Epoll reports false: epoll is Linux's; here parked connections wait in
// goroutines.
func Epoll() bool { return false }

func epollAdd(*Parked, net.Conn, func(error)) bool { return false }

func epollRemove(*Parked) {}
