// Command aiohttp is the command line of aiohttp for Go.
//
// Usage:
//
//	aiohttp <command> [flags]
//
// Commands:
//
//	serve   run the demo server that the examples talk to
//	fetch   fetch many URLs concurrently, one JSON result a URL
//	bench   load a URL through the client and print requests/s and latencies
//	ws      talk to a WebSocket server from the terminal or a script
//
// Run "aiohttp <command> -h" for a command's flags. Usage errors exit
// with status 2, other failures with status 1.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"
)

// The commands say when Redis goes away and comes back, once (package
// frontier's worker, package hub); the Redis client's own line on every
// failed dial would only repeat it.
func init() { redis.SetLogger(&logging.VoidLogger{}) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand: run gets the arguments after its name and
// returns the exit status.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order usage shows them.
var commands = []command{
	{"serve", "run the demo server that the examples talk to", serve},
	{"fetch", "fetch many URLs concurrently, one JSON result a URL", fetch},
	{"bench", "load a URL through the client and print requests/s and latencies", bench},
	{"ws", "talk to a WebSocket server from the terminal or a script", ws},
}

// run runs the command line args (without the program name) until it is
// done or ctx ends, and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(stdout)
		return 0
	case "help":
		if len(args) == 1 {
			usage(stdout)
			return 0
		}
		// "help serve" is "serve -h".
		name, args = args[1], []string{name, "-h"}
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "aiohttp: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, "usage: aiohttp <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s%s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun \"aiohttp <command> -h\" for a command's flags.\n")
}
