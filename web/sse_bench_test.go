package web_test

import (
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/web"
)

// BenchmarkEventSourceSend is the cost of one event of some 100 bytes
// sent and flushed by an EventSourceResponse over loopback (one write
// a event), read by net/http's client; SetBytes makes it a throughput.
func BenchmarkEventSourceSend(b *testing.B) {
	data := strings.Repeat("x", 100)
	app := newApp()
	app.Router.Get("/sse", func(req *web.Request) (web.Response, error) {
		n, _ := strconv.Atoi(req.Query().Get("n"))
		es := web.NewEventSourceResponse(web.EventSourceOptions{PingInterval: -1})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		for range n {
			if err := es.Send(data); err != nil {
				return es, nil
			}
		}
		return es, nil
	})
	s := startApp(b, app, web.ServerOptions{})
	b.SetBytes(int64(len("data: \n\n") + len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	resp, err := s.client.Get(s.url + "/sse?n=" + strconv.Itoa(b.N))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != int64(b.N)*int64(len("data: \n\n")+len(data)) {
		b.Fatalf("read %d bytes, %v", n, err)
	}
}
