package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/web"
)

// serve runs the demo application (package internal/demo) until ctx ends.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host := fs.String("host", "127.0.0.1", "`address` to listen on (empty for every interface)")
	port := fs.Int("port", 8080, "TCP `port` to listen on; 0 picks a free one")
	accessLog := fs.Bool("access-log", false, "log every request to standard output")
	static := fs.String("static", "", "also serve the files of `directory` under /static/, with an index of each directory")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: aiohttp serve [--host address] [--port port] [--access-log] [--static directory]\n\n"+
			"Serve the demo application; GET routes answer HEAD too:\n\n"+demoRoutes()+"\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "aiohttp serve: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *port < 0 || *port > 65535 {
		fmt.Fprintf(stderr, "aiohttp serve: port %d out of range 0-65535\n", *port)
		fs.Usage()
		return 2
	}

	app := demo.NewApp()
	if *static != "" {
		if fi, err := os.Stat(*static); err != nil || !fi.IsDir() {
			fmt.Fprintf(stderr, "aiohttp serve: --static %s: not a directory\n", *static)
			return 2
		}
		app.Router.Static("/static", *static, web.StaticOptions{Name: "static", ShowIndex: true})
	}

	// Addr rather than Host and Port: port 0 then picks a free port.
	opts := web.RunOptions{Addr: net.JoinHostPort(*host, strconv.Itoa(*port)), NoSignals: true, Out: stdout}
	if *accessLog {
		opts.AccessLog = stdout
	}
	if err := web.RunAppContext(ctx, app, opts); err != nil {
		fmt.Fprintf(stderr, "aiohttp serve: %v\n", err)
		return 1
	}
	return 0
}

// demoRoutes lists the routes of the demo application, from its router:
// one "  METHOD pattern" line each, in registration order.
func demoRoutes() string {
	var b strings.Builder
	for _, r := range demo.NewApp().Router.Routes() {
		fmt.Fprintf(&b, "  %-6s %s\n", routeMethod(r), r.Pattern())
	}
	return b.String()
}

// routeMethod names the method of a route as usage shows it: ANY for a
// route that answers every method.
func routeMethod(r *web.Route) string {
	if r.Method() == "*" {
		return "ANY"
	}
	return r.Method()
}
