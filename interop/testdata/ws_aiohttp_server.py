"""A Python aiohttp WebSocket server for our client.

Usage: /usr/bin/python3 ws_aiohttp_server.py PORT

Listens on 127.0.0.1:PORT until killed. Routes:

  GET /health  "ok" (the test waits for it)
  GET /ws      web.WebSocketResponse(compress=True) echo: text comes back
               as text, binary as binary; the text "ping-me" makes the
               server ping with b"from-aiohttp"; the text "close" makes it
               close with code 4002, message "bye from aiohttp"
"""

import sys

import aiohttp
from aiohttp import web


async def health(request):
    return web.Response(text="ok")


async def ws_echo(request):
    ws = web.WebSocketResponse(compress=True)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == aiohttp.WSMsgType.TEXT:
            if msg.data == "close":
                await ws.close(code=4002, message=b"bye from aiohttp")
                break
            if msg.data == "ping-me":
                await ws.ping(b"from-aiohttp")
                continue
            await ws.send_str(msg.data)
        elif msg.type == aiohttp.WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


def main(port):
    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_get("/ws", ws_echo)
    print("python aiohttp", aiohttp.__version__, "ws server", file=sys.stderr, flush=True)
    web.run_app(app, host="127.0.0.1", port=port, print=None, handle_signals=True)


main(int(sys.argv[1]))
