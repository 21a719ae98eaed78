package aiohttp_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

// exampleServer serves a small API on 127.0.0.1 for the examples and
// returns its URL and a function stopping it.
func exampleServer() (string, func()) {
	app := web.NewApplication(web.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	app.Router.Get("/get", func(r *web.Request) (web.Response, error) {
		return web.Text("key1=" + r.Query().Get("key1")), nil
	})
	app.Router.Post("/api/data", func(r *web.Request) (web.Response, error) {
		var v map[string]any
		if err := r.JSON(&v); err != nil {
			return nil, web.HTTPBadRequest()
		}
		return web.JSON(map[string]any{"status": "success", "received": v})
	})
	tries := 0
	app.Router.Get("/flaky", func(*web.Request) (web.Response, error) {
		if tries++; tries < 3 {
			return web.NewResponse(429).SetHeader("Retry-After", "0"), nil
		}
		return web.Text("finally"), nil
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	runner := web.NewAppRunner(app, web.ServerOptions{})
	runner.Setup(context.Background())
	web.NewListenerSite(runner, ln).Start(context.Background())
	return "http://" + ln.Addr().String() + "/", func() { runner.Cleanup(context.Background()) }
}

func ExampleSession() {
	base, stop := exampleServer()
	defer stop()

	s, err := aiohttp.NewSession(aiohttp.SessionOptions{BaseURL: base, Timeout: aiohttp.ClientTimeout{Total: time.Minute}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	resp, err := s.Get(context.Background(), "get", aiohttp.Params{"key1": "value1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Close()
	text, _ := resp.Text()
	fmt.Println("Status:", resp.Status)
	fmt.Println(text)
	// Output:
	// Status: 200
	// key1=value1
}

// With is aiohttp's `async with session.get(url) as resp:`: the response
// is released when the function returns, and its memory is reused for
// the next request.
func ExampleSession_With() {
	base, stop := exampleServer()
	defer stop()

	s, err := aiohttp.NewSession(aiohttp.SessionOptions{BaseURL: base})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	for _, v := range []string{"a", "b"} {
		err := s.With(context.Background(), "GET", "get", func(resp *aiohttp.Response) error {
			text, err := resp.Text()
			fmt.Println(resp.Status, text)
			return err
		}, aiohttp.Params{"key1": v})
		if err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// 200 key1=a
	// 200 key1=b
}

func ExampleJSON() {
	base, stop := exampleServer()
	defer stop()

	s, err := aiohttp.NewSession(aiohttp.SessionOptions{BaseURL: base, RaiseForStatus: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	resp, err := s.Post(context.Background(), "api/data", aiohttp.JSON(map[string]string{"name": "aiohttp"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Close()
	var out struct {
		Status   string
		Received map[string]string
	}
	if err := resp.JSON(&out); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Status, out.Received["name"])
	// Output: success aiohttp
}

func ExampleRetryMiddleware() {
	base, stop := exampleServer()
	defer stop()

	s, err := aiohttp.NewSession(aiohttp.SessionOptions{
		BaseURL:     base,
		Middlewares: []aiohttp.Middleware{aiohttp.RetryMiddleware(aiohttp.RetryOptions{Attempts: 5})},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	resp, err := s.Get(context.Background(), "flaky")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Close()
	text, _ := resp.Text()
	fmt.Println(resp.Status, text)
	// Output: 200 finally
}

func ExampleRateLimitMiddleware() {
	base, stop := exampleServer()
	defer stop()

	// At most 10 requests a second to each host, whatever the
	// concurrency; the connector's limits bound how many run at once.
	limit, err := aiohttp.RateLimitMiddleware(aiohttp.RateLimitOptions{Rate: 10, PerHost: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := aiohttp.NewSession(aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{limit}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	start := time.Now()
	for i := range 3 {
		resp, err := s.Get(context.Background(), "get", aiohttp.Params{"key1": fmt.Sprint(i)})
		if err != nil {
			fmt.Println(err)
			return
		}
		text, _ := resp.Text()
		resp.Close()
		fmt.Println(text)
	}
	fmt.Println(time.Since(start) >= 200*time.Millisecond)
	// Output:
	// key1=0
	// key1=1
	// key1=2
	// true
}

func ExampleUploadProgress() {
	base, stop := exampleServer()
	defer stop()

	s, err := aiohttp.NewSession(aiohttp.SessionOptions{BaseURL: base})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	big := map[string]string{"name": strings.Repeat("x", 100<<10)}
	var pieces int
	var sent, total int64
	resp, err := s.Post(context.Background(), "api/data", aiohttp.JSON(big),
		aiohttp.UploadProgress(func(n, of int64) { pieces, sent, total = pieces+1, n, of }))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Close()
	fmt.Println(resp.Status, sent == total, pieces > 1)
	// Output: 200 true true
}

func ExampleSession_HTTPClient() {
	base, stop := exampleServer()
	defer stop()

	s, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	// Any code written for net/http now uses the session's pool.
	client := s.HTTPClient()
	resp, err := client.Get(base + "get?key1=net/http")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(body))
	// Output: 200 OK key1=net/http
}

func ExampleMiddleware() {
	base, stop := exampleServer()
	defer stop()

	logRequests := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		fmt.Println("->", req.Method, req.URL.Path)
		resp, err := next(req)
		if err == nil {
			fmt.Println("<-", resp.Status)
		}
		return resp, err
	}
	s, err := aiohttp.NewSession(aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{logRequests}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	resp, err := s.Get(context.Background(), "get")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Close()
	// Output:
	// -> GET /get
	// <- 200
}

func ExampleClientRequest_Body() {
	base, stop := exampleServer()
	defer stop()

	// A middleware that signs the body, as an API with HMAC request
	// signatures asks.
	key := []byte("secret")
	sign := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		body, err := req.Body()
		if err != nil {
			return nil, err
		}
		mac := hmac.New(sha256.New, key)
		if body != nil {
			io.Copy(mac, body)
		}
		req.Header.Set("X-Signature", hex.EncodeToString(mac.Sum(nil)))
		fmt.Println("signed", req.Header.Get("Content-Length"), "bytes")
		return next(req)
	}
	s, err := aiohttp.NewSession(aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{sign}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	resp, err := s.Post(context.Background(), "api/data", aiohttp.JSON(map[string]string{"name": "aiohttp"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Close()
	fmt.Println(resp.Status)
	// Output:
	// signed 18 bytes
	// 200
}
