"""The websockets library's client against the demo's /ws echo.

Usage: /usr/bin/python3 ws_websockets_client.py URL compress|plain

"compress" keeps websockets' default (permessage-deflate offered),
"plain" connects with compression=None. On one connection it sends a
text, a binary, a 200 KB text and a 200 KB binary message and checks
each echo, pings, then sends "close", which the demo answers with a close
frame 1000. On a second connection it closes itself with 1000. It prints
"ok <websockets version> <Sec-WebSocket-Extensions>" or fails with a
traceback.
"""

import asyncio
import os
import sys

import websockets

TIMEOUT = 10


def response_headers(ws):
    # websockets < 14 (legacy implementation): response_headers;
    # >= 14 (new asyncio implementation): response.headers.
    headers = getattr(ws, "response_headers", None)
    if headers is None:
        headers = ws.response.headers
    return headers


async def recv(ws):
    return await asyncio.wait_for(ws.recv(), TIMEOUT)


async def main(url, compress):
    kwargs = {"max_size": 1 << 20}
    if not compress:
        kwargs["compression"] = None
    async with websockets.connect(url, **kwargs) as ws:
        ext = response_headers(ws).get("Sec-WebSocket-Extensions", "")
        assert ("permessage-deflate" in ext) == compress, ext

        await ws.send("hello")
        got = await recv(ws)
        assert got == "hello", got

        await ws.send(b"\x00\x01\xff")
        got = await recv(ws)
        assert got == b"\x00\x01\xff", got

        big_text = "".join("websockets %06d\n" % i for i in range(200 * 1024 // 18))
        await ws.send(big_text)
        got = await recv(ws)
        assert got == big_text, (len(got), len(big_text))

        big_bytes = os.urandom(200 * 1024)
        await ws.send(big_bytes)
        got = await recv(ws)
        assert isinstance(got, bytes) and got == big_bytes, len(got)

        pong = await ws.ping(b"interop")
        await asyncio.wait_for(pong, TIMEOUT)

        await ws.send("close")
        try:
            got = await recv(ws)
        except websockets.exceptions.ConnectionClosedOK:
            pass
        else:
            raise AssertionError("message after close: %r" % (got,))
        assert ws.close_code == 1000, ws.close_code

    async with websockets.connect(url, **kwargs) as ws:
        await ws.send("before close")
        assert await recv(ws) == "before close"
        await asyncio.wait_for(ws.close(code=1000, reason="bye"), TIMEOUT)
        assert ws.close_code == 1000, ws.close_code

    print("ok", websockets.__version__, ext)


asyncio.run(asyncio.wait_for(main(sys.argv[1], sys.argv[2] == "compress"), 60))
