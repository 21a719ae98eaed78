package sse_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aiohttp-go/aiohttp/sse"
)

func ExampleEncoder() {
	enc := sse.NewEncoder(os.Stdout)
	_ = enc.Encode(sse.Event{ID: "1", Data: "hello"})
	_ = enc.Encode(sse.Event{ID: "2", Event: "update", Data: "line one\nline two", Retry: 3 * time.Second})
	_ = enc.Comment("ping")
	err := enc.Encode(sse.Event{Event: "bad\ntype"})
	fmt.Println(errors.Is(err, sse.ErrInvalidEvent))
	// Output:
	// id: 1
	// data: hello
	//
	// id: 2
	// event: update
	// data: line one
	// data: line two
	// retry: 3000
	//
	// : ping
	// true
}

func ExampleReader() {
	stream := "\ufeff: a comment\r\n" +
		"id: 7\r\n" +
		"data: first\r\n" +
		"\r\n" +
		"event: update\n" +
		"data: second,\n" +
		"data: two lines\n" +
		"\n" +
		"data: cut short" // no blank line: never dispatched
	r := sse.NewReader(strings.NewReader(stream), sse.ReaderOptions{})
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Printf("id=%q event=%q data=%q\n", ev.ID, ev.Event, ev.Data)
	}
	fmt.Println("last event ID:", r.LastEventID())
	// Output:
	// id="7" event="message" data="first"
	// id="7" event="update" data="second,\ntwo lines"
	// last event ID: 7
}
