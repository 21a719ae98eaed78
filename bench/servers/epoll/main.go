//go:build linux

// Command epoll is the lower bound of the idle-connection benchmark: a bare
// Linux epoll loop in one thread that answers every request head with a
// canned "Hello, World!" response. It keeps no state per connection but
// the kernel's, so its memory per idle connection is what any server in
// user space adds on top.
package main

import (
	"bytes"
	"flag"
	"log"
	"net"
	"runtime"
	"syscall"
)

const response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!"

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	flag.Parse()
	runtime.LockOSThread()
	ta, err := net.ResolveTCPAddr("tcp4", *addr)
	if err != nil {
		log.Fatal(err)
	}
	lfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK, 0)
	if err != nil {
		log.Fatal(err)
	}
	syscall.SetsockoptInt(lfd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	sa := &syscall.SockaddrInet4{Port: ta.Port}
	copy(sa.Addr[:], ta.IP.To4())
	if err := syscall.Bind(lfd, sa); err != nil {
		log.Fatal(err)
	}
	if err := syscall.Listen(lfd, 4096); err != nil {
		log.Fatal(err)
	}
	ep, err := syscall.EpollCreate1(0)
	if err != nil {
		log.Fatal(err)
	}
	add := func(fd int) {
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
		if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			log.Fatal(err)
		}
	}
	add(lfd)
	events := make([]syscall.EpollEvent, 256)
	buf := make([]byte, 64<<10)
	out := make([]byte, 0, 64<<10)
	for {
		n, err := syscall.EpollWait(ep, events, -1)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		for _, ev := range events[:n] {
			fd := int(ev.Fd)
			if fd == lfd {
				for {
					cfd, _, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
					if err != nil {
						break
					}
					add(cfd)
				}
				continue
			}
			// Requests are assumed to arrive whole: one answer per head.
			m, err := syscall.Read(fd, buf)
			if m <= 0 {
				if err != syscall.EAGAIN {
					syscall.Close(fd) // closing removes it from the epoll set
				}
				continue
			}
			out = out[:0]
			for range bytes.Count(buf[:m], []byte("\r\n\r\n")) {
				out = append(out, response...)
			}
			syscall.Write(fd, out)
		}
	}
}
