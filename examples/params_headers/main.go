// Params_headers ports "3 传递请求头和查询参数" of the seed tutorial
// "aiohttp 完整指南": default headers set once on the session, query
// parameters encoded into the URL of one GET, and what the server saw.
//
// The Python original (base is https://httpbin.org):
//
//	headers = {"User-Agent": "MyCoolApp/1.0", "Accept": "application/json"}
//	params = {"key1": "value1", "key2": "value2"}
//	async with aiohttp.ClientSession(headers=headers) as session:
//	    async with session.get(f"{base}/get", params=params) as response:
//	        data = await response.json()
//	        print("URL with params:", data["url"])
//	        print("Headers received by server:", data["headers"])
//
// The headers are printed as Python prints the dict.
//
// GET /get must answer httpbin's JSON echo: the demo server (go run
// ./cmd/aiohttp serve, the default -url) does, and so does httpbin:
//
//	go run ./examples/params_headers -url https://httpbin.org
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/examples/internal/pyrepr"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "base URL of an httpbin-like server (/get)")
	flag.Parse()
	log.SetFlags(0)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, *base)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, base string) error {
	headers := aiohttp.Headers{"User-Agent": "MyCoolApp/1.0", "Accept": "application/json"}
	params := aiohttp.Params{"key1": "value1", "key2": "value2"}

	session, err := aiohttp.NewSession(aiohttp.SessionOptions{Headers: headers})
	if err != nil {
		return err
	}
	defer session.Close()

	// params are encoded and appended to the URL.
	resp, err := session.Get(ctx, base+"/get", params)
	if err != nil {
		return err
	}
	defer resp.Close()
	var data map[string]json.RawMessage
	if err := resp.JSON(&data); err != nil {
		return err
	}
	for _, f := range []struct{ label, key string }{
		{"URL with params:", "url"},
		{"Headers received by server:", "headers"},
	} {
		v, ok := data[f.key]
		if !ok {
			return fmt.Errorf("KeyError: %s", pyrepr.Quote(f.key))
		}
		s, err := pyrepr.Print(v)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, f.label, s)
	}
	return nil
}
