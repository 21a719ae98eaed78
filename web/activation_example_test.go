package web_test

import (
	"context"
	"log"
	"net"

	"github.com/aiohttp-go/aiohttp/web"
)

// A runner of your own on the sockets systemd passes by socket activation,
// or on port 8080 when the program is started by hand. (RunApp does the
// same with RunOptions.SocketActivation.)
func ExampleListenersFromEnv() {
	listeners, err := web.ListenersFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	if len(listeners) == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:8080")
		if err != nil {
			log.Fatal(err)
		}
		listeners = append(listeners, ln)
	}
	app := web.NewApplication()
	app.Router.Get("/", func(*web.Request) (web.Response, error) {
		return web.Text("hello"), nil
	})
	ctx := context.Background()
	runner := web.NewAppRunner(app, web.ServerOptions{})
	if err := runner.Setup(ctx); err != nil {
		log.Fatal(err)
	}
	defer runner.Cleanup(ctx)
	for _, ln := range listeners {
		if err := web.NewListenerSite(runner, ln).Start(ctx); err != nil {
			log.Fatal(err)
		}
	}
	// ... serve until told to stop; Cleanup shuts down gracefully.
}
