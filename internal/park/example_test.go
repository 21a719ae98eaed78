//go:build unix

package park_test

import (
	"bufio"
	"fmt"
	"net"

	"github.com/aiohttp-go/aiohttp/internal/park"
)

// A line server whose goroutine ends whenever the client is silent: the
// buffered reader and a grown stack exist only while there is input.
func ExampleParked() {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		c, _ := net.Dial("tcp", ln.Addr().String())
		defer c.Close()
		fmt.Fprintln(c, "hello")
	}()
	nc, _ := ln.Accept()
	defer nc.Close()
	done := make(chan struct{})
	var p park.Parked
	var serve func(error)
	serve = func(err error) {
		if err == nil {
			var line string
			line, err = bufio.NewReader(nc).ReadString('\n')
			fmt.Print(line)
		}
		if err != nil { // the client left, or nc was closed
			close(done)
			return
		}
		p.Park(nc, serve) // idle again: wait in a fresh, small goroutine
	}
	p.Park(nc, serve)
	<-done
	// Output:
	// hello
}
