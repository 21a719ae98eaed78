package demo

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/hub"
	"github.com/aiohttp-go/aiohttp/internal/redistest"
	"github.com/aiohttp-go/aiohttp/websocket"
	"github.com/redis/go-redis/v9"
)

// sseLines reads the data lines of an SSE stream.
func sseLines(t *testing.T, client *http.Client, url string) <-chan string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%s: %d %q", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := make(chan string, 16)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				lines <- d
			}
		}
		close(lines)
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return lines
}

// TestChatAcrossInstances runs two demo applications on one Redis hub, as
// two "serve --redis" instances behind a load balancer: what a WebSocket
// client says on one reaches the WebSocket and SSE clients of the other,
// and a POST to the other reaches the first.
func TestChatAcrossInstances(t *testing.T) {
	srv := redistest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	instance := func() (string, *http.Client) {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		t.Cleanup(func() { rdb.Close() })
		h, err := hub.NewRedis(ctx, rdb, hub.RedisOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return serve(t, NewApp(WithHub(h)))
	}
	baseA, _ := instance()
	baseB, clientB := instance()

	ws := wsDial(t, baseA, "/chat")
	events := sseLines(t, clientB, baseB+"/chat/events")
	// The SSE client subscribed before its response began, the WebSocket
	// client before its handler reads: no message can miss them.
	ws.WriteMessage(ctx, websocket.MessageText, []byte("from A"))
	if _, got, err := wsRead(t, ws); got != "from A" || err != nil {
		t.Fatalf("A's client got %q %v", got, err)
	}
	select {
	case got := <-events:
		if got != "from A" {
			t.Fatalf("B's SSE client got %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("B's SSE client got nothing")
	}

	resp, err := clientB.Post(baseB+"/chat", "text/plain", strings.NewReader("from B"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("POST /chat: %d", resp.StatusCode)
	}
	if _, got, err := wsRead(t, ws); got != "from B" || err != nil {
		t.Fatalf("A's WebSocket client got %q %v", got, err)
	}
	if got := <-events; got != "from B" {
		t.Fatalf("B's SSE client got %q", got)
	}
}
