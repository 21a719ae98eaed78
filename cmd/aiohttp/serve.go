package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/aiohttp-go/aiohttp/hub"
	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/metrics"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/ratelimit"
	"github.com/aiohttp-go/aiohttp/web/session"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// serveUsage is the text of "aiohttp serve -h" above the flags.
func serveUsage() string {
	return "usage: aiohttp serve [--host address] [--port port] [--unix path] [--tls-cert file --tls-key file]\n" +
		"                     [--access-log[=format]] [--static directory] [--reuse-port] [--pprof address]\n\n" +
		"Serve the demo application until interrupted, then shut down gracefully\n" +
		"(requests in flight finish; WebSockets and event streams are closed).\n" +
		"Started by systemd socket activation (LISTEN_FDS), it serves on the\n" +
		"sockets passed instead of --host, --port and --unix.\n" +
		"GET routes answer HEAD too:\n\n" + demoRoutes() + `
Examples:
  aiohttp serve
  aiohttp serve --port 0 --access-log
  aiohttp serve --access-log='%a "%r" %s %b %Tf'
  aiohttp serve --tls-cert cert.pem --tls-key key.pem --port 8443   # HTTPS and HTTP/2
  aiohttp serve --unix /tmp/aiohttp.sock                             # curl --unix-socket
  aiohttp serve --static ./public                                    # GET /static/...
  aiohttp serve --reuse-port --port 8080   # a second one, then SIGTERM the first: a restart

`
}

// accessLogFlag is --access-log: alone, aiohttp's default format;
// --access-log=FORMAT, that format.
type accessLogFlag struct {
	on     bool
	format string
}

func (f *accessLogFlag) String() string   { return f.format }
func (f *accessLogFlag) IsBoolFlag() bool { return true }

func (f *accessLogFlag) Set(v string) error {
	switch v {
	case "true":
		f.on, f.format = true, web.DefaultAccessLogFormat
	case "false":
		f.on = false
	default:
		f.on, f.format = true, v
	}
	return nil
}

// serve runs the demo application (package internal/demo) until ctx ends.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", serveUsage(), stdout)
	host := fs.String("host", "127.0.0.1", "`address` to listen on (empty for every interface)")
	port := fs.Int("port", 8080, "TCP `port` to listen on; 0 picks a free one")
	unix := fs.String("unix", "", "serve on the Unix socket at `path` (alone: only there)")
	cert := fs.String("tls-cert", "", "serve HTTPS (and HTTP/2) with the PEM certificate chain in `file`")
	key := fs.String("tls-key", "", "the PEM private key `file` of --tls-cert")
	var accessLog accessLogFlag
	fs.Var(&accessLog, "access-log", "log every request to standard output, in aiohttp's default `format` or the one given with =")
	static := fs.String("static", "", "also serve the files of `directory` under /static/, with an index of each directory")
	reusePort := fs.Bool("reuse-port", false, "set SO_REUSEPORT, so that a new serve can share the port before this one is stopped")
	redisURL := fs.String("redis", "", "share the chat (/chat, /chat/events), the sessions (/session) and the rate limit of /limited with every instance on the Redis server at `URL` (redis://host:port/db)")
	withMetrics := fs.Bool("metrics", false, "serve Prometheus metrics of the server at /metrics")
	pprofAddr := fs.String("pprof", "", "serve Go's profiles (net/http/pprof) under /debug/pprof/ on `address`, apart from the demo; keep it private")
	rest, code, ok := fs.parse(args, stderr)
	if !ok {
		return code
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	bad := func(format string, a ...any) int {
		usageError(stderr, "serve", format, a...)
		return 2
	}
	switch {
	case len(rest) > 0:
		return bad("unexpected argument %q", rest[0])
	case *port < 0 || *port > 65535:
		return bad("port %d out of range 0-65535", *port)
	case (*cert == "") != (*key == ""):
		return bad("--tls-cert and --tls-key go together")
	}

	var demoOpts []demo.Option
	if *redisURL != "" {
		rdb, h, err := openHub(ctx, *redisURL)
		if err != nil {
			fmt.Fprintf(stderr, "aiohttp serve: --redis: %v\n", err)
			return 1
		}
		defer rdb.Close()
		demoOpts = append(demoOpts, demo.WithHub(h), demo.WithSessions(session.NewRedisStorage(rdb, "")),
			demo.WithRateLimitStore(ratelimit.NewRedisStore(rdb, ratelimit.RedisOptions{})))
	}
	app := demo.NewApp(demoOpts...)
	if *withMetrics {
		reg := prometheus.NewRegistry()
		m, err := metrics.NewServer(metrics.Options{Registerer: reg})
		if err != nil {
			fmt.Fprintf(stderr, "aiohttp serve: --metrics: %v\n", err)
			return 1
		}
		m.Instrument(app)
		app.Router.Get("/metrics", metrics.Handler(reg))
	}
	if *static != "" {
		if fi, err := os.Stat(*static); err != nil || !fi.IsDir() {
			return bad("--static %s: not a directory", *static)
		}
		app.Router.Static("/static", *static, web.StaticOptions{Name: "static", ShowIndex: true})
	}

	opts := web.RunOptions{NoSignals: true, Out: stdout, Path: *unix, ReusePort: *reusePort, SocketActivation: true}
	// Addr rather than Host and Port: port 0 then picks a free port. A
	// Unix socket alone is the only place served.
	if *unix == "" || explicit["host"] || explicit["port"] {
		opts.Addr = net.JoinHostPort(*host, strconv.Itoa(*port))
	}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return bad("--tls-cert/--tls-key: %v", err)
		}
		opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{pair}}
	}
	if accessLog.on {
		opts.AccessLog, opts.AccessLogFormat = stdout, accessLog.format
	}
	if *pprofAddr != "" {
		url, stopPprof, err := startPprof(*pprofAddr)
		if err != nil {
			return bad("--pprof: %v", err)
		}
		defer stopPprof()
		fmt.Fprintf(stdout, "======== Profiles on %s ========\n", url)
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

// openHub connects to the Redis server of rawURL and returns the client
// and a hub on it.
func openHub(ctx context.Context, rawURL string) (*redis.Client, *hub.Redis, error) {
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, nil, err
	}
	rdb := redis.NewClient(o)
	h, err := hub.NewRedis(ctx, rdb, hub.RedisOptions{})
	if err != nil {
		rdb.Close()
		return nil, nil, err
	}
	return rdb, h, nil
}
