// Methods ports "2 发送不同类型的请求" of the seed tutorial "aiohttp 完整指南":
// one session sending a GET, a POST with a JSON body, a POST with form
// fields and a PUT with a text body, printing each answer.
//
// The Python original (base is https://httpbin.org):
//
//	async with aiohttp.ClientSession() as session:
//	    async with session.get(f"{base}/get") as resp:
//	        print("GET Response:", await resp.json())
//	    payload = {"key": "value", "number": 123}
//	    async with session.post(f"{base}/post", json=payload) as resp:
//	        print("POST JSON Response:", await resp.json())
//	    form_data = {"name": "John Doe", "email": "john.doe@example.com"}
//	    async with session.post(f"{base}/post", data=form_data) as resp:
//	        print("POST Form Response:", await resp.json())
//	    async with session.put(f"{base}/put", data="some data") as resp:
//	        print("PUT Response:", await resp.text())
//
// The JSON answers are printed as Python prints the dicts json() returns
// ({'key': 'value', 'number': 123}), so the two versions can be compared
// line by line.
//
// The requests go to httpbin's /get, /post and /put under -url: the demo
// server (go run ./cmd/aiohttp serve, the default) answers them, and so
// does httpbin itself:
//
//	go run ./examples/methods -url https://httpbin.org
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
	base := flag.String("url", "http://127.0.0.1:8080", "base URL of an httpbin-like server (/get, /post, /put)")
	flag.Parse()
	log.SetFlags(0)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout, *base)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

// payload is the seed's JSON payload; a struct keeps its keys in the
// seed's order.
type payload struct {
	Key    string `json:"key"`
	Number int    `json:"number"`
}

func run(ctx context.Context, out io.Writer, base string) error {
	session, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		return err
	}
	defer session.Close()

	// GET
	resp, err := session.Get(ctx, base+"/get")
	if err != nil {
		return err
	}
	if err := printJSON(out, "GET Response:", resp); err != nil {
		return err
	}

	// POST with a JSON body
	resp, err = session.Post(ctx, base+"/post", aiohttp.JSON(payload{Key: "value", Number: 123}))
	if err != nil {
		return err
	}
	if err := printJSON(out, "POST JSON Response:", resp); err != nil {
		return err
	}

	// POST with form fields. FormList keeps the seed's field order; Form
	// (a map) would send them sorted by name.
	resp, err = session.Post(ctx, base+"/post", aiohttp.FormList{
		{Key: "name", Value: "John Doe"},
		{Key: "email", Value: "john.doe@example.com"},
	})
	if err != nil {
		return err
	}
	if err := printJSON(out, "POST Form Response:", resp); err != nil {
		return err
	}

	// PUT with a text body
	resp, err = session.Put(ctx, base+"/put", aiohttp.String("some data"))
	if err != nil {
		return err
	}
	defer resp.Close()
	text, err := resp.Text()
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "PUT Response:", text)
	return nil
}

// printJSON prints label and the JSON body of resp as Python's print
// shows what resp.json() returns, and closes resp.
func printJSON(out io.Writer, label string, resp *aiohttp.Response) error {
	defer resp.Close()
	var body json.RawMessage // JSON checks the content type and the syntax
	if err := resp.JSON(&body); err != nil {
		return err
	}
	s, err := pyrepr.Print(body)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, label, s)
	return nil
}
