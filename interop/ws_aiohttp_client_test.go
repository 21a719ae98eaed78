package interop

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// wsAiohttpServerScript is Python aiohttp's WebSocketResponse echo; see
// its docstring.
const wsAiohttpServerScript = "testdata/ws_aiohttp_server.py"

// TestClientAgainstAiohttpWSServer: our WSConnect against Python
// aiohttp's web.WebSocketResponse (Debian python3-aiohttp, compress on),
// offering no compression (aiohttp's compress=0, our CompressDefault) and
// permessage-deflate (compress=15, CompressOn): text, binary, 200 KB and
// JSON echoes, our ping answered by a pong, the server's ping, and the
// server's close code and message.
func TestClientAgainstAiohttpWSServer(t *testing.T) {
	python := needPython(t)
	srv := startPeerServer(t, "/health", python, func(port int) []string {
		return []string{wsAiohttpServerScript, fmt.Sprint(port)}
	})
	for _, compress := range []websocket.CompressMode{websocket.CompressDefault, websocket.CompressOn} {
		t.Run(fmt.Sprintf("compress=%v", compress == websocket.CompressOn), func(t *testing.T) {
			ws := wsDial(t, "ws://"+srv.Host+"/ws", aiohttp.WSOptions{Options: websocket.Options{Compress: compress, NoAutoping: true}})
			checkCompression(t, ws, compress == websocket.CompressOn)
			if server := ws.Response.Header.Get("Server"); !strings.Contains(server, "aiohttp/") {
				t.Errorf("Server %q does not name aiohttp", server)
			}
			ctx := testContext(t)
			wsEchoText(t, ws, "hello aiohttp")
			wsEchoText(t, ws, "ünïcödé ✓")
			wsEchoBytes(t, ws, []byte{0, 1, 0xff})
			wsEchoText(t, ws, strings.Repeat("aiohttp-go ", 200*1024/11))
			wsEchoBytes(t, ws, payload(200*1024))

			doc := map[string]any{"a": []any{1.0, "two", nil}, "b": map[string]any{"c": true}}
			if err := ws.SendJSON(ctx, doc); err != nil {
				t.Fatalf("send JSON: %v", err)
			}
			var got map[string]any
			if err := ws.ReceiveJSON(ctx, &got); err != nil || !reflect.DeepEqual(got, doc) {
				t.Fatalf("JSON echo %v (%v), want %v", got, err, doc)
			}

			wsPing(t, ws, []byte("from-go"))
			if err := ws.SendStr(ctx, "ping-me"); err != nil {
				t.Fatalf("send ping-me: %v", err)
			}
			if m := ws.Receive(ctx); m.Type != websocket.MessagePing || string(m.Data) != "from-aiohttp" {
				t.Fatalf("got %v %q (%v), want the server's ping", m.Type, m.Data, m.Err)
			}
			if err := ws.Pong(ctx, []byte("from-aiohttp")); err != nil {
				t.Fatalf("pong: %v", err)
			}
			wsEchoText(t, ws, "after ping")

			if err := ws.SendStr(ctx, "close"); err != nil {
				t.Fatalf("send close: %v", err)
			}
			wsExpectServerClose(t, ws, 4002, "bye from aiohttp")
		})
	}
}
