package interop

import (
	"strings"
	"testing"
)

// wsClientScript is Python aiohttp's ws_connect against the demo's /ws
// echo: text, binary, a large compressible text, a ping, then "close",
// which the server answers with a close frame (1000). argv: the URL and
// "compress" or "plain". It prints "ok <extensions header>" or fails with
// a traceback.
const wsClientScript = `
import asyncio, sys, aiohttp

async def main(url, compress):
    async with aiohttp.ClientSession() as s:
        async with s.ws_connect(url, compress=15 if compress else 0, autoping=True) as ws:
            ext = ws._response.headers.get("Sec-WebSocket-Extensions", "")
            assert bool(ext) == compress, ext
            await ws.send_str("hello")
            msg = await ws.receive(timeout=5)
            assert msg.type == aiohttp.WSMsgType.TEXT and msg.data == "hello", msg
            await ws.send_bytes(b"\x00\x01\xff")
            msg = await ws.receive(timeout=5)
            assert msg.type == aiohttp.WSMsgType.BINARY and msg.data == b"\x00\x01\xff", msg
            big = "aiohttp-go " * 50000
            await ws.send_str(big)
            msg = await ws.receive(timeout=5)
            assert msg.type == aiohttp.WSMsgType.TEXT and msg.data == big, len(msg.data or "")
            await ws.send_json({"a": [1, 2]})
            assert await ws.receive_json(timeout=5) == {"a": [1, 2]}
            await ws.send_str("close")
            msg = await ws.receive(timeout=5)
            assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 1000, msg
            msg = await ws.receive(timeout=5)
            assert msg.type == aiohttp.WSMsgType.CLOSED, msg
            assert ws.closed and ws.close_code == 1000, ws.close_code
        print("ok", ext)

asyncio.run(main(sys.argv[1], sys.argv[2] == "compress"))
`

// TestPythonAiohttpWSClient: Python aiohttp's ws_connect (Debian
// python3-aiohttp) against the demo's /ws, with and without
// permessage-deflate.
func TestPythonAiohttpWSClient(t *testing.T) {
	srv := startServer(t)
	for _, mode := range []string{"plain", "compress"} {
		t.Run(mode, func(t *testing.T) {
			python := needPython(t)
			stdout, stderr, err := runPeer(t, nil, python, "-X", "dev", "-c", wsClientScript, srv.URL+"/ws", mode)
			if err != nil || !strings.HasPrefix(stdout, "ok") {
				t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
			}
			if mode == "compress" && !strings.Contains(stdout, "permessage-deflate") {
				t.Fatalf("no permessage-deflate: %s", stdout)
			}
			t.Log(strings.TrimSpace(stdout))
		})
	}
}
