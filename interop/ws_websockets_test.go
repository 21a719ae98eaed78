package interop

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// websocketsHint installs the websockets library for Debian's python3.
const websocketsHint = "apt-get install python3-websockets"

// The websockets scripts; see their docstrings.
const (
	wsWebsocketsClientScript = "testdata/ws_websockets_client.py"
	wsWebsocketsServerScript = "testdata/ws_websockets_server.py"
)

var websocketsPeer peer

// needWebsockets returns /usr/bin/python3 once it imports websockets, or
// skips (fails with AIOHTTP_GO_REQUIRE_PEERS).
func needWebsockets(t testing.TB) string {
	t.Helper()
	path, err := websocketsPeer.lookup(func() (string, error) {
		if _, err := os.Stat(pythonPath); err != nil {
			return "", err
		}
		stdout, stderr, err := runPeer(t, nil, pythonPath, "-c", "import websockets; print(websockets.__version__)")
		if err != nil {
			return "", fmt.Errorf("%s cannot import websockets: %v: %s", pythonPath, err, strings.TrimSpace(stderr+stdout))
		}
		return pythonPath, nil
	})
	if err != nil {
		missingPeer(t, "Python websockets library not available (%v); install it: %s", err, websocketsHint)
	}
	return path
}

// TestWebsocketsClient: the websockets library's client (Debian
// python3-websockets) against the demo's /ws: text, binary, 200 KB text
// and binary messages, a ping, the server's close 1000 and its own close
// 1000, with permessage-deflate (websockets' default) and without
// (compression=None).
func TestWebsocketsClient(t *testing.T) {
	srv := startServer(t)
	for _, mode := range []string{"plain", "compress"} {
		t.Run(mode, func(t *testing.T) {
			python := needWebsockets(t)
			url := "ws://" + srv.Addr + "/ws"
			stdout, stderr, err := runPeer(t, nil, python, "-X", "dev", wsWebsocketsClientScript, url, mode)
			if err != nil || !strings.HasPrefix(stdout, "ok ") {
				t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
			}
			if got := strings.Contains(stdout, "permessage-deflate"); got != (mode == "compress") {
				t.Fatalf("permessage-deflate negotiated: %v, want %v: %s", got, mode == "compress", stdout)
			}
			t.Log(strings.TrimSpace(stdout))
		})
	}
}

// startWebsocketsServer runs the websockets echo server until the test
// ends, or skips when python3-websockets is missing.
func startWebsocketsServer(t *testing.T) *peerServer {
	t.Helper()
	python := needWebsockets(t)
	return startPeerServer(t, "/", python, func(port int) []string {
		return []string{wsWebsocketsServerScript, fmt.Sprint(port)}
	})
}

// TestClientAgainstWebsocketsServer: our WSConnect against a websockets
// server, without compression (CompressDefault) and with it (CompressOn):
// text, binary and 200 KB messages, a ping answered by a pong, and the
// server's close code and reason.
func TestClientAgainstWebsocketsServer(t *testing.T) {
	srv := startWebsocketsServer(t)
	for _, compress := range []websocket.CompressMode{websocket.CompressDefault, websocket.CompressOn} {
		t.Run(fmt.Sprintf("compress=%v", compress == websocket.CompressOn), func(t *testing.T) {
			ws := wsDial(t, "ws://"+srv.Host+"/", aiohttp.WSOptions{Options: websocket.Options{Compress: compress, NoAutoping: true}})
			checkCompression(t, ws, compress == websocket.CompressOn)
			ctx := testContext(t)
			wsEchoText(t, ws, "hello websockets")
			wsEchoBytes(t, ws, []byte{0, 1, 0xff})
			wsEchoText(t, ws, strings.Repeat("compressible websockets line\n", 200*1024/29))
			wsEchoBytes(t, ws, payload(200*1024))
			wsPing(t, ws, []byte("interop"))
			if err := ws.SendStr(ctx, "close"); err != nil {
				t.Fatalf("send close: %v", err)
			}
			wsExpectServerClose(t, ws, 4001, "bye")
		})
	}
}

