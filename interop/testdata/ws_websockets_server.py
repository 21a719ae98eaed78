"""An echo server made with the websockets library, for our client.

Usage: /usr/bin/python3 ws_websockets_server.py PORT

Listens on 127.0.0.1:PORT until killed, with websockets' defaults
(permessage-deflate accepted when offered). Every connection echoes text
as text and binary as binary; the text "close" makes the server close
with code 4001, reason "bye". A request that is not a WebSocket handshake
gets websockets' own error answer (426), which is what the test waits for
to know the server listens.
"""

import asyncio
import sys

import websockets


async def echo(ws, path=None):
    # websockets < 14 passes (websocket, path), later versions (websocket).
    async for msg in ws:
        if msg == "close":
            await ws.close(code=4001, reason="bye")
            return
        await ws.send(msg)


async def main(port):
    async with websockets.serve(echo, "127.0.0.1", port, max_size=1 << 20):
        print("websockets", websockets.__version__, "listening", file=sys.stderr, flush=True)
        await asyncio.Future()


asyncio.run(main(int(sys.argv[1])))
