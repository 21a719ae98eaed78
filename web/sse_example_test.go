package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/aiohttp-go/aiohttp/sse"
	"github.com/aiohttp-go/aiohttp/web"
)

func ExampleEventSourceResponse() {
	app := web.NewApplication()
	app.Router.Get("/events", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{Retry: 5 * time.Second})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		// Go on after the last event the client saw, if it reconnects.
		id, _ := strconv.Atoi(es.LastEventID())
		for range 2 {
			id++
			ev := sse.Event{ID: strconv.Itoa(id), Event: "tick", Data: "line one\nline two"}
			select {
			case <-es.Context().Done(): // the client left, or the server stops
				return es, nil
			default:
			}
			if err := es.SendEvent(ev); err != nil {
				return es, nil
			}
		}
		return es, nil // ends the stream
	})
	srv := httptest.NewServer(app)
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/events", nil)
	req.Header.Set("Last-Event-ID", "41")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Header.Get("Content-Type"))
	fmt.Print(string(body))
	// Output:
	// text/event-stream
	// retry: 5000
	//
	// id: 42
	// event: tick
	// data: line one
	// data: line two
	//
	// id: 43
	// event: tick
	// data: line one
	// data: line two
}