// wsDial connects our client to url, and closes the socket when the test
// ends.
func wsDial(t *testing.T, url string, opts aiohttp.WSOptions) *aiohttp.ClientWebSocket {
	t.Helper()
	s := newClientSession(t, aiohttp.SessionOptions{})
	opts.ReceiveTimeout = clientTestTimeout
	ws, err := s.WSConnect(testContext(t), url, opts)
	if err != nil {
		t.Fatalf("WSConnect %s: %v", url, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), clientTestTimeout)
		defer cancel()
		if err := ws.Close(ctx, websocket.CloseOK, ""); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return ws
}

// checkCompression checks that permessage-deflate was negotiated, or not,
// on both the 101 response and the connection.
func checkCompression(t *testing.T, ws *aiohttp.ClientWebSocket, want bool) {
	t.Helper()
	ext := ws.Response.Header.Get("Sec-WebSocket-Extensions")
	if got := strings.Contains(ext, "permessage-deflate"); got != want || ws.Compressed() != want {
		t.Fatalf("Sec-WebSocket-Extensions %q, Compressed %v; want compression %v", ext, ws.Compressed(), want)
	}
	t.Logf("Sec-WebSocket-Extensions: %q", ext)
}

// wsEchoText sends text and expects it back as a text message.
func wsEchoText(t *testing.T, ws *aiohttp.ClientWebSocket, text string) {
	t.Helper()
	ctx := testContext(t)
	if err := ws.SendStr(ctx, text); err != nil {
		t.Fatalf("send text: %v", err)
	}
	m := ws.Receive(ctx)
	if m.Type != websocket.MessageText || string(m.Data) != text {
		t.Fatalf("echo of a %d-byte text: %v, %d bytes (%v)", len(text), m.Type, len(m.Data), m.Err)
	}
}

// wsEchoBytes sends data and expects it back as a binary message.
func wsEchoBytes(t *testing.T, ws *aiohttp.ClientWebSocket, data []byte) {
	t.Helper()
	ctx := testContext(t)
	if err := ws.SendBytes(ctx, data); err != nil {
		t.Fatalf("send binary: %v", err)
	}
	m := ws.Receive(ctx)
	if m.Type != websocket.MessageBinary || !bytes.Equal(m.Data, data) {
		t.Fatalf("echo of %d binary bytes: %v, %d bytes (%v)", len(data), m.Type, len(m.Data), m.Err)
	}
}

// wsPing pings and expects the pong with the same data; ws must have
// NoAutoping so that Receive returns the pong.
func wsPing(t *testing.T, ws *aiohttp.ClientWebSocket, data []byte) {
	t.Helper()
	ctx := testContext(t)
	if err := ws.Ping(ctx, data); err != nil {
		t.Fatalf("ping: %v", err)
	}
	m := ws.Receive(ctx)
	if m.Type != websocket.MessagePong || !bytes.Equal(m.Data, data) {
		t.Fatalf("after ping %q: %v %q (%v), want a pong", data, m.Type, m.Data, m.Err)
	}
}

// wsExpectServerClose expects the server's close frame with code and
// reason, then the closed socket.
func wsExpectServerClose(t *testing.T, ws *aiohttp.ClientWebSocket, code websocket.StatusCode, reason string) {
	t.Helper()
	ctx := testContext(t)
	m := ws.Receive(ctx)
	if m.Type != websocket.MessageClose || m.Code != code || m.Extra != reason {
		t.Fatalf("got %v code %d %q (%v), want the server's close %d %q", m.Type, m.Code, m.Extra, m.Err, code, reason)
	}
	if m := ws.Receive(ctx); m.Type != websocket.MessageClosed {
		t.Fatalf("after the close frame: %v (%v), want %v", m.Type, m.Err, websocket.MessageClosed)
	}
	if !ws.Closed() || ws.CloseCode() != code {
		t.Fatalf("Closed %v, CloseCode %d, want %d", ws.Closed(), ws.CloseCode(), code)
	}
}
