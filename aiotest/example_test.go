package aiotest_test

import (
	"fmt"
	"os/exec"
	"strconv"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// The examples that need a *testing.T show a test function: they are
// compiled, not run (client_test.go and server_test.go run the like).

func newApp() *web.Application {
	app := web.NewApplication()
	app.Router.Get("/hello/{name}", func(req *web.Request) (web.Response, error) {
		return web.Text("Hello, " + req.MatchInfo().Get("name")), nil
	})
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		for msg := range sock.Messages(req.Context()) {
			if msg.Type != websocket.MessageText || sock.SendStr(req.Context(), msg.Text()) != nil {
				break
			}
		}
		return ws, nil
	})
	return app
}

func ExampleNewClient() {
	_ = func(t *testing.T) {
		client := aiotest.NewClient(t, newApp())
		resp, err := client.Get(t.Context(), "/hello/John", aiohttp.Params{"lang": "en"})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Close()
		if text, _ := resp.Text(); resp.Status != 200 || text != "Hello, John" {
			t.Errorf("got %d %q", resp.Status, text)
		}
	}
}

func ExampleNewServer() {
	_ = func(t *testing.T) {
		srv := aiotest.NewServer(t, newApp(), aiotest.WithTLS(nil))
		// Any client will do: srv.URL and srv.MakeURL give the address,
		// srv.Certificate the certificate to trust.
		out, err := exec.Command("curl", "-sk", srv.MakeURL("/hello/curl")).Output()
		if err != nil {
			t.Skip("curl:", err)
		}
		if string(out) != "Hello, curl" {
			t.Errorf("got %q", out)
		}
	}
}

func ExampleNewRawServer() {
	_ = func(t *testing.T) {
		srv := aiotest.NewRawServer(t, func(req *web.Request) (web.Response, error) {
			return web.Text(req.Method() + " " + req.Path()), nil
		})
		client := srv.NewClient()
		resp, err := client.Delete(t.Context(), "/any/path")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Close()
		if text, _ := resp.Text(); text != "DELETE /any/path" {
			t.Errorf("got %q", text)
		}
	}
}

func ExampleServer_NewClient() {
	_ = func(t *testing.T) {
		srv := aiotest.NewServer(t, newApp())
		alice, bob := srv.NewClient(), srv.NewClient() // a cookie jar each
		for _, c := range []*aiotest.Client{alice, bob} {
			resp, err := c.Get(t.Context(), "/hello/you")
			if err != nil {
				t.Fatal(err)
			}
			resp.Close()
		}
	}
}

func ExampleClient_WSConnect() {
	_ = func(t *testing.T) {
		client := aiotest.NewClient(t, newApp())
		ctx := t.Context()
		ws, err := client.WSConnect(ctx, "/ws", aiohttp.WSOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close(ctx, websocket.CloseOK, "")
		if err := ws.SendStr(ctx, "hello"); err != nil {
			t.Fatal(err)
		}
		if reply, err := ws.ReceiveText(ctx); err != nil || reply != "hello" {
			t.Errorf("got %q, %v", reply, err)
		}
	}
}

func ExampleUnusedPort() {
	_ = func(t *testing.T) {
		port := aiotest.UnusedPort(t)
		cmd := exec.Command("python3", "-m", "http.server", "--bind", "127.0.0.1", strconv.Itoa(port))
		if err := cmd.Start(); err != nil {
			t.Skip(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		// ... talk to http://127.0.0.1:port
	}
}

func ExampleNewMockedRequest() {
	hello := func(req *web.Request) (web.Response, error) {
		lang := req.Query().Get("lang")
		return web.Text("Hello, " + req.MatchInfo().Get("name") + " (" + lang + ")"), nil
	}
	req := aiotest.NewMockedRequest("GET", "/hello/John?lang=en", aiotest.WithMatchInfo("name", "John"))
	resp, err := hello(req)
	if err != nil {
		panic(err)
	}
	r := resp.(*web.BodyResponse)
	fmt.Println(r.Status(), r.ContentType(), r.Text())
	// Output: 200 text/plain Hello, John (en)
}

func ExampleServe() {
	onlyJSON := func(req *web.Request, next web.Handler) (web.Response, error) {
		if req.ContentType() != "application/json" {
			return nil, web.HTTPUnsupportedMediaType()
		}
		return next(req)
	}
	handler := func(req *web.Request) (web.Response, error) {
		return onlyJSON(req, func(*web.Request) (web.Response, error) { return web.Text("ok"), nil })
	}
	req := aiotest.NewMockedRequest("POST", "/items", aiotest.WithBodyString("name=x"),
		aiotest.WithHeader("Content-Type", "application/x-www-form-urlencoded"))
	rec, err := aiotest.Serve(req, handler)
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.Status(), rec.Text())
	// Output: 415 415: Unsupported Media Type
}

func ExampleRecorder() {
	countdown := func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.Header().Set("Content-Type", "text/plain")
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		for i := 3; i > 0; i-- {
			fmt.Fprintln(resp, i)
			if err := resp.Flush(); err != nil {
				return nil, err
			}
		}
		return resp, nil
	}
	req := aiotest.NewMockedRequest("GET", "/countdown")
	if _, err := countdown(req); err != nil {
		panic(err)
	}
	rec := aiotest.Recorder(req)
	fmt.Printf("%d %s %q after %d flushes\n", rec.Status(), rec.Header().Get("Content-Type"), rec.Text(), rec.Flushes())
	// Output: 200 text/plain "3\n2\n1\n" after 3 flushes
}
